package tracker

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
)

// memStore keeps entries as the KV store does: as encoded values, so what a tick changes in
// memory reaches the store only through Save or Claim.
type memStore struct {
	m        map[string]*Tracked
	stoppers map[string]string
	writes   int
	cursors  map[string]int
	chats    map[string]string
	results  map[string]buildbot.Result
}

func newMemStore() *memStore {
	return &memStore{m: map[string]*Tracked{}, stoppers: map[string]string{}, cursors: map[string]int{}, chats: map[string]string{},
		results: map[string]buildbot.Result{}}
}

func (s *memStore) Cursor(source string) (int, bool, error) {
	id, ok := s.cursors[source]
	return id, ok, nil
}

func (s *memStore) SetCursor(source string, id int) error { s.cursors[source] = id; return nil }

func (s *memStore) DropCursor(source string) error { delete(s.cursors, source); return nil }

func (s *memStore) MarkChat(source string, requestID int, channelID, _ string) error {
	s.chats[fmt.Sprint(source, requestID)] = channelID
	return nil
}

func (s *memStore) ChatChannel(source string, requestID int) (string, error) {
	return s.chats[fmt.Sprint(source, requestID)], nil
}

func (s *memStore) LastResult(key string) (*buildbot.Result, error) {
	if r, ok := s.results[key]; ok {
		return &r, nil
	}
	return nil, nil
}

func (s *memStore) SetLastResult(key string, r buildbot.Result) error { s.results[key] = r; return nil }

func encode(t *Tracked) []byte {
	raw, _ := json.Marshal(t)
	return raw
}

// copyOf is an entry as a read from the store gives it.
func copyOf(t *Tracked) *Tracked {
	raw := encode(t)
	c := &Tracked{stored: raw}
	_ = json.Unmarshal(raw, c)
	return c
}

func (s *memStore) Save(t *Tracked) error {
	if raw := encode(t); !bytes.Equal(raw, t.stored) {
		s.writes++
		s.m[t.ID] = copyOf(t)
		t.stored = raw
	}
	return nil
}

func (s *memStore) Claim(t *Tracked) (bool, error) {
	var current []byte
	if held, ok := s.m[t.ID]; ok {
		current = encode(held)
	}
	if !bytes.Equal(current, t.stored) {
		return false, nil
	}
	s.writes++
	s.m[t.ID] = copyOf(t)
	t.stored = encode(t)
	return true, nil
}

func (s *memStore) Get(id string) (*Tracked, error) {
	if t, ok := s.m[id]; ok {
		return copyOf(t), nil
	}
	return nil, nil
}

func (s *memStore) Delete(id string) error { delete(s.m, id); return nil }

func (s *memStore) List() ([]*Tracked, error) {
	var out []*Tracked
	for _, t := range s.m {
		out = append(out, copyOf(t))
	}
	return out, nil
}

func (s *memStore) Hold() {}

func (s *memStore) Release() error { return nil }

func (s *memStore) NoteStopper(id, username string) error { s.stoppers[id] = username; return nil }

func (s *memStore) Stopper(id string) (string, error) { return s.stoppers[id], nil }

type memPosts struct {
	// gone lists deleted or archived channels.
	gone    map[string]bool
	posts   map[string]*model.Post
	updates int
	reads   int
	replies []*model.Post
	// onCreate runs before a post is made, to look at what is stored then.
	onCreate func(p *model.Post)
	// refuse, when set, is what Mattermost answers a new post with.
	refuse func(p *model.Post) error
}

func (m *memPosts) GetPost(id string) (*model.Post, error) {
	m.reads++
	p, ok := m.posts[id]
	if !ok {
		return nil, ErrPostGone
	}
	return p.Clone(), nil
}

func (m *memPosts) UpdatePost(p *model.Post) error {
	m.updates++
	m.posts[p.Id] = p
	return nil
}

func (m *memPosts) CreatePost(p *model.Post) error {
	if m.onCreate != nil {
		m.onCreate(p)
	}
	if m.refuse != nil {
		if err := m.refuse(p); err != nil {
			return err
		}
	}
	p.Id = model.NewId()
	p.CreateAt = model.GetMillis()
	m.posts[p.Id] = p
	if p.RootId != "" {
		m.replies = append(m.replies, p)
	}
	return nil
}

func (m *memPosts) DeletePost(id string) error { delete(m.posts, id); return nil }

func (m *memPosts) ChannelGone(channelID string) bool { return m.gone[channelID] }

func (m *memPosts) PostsSince(channelID string, since int64) ([]*model.Post, error) {
	var out []*model.Post
	for _, p := range m.posts {
		if p.ChannelId == channelID && p.CreateAt >= since {
			out = append(out, p)
		}
	}
	return out, nil
}
