package tracker

import (
	"context"
	"fmt"
	"slices"
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
	// Cut by the panic, connected again once Buildbot acknowledged the reconnect's paths, and
	// cut when the plugin stopped: what the System Console's check shows.
	if i := slices.Index(states, true); i < 1 || slices.Contains(states[i+1:], true) || states[len(states)-1] {
		t.Fatalf("states %v", states)
	}
}
