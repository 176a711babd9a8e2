package buildbot

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gorilla/websocket"
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
	err := c.Consume(context.Background(), []string{"builds/*/*", "buildrequests/*/*"}, func(e Event) { events = append(events, e) })

	if KindOf(err) != KindUnreachable {
		t.Fatalf("want the dropped connection reported, got %v", err)
	}
	if gotHeader != "k" || len(subscribed) != 2 || subscribed[0] != "builds/*/*" {
		t.Fatalf("header %q, subscribed %v", gotHeader, subscribed)
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
		{Event{Key: "builds/7/new", Message: []byte(`{"buildid":7,"buildrequestid":12}`)}, EventRefs{RequestID: 12, BuildID: 7}, true},
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

	if err := newClient(t, srv.URL).Consume(ctx, []string{"builds/*/*"}, func(Event) {}); err != nil {
		t.Fatalf("got %v", err)
	}
}

func TestConsumeReportsARefusedSocket(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusForbidden) }))
	t.Cleanup(srv.Close)
	err := newClient(t, srv.URL).Consume(context.Background(), []string{"builds/*/*"}, func(Event) {})
	if KindOf(err) != KindForbidden {
		t.Fatalf("got %v", err)
	}
}

func TestBackoffGrowsToAMinute(t *testing.T) {
	if Backoff(0) != time.Second || Backoff(3) != 8*time.Second || Backoff(20) != time.Minute {
		t.Fatalf("%v %v %v", Backoff(0), Backoff(3), Backoff(20))
	}
}
