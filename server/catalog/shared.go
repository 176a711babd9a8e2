package catalog

import (
	"fmt"
	"time"

	"github.com/mattermost/mattermost/server/public/pluginapi"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/form"
)

// Shared is where the node that read Buildbot leaves the index for the other nodes of a cluster.
type Shared interface {
	// Publish keeps ix, made under the settings key names.
	Publish(key string, ix *Index) error
	// Since returns the index published for key after t, or nil when there is none newer.
	Since(key string, t time.Time) (*Index, error)
}

// The KV store holds the index under one key and a small stamp of it under another, which every
// node reads each poll interval; the index itself is read only when the stamp is newer.
const (
	sharedKey      = "catalog"
	sharedStampKey = "catalog_stamp"
)

type stamp struct {
	Key string    `json:"key"`
	At  time.Time `json:"at"`
}

type sharedIndex struct {
	stamp
	Repos   map[string]*Repo     `json:"repos"`
	Watched map[string]*Repo     `json:"watched,omitempty"`
	Forms   map[string]form.Form `json:"forms,omitempty"`
}

// KVShared shares the index through the plugin's KV store.
type KVShared struct{ KV *pluginapi.KVService }

// Publish stores the index, then its stamp, so a node that sees the stamp finds the index.
func (s KVShared) Publish(key string, ix *Index) error {
	st := stamp{Key: key, At: ix.RefreshedAt}
	shared := sharedIndex{stamp: st, Repos: ix.Repos, Forms: ix.Forms}
	if ix.Watched != nil {
		shared.Watched = ix.Watched.Repos
	}
	if _, err := s.KV.Set(sharedKey, shared); err != nil {
		return fmt.Errorf("store the index: %w", err)
	}
	if _, err := s.KV.Set(sharedStampKey, st); err != nil {
		return fmt.Errorf("store the index's stamp: %w", err)
	}
	return nil
}

// Since reads the shared index when its stamp is for key and newer than t.
func (s KVShared) Since(key string, t time.Time) (*Index, error) {
	var st stamp
	if err := s.KV.Get(sharedStampKey, &st); err != nil {
		return nil, fmt.Errorf("read the index's stamp: %w", err)
	}
	if st.Key != key || !st.At.After(t) {
		return nil, nil
	}
	var shared sharedIndex
	if err := s.KV.Get(sharedKey, &shared); err != nil {
		return nil, fmt.Errorf("read the index: %w", err)
	}
	// Another node may have published again between the two reads: the index must be the
	// stamp's, or at least for the same settings and newer still.
	if shared.Key != key || !shared.At.After(t) || shared.Repos == nil {
		return nil, nil
	}
	ix := restore(shared.Repos, shared.At)
	ix.Forms = shared.Forms
	if shared.Watched != nil {
		ix.Watched = restore(shared.Watched, shared.At)
	}
	return ix, nil
}

// restore makes an index of repos read elsewhere.
func restore(repos map[string]*Repo, at time.Time) *Index {
	ix := &Index{Repos: repos, RefreshedAt: at}
	ix.order()
	return ix
}
