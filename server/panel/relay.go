package panel

import (
	"context"
	"sync"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/pluginapi"
)

// Relay carries the panel events of the server that follows Buildbot's events to the webapps of
// the other servers when they do not form a Mattermost cluster, which would relay the WebSocket
// event itself: the follower notes each event it sent in the KV store, and every other server
// reads that note once a relayGap and sends the event to its own webapps.
type Relay struct {
	KV *pluginapi.KVService
	// Publish sends a WebSocket event to this server's webapps.
	Publish func(event string, payload map[string]any, broadcast *model.WebsocketBroadcast)
	// Clustered says Mattermost relays WebSocket events between its servers itself.
	Clustered func() bool

	mu sync.Mutex
	// seen is the newest event this server sent or relayed; unsaved one it sent and has not
	// noted in the KV store yet.
	seen    sentEvent
	unsaved *sentEvent
	// clustered is what Clustered said last, and when: Mattermost's settings are read once a
	// minute, not at each step.
	clustered   bool
	clusteredAt time.Time
}

// sentEvent is what a panel event says (Event).
type sentEvent struct {
	At       int64 `json:"at"`
	Buildbot bool  `json:"buildbot"`
	Builds   bool  `json:"builds"`
	Posts    bool  `json:"posts"`
}

// with is e, saying also what o says.
func (e sentEvent) with(o sentEvent) sentEvent {
	e.Buildbot, e.Builds, e.Posts = e.Buildbot || o.Buildbot, e.Builds || o.Builds, e.Posts || o.Posts
	return e
}

func (e sentEvent) payload() map[string]any {
	return map[string]any{"at": e.At, "buildbot": e.Buildbot, "builds": e.Builds, "posts": e.Posts}
}

const (
	relayKey = "panel_event"
	// relayGap is how often a server reads the note, and how often the follower writes it: a
	// read a second on each server, whatever happens on Buildbot.
	relayGap = time.Second
)

// Sent notes an event this server sent, for the others to relay.
func (r *Relay) Sent(e sentEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.unsaved != nil {
		e = e.with(*r.unsaved)
	}
	r.seen, r.unsaved = e, &e
}

// Run writes this server's events and relays the others', until ctx ends.
func (r *Relay) Run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(relayGap):
		}
		r.Step()
	}
}

// Step writes the event this server sent last, if it has not, or relays one another server sent.
func (r *Relay) Step() {
	r.mu.Lock()
	unsaved := r.unsaved
	r.unsaved = nil
	r.mu.Unlock()
	if unsaved != nil {
		_, _ = r.KV.Set(relayKey, unsaved)
		return
	}
	if r.isClustered() {
		return
	}
	var note sentEvent
	if err := r.KV.Get(relayKey, &note); err != nil || note.At == 0 {
		return
	}
	r.mu.Lock()
	if note.At <= r.seen.At {
		r.mu.Unlock()
		return
	}
	r.seen = note
	r.mu.Unlock()
	r.Publish(Event, note.payload(), &model.WebsocketBroadcast{})
}

func (r *Relay) isClustered() bool {
	if r.Clustered == nil {
		return false
	}
	if time.Since(r.clusteredAt) > time.Minute {
		r.clustered, r.clusteredAt = r.Clustered(), time.Now()
	}
	return r.clustered
}
