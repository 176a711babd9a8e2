// Package tracker follows the builds chat started: it keeps them in the KV store, so nothing is
// lost across restarts, and one poller for the whole cluster brings their status posts up to date.
package tracker

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/pluginapi"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
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
	// Shown is the post.Digest of what the post shows, so a tick touches the post only when that
	// would change.
	Shown     string `json:"shown"`
	CreatedAt int64  `json:"created_at"`
	// ClaimedAt is when a tick last took over an announcement a crash may have cut short.
	ClaimedAt int64 `json:"claimed_at,omitempty"`
	// Tag is the RequestProperty value a change carried (change-hook mode): its builds are found
	// by it, among the requests after AfterRequest.
	Tag          string `json:"tag,omitempty"`
	AfterRequest int    `json:"after_request,omitempty"`
	// Watch is set for a build a channel's subscriptions follow; Pending while its post waits
	// for a result the subscriptions ask for.
	Watch   *Watch `json:"watch,omitempty"`
	Pending bool   `json:"pending,omitempty"`

	// announce says a pending build's result is one its subscriptions ask for; a tick decides it.
	announce bool
	// stored is the entry as the store holds it, when it was read or written as such: Save writes
	// only what changed, and Claim writes only if no one else has written since.
	stored []byte
	// original is, for an entry copied from the ones this node holds, the decoded entry it was
	// copied from, which no one changes; it stands for stored, which those do not keep.
	original *Tracked
}

// unchanged says whether the entry is as the store holds it. Comparing a copy with the entry it
// was copied from spares encoding it: at ten thousand followed builds, encoding each to compare
// cost a third of a tick.
func (t *Tracked) unchanged() bool {
	switch {
	case t.original != nil:
		return reflect.DeepEqual(t.persisted(), t.original.persisted())
	case t.stored != nil:
		raw, err := json.Marshal(t)
		return err == nil && bytes.Equal(raw, t.stored)
	}
	return false
}

// persisted is the entry without what the store does not hold.
func (t *Tracked) persisted() Tracked {
	c := *t
	c.announce, c.stored, c.original = false, nil, nil
	return c
}

// copy is a copy of a decoded stored entry that shares nothing a tick may change with it.
func (t *Tracked) copy() *Tracked {
	c := *t
	c.original = t
	p := &c.Props
	p.Params, p.Rows, p.Changes, p.Mentions = slices.Clone(p.Params), slices.Clone(p.Rows), slices.Clone(p.Changes), slices.Clone(p.Mentions)
	for i := range p.Rows {
		p.Rows[i] = p.Rows[i].Clone()
	}
	if t.Watch != nil {
		w := *t.Watch
		w.Events = slices.Clone(w.Events)
		c.Watch = &w
	}
	return &c
}

// RequestProperty is the property a change carries so the plugin can find the builds it caused:
// the change hook answers with no id.
const RequestProperty = "mattermost_request"

// waiting says whether a change's builds have yet to appear.
func (t *Tracked) waiting() bool {
	return t.Tag != "" && len(t.Props.Rows) == 0 && !t.Props.NothingStarted && !t.Props.Unfollowed && !t.Props.Expired
}

// Done says whether nothing about the build can change any more.
func (t *Tracked) Done() bool { return !t.waiting() && !t.Props.Running() }

// Store keeps tracked builds, and who stopped them.
type Store interface {
	// Save writes an entry when it differs from what the store holds.
	Save(t *Tracked) error
	// Claim writes an entry only if the store still holds what t was read as (nothing, for an
	// entry never stored), and says whether it did.
	Claim(t *Tracked) (bool, error)
	Get(id string) (*Tracked, error)
	Delete(id string) error
	// List returns every followed build. They may be the store's own: read them, and change a
	// copy (Tracked.copy).
	List() ([]*Tracked, error)
	// Hold and Release bracket a tick, whose writes other nodes may learn of together.
	Hold()
	Release() error
	// NoteStopper and Stopper keep who asked to stop a build until the tick that sees it stop.
	NoteStopper(id, username string) error
	Stopper(id string) (string, error)
	// Cursor is the newest build of a Buildbot that subscriptions have looked at; false when
	// none has been. SetCursor moves it; DropCursor forgets it while nothing is subscribed.
	Cursor(source string) (int, bool, error)
	SetCursor(source string, buildID int) error
	DropCursor(source string) error
	// MarkChat notes the channel and the status post of a build request started from chat;
	// ChatChannel reads the channel.
	MarkChat(source string, requestID int, channelID, postID string) error
	ChatChannel(source string, requestID int) (string, error)
	// LastResult is the result of the newest finished build of a builder on a branch;
	// SetLastResult records one.
	LastResult(key string) (*buildbot.Result, error)
	SetLastResult(key string, result buildbot.Result) error
}

