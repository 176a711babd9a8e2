// Package notify tells people of builds in direct messages from the bot: whoever asked to hear of a
// running build (Notify me), whoever started a build from chat, as their settings ask, and whoever's
// change broke a builder. It keeps what that needs per user in the KV store: their settings
// (/build me) and their recent builds (/build mine).
package notify

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/mattermost/mattermost/server/public/pluginapi"
)

// OwnBuilds is which of a user's own chat-started builds end in a direct message.
type OwnBuilds string

// The choices of OwnBuilds: none, the failed ones, all.
const (
	OwnBuildsOff      OwnBuilds = "off"
	OwnBuildsFailures OwnBuilds = "failures"
	OwnBuildsAlways   OwnBuilds = "always"
)

// Valid says whether o is one of the choices.
func (o OwnBuilds) Valid() bool {
	return o == OwnBuildsOff || o == OwnBuildsFailures || o == OwnBuildsAlways
}

// Settings are what a user chose. The zero value is not the default: Defaults is.
type Settings struct {
	// OwnBuilds: the failure reply in the channel mentions whoever started a build already, so
	// a direct message too is off unless asked for.
	OwnBuilds OwnBuilds `json:"own_builds"`
	// Breaks says whether a build their change breaks tells them.
	Breaks bool `json:"breaks"`
}

// Defaults are the settings of a user who chose nothing.
var Defaults = Settings{OwnBuilds: OwnBuildsOff, Breaks: true}

// Recent is a build of a user's, for /build mine: its status post.
type Recent struct {
	PostID    string `json:"post_id"`
	ChannelID string `json:"channel_id"`
	// At is when the build became the user's (started, or found to hold their change), epoch ms.
	At int64 `json:"at"`
}

const (
	settingsPrefix = "me_"
	waitersPrefix  = "waiters_"
	recentPrefix   = "mine_"
	brokePrefix    = "broke_"
	// maxRecent bounds the builds /build mine keeps per user.
	maxRecent = 20
	// waitersKept outlives any followed build (tracker.forgetAfter is a week).
	waitersKept = 8 * 24 * time.Hour
	// brokeKept bounds how long a build's break is remembered: past any retry of its tick.
	brokeKept = 7 * 24 * time.Hour
	// casAttempts bounds the retries of a compare-and-set that others keep winning.
	casAttempts = 20
)

// Store keeps each user's settings, recent builds and the builds they wait for in the KV store.
type Store struct {
	KV *pluginapi.KVService
}

// Settings reads a user's settings, or the defaults.
func (s *Store) Settings(userID string) (Settings, error) {
	var raw *Settings
	if err := s.KV.Get(settingsPrefix+userID, &raw); err != nil {
		return Defaults, fmt.Errorf("read the settings of %s: %w", userID, err)
	}
	if raw == nil {
		return Defaults, nil
	}
	if !raw.OwnBuilds.Valid() {
		raw.OwnBuilds = Defaults.OwnBuilds
	}
	return *raw, nil
}

// SetSettings writes a user's settings.
func (s *Store) SetSettings(userID string, settings Settings) error {
	if _, err := s.KV.Set(settingsPrefix+userID, settings); err != nil {
		return fmt.Errorf("write the settings of %s: %w", userID, err)
	}
	return nil
}

// update changes a JSON list under key with a compare-and-set, so two servers, or two clicks,
// lose neither change.
func update[T any](kv *pluginapi.KVService, key string, change func([]T) []T, expiry time.Duration) ([]T, error) {
	for range casAttempts {
		var old []byte
		if err := kv.Get(key, &old); err != nil {
			return nil, fmt.Errorf("read %s: %w", key, err)
		}
		var list []T
		if old != nil {
			if err := json.Unmarshal(old, &list); err != nil {
				return nil, fmt.Errorf("decode %s: %w", key, err)
			}
		}
		list = change(list)
		if old == nil && len(list) == 0 {
			// Nothing stored, nothing to store: most builds end with nobody waiting.
			return list, nil
		}
		options := []pluginapi.KVSetOption{pluginapi.SetAtomic(old)}
		if expiry > 0 {
			options = append(options, pluginapi.SetExpiry(expiry))
		}
		var value any = list
		if len(list) == 0 {
			value = nil
		}
		written, err := kv.Set(key, value, options...)
		if err != nil {
			return nil, fmt.Errorf("write %s: %w", key, err)
		}
		if written {
			return list, nil
		}
	}
	return nil, fmt.Errorf("write %s: others kept changing it", key)
}

// ToggleWaiting adds the user to those who wait for a followed build's end, or takes them off, and
// says whether they wait now, with everyone who does.
func (s *Store) ToggleWaiting(trackID, userID string) (bool, []string, error) {
	waiting := false
	all, err := update(s.KV, waitersPrefix+trackID, func(ids []string) []string {
		if i := slices.Index(ids, userID); i >= 0 {
			return slices.Delete(ids, i, i+1)
		}
		waiting = true
		return append(ids, userID)
	}, waitersKept)
	return waiting, all, err
}

// TakeWaiting returns who waits for a followed build's end, and forgets them.
func (s *Store) TakeWaiting(trackID string) ([]string, error) {
	var taken []string
	_, err := update(s.KV, waitersPrefix+trackID, func(ids []string) []string {
		taken = ids
		return nil
	}, 0)
	return taken, err
}

// AddRecent notes a build as the user's, newest first, once.
func (s *Store) AddRecent(userID string, r Recent) error {
	_, err := update(s.KV, recentPrefix+userID, func(list []Recent) []Recent {
		list = slices.DeleteFunc(list, func(old Recent) bool { return old.PostID == r.PostID })
		list = append([]Recent{r}, list...)
		return list[:min(len(list), maxRecent)]
	}, 0)
	return err
}

// Recent lists a user's builds, newest first.
func (s *Store) Recent(userID string) ([]Recent, error) {
	var list []Recent
	if err := s.KV.Get(recentPrefix+userID, &list); err != nil {
		return nil, fmt.Errorf("read the builds of %s: %w", userID, err)
	}
	return list, nil
}

// FirstBreak says whether this is the first time a build's break is told, across servers and
// the entries of every channel that follows the build.
func (s *Store) FirstBreak(source string, buildID int) (bool, error) {
	written, err := s.KV.Set(fmt.Sprintf("%s%s_%d", brokePrefix, source, buildID), true, pluginapi.SetAtomic(nil), pluginapi.SetExpiry(brokeKept))
	if err != nil {
		return false, fmt.Errorf("note the break of build %d: %w", buildID, err)
	}
	return written, nil
}
