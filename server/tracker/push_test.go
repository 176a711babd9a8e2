package tracker

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
)

// eventsBuildbot acknowledges every subscription and pushes one event on each connection, which it
// counts.
func eventsBuildbot(t *testing.T, connections *atomic.Int32) *buildbot.Client {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		connections.Add(1)
		for range pushPaths {
			var cmd map[string]any
			if conn.ReadJSON(&cmd) != nil {
				return
			}
			_ = conn.WriteJSON(map[string]any{"msg": "OK", "code": 200, "_id": cmd["_id"]})
		}
		_ = conn.WriteJSON(map[string]any{"k": "builds/1/finished", "m": map[string]any{"buildid": 1}})
		for {
			if _, _, err := conn.ReadMessage(); err != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	c, err := buildbot.New(buildbot.Options{BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

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
	var connections atomic.Int32
	client := eventsBuildbot(t, &connections)
	notice := &panicsOnFirstEvent{again: make(chan struct{}, 1)}
	var (
		mu     sync.Mutex
		panics []string
	)
	push := &Push{
		Source: func() *buildbot.Client { return client },
		Kick:   func(Need) {},
		Notice: notice.Notice,
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

	if n := connections.Load(); n != 2 {
		t.Errorf("%d connections, want the first and one reconnect", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(panics) != 1 || !strings.HasPrefix(panics[0], "an event without a build\n") || !strings.Contains(panics[0], "(*panicsOnFirstEvent).Notice") {
		t.Fatalf("reported %q", panics)
	}
}
