package subscription

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/mattermost/mattermost/server/public/pluginapi"
)

// Store keeps subscriptions.
type Store interface {
	// Channel lists a channel's subscriptions.
	Channel(channelID string) ([]Subscription, error)
	// Put adds a subscription, replacing one for the same repo and glob; it says whether it did.
	Put(sub Subscription) (replaced bool, err error)
	// Remove drops a channel's subscription for a repo and glob; it says whether there was one.
	Remove(channelID, repo, branch string) (bool, error)
	// DropChannel forgets every subscription of a channel.
	DropChannel(channelID string) error
	// All lists every channel's subscriptions.
	All() ([]Subscription, error)
}

// KVStore keeps each channel's subscriptions under a key of its own, and the list of channels that
// have any under another. Every write is a compare-and-set against what was read, retried, so two
// admins subscribing at once, on one node or two, both keep their subscription.
type KVStore struct{ KV *pluginapi.KVService }

const (
	channelPrefix = "subs_"
	channelsKey   = "subs_channels"
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
func (s KVStore) Channel(channelID string) ([]Subscription, error) {
	var subs []Subscription
	if err := s.KV.Get(channelPrefix+channelID, &subs); err != nil {
		return nil, fmt.Errorf("read the subscriptions of %s: %w", channelID, err)
	}
	return subs, nil
}

// Put adds or replaces a subscription. The channel joins the list of channels first, so a tick
// that reads the list between the two writes finds the channel, perhaps with nothing yet.
func (s KVStore) Put(sub Subscription) (bool, error) {
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
	err := update(s.KV, channelPrefix+sub.ChannelID, func(subs *[]Subscription) bool {
		replaced = false
		for i, old := range *subs {
			if old.Same(sub) {
				(*subs)[i], replaced = sub, true
				return true
			}
		}
		*subs = append(*subs, sub)
		return true
	})
	return replaced, err
}

// Remove drops a subscription; the channel stays in the list, which costs a tick one read.
func (s KVStore) Remove(channelID, repo, branch string) (bool, error) {
	removed := false
	target := Subscription{ChannelID: channelID, Repo: repo, Branch: branch}
	err := update(s.KV, channelPrefix+channelID, func(subs *[]Subscription) bool {
		before := len(*subs)
		*subs = slices.DeleteFunc(*subs, func(old Subscription) bool { return old.Same(target) })
		removed = len(*subs) < before
		return removed
	})
	return removed, err
}

// DropChannel forgets a channel's subscriptions and takes it off the list.
func (s KVStore) DropChannel(channelID string) error {
	if err := s.KV.Delete(channelPrefix + channelID); err != nil {
		return fmt.Errorf("drop the subscriptions of %s: %w", channelID, err)
	}
	return update(s.KV, channelsKey, func(ids *[]string) bool {
		before := len(*ids)
		*ids = slices.DeleteFunc(*ids, func(id string) bool { return id == channelID })
		return len(*ids) < before
	})
}

// All lists every subscription, a channel at a time.
func (s KVStore) All() ([]Subscription, error) {
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
	return all, nil
}
