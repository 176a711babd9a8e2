package buildbot

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/websocket"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
)

// Event is one message Buildbot pushes: a key such as "builds/5/finished" and the record.
type Event struct {
	Key     string          `json:"k"`
	Message json.RawMessage `json:"m"`
}

// maxEvent caps one WebSocket message: Buildbot's events are single records, and a message far
// larger must end the subscription rather than exhaust memory.
const maxEvent = 1 << 20

// Consume subscribes to Buildbot's WebSocket for the given paths (e.g. "builds/*/*"), calls
// onReady once Buildbot has acknowledged every path, and calls onEvent for each event until ctx
// ends or the connection drops; it returns why it stopped. Buildbot replays nothing after a
// reconnect, so a caller re-reads state over REST in onReady: an event from then on is not missed.
// Both run on the goroutine that reads the socket, so they return quickly.
func (c *Client) Consume(ctx context.Context, paths []string, onReady func(), onEvent func(Event)) error {
	const op = "websocket"
	u := c.endpoint("ws")
	// The caller's context lasts as long as the subscription: the login gets the timeout every
	// REST call has, or a Buildbot that never answers it would hold the subscription for ever.
	loginCtx, cancel := context.WithTimeout(ctx, c.timeout)
	header, err := c.websocketHeader(loginCtx, u.String())
	cancel()
	if err != nil {
		return err
	}
	switch u.Scheme {
	case "https":
		u.Scheme = "wss"
	default:
		u.Scheme = "ws"
	}
	// The same proxy as REST calls, which go through http.DefaultTransport.
	dialer := websocket.Dialer{Proxy: http.ProxyFromEnvironment, HandshakeTimeout: c.timeout}
	conn, resp, err := dialer.DialContext(ctx, u.String(), header)
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	if err != nil {
		if resp != nil {
			return c.statusError(op, &reply{status: resp.StatusCode, header: resp.Header})
		}
		return c.transportError(ctx, op, err)
	}
	defer conn.Close()
	// Closing the connection is what unblocks a pending read when ctx ends.
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	defer stop()

	conn.SetReadLimit(maxEvent)
	// A connection nobody closed but nothing crosses any more (a proxy that stopped forwarding)
	// would be read for ever: each pong or message proves it alive until the next ping is due
	// and answered. The deadline is renewed before each read rather than on each message, so
	// time spent in the callbacks is not counted against Buildbot.
	alive := func() error { return conn.SetReadDeadline(time.Now().Add(c.keepAlive + c.timeout)) }
	conn.SetPongHandler(func(string) error { return alive() })

	pending := make(map[int]bool, len(paths))
	_ = conn.SetWriteDeadline(time.Now().Add(c.timeout))
	for i, path := range paths {
		pending[i+1] = true
		cmd := map[string]any{"cmd": "startConsuming", "path": path, "_id": i + 1}
		if err := conn.WriteJSON(cmd); err != nil {
			return c.fail(KindUnreachable, op, 0, i18n.Text{}, err)
		}
	}
	// Started once the commands are written, and WriteControl may run alongside another writer
	// anyway: the pings never race them.
	pinging := make(chan struct{})
	defer close(pinging)
	go c.ping(conn, pinging)

	if len(pending) == 0 {
		onReady()
	}
	for {
		_ = alive()
		_, data, err := conn.ReadMessage()
		if err != nil {
			var netErr net.Error
			switch {
			case ctx.Err() != nil:
				return nil //nolint:nilerr // the caller ended the subscription
			case errors.Is(err, websocket.ErrReadLimit):
				return c.fail(KindBadReply, op, 0, i18n.T("buildbot.events.too_large", "a message over 1 MiB"), err)
			case errors.As(err, &netErr) && netErr.Timeout():
				return c.fail(KindTimeout, op, 0, i18n.T("buildbot.events.quiet", "the connection went quiet"), err)
			}
			return c.fail(KindUnreachable, op, 0, i18n.T("buildbot.events.dropped", "the connection dropped"), err)
		}
		var reply struct {
			Event
			ID   int             `json:"_id"`
			Code int             `json:"code"`
			Msg  json.RawMessage `json:"msg"`
		}
		if json.Unmarshal(data, &reply) != nil {
			continue
		}
		if reply.Code != 0 && reply.Code != http.StatusOK {
			return c.fail(KindRejected, op, reply.Code, i18n.T("buildbot.events.refused", "Buildbot refused the subscription: {{.Said}}", "Said", c.quoteBody(reply.Msg)), nil)
		}
		if reply.Code == http.StatusOK && pending[reply.ID] {
			delete(pending, reply.ID)
			if len(pending) == 0 {
				onReady()
			}
		}
		if reply.Key != "" {
			onEvent(reply.Event)
		}
	}
}

