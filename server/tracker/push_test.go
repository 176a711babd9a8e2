package tracker

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbottest"
)

// panicsOnFirstEvent panics on the first event it is told of, as a bug on an event nobody foresaw
// would, and says when it hears another.
type panicsOnFirstEvent struct {
	heard atomic.Int32
	again chan struct{}
}

func (n *panicsOnFirstEvent) Notice(buildbot.Event) Need {
	if n.heard.Add(1) == 1 {
		panic("an event without a build")
	}
	select {
	case n.again <- struct{}{}:
	default:
	}
	return NoTick
}

func TestAPanicWhileFollowingEventsIsReportedAndTheFollowerReconnects(t *testing.T) {
	// Buildbot pushes the same event on each connection: the first panics, the reconnect's does not.
	bb := &buildbottest.Server{Events: []buildbot.Event{{Key: "builds/1/finished", Message: []byte(`{"buildid":1}`)}}}
	client := bb.Client(t)
	notice := &panicsOnFirstEvent{again: make(chan struct{}, 1)}
	var (
		mu     sync.Mutex
		panics []string
		states []bool
	)
	push := &Push{
		Source: func() *buildbot.Client { return client },
		Kick:   func(Need) {},
		Notice: notice.Notice,
		OnState: func(connected bool, _ error) {
			mu.Lock()
			defer mu.Unlock()
			states = append(states, connected)
		},
		OnPanic: func(v any, stack []byte) {
			mu.Lock()
			defer mu.Unlock()
			panics = append(panics, fmt.Sprint(v)+"\n"+string(stack))
		},
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { push.Run(ctx); close(done) }()

	select {
	case <-notice.again:
	case <-time.After(10 * time.Second):
		t.Error("no event was heard after the panic")
	}
	cancel()
	<-done

	bb.Mu.Lock()
	defer bb.Mu.Unlock()
	if n := bb.Reads["/ws"]; n != 2 {
		t.Errorf("%d connections, want the first and one reconnect", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(panics) != 1 || !strings.HasPrefix(panics[0], "an event without a build\n") || !strings.Contains(panics[0], "(*panicsOnFirstEvent).Notice") {
		t.Fatalf("reported %q", panics)
	}
	// Cut by the panic, and again when the plugin stopped: what the System Console's check shows.
	// (This fake sends its event before acknowledging the paths, so the reconnect may end before
	// it counts as connected; TestSavedSettingsStartPushAtOnce sees a connection.)
	if len(states) < 2 || states[0] || states[len(states)-1] {
		t.Fatalf("states %v", states)
	}
}

// Push waits for settings that allow it; an admin saving them starts it at once, not at the next
// look five seconds on.
func TestSavedSettingsStartPushAtOnce(t *testing.T) {
	bb := &buildbottest.Server{}
	client := bb.Client(t)
	var ready atomic.Bool
	connected := make(chan struct{}, 1)
	push := &Push{
		Source: func() *buildbot.Client {
			if ready.Load() {
				return client
			}
			return nil
		},
		Kick:   func(Need) {},
		Notice: func(buildbot.Event) Need { return NoTick },
		OnState: func(on bool, _ error) {
			if on {
				select {
				case connected <- struct{}{}:
				default:
				}
			}
		},
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { push.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	time.Sleep(100 * time.Millisecond)

	ready.Store(true)
	push.Restart()

	select {
	case <-connected:
	case <-time.After(2 * time.Second):
		t.Fatal("push waited for its next look instead of starting when the settings were saved")
	}
}