const (
	keyPrefix     = "track_"
	stopperPrefix = "stopper_"
	cursorPrefix  = "subs_cursor_"
	chatPrefix    = "chat_"
	lastPrefix    = "last_"
)

// chatKept is how long a chat post's request is remembered: past the tick that discovers its build.
const chatKept = 24 * time.Hour

// forgetAfter is how long a build is followed: a request Buildbot never runs must not stay
// queued in its post for ever. Entries older are ended by a tick, with a state that says so.
const forgetAfter = 7 * 24 * time.Hour

// expireAfter is the store's own backstop, past forgetAfter: an entry is saved only when it
// changes, and every save starts its expiry anew.
const expireAfter = forgetAfter + 24*time.Hour

// stopperKept is how long who stopped a build is kept for the tick to read.
const stopperKept = 24 * time.Hour

// keysPerPage is how many keys one KVList call reads.
const keysPerPage = 200

// KVStore keeps tracked builds in the plugin's KV store, one key per status post, and a copy of
// them in memory that the journal keeps exact (followed.go). Entries written by 0.1.0 are keyed by
// their post's id and have no ID of their own; the key then serves as one.
type KVStore struct {
	KV *pluginapi.KVService

	followed followed
}

func (s *KVStore) write(t *Tracked, atomic bool) (bool, error) {
	if !atomic && t.unchanged() {
		return true, nil
	}
	raw, err := json.Marshal(t)
	if err != nil {
		return false, fmt.Errorf("encode tracked build %s: %w", t.ID, err)
	}
	options := []pluginapi.KVSetOption{pluginapi.SetExpiry(expireAfter)}
	if atomic {
		old, held, err := s.heldAs(t)
		if err != nil || !held {
			return false, err
		}
		options = append(options, pluginapi.SetAtomic(old))
	}
	written, err := s.KV.Set(keyPrefix+t.ID, raw, options...)
	if err != nil {
		return false, fmt.Errorf("save tracked build %s: %w", t.ID, err)
	}
	if !written {
		return false, nil
	}
	t.stored, t.original = raw, nil
	return true, s.record(t.ID, raw)
}

// heldAs is what the store must still hold for a compare-and-set of t: the bytes t was read as,
// nil for an entry never stored. A copy keeps no bytes, so the entry is read again, and false
// says another node wrote it since the copy was made.
func (s *KVStore) heldAs(t *Tracked) ([]byte, bool, error) {
	if t.original == nil {
		return t.stored, true, nil
	}
	raw, err := s.stored(t.ID)
	if err != nil || raw == nil {
		return nil, false, err
	}
	now, err := decode(t.ID, raw)
	if err != nil {
		return nil, false, err
	}
	return raw, reflect.DeepEqual(now.persisted(), t.original.persisted()), nil
}

// Save writes a tracked build when it changed; the entry expires on its own if tracking never
// ends it.
func (s *KVStore) Save(t *Tracked) error {
	_, err := s.write(t, false)
	return err
}

// Claim writes a tracked build unless another node wrote it since it was read.
func (s *KVStore) Claim(t *Tracked) (bool, error) { return s.write(t, true) }

// stored is an entry as the store holds it, or nil when there is none.
func (s *KVStore) stored(id string) ([]byte, error) {
	var raw []byte
	if err := s.KV.Get(keyPrefix+id, &raw); err != nil {
		return nil, fmt.Errorf("get tracked build %s: %w", id, err)
	}
	return raw, nil
}

// Get returns a tracked build, or nil when there is none.
func (s *KVStore) Get(id string) (*Tracked, error) {
	raw, err := s.stored(id)
	if err != nil {
		return nil, err
	}
	if raw == nil {
		return nil, nil
	}
	return decode(id, raw)
}

