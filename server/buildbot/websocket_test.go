package buildbot

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/markdown"
)

func TestConsumeSubscribesWithCredentialsAndDeliversEvents(t *testing.T) {
	var gotHeader string
	var subscribed []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/bb/ws" {
			http.NotFound(w, r)
			return
		}
		gotHeader = r.Header.Get("X-Key")
		conn, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		for range 2 {
			var cmd map[string]any
			if conn.ReadJSON(&cmd) != nil {
				return
			}
			subscribed = append(subscribed, cmd["path"].(string))
			_ = conn.WriteJSON(map[string]any{"msg": "OK", "code": 200, "_id": cmd["_id"]})
		}
		_ = conn.WriteJSON(map[string]any{"k": "builds/5/finished", "m": map[string]any{"buildid": 5, "buildrequestid": 9}})
		_ = conn.WriteJSON(map[string]any{"k": "changes/1/new", "m": map[string]any{}})
		time.Sleep(100 * time.Millisecond)
	}))
	t.Cleanup(srv.Close)
	c := newClient(t, srv.URL+"/bb/", func(o *Options) { o.Auth = AuthHeader{Name: "X-Key", Value: "k"} })

	var events []Event
	ready := 0
	err := c.Consume(context.Background(), []string{"builds/*/*", "buildrequests/*/*"}, func() { ready++ }, func(e Event) { events = append(events, e) })

	if KindOf(err) != KindUnreachable {
		t.Fatalf("want the dropped connection reported, got %v", err)
	}
	if gotHeader != "k" || len(subscribed) != 2 || subscribed[0] != "builds/*/*" || ready != 1 {
		t.Fatalf("header %q, subscribed %v, ready %d times", gotHeader, subscribed, ready)
	}
	if len(events) != 2 || events[0].Key != "builds/5/finished" {
		t.Fatalf("events %+v", events)
	}
	if refs, ok := events[0].Refs(); !ok || refs != (EventRefs{RequestID: 9, BuildID: 5}) {
		t.Fatalf("build event refs %+v %v", refs, ok)
	}
	if _, ok := events[1].Refs(); ok {
		t.Fatal("a change event is not about a build")
	}
}

func TestEventRefs(t *testing.T) {
	for _, tc := range []struct {
		event Event
		refs  EventRefs
		ok    bool
	}{
		{Event{Key: "buildrequests/12/claimed", Message: []byte(`{"buildrequestid":12}`)}, EventRefs{RequestID: 12}, true},
		{Event{Key: "builds/7/new", Message: []byte(`{"buildid":7,"buildrequestid":12}`)}, EventRefs{RequestID: 12, BuildID: 7, New: true}, true},
		{Event{Key: "builds/7/finished", Message: []byte(`{"buildid":7,"buildrequestid":12}`)}, EventRefs{RequestID: 12, BuildID: 7}, true},
		{Event{Key: "steps/40/started", Message: []byte(`{"stepid":40,"buildid":7}`)}, EventRefs{BuildID: 7, Step: true}, true},
		{Event{Key: "steps/40/started", Message: []byte(`not json`)}, EventRefs{}, false},
		{Event{Key: "builds/x/new"}, EventRefs{}, false},
		{Event{Key: "changes/3/new"}, EventRefs{}, false},
		{Event{Key: "builds"}, EventRefs{}, false},
	} {
		refs, ok := tc.event.Refs()
		if refs != tc.refs || ok != tc.ok {
			t.Errorf("%s: got %+v %v", tc.event.Key, refs, ok)
		}
	}
}

func TestEventWorkerChange(t *testing.T) {
	for _, tc := range []struct {
		key  string
		id   int
		what string
		ok   bool
	}{
		{"workers/3/missing", 3, "missing", true},
		{"workers/3/connected", 3, "connected", true},
		{"workers/x/connected", 0, "", false},
		{"builds/3/new", 0, "", false},
		{"workers/3", 0, "", false},
	} {
		id, what, ok := Event{Key: tc.key}.WorkerChange()
		if id != tc.id || what != tc.what || ok != tc.ok {
			t.Errorf("%s: got %d %q %v", tc.key, id, what, ok)
		}
	}
}

func TestConsumeEndsQuietlyWhenTheCallerStops(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		for {
			if _, _, err := conn.ReadMessage(); err != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()

	if err := newClient(t, srv.URL).Consume(ctx, []string{"builds/*/*"}, func() {}, func(Event) {}); err != nil {
		t.Fatalf("got %v", err)
	}
}

func TestConsumeReportsARefusedSocket(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusForbidden) }))
	t.Cleanup(srv.Close)
	err := newClient(t, srv.URL).Consume(context.Background(), []string{"builds/*/*"}, func() {}, func(Event) {})
	if KindOf(err) != KindForbidden {
		t.Fatalf("got %v", err)
	}
}

