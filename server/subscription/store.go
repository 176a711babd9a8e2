package subscription

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/mattermost/mattermost/server/public/pluginapi"
)

// Store keeps subscriptions.
type Store interface {
	// Channel lists a channel's subscriptions.
	Channel(channelID string) ([]Subscription, error)
	// Put adds a subscription, replacing one for the same repo and glob; it says whether it did. A
	// new one past PerChannel in its channel, or past total in all, is refused with a *LimitError.
	Put(sub Subscription, total int) (replaced bool, err error)
	// Remove drops a channel's subscription for a repo and glob; it says whether there was one.
	Remove(channelID, repo, branch string) (bool, error)
	// DropChannel forgets every subscription of a channel.
	DropChannel(channelID string) error
	// All lists every channel's subscriptions.
	All() ([]Subscription, error)
}

// PerChannel is how many subscriptions one channel may have: more would be a wall of posts, and
// each costs every poll a look.
const PerChannel = 50

// LimitError refuses a subscription past a limit: Max in the channel, or in all when InAll.
type LimitError struct {
	Max   int
	InAll bool
}

// Error is the log's account; the command words it for people.
//
//i18n:verbatim the log is English
func (e *LimitError) Error() string {
	if e.InAll {
		return fmt.Sprintf("all channels have %d subscriptions, the most the settings allow", e.Max)
	}
	return fmt.Sprintf("the channel has %d subscriptions, the most one may have", e.Max)
}

// KVStore keeps each channel's subscriptions under a key of its own, the list of channels that
// have any under another, and a version that every write moves on. Every write is a
// compare-and-set against what was read, retried, so two admins subscribing at once, on one node or
// two, both keep their subscription. All reads every channel only when the version moved since it
// last did: a poll on any node of a cluster costs one read while nobody subscribes.
type KVStore struct {
	KV *pluginapi.KVService

	mu      sync.Mutex
	read    bool
	version int64
	all     []Subscription
}

const (
	channelPrefix = "subs_"
	channelsKey   = "subs_channels"
	versionKey    = "subs_version"
	// attempts bounds the retries of a write that lost a race; each loser sees the winner's write.
	attempts = 50
)

// ErrBusy is returned when a write kept losing races.
var ErrBusy = errors.New("the subscriptions kept changing under the write; try again")

// update reads a key's JSON into a value of type T, lets change edit it, and writes it back only if
// the key still holds what was read. change returns false to write nothing.
func update[T any](kv *pluginapi.KVService, key string, change func(*T) bool) error {
	for range attempts {
		var old []byte
		if err := kv.Get(key, &old); err != nil {
			return fmt.Errorf("read %s: %w", key, err)
		}
		var value T
		if old != nil {
			if err := json.Unmarshal(old, &value); err != nil {
				return fmt.Errorf("decode %s: %w", key, err)
			}
		}
		if !change(&value) {
			return nil
		}
		raw, err := json.Marshal(value)
		if err != nil {
			return fmt.Errorf("encode %s: %w", key, err)
		}
		if bytes.Equal(raw, old) {
			return nil
		}
		written, err := kv.Set(key, raw, pluginapi.SetAtomic(old))
		if err != nil {
			return fmt.Errorf("write %s: %w", key, err)
		}
		if written {
			return nil
		}
	}
	return ErrBusy
}

// Channel lists a channel's subscriptions.
func (s *KVStore) Channel(channelID string) ([]Subscription, error) {
	var subs []Subscription
	if err := s.KV.Get(channelPrefix+channelID, &subs); err != nil {
		return nil, fmt.Errorf("read the subscriptions of %s: %w", channelID, err)
	}
	return subs, nil
}

// Put adds or replaces a subscription. The channel joins the list of channels first, so a tick
// that reads the list between the two writes finds the channel, perhaps with nothing yet. The
// total is counted before the write: two admins subscribing at once may pass it by one each.
func (s *KVStore) Put(sub Subscription, total int) (bool, error) {
	all, err := s.All()
	if err != nil {
		return false, err
	}
	isNew := !slices.ContainsFunc(all, sub.Same)
	if isNew && len(all) >= total {
		return false, &LimitError{Max: total, InAll: true}
	}
	if err := update(s.KV, channelsKey, func(ids *[]string) bool {
		if slices.Contains(*ids, sub.ChannelID) {
			return false
		}
		*ids = append(*ids, sub.ChannelID)
		return true
	}); err != nil {
		return false, err
	}
	replaced := false
	var full error
	err = update(s.KV, channelPrefix+sub.ChannelID, func(subs *[]Subscription) bool {
		replaced, full = false, nil
		for i, old := range *subs {
			if old.Same(sub) {
				(*subs)[i], replaced = sub, true
				return true
			}
		}
		if len(*subs) >= PerChannel {
			full = &LimitError{Max: PerChannel}
			return false
		}
		*subs = append(*subs, sub)
		return true
	})
	if err == nil {
		err = full
	}
	if err == nil {
		err = s.changed()
	}
	return replaced, err
}

// changed moves the version on, so every node reads the subscriptions again.
func (s *KVStore) changed() error {
	return update(s.KV, versionKey, func(v *int64) bool {
		*v++
		return true
	})
}

// Remove drops a subscription; a channel left with none leaves the list of channels.
func (s *KVStore) Remove(channelID, repo, branch string) (bool, error) {
	removed, empty := false, false
	target := Subscription{ChannelID: channelID, Repo: repo, Branch: branch}
	err := update(s.KV, channelPrefix+channelID, func(subs *[]Subscription) bool {
		before := len(*subs)
		*subs = slices.DeleteFunc(*subs, func(old Subscription) bool { return old.Same(target) })
		removed, empty = len(*subs) < before, len(*subs) == 0
		return removed
	})
	switch {
	case err != nil || !removed:
		return removed, err
	case empty:
		return true, s.DropChannel(channelID)
	}
	return true, s.changed()
}

// DropChannel forgets a channel's subscriptions and takes it off the list.
func (s *KVStore) DropChannel(channelID string) error {
	if err := s.KV.Delete(channelPrefix + channelID); err != nil {
		return fmt.Errorf("drop the subscriptions of %s: %w", channelID, err)
	}
	if err := update(s.KV, channelsKey, func(ids *[]string) bool {
		before := len(*ids)
		*ids = slices.DeleteFunc(*ids, func(id string) bool { return id == channelID })
		return len(*ids) < before
	}); err != nil {
		return err
	}
	return s.changed()
}

// All lists every subscription: from memory while the version has not moved since the last read,
// else a channel at a time. A write between reading the version and the channels leaves a newer
// list under the older version, which the next call reads again.
func (s *KVStore) All() ([]Subscription, error) {
	var version int64
	if err := s.KV.Get(versionKey, &version); err != nil {
		return nil, fmt.Errorf("read the version of the subscriptions: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.read && s.version == version {
		return slices.Clone(s.all), nil
	}
	var ids []string
	if err := s.KV.Get(channelsKey, &ids); err != nil {
		return nil, fmt.Errorf("read the channels with subscriptions: %w", err)
	}
	var all []Subscription
	for _, id := range ids {
		subs, err := s.Channel(id)
		if err != nil {
			return nil, err
		}
		all = append(all, subs...)
	}
	s.read, s.version, s.all = true, version, all
	return slices.Clone(all), nil
}
