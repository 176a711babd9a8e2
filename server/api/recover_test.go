package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/config"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/logtest"
)

// panicOnce panics on the first click, the way a bug on one post's odd props would, and answers
// the rest.
type panicOnce struct{ clicks int }

func (p *panicOnce) Act(context.Context, *model.PostActionIntegrationRequest) string {
	p.clicks++
	if p.clicks == 1 {
		panic("no props on this post")
	}
	return "done"
}

func TestAPanickingRouteAnswers500AndTheNextRequestIsServed(t *testing.T) {
	var log logtest.Errors
	h := NewRouter(Deps{
		Snapshot: func() *config.Snapshot { return config.NewSnapshot(&config.Configuration{}) },
		Actions:  &panicOnce{},
		Log:      &log,
	})

	rec := click(h, `{"post_id":"p","context":{"action":"stop"}}`)

	var body map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &body); rec.Code != http.StatusInternalServerError || err != nil || body["error"] == "" {
		t.Fatalf("code %d body %s", rec.Code, rec.Body)
	}
	lines := log.Logged()
	if len(lines) != 1 {
		t.Fatalf("logged %v", lines)
	}
	want := map[string]string{"method": http.MethodPost, "path": "/api/v1/actions", "user_id": "user-id", "panic": "no props on this post"}
	for key, value := range want {
		if lines[0][key] != value {
			t.Errorf("logged %s %q, want %q", key, lines[0][key], value)
		}
	}
	if !strings.Contains(lines[0]["stack"], "(*panicOnce).Act") {
		t.Errorf("the stack does not show where it panicked:\n%s", lines[0]["stack"])
	}

	if rec := click(h, `{"post_id":"p","context":{"action":"stop"}}`); rec.Code != http.StatusOK {
		t.Fatalf("the next click: code %d body %s", rec.Code, rec.Body)
	}
}

func readBuildersPanics() { panic("a builder without a name") }

// The status route reads Buildbot on two goroutines at once; a panic on either would end the
// plugin, so it is answered like a panic on the request's own.
func TestAPanicOnAReadBesideTheRequestIsAnsweredAsTheRequests(t *testing.T) {
	var log logtest.Errors
	h := withRecovery(&log, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		inParallel(func() {}, readBuildersPanics)
		writeJSON(w, http.StatusOK, "read")
	}))

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequestWithContext(context.Background(), http.MethodGet, "/api/v1/status", nil))

	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("code %d body %s", rec.Code, rec.Body)
	}
	lines := log.Logged()
	if len(lines) != 1 || lines[0]["panic"] != "a builder without a name" || !strings.Contains(lines[0]["stack"], "readBuildersPanics") {
		t.Fatalf("logged %v", lines)
	}
}