func TestBackoffGrowsToAMinute(t *testing.T) {
	if Backoff(0) != time.Second || Backoff(3) != 8*time.Second || Backoff(20) != time.Minute {
		t.Fatalf("%v %v %v", Backoff(0), Backoff(3), Backoff(20))
	}
}

// wsBuildbot serves Buildbot's WebSocket with serve and closes the connection when the test ends,
// so a serve that waits for the client never outlives the test.
func wsBuildbot(t *testing.T, serve func(conn *websocket.Conn)) *httptest.Server {
	ended := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		go func() {
			<-ended
			_ = conn.Close()
		}()
		serve(conn)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(ended) })
	return srv
}

// readCommands reads the client's n startConsuming commands.
func readCommands(conn *websocket.Conn, n int) []map[string]any {
	var cmds []map[string]any
	for range n {
		var cmd map[string]any
		if conn.ReadJSON(&cmd) != nil {
			return cmds
		}
		cmds = append(cmds, cmd)
	}
	return cmds
}

func ack(cmd map[string]any) map[string]any {
	return map[string]any{"msg": "OK", "code": 200, "_id": cmd["_id"]}
}

// readUntilClosed keeps reading, which also answers the client's pings.
func readUntilClosed(conn *websocket.Conn) {
	for {
		if _, _, err := conn.ReadMessage(); err != nil {
			return
		}
	}
}

// consumeWithin runs Consume and fails the test if it has not returned within limit.
func consumeWithin(ctx context.Context, t *testing.T, limit time.Duration, c *Client, onReady func(), onEvent func(Event)) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- c.Consume(ctx, []string{"builds/*/*"}, onReady, onEvent) }()
	select {
	case err := <-done:
		return err
	case <-time.After(limit):
		t.Fatalf("Consume still runs after %s", limit)
		return nil
	}
}

