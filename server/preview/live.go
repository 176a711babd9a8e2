package preview

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
)

// Event is the WebSocket event that tells a channel's webapps to read their previews of some
// builders again; Mattermost sends it as custom_<plugin id>_preview.
const Event = "preview"

// Live tells channels when their previews change. Notice hears Buildbot's events on the node that
// follows them and only notes which builders changed; Run tells the channels that watch those
// builders, at most once a gap, with one WebSocket event each: its webapps then read the state
// through the plugin's route, as the user they are. Nothing here reads Buildbot, and the poller
// never hears of previews: what they cost grows with Buildbot's events, not with their number.
type Live struct {
	Watches *Watches
	// Publish sends a WebSocket event (the plugin API's PublishWebSocketEvent).
	Publish func(event string, payload map[string]any, broadcast *model.WebsocketBroadcast)
	// OnError hears why the watches could not be read.
	OnError func(error)

	mu      sync.Mutex
	changed map[int]bool
	// builders remembers the builder of each running build, for the events of its steps, which
	// name the build only.
	builders map[int]int
	wake     chan struct{}
	// watched is the list of watches as last read, and when.
	watched map[int][]string
	readAt  time.Time
}

const (
	// liveGap is the least time between two events to one channel: a running build's steps send
	// several events a second, and one read of the card shows them all.
	liveGap = time.Second
	// watchedTTL is how long the list of watches read from the KV store is used: a preview made
	// on another node is live within that long, one made on this node at once. While nobody
	// watches, idleTTL: Buildbot's events then cost a read a minute, not one every few seconds.
	watchedTTL = 5 * time.Second
	idleTTL    = time.Minute
	// maxRunning bounds the builds whose builder is remembered.
	maxRunning = 10000
)

// Notice notes which builder an event of Buildbot's is about, if any. It never blocks: it runs
// on the goroutine that reads Buildbot's WebSocket.
func (l *Live) Notice(e buildbot.Event) {
	parts := strings.Split(e.Key, "/")
	if len(parts) != 3 {
		return
	}
	id, err := strconv.Atoi(parts[1])
	if err != nil {
		return
	}
	var record struct {
		BuilderID int `json:"builderid"`
		BuildID   int `json:"buildid"`
	}
	switch parts[0] {
	case "builds", "buildrequests", "steps":
		_ = json.Unmarshal(e.Message, &record)
	default:
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.builders == nil {
		l.builders = map[int]int{}
	}
	builder := record.BuilderID
	switch parts[0] {
	case "builds":
		if parts[2] == "finished" {
			delete(l.builders, id)
		} else if builder != 0 && len(l.builders) < maxRunning {
			l.builders[id] = builder
		}
	case "steps":
		builder = l.builders[record.BuildID]
	}
	if builder == 0 {
		return
	}
	if l.changed == nil {
		l.changed = map[int]bool{}
	}
	l.changed[builder] = true
	if l.wake == nil {
		l.wake = make(chan struct{}, 1)
	}
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// Run tells the watching channels of what Notice noted, until ctx ends.
func (l *Live) Run(ctx context.Context) {
	l.mu.Lock()
	if l.wake == nil {
		l.wake = make(chan struct{}, 1)
	}
	wake := l.wake
	l.mu.Unlock()
	for {
		select {
		case <-ctx.Done():
			return
		case <-wake:
		}
		l.Flush()
		select {
		case <-ctx.Done():
			return
		case <-time.After(liveGap):
		}
	}
}

// Flush tells each channel that watches a builder noted since the last flush to read its
// previews again: one event per channel, naming the builders, broadcast to that channel only.
func (l *Live) Flush() {
	l.mu.Lock()
	changed := l.changed
	l.changed = nil
	watched, readAt := l.watched, l.readAt
	l.mu.Unlock()
	if len(changed) == 0 {
		return
	}
	ttl := watchedTTL
	if len(watched) == 0 {
		ttl = idleTTL
	}
	if watched == nil || time.Since(readAt) > ttl || l.Watches.writtenSince(readAt) {
		read := time.Now()
		list, err := l.Watches.List()
		if err != nil {
			if l.OnError != nil {
				l.OnError(err)
			}
			return
		}
		watched = list
		l.mu.Lock()
		l.watched, l.readAt = list, read
		l.mu.Unlock()
	}
	byChannel := map[string][]int{}
	for builder := range changed {
		for _, channel := range watched[builder] {
			byChannel[channel] = append(byChannel[channel], builder)
		}
	}
	at := time.Now().UnixMilli()
	for channel, builders := range byChannel {
		l.Publish(Event, map[string]any{"channel_id": channel, "builder_ids": builders, "at": at},
			&model.WebsocketBroadcast{ChannelId: channel})
	}
}