// ping sends a ping every keep-alive interval until stop is closed. A ping that cannot be sent
// needs no handling here: its missing pong ends the read in Consume.
func (c *Client) ping(conn *websocket.Conn, stop <-chan struct{}) {
	ticker := time.NewTicker(c.keepAlive)
	defer ticker.Stop()
	for {
		select {
		case <-stop:
			return
		case <-ticker.C:
			_ = conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(c.timeout))
		}
	}
}

// websocketHeader carries the client's authentication onto the WebSocket handshake.
func (c *Client) websocketHeader(ctx context.Context, httpURL string) (http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, httpURL, nil)
	if err != nil {
		return nil, c.fail(KindBadReply, "websocket", 0, i18n.Text{}, err)
	}
	if err := c.authenticate(ctx, req); err != nil {
		return nil, err
	}
	header := http.Header{"User-Agent": {"mattermost-plugin-buildbot"}}
	for name, values := range req.Header {
		header[name] = values
	}
	// Buildbot checks the Origin of browser sockets against allowed_origins; a server has none.
	header.Del("Origin")
	return header, nil
}

// Backoff is the wait before the n-th reconnect: quick at first, then at most a minute.
func Backoff(attempt int) time.Duration {
	d := time.Second << min(attempt, 6)
	return min(d, time.Minute)
}

// EventRefs is what a build, build request or step event is about.
type EventRefs struct {
	RequestID int
	BuildID   int
	// Step says the event was about one of the build's steps.
	Step bool
	// New says a build started.
	New bool
}

// Refs reads which request and build an event is about; false for any other event.
func (e Event) Refs() (EventRefs, bool) {
	parts := strings.Split(e.Key, "/")
	if len(parts) < 3 {
		return EventRefs{}, false
	}
	id, err := strconv.Atoi(parts[1])
	if err != nil {
		return EventRefs{}, false
	}
	var record struct {
		BuildRequestID int `json:"buildrequestid"`
		BuildID        int `json:"buildid"`
	}
	_ = json.Unmarshal(e.Message, &record)
	switch parts[0] {
	case "buildrequests":
		return EventRefs{RequestID: id}, true
	case "builds":
		return EventRefs{RequestID: record.BuildRequestID, BuildID: id, New: parts[len(parts)-1] == "new"}, true
	case "steps":
		if record.BuildID == 0 {
			return EventRefs{}, false
		}
		return EventRefs{BuildID: record.BuildID, Step: true}, true
	}
	return EventRefs{}, false
}

// FinishedBuild reads the build a builds/<id>/finished event carries: Buildbot sends the whole
// record, result included, so nobody need ask for it again. False for any other event, or one
// whose record does not hold a result.
func (e Event) FinishedBuild() (Build, bool) {
	parts := strings.Split(e.Key, "/")
	if len(parts) != 3 || parts[0] != "builds" || parts[2] != "finished" {
		return Build{}, false
	}
	id, err := strconv.Atoi(parts[1])
	if err != nil {
		return Build{}, false
	}
	var b Build
	if err := json.Unmarshal(e.Message, &b); err != nil || b.BuildID != id || b.BuildRequestID == 0 || !b.Complete || b.Results == nil {
		return Build{}, false
	}
	return b, true
}

// WorkerChange reads which worker an event is about and what happened to it (connected,
// disconnected, missing); false for any other event.
func (e Event) WorkerChange() (workerID int, what string, ok bool) {
	parts := strings.Split(e.Key, "/")
	if len(parts) != 3 || parts[0] != "workers" {
		return 0, "", false
	}
	id, err := strconv.Atoi(parts[1])
	if err != nil {
		return 0, "", false
	}
	return id, parts[2], true
}
