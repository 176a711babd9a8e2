// Package kvtest is a plugin API whose KV store behaves as Mattermost's SQL store does, for unit
// tests of code that keeps state there: keys listed in key order a raw page at a time, and
// compare-and-set against the stored bytes. The e2e suite runs the same code on the real server.
package kvtest

import (
	"bytes"
	"slices"
	"sync"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin/plugintest"
	"github.com/mattermost/mattermost/server/public/pluginapi"
	"github.com/stretchr/testify/mock"
)

// Store is the KV store's contents, safe for concurrent use.
type Store struct {
	mu     sync.Mutex
	values map[string][]byte
	reads  int
	// expiries holds each key's last expiry, in seconds, as written.
	expiries map[string]int64
}

// Expiry is the expiry, in seconds, the key was last written with; 0 is none.
func (s *Store) Expiry(key string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.expiries[key]
}

// Reads is how many queries the plugin made to read the store (KVGet and KVList), for tests of
// what a task costs: on the server each is a query on Mattermost's database.
func (s *Store) Reads() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reads
}

// Get returns a key's value, or nil.
func (s *Store) Get(key string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.values[key]
}

// Put sets a key's value directly, as another writer would; nil deletes it.
func (s *Store) Put(key string, value []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if value == nil {
		delete(s.values, key)
		return
	}
	s.values[key] = value
}

// New returns a KV service over an empty store, and the store.
func New(t *testing.T) (*pluginapi.KVService, *Store) {
	s := &Store{values: map[string][]byte{}, expiries: map[string]int64{}}
	api := &plugintest.API{}
	api.On("KVList", mock.Anything, mock.Anything).Return(func(page, perPage int) []string {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.reads++
		keys := make([]string, 0, len(s.values))
		for k := range s.values {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		from := min(page*perPage, len(keys))
		return keys[from:min(from+perPage, len(keys))]
	}, func(int, int) *model.AppError { return nil }).Maybe()
	api.On("KVGet", mock.Anything).Return(func(key string) []byte {
		s.mu.Lock()
		s.reads++
		s.mu.Unlock()
		return s.Get(key)
	},
		func(string) *model.AppError { return nil }).Maybe()
	api.On("KVSetWithOptions", mock.Anything, mock.Anything, mock.Anything).Return(func(key string, value []byte, o model.PluginKVSetOptions) bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		if o.Atomic && !bytes.Equal(s.values[key], o.OldValue) {
			return false
		}
		if value == nil {
			delete(s.values, key)
		} else {
			s.values[key] = value
		}
		s.expiries[key] = o.ExpireInSeconds
		return true
	}, func(string, []byte, model.PluginKVSetOptions) *model.AppError { return nil }).Maybe()
	api.On("KVDelete", mock.Anything).Return(func(key string) *model.AppError {
		s.Put(key, nil)
		return nil
	}).Maybe()
	t.Cleanup(func() { api.AssertExpectations(t) })
	return &pluginapi.NewClient(api, nil).KV, s
}
