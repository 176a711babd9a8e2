package panel

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
)

// Event is the WebSocket event that tells the webapps Buildbot's builds changed; Mattermost sends
// it as custom_<plugin id>_panel, to every connection and through every server of a cluster. It
// says when ("at", epoch ms), whether Buildbot's builds changed ("buildbot") and of those whether a
// build started or finished ("builds"), and whether a status post appeared or came to show another
// state ("posts"), which the viewers' own builds are read from. It names no build: an open panel
// reads again through the plugin's routes, as the user it shows them to, on whichever server it is
// connected to.
const Event = "panel"

// Live hears Buildbot's events on the server that follows them, and the status posts the plugin
// made or changed on the server that did, and tells the webapps. A build or request that starts,
// ends or moves in the queue, or a post, is told at once; a step, which a running build changes
// several times a second, at most every stepGap.
type Live struct {
	// Publish sends a WebSocket event (the plugin API's PublishWebSocketEvent).
	Publish func(event string, payload map[string]any, broadcast *model.WebsocketBroadcast)
	// Reader hears which builds' steps changed, to read them first; Relay, the events sent, for
	// servers outside a cluster with this one. Either may be nil.
	Reader *Reader
	Relay  *Relay

	mu sync.Mutex
	// pending says an event waits to be told, next what it says; stepsOnly that only steps
	// changed.
	pending, stepsOnly bool
	next               sentEvent
	lastSent           time.Time
	wake               chan struct{}
}

const (
	// changeGap is the least time between two events: a burst of Buildbot's events (a buildset's
	// requests, a build's start) is one read.
	changeGap = 100 * time.Millisecond
	// stepGap is the least time between two events that only say steps changed.
	stepGap = 3 * time.Second
)

// Notice notes an event of Buildbot's that changes the panel. It never blocks: it runs on the
// goroutine that reads Buildbot's WebSocket.
func (l *Live) Notice(e buildbot.Event) {
	kind, _, _ := strings.Cut(e.Key, "/")
	verb := e.Key[strings.LastIndex(e.Key, "/")+1:]
	var steps bool
	switch kind {
	case "builds", "buildrequests":
	case "steps":
		steps = true
		var step struct {
			BuildID int `json:"buildid"`
		}
		if l.Reader != nil && json.Unmarshal(e.Message, &step) == nil && step.BuildID != 0 {
			l.Reader.StepChanged(step.BuildID)
		}
	case "workers":
		// A worker that comes or goes changes when the queue starts.
	default:
		return
	}
	l.note(steps, sentEvent{Buildbot: true, Builds: kind == "builds" && (verb == "new" || verb == "finished")})
}

// PostsChanged notes that a status post appeared or came to show another state. The tracker
// writes a post after Buildbot's event about its build, so the event for that may have been
// told before the post showed it.
func (l *Live) PostsChanged() {
	l.note(false, sentEvent{Posts: true})
}

func (l *Live) note(steps bool, e sentEvent) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.pending {
		l.stepsOnly = true
	}
	l.pending = true
	l.stepsOnly = l.stepsOnly && steps
	l.next = l.next.with(e)
	if l.wake == nil {
		l.wake = make(chan struct{}, 1)
	}
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// Run tells the webapps of what Notice noted, until ctx ends.
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
		for {
			wait := l.Flush(time.Now())
			if wait == 0 {
				break
			}
			// A build that starts or ends while only steps wait is told after changeGap, not
			// after the rest of stepGap: an event wakes the wait to look again.
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			case <-wake:
			}
		}
	}
}

// Flush sends the event if one is due at now; otherwise it returns how long to wait for it to
// be, 0 when nothing waits.
func (l *Live) Flush(now time.Time) time.Duration {
	l.mu.Lock()
	if !l.pending {
		l.mu.Unlock()
		return 0
	}
	gap := changeGap
	if l.stepsOnly {
		gap = stepGap
	}
	if wait := l.lastSent.Add(gap).Sub(now); wait > 0 {
		l.mu.Unlock()
		return wait
	}
	e := l.next
	e.At = now.UnixMilli()
	l.pending, l.next, l.stepsOnly, l.lastSent = false, sentEvent{}, false, now
	l.mu.Unlock()
	l.Publish(Event, e.payload(), &model.WebsocketBroadcast{})
	if l.Relay != nil {
		l.Relay.Sent(e)
	}
	return 0
}
