package tracker

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unique"

	"github.com/mattermost/mattermost/server/public/pluginapi"
)

// The followed builds are kept in memory, so a tick reads the KV store for what changed rather
// than for everything it follows: listing every entry cost a key page per 200 keys and a read per
// entry, each a query on Mattermost's database, on every tick.
//
// Every node of a cluster writes entries: the one that ticks, and any that announces a build. So
// each write of an entry is also recorded in a journal: journalHead counts the records, and
// journalPrefix+n names the entries the n-th one changed (one write, or a tick's). A node reads
// the head once a tick and, for each number past what it holds, the record and the entries it
// names; its own writes it knows already. It lists everything again only when it cannot trust
// the journal: at first, when a record stays missing (a node stopped between writing an entry and
// its record), when it fell too far behind, and every fullReloadEvery as a backstop.
const (
	journalHead   = "followed_head"
	journalPrefix = "followed_"
	// journalKept is how long a journal record stays: far longer than a node goes between ticks.
	journalKept = time.Hour
	// missingGrace is how long a record may be missing (its writer is between the head and the
	// record) before the journal is taken as broken.
	missingGrace = time.Minute
	// maxCatchUp is how far behind the head a node reads the journal rather than listing anew.
	maxCatchUp = 2000
	// fullReloadEvery bounds how long a change the journal missed goes unseen.
	fullReloadEvery = 30 * time.Minute
	// headAttempts bounds the retries of a head that other nodes keep moving.
	headAttempts = 50
)

// followed is this node's copy of the tracked builds: each entry as the store holds it, as of
// journal number seen, plus the numbers past it already applied. Entries are kept decoded, so a
// tick decodes only the entries that changed, and never changed: List hands them out to be read,
// and whoever changes one changes a copy (Tracked.copy).
type followed struct {
	mu       sync.Mutex
	loaded   bool
	loadedAt time.Time
	entries  map[string]*Tracked
	// head is the journal head as this node last read or wrote it.
	head    int64
	seen    int64
	applied map[int64]bool
	// missingSince is when a journal record was first found missing.
	missingSince time.Time
	// holding gathers the ids written while a tick holds the journal, for one record.
	holding bool
	held    []string
}

// record notes a write of entry id (raw, or nil for a delete) in this node's copy and in the
// journal, at once or, while a tick holds it, with the tick's other writes.
func (s *KVStore) record(id string, raw []byte) error {
	s.followed.mu.Lock()
	defer s.followed.mu.Unlock()
	f := &s.followed
	if f.loaded {
		if err := f.take(id, raw); err != nil {
			return err
		}
	}
	f.held = append(f.held, id)
	if f.holding {
		return nil
	}
	return s.journal()
}

// Hold gathers the journal records of the writes that follow into one, which Release writes: a
// tick that changes a hundred builds moves the head once, not a hundred times.
func (s *KVStore) Hold() {
	s.followed.mu.Lock()
	defer s.followed.mu.Unlock()
	s.followed.holding = true
}

// Release writes the record of the writes made since Hold.
func (s *KVStore) Release() error {
	s.followed.mu.Lock()
	defer s.followed.mu.Unlock()
	s.followed.holding = false
	return s.journal()
}

// journal writes one record naming the ids written since the last; those it could not write wait
// for the next, and the other nodes meanwhile hold what they had.
func (s *KVStore) journal() error {
	f := &s.followed
	if len(f.held) == 0 {
		return nil
	}
	n, err := s.bumpHead()
	if err != nil {
		return err
	}
	slices.Sort(f.held)
	if _, err := s.KV.Set(journalPrefix+strconv.FormatInt(n, 10), slices.Compact(f.held), pluginapi.SetExpiry(journalKept)); err != nil {
		return fmt.Errorf("journal the changes of tracked builds: %w", err)
	}
	f.held = nil
	if f.loaded && n > f.seen {
		f.applied[n] = true
		f.advance()
	}
	return nil
}

// bumpHead takes the next journal number: a compare-and-set from the head this node knows, read
// again only when another node moved it.
func (s *KVStore) bumpHead() (int64, error) {
	f := &s.followed
	for range headAttempts {
		old, err := headValue(f.head)
		if err != nil {
			return 0, err
		}
		next, err := json.Marshal(f.head + 1)
		if err != nil {
			return 0, fmt.Errorf("encode the journal head: %w", err)
		}
		written, err := s.KV.Set(journalHead, next, pluginapi.SetAtomic(old))
		if err != nil {
			return 0, fmt.Errorf("move the journal head: %w", err)
		}
		if written {
			f.head++
			return f.head, nil
		}
		if f.head, err = s.readHead(); err != nil {
			return 0, err
		}
	}
	return 0, fmt.Errorf("move the journal head: other nodes kept moving it")
}

// headValue is the head as the store holds it: nothing before the first write.
func headValue(head int64) ([]byte, error) {
	if head == 0 {
		return nil, nil
	}
	raw, err := json.Marshal(head)
	if err != nil {
		return nil, fmt.Errorf("encode the journal head: %w", err)
	}
	return raw, nil
}