// Delete ends tracking of a build.
func (s *KVStore) Delete(id string) error {
	if err := s.KV.Delete(keyPrefix + id); err != nil {
		return fmt.Errorf("delete tracked build %s: %w", id, err)
	}
	return s.record(id, nil)
}

// NoteStopper keeps the Mattermost user who asked to stop a tracked build.
func (s *KVStore) NoteStopper(id, username string) error {
	if _, err := s.KV.Set(stopperPrefix+id, username, pluginapi.SetExpiry(stopperKept)); err != nil {
		return fmt.Errorf("note who stopped %s: %w", id, err)
	}
	return nil
}

// Stopper is the user who asked to stop a tracked build, or "".
func (s *KVStore) Stopper(id string) (string, error) {
	var username string
	if err := s.KV.Get(stopperPrefix+id, &username); err != nil {
		return "", fmt.Errorf("read who stopped %s: %w", id, err)
	}
	return username, nil
}

// Cursor is the newest build subscriptions have looked at on a Buildbot.
func (s *KVStore) Cursor(source string) (int, bool, error) {
	var id *int
	if err := s.KV.Get(cursorPrefix+source, &id); err != nil {
		return 0, false, fmt.Errorf("read the subscriptions' cursor: %w", err)
	}
	if id == nil {
		return 0, false, nil
	}
	return *id, true, nil
}

// SetCursor moves the cursor.
func (s *KVStore) SetCursor(source string, buildID int) error {
	if _, err := s.KV.Set(cursorPrefix+source, buildID); err != nil {
		return fmt.Errorf("move the subscriptions' cursor: %w", err)
	}
	return nil
}

// DropCursor forgets the cursor, so subscriptions made later start from then, not from history.
func (s *KVStore) DropCursor(source string) error {
	if err := s.KV.Delete(cursorPrefix + source); err != nil {
		return fmt.Errorf("forget the subscriptions' cursor: %w", err)
	}
	return nil
}

// MarkChat notes which channel and post have the chat post of a build request, as
// "<channel id>/<post id>": ids have no slash, and a mark written before posts were noted is the
// channel alone.
func (s *KVStore) MarkChat(source string, requestID int, channelID, postID string) error {
	if _, err := s.KV.Set(chatKey(source, requestID), channelID+"/"+postID, pluginapi.SetExpiry(chatKept)); err != nil {
		return fmt.Errorf("note the chat post of request %d: %w", requestID, err)
	}
	return nil
}

func chatKey(source string, requestID int) string {
	return fmt.Sprintf("%s%s_%d", chatPrefix, source, requestID)
}

// ChatChannel is the channel with the chat post of a build request, or "".
func (s *KVStore) ChatChannel(source string, requestID int) (string, error) {
	channelID, _, err := s.ChatPost(source, requestID)
	return channelID, err
}

// ChatPost is the channel and status post of a build request started from chat, or "".
func (s *KVStore) ChatPost(source string, requestID int) (channelID, postID string, err error) {
	var mark string
	if err := s.KV.Get(chatKey(source, requestID), &mark); err != nil {
		return "", "", fmt.Errorf("read the chat post of request %d: %w", requestID, err)
	}
	channelID, postID, _ = strings.Cut(mark, "/")
	return channelID, postID, nil
}

// LastResult reads the newest finished result recorded under key.
func (s *KVStore) LastResult(key string) (*buildbot.Result, error) {
	var r *buildbot.Result
	if err := s.KV.Get(lastPrefix+key, &r); err != nil {
		return nil, fmt.Errorf("read the last result of %s: %w", key, err)
	}
	return r, nil
}

// lastResultKept is how long a builder and branch's last result stays without a newer one: a
// branch nobody built for that long starts over with no previous result, and its key is gone.
const lastResultKept = 90 * 24 * time.Hour

// SetLastResult records a finished result under key.
func (s *KVStore) SetLastResult(key string, result buildbot.Result) error {
	if _, err := s.KV.Set(lastPrefix+key, result, pluginapi.SetExpiry(lastResultKept)); err != nil {
		return fmt.Errorf("record the last result of %s: %w", key, err)
	}
	return nil
}
