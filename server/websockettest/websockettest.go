// Package websockettest records the WebSocket events code under test publishes through the plugin
// API's PublishWebSocketEvent, for unit tests that check what the webapps are told.
package websockettest

import (
	"sync"

	"github.com/mattermost/mattermost/server/public/model"
)

// Event is one PublishWebSocketEvent call.
type Event struct {
	Event     string
	Payload   map[string]any
	Broadcast *model.WebsocketBroadcast
}

// Recorder keeps the events published, in order. Its Publish stands for PublishWebSocketEvent.
type Recorder struct {
	mu   sync.Mutex
	sent []Event
}

// Publish records one event.
func (r *Recorder) Publish(event string, payload map[string]any, b *model.WebsocketBroadcast) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, Event{event, payload, b})
}

// Take returns the events published since the last Take.
func (r *Recorder) Take() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	sent := r.sent
	r.sent = nil
	return sent
}