func (s *KVStore) readHead() (int64, error) {
	var head int64
	if err := s.KV.Get(journalHead, &head); err != nil {
		return 0, fmt.Errorf("read the journal head: %w", err)
	}
	return head, nil
}

// advance moves seen over the numbers applied right after it.
func (f *followed) advance() {
	for f.applied[f.seen+1] {
		delete(f.applied, f.seen+1)
		f.seen++
	}
}

// List returns every tracked build as this node holds it, brought up to date from the journal, in
// the order of their ids.
func (s *KVStore) List() ([]*Tracked, error) {
	s.followed.mu.Lock()
	defer s.followed.mu.Unlock()
	if err := s.catchUp(); err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(s.followed.entries))
	for id := range s.followed.entries {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	all := make([]*Tracked, 0, len(ids))
	for _, id := range ids {
		all = append(all, s.followed.entries[id])
	}
	return all, nil
}

// take holds an entry as the store now holds it: raw, or nil for one deleted.
func (f *followed) take(id string, raw []byte) error {
	if raw == nil {
		delete(f.entries, id)
		return nil
	}
	t, err := decode(id, raw)
	if err != nil {
		return err
	}
	// The bytes are not kept: a copy compares with the decoded entry (Tracked.unchanged), and a
	// compare-and-set reads them again. At ten thousand followed builds they were a quarter of
	// the plugin's memory.
	t.stored = nil
	f.entries[id] = t
	return nil
}

// catchUp applies the journal's records past this node's copy, or lists everything anew when it
// cannot trust them.
func (s *KVStore) catchUp() error {
	f := &s.followed
	head, err := s.readHead()
	if err != nil {
		return err
	}
	f.head = max(f.head, head)
	if !f.loaded || head < f.seen || head-f.seen > maxCatchUp || time.Since(f.loadedAt) > fullReloadEvery {
		return s.reload(head)
	}
	missing := false
	for n := f.seen + 1; n <= head; n++ {
		if f.applied[n] {
			continue
		}
		var ids []string
		if err := s.KV.Get(journalPrefix+strconv.FormatInt(n, 10), &ids); err != nil {
			return fmt.Errorf("read the journal: %w", err)
		}
		if ids == nil {
			missing = true
			continue
		}
		for _, id := range ids {
			if err := s.reread(id); err != nil {
				return err
			}
		}
		f.applied[n] = true
	}
	f.advance()
	switch {
	case !missing:
		f.missingSince = time.Time{}
	case f.missingSince.IsZero():
		f.missingSince = time.Now()
	case time.Since(f.missingSince) > missingGrace:
		return s.reload(head)
	}
	return nil
}

// reread takes one entry as the store holds it now.
func (s *KVStore) reread(id string) error {
	raw, err := s.stored(id)
	if err != nil {
		return err
	}
	return s.followed.take(id, raw)
}

// reload lists every entry. Mattermost lists the plugin's keys a page at a time in key order,
// other keys (the bot's, the leader lock, the journal) among them; pluginapi's prefix
// option filters each page after reading it, so a short filtered page is not the end. Paging goes
// on until a page of raw keys is short. The head was read first: a write during the listing is
// read again from the journal.
func (s *KVStore) reload(head int64) error {
	loaded := followed{entries: map[string]*Tracked{}}
	for page := 0; ; page++ {
		keys, err := s.KV.ListKeys(page, keysPerPage)
		if err != nil {
			return fmt.Errorf("list tracked builds: %w", err)
		}
		for _, key := range keys {
			id, ok := strings.CutPrefix(key, keyPrefix)
			if !ok {
				continue
			}
			raw, err := s.stored(id)
			if err != nil {
				return err
			}
			if err := loaded.take(id, raw); err != nil {
				return err
			}
		}
		if len(keys) < keysPerPage {
			break
		}
	}
	f := &s.followed
	f.loaded, f.loadedAt, f.entries = true, time.Now(), loaded.entries
	f.seen, f.applied, f.missingSince = head, map[int64]bool{}, time.Time{}
	return nil
}

// decode reads an entry as stored. Entries written by 0.1.0 have no ID of their own; their key's
// serves as one.
func decode(id string, raw []byte) (*Tracked, error) {
	t := &Tracked{stored: raw}
	if err := json.Unmarshal(raw, t); err != nil {
		return nil, fmt.Errorf("decode tracked build %s: %w", id, err)
	}
	if t.ID == "" {
		t.ID = id
	}
	t.intern()
	return t, nil
}

// intern makes the strings many entries repeat one string each: the followed builds of a busy
// Buildbot share a few channels, repos, builders, users and Buildbot addresses, and decoding
// gave each entry its own.
func (t *Tracked) intern() {
	for _, s := range []*string{&t.ChannelID, &t.Props.Repo, &t.Props.Branch, &t.Props.RequestedBy, &t.Props.BuildbotURL, &t.Props.Source, &t.Props.TeamID} {
		*s = unique.Make(*s).Value()
	}
	for i := range t.Props.Rows {
		row := &t.Props.Rows[i]
		row.Builder, row.StateString = unique.Make(row.Builder).Value(), unique.Make(row.StateString).Value()
	}
}
