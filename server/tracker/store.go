// Package tracker follows the builds chat started: it keeps them in the KV store, so nothing is
// lost across restarts, and one poller for the whole cluster brings their status posts up to date.
package tracker

import (
	"fmt"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/pluginapi"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/post"
)

// Tracked is one status post and the Buildbot requests behind it. It is stored under its own ID
// before its post exists, so PostID is empty until the post is made.
type Tracked struct {
	ID        string     `json:"id"`
	PostID    string     `json:"post_id"`
	ChannelID string     `json:"channel_id"`
	RootID    string     `json:"root_id,omitempty"`
	Props     post.Props `json:"props"`
	// Rendered is the message last posted, so a tick updates the post only when it would change.
	Rendered  string `json:"rendered"`
	CreatedAt int64  `json:"created_at"`
	// Tag is the RequestProperty value a change carried (change-hook mode): its builds are found
	// by it, among the requests after AfterRequest.
	Tag          string `json:"tag,omitempty"`
	AfterRequest int    `json:"after_request,omitempty"`
}

// RequestProperty is the property a change carries so the plugin can find the builds it caused:
// the change hook answers with no id.
const RequestProperty = "mattermost_request"

// waiting says whether a change's builds have yet to appear.
func (t *Tracked) waiting() bool {
	return t.Tag != "" && len(t.Props.Rows) == 0 && !t.Props.NothingStarted && !t.Props.Unfollowed
}

// Done says whether nothing about the build can change any more.
func (t *Tracked) Done() bool { return !t.waiting() && !t.Props.Running() }

// Store keeps tracked builds.
type Store interface {
	Save(t *Tracked) error
	Get(id string) (*Tracked, error)
	Delete(id string) error
	List() ([]*Tracked, error)
}

const keyPrefix = "track_"

// forgetAfter bounds how long a build is followed: a request Buildbot never runs must not stay in
// the store for ever.
const forgetAfter = 7 * 24 * time.Hour

// KVStore keeps tracked builds in the plugin's KV store, one key per status post. Entries written
// by 0.1.0 are keyed by their post's id and have no ID of their own; the key then serves as one.
type KVStore struct{ KV *pluginapi.KVService }

// Save writes a tracked build; the entry expires on its own if tracking never ends it.
func (s KVStore) Save(t *Tracked) error {
	if _, err := s.KV.Set(keyPrefix+t.ID, t, pluginapi.SetExpiry(forgetAfter)); err != nil {
		return fmt.Errorf("save tracked build %s: %w", t.ID, err)
	}
	return nil
}

// Get returns a tracked build, or nil when there is none.
func (s KVStore) Get(id string) (*Tracked, error) {
	var t *Tracked
	if err := s.KV.Get(keyPrefix+id, &t); err != nil {
		return nil, fmt.Errorf("get tracked build %s: %w", id, err)
	}
	if t != nil && t.ID == "" {
		t.ID = id
	}
	return t, nil
}

// Delete ends tracking of a build.
func (s KVStore) Delete(id string) error {
	if err := s.KV.Delete(keyPrefix + id); err != nil {
		return fmt.Errorf("delete tracked build %s: %w", id, err)
	}
	return nil
}

// List returns every tracked build.
func (s KVStore) List() ([]*Tracked, error) {
	var all []*Tracked
	const perPage = 200
	for page := 0; ; page++ {
		keys, err := s.KV.ListKeys(page, perPage, pluginapi.WithPrefix(keyPrefix))
		if err != nil {
			return nil, fmt.Errorf("list tracked builds: %w", err)
		}
		for _, key := range keys {
			t, err := s.Get(strings.TrimPrefix(key, keyPrefix))
			if err != nil {
				return nil, err
			}
			if t != nil {
				all = append(all, t)
			}
		}
		if len(keys) < perPage {
			return all, nil
		}
	}
}