// Only once Buildbot has acknowledged every path is it sure to send every later event: a caller
// that re-reads its state any earlier may miss what happens in between.
func TestConsumeIsReadyOnlyOnceBuildbotAcknowledgedEveryPath(t *testing.T) {
	srv := wsBuildbot(t, func(conn *websocket.Conn) {
		cmds := readCommands(conn, 2)
		if len(cmds) != 2 {
			return
		}
		_ = conn.WriteJSON(map[string]any{"k": "builds/1/new", "m": map[string]any{}})
		_ = conn.WriteJSON(ack(cmds[1]))
		_ = conn.WriteJSON(map[string]any{"k": "builds/2/new", "m": map[string]any{}})
		time.Sleep(100 * time.Millisecond)
		_ = conn.WriteJSON(ack(cmds[0]))
		_ = conn.WriteJSON(map[string]any{"k": "builds/3/new", "m": map[string]any{}})
		readUntilClosed(conn)
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	var seen []string
	err := newClient(t, srv.URL).Consume(ctx, []string{"builds/*/*", "buildrequests/*/*"},
		func() { seen = append(seen, "ready") },
		func(e Event) {
			seen = append(seen, e.Key)
			if e.Key == "builds/3/new" {
				cancel()
			}
		})

	if err != nil {
		t.Fatal(err)
	}
	if want := "builds/1/new builds/2/new ready builds/3/new"; strings.Join(seen, " ") != want {
		t.Fatalf("saw %v, want %s", seen, want)
	}
}

func TestConsumeNoticesAConnectionThatStopsAnsweringPings(t *testing.T) {
	srv := wsBuildbot(t, func(conn *websocket.Conn) {
		// A proxy that stopped forwarding: the connection stays open and nothing comes back.
		conn.SetPingHandler(func(string) error { return nil })
		if cmds := readCommands(conn, 1); len(cmds) == 1 {
			_ = conn.WriteJSON(ack(cmds[0]))
		}
		readUntilClosed(conn)
	})
	c := newClient(t, srv.URL, func(o *Options) { o.Timeout = 300 * time.Millisecond })
	c.keepAlive = 200 * time.Millisecond

	start := time.Now()
	err := consumeWithin(context.Background(), t, 2*time.Second, c, func() {}, func(Event) {})

	if KindOf(err) != KindTimeout || !strings.Contains(UserMessage(err).English(), "did not answer within 300ms") {
		t.Fatalf("want a timeout, got %v", err)
	}
	if elapsed := time.Since(start); elapsed < 400*time.Millisecond {
		t.Fatalf("gave up after %s, before a ping could go unanswered", elapsed)
	}
}

func TestConsumeStaysUpWhileBuildbotAnswersPings(t *testing.T) {
	srv := wsBuildbot(t, func(conn *websocket.Conn) {
		cmds := readCommands(conn, 1)
		if len(cmds) != 1 {
			return
		}
		_ = conn.WriteJSON(ack(cmds[0]))
		go func() {
			time.Sleep(time.Second) // many keep-alive intervals without a message
			_ = conn.WriteJSON(map[string]any{"k": "builds/1/finished", "m": map[string]any{}})
		}()
		readUntilClosed(conn)
	})
	c := newClient(t, srv.URL, func(o *Options) { o.Timeout = 200 * time.Millisecond })
	c.keepAlive = 100 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	var events []string
	err := consumeWithin(ctx, t, 5*time.Second, c, func() {}, func(e Event) {
		events = append(events, e.Key)
		cancel()
	})

	if err != nil || len(events) != 1 {
		t.Fatalf("got %v, events %v", err, events)
	}
}

func TestConsumeEndsOnAMessageOverTheLimit(t *testing.T) {
	event := func(key string, size int) map[string]any {
		return map[string]any{"k": key, "m": map[string]any{"pad": strings.Repeat("x", size)}}
	}
	srv := wsBuildbot(t, func(conn *websocket.Conn) {
		if cmds := readCommands(conn, 1); len(cmds) == 1 {
			_ = conn.WriteJSON(ack(cmds[0]))
		}
		_ = conn.WriteJSON(event("builds/1/new", 900<<10))
		_ = conn.WriteJSON(event("builds/2/new", 2<<20))
		readUntilClosed(conn)
	})

	var events []string
	err := consumeWithin(context.Background(), t, 5*time.Second, newClient(t, srv.URL), func() {}, func(e Event) {
		events = append(events, e.Key)
	})

	if KindOf(err) != KindBadReply || !strings.Contains(err.Error(), "a message over 1 MiB") {
		t.Fatalf("want the oversized message reported, got %v", err)
	}
	if len(events) != 1 || events[0] != "builds/1/new" {
		t.Fatalf("events %v, want only the one below the limit", events)
	}
}

func TestARefusedSubscriptionQuotesBuildbotInertly(t *testing.T) {
	srv := wsBuildbot(t, func(conn *websocket.Conn) {
		if cmds := readCommands(conn, 1); len(cmds) == 1 {
			_ = conn.WriteJSON(map[string]any{"msg": "@channel see [x](https://evil.example)", "code": 403, "_id": cmds[0]["_id"]})
		}
		readUntilClosed(conn)
	})

	err := consumeWithin(context.Background(), t, 5*time.Second, newClient(t, srv.URL), func() {}, func(Event) {})

	msg := UserMessage(err).English()
	if KindOf(err) != KindRejected || !strings.Contains(msg, markdown.Text(`"@channel see [x](https://evil.example)"`)) {
		t.Fatalf("got %v / %q", err, msg)
	}
}

// The socket goes through the proxy the environment names, as REST calls do. net/http reads the
// environment once per process and never proxies a loopback address, so the client runs in a
// child process with the proxy set, calling a Buildbot whose name only the proxy resolves.
func TestConsumeDialsThroughTheEnvironmentsProxy(t *testing.T) {
	if os.Getenv("MMBB_TEST_PROXY_CHILD") != "" {
		c, err := New(Options{BaseURL: "http://buildbot.example/", Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		if err := c.Consume(ctx, []string{"builds/*/*"}, cancel, func(Event) {}); err != nil {
			t.Fatal(err)
		}
		return
	}
	srv := wsBuildbot(t, func(conn *websocket.Conn) {
		if cmds := readCommands(conn, 1); len(cmds) == 1 {
			_ = conn.WriteJSON(ack(cmds[0]))
		}
		readUntilClosed(conn)
	})
	var mu sync.Mutex
	var tunnels []string
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodConnect {
			http.Error(w, "this proxy only tunnels", http.StatusMethodNotAllowed)
			return
		}
		mu.Lock()
		tunnels = append(tunnels, r.Host)
		mu.Unlock()
		upstream, err := (&net.Dialer{}).DialContext(r.Context(), "tcp", srv.Listener.Addr().String())
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer upstream.Close()
		client, buffered, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer client.Close()
		_, _ = io.WriteString(client, "HTTP/1.1 200 Connection established\r\n\r\n")
		go func() { _, _ = io.Copy(upstream, buffered) }()
		_, _ = io.Copy(client, upstream)
	}))
	t.Cleanup(proxy.Close)

	child := exec.CommandContext(context.Background(), os.Args[0], "-test.run=^TestConsumeDialsThroughTheEnvironmentsProxy$", "-test.count=1")
	child.Env = append(os.Environ(), "MMBB_TEST_PROXY_CHILD=1", "HTTP_PROXY="+proxy.URL, "http_proxy="+proxy.URL, "NO_PROXY=", "no_proxy=")
	if out, err := child.CombinedOutput(); err != nil {
		t.Fatalf("the client: %v\n%s", err, out)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(tunnels) != 1 || tunnels[0] != "buildbot.example:80" {
		t.Fatalf("tunnels through the proxy: %v", tunnels)
	}
}
