package health

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/mattermost/mattermost/server/public/pluginapi"
)

// State is what the monitor knows of one Buildbot between looks: since when it has not answered,
// the workers it has seen, and which channels heard of each incident.
type State struct {
	// Down is Buildbot not answering; nil while it answers.
	Down *Incident `json:"down,omitempty"`
	// Workers are the configured workers seen connected since someone listened, or reported
	// missing by Buildbot, by Buildbot's worker id.
	Workers map[int]*Worker `json:"workers,omitempty"`
}

// Worker is a worker the monitor knows.
type Worker struct {
	Name string `json:"name"`
	// Away is the worker not connected; nil while it is.
	Away *Incident `json:"away,omitempty"`
}

// Incident is something gone wrong, from when a look first found it.
type Incident struct {
	Since int64 `json:"since"`
	// Declared says it lasted long enough to be news, or Buildbot declared it.
	Declared bool `json:"declared,omitempty"`
	// Told are the channels that heard of it: they, and only they, hear that it is over, and a
	// channel that subscribes while it lasts hears of it at the next look.
	Told []string `json:"told,omitempty"`
}

// Store keeps each Buildbot's State.
type Store interface {
	// Update reads the state of a Buildbot, lets change edit it, and writes it back only if no
	// one wrote in between; it says whether this call's change was written. change returns false
	// to write nothing.
	Update(source string, change func(*State) bool) (bool, error)
	// Drop forgets the state of a Buildbot.
	Drop(source string) error
}

// KVStore keeps the state under a key per Buildbot, written with compare-and-set: of two nodes
// that look at once, one writes, and only the one that wrote posts.
type KVStore struct{ KV *pluginapi.KVService }

const keyPrefix = "health_"

// Update is a compare-and-set of the state.
func (s KVStore) Update(source string, change func(*State) bool) (bool, error) {
	key := keyPrefix + source
	var old []byte
	if err := s.KV.Get(key, &old); err != nil {
		return false, fmt.Errorf("read %s: %w", key, err)
	}
	var state State
	if old != nil {
		if err := json.Unmarshal(old, &state); err != nil {
			return false, fmt.Errorf("decode %s: %w", key, err)
		}
	}
	if !change(&state) {
		return false, nil
	}
	raw, err := json.Marshal(state)
	if err != nil {
		return false, fmt.Errorf("encode %s: %w", key, err)
	}
	if bytes.Equal(raw, old) {
		return true, nil
	}
	written, err := s.KV.Set(key, raw, pluginapi.SetAtomic(old))
	if err != nil {
		return false, fmt.Errorf("write %s: %w", key, err)
	}
	return written, nil
}

// Drop forgets the state of a Buildbot.
func (s KVStore) Drop(source string) error {
	if err := s.KV.Delete(keyPrefix + source); err != nil {
		return fmt.Errorf("drop %s: %w", keyPrefix+source, err)
	}
	return nil
}
