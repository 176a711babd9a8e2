package buildbot

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/websocket"
)

// Event is one message Buildbot pushes: a key such as "builds/5/finished" and the record.
type Event struct {
	Key     string          `json:"k"`
	Message json.RawMessage `json:"m"`
}

// Consume subscribes to Buildbot's WebSocket for the given paths (e.g. "builds/*/*") and calls
// onEvent for each event until ctx ends or the connection drops; it returns why it stopped.
// Buildbot replays nothing after a reconnect, so a caller re-reads state over REST then.
func (c *Client) Consume(ctx context.Context, paths []string, onEvent func(Event)) error {
	const op = "websocket"
	u := c.endpoint("ws")
	header, err := c.websocketHeader(ctx, u.String())
	if err != nil {
		return err
	}
	switch u.Scheme {
	case "https":
		u.Scheme = "wss"
	default:
		u.Scheme = "ws"
	}
	dialer := websocket.Dialer{HandshakeTimeout: c.timeout}
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

	for i, path := range paths {
		cmd := map[string]any{"cmd": "startConsuming", "path": path, "_id": i + 1}
		if err := conn.WriteJSON(cmd); err != nil {
			return c.fail(KindUnreachable, op, 0, "", err)
		}
	}
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			if ctx.Err() != nil {
				return nil //nolint:nilerr // the caller ended the subscription
			}
			return c.fail(KindUnreachable, op, 0, "the connection dropped", err)
		}
		var reply struct {
			Event
			Code int             `json:"code"`
			Msg  json.RawMessage `json:"msg"`
		}
		if json.Unmarshal(data, &reply) != nil {
			continue
		}
		if reply.Code != 0 && reply.Code != http.StatusOK {
			return c.fail(KindRejected, op, reply.Code, fmt.Sprintf("Buildbot refused the subscription: %s", shortText(reply.Msg)), nil)
		}
		if reply.Key != "" {
			onEvent(reply.Event)
		}
	}
}

// websocketHeader carries the client's authentication onto the WebSocket handshake.
func (c *Client) websocketHeader(ctx context.Context, httpURL string) (http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, httpURL, nil)
	if err != nil {
		return nil, c.fail(KindBadReply, "websocket", 0, "", err)
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
		return EventRefs{RequestID: record.BuildRequestID, BuildID: id}, true
	case "steps":
		if record.BuildID == 0 {
			return EventRefs{}, false
		}
		return EventRefs{BuildID: record.BuildID, Step: true}, true
	}
	return EventRefs{}, false
}
