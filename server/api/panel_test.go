package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/access"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/app"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbottest"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/config"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/panel"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/post"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/route"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/subscription"
)

// desk is the Builds panel as the app would answer it: the gate refuses mallory, and a channel
// or repo named "bad" is a request the app words an error for. It records what it was asked.
type desk struct {
	mu     sync.Mutex
	asked  []asked
	failed error
}

type asked struct {
	what               string
	who                app.Actor
	after              time.Time
	sub                app.SubscribeRequest
	buildID, requestID int
}

func (d *desk) note(a asked) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.asked = append(d.asked, a)
	switch {
	case a.who.UserID == "mallory":
		return &access.Refusal{Reason: access.NotSubscriber, Text: i18n.T("command.subscribe.refused",
			"Only {{.Who}} may change this channel's subscriptions. A system admin can change that in **System Console > Plugins > Buildbot > Who may subscribe channels**.",
			"Who", "system admins")}
	case a.who.ChannelID == "bad" || a.sub.Repo == "bad":
		return i18n.NewError(i18n.T("command.subscribe.unknown_repo", "Buildbot has nothing called `{{.Name}}`.", "Name", "bad"))
	}
	return d.failed
}

func (d *desk) last() asked {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.asked[len(d.asked)-1]
}

func (d *desk) Panel(_ context.Context, who app.Actor, after time.Time) (app.PanelBuilds, error) {
	return app.PanelBuilds{ReadAt: 1765000000000,
		Repos: []app.PanelRepo{{Repo: "webapp", Builds: []app.PanelBuild{
			{Builder: "webapp-linux", BuilderID: 3, State: post.StateBuilding, BuildID: 12, Number: 5, RequestID: 43, Step: "compile", StartedAt: 1765000000000,
				Branch: "main", StartedBy: "alice", URL: "http://buildbot/#/builders/3/builds/5", PostURL: "http://mm/_redirect/pl/p", MayStop: true},
			{Builder: "webapp-linux", BuilderID: 3, State: post.StateQueued, RequestID: 44, StartedAt: 1765000000000, URL: "http://buildbot/#/buildrequests/44",
				Place: 3, StartsAt: 1765000100000},
		}}},
		Red: []app.PanelRed{
			{Repo: "webapp", Builder: "webapp-linux", BuilderID: 3, Branch: "main", Since: 1765000000000, Failures: 2, Number: 17, URL: "http://buildbot/#/builders/3/builds/17",
				FirstBad: &app.PanelChange{Revision: "abc1234", Author: "Alice", Comment: "Break it"}, Subscribed: true},
			{Repo: "webapp", Builder: "webapp-mac", BuilderID: 4, Branch: "main", Since: 1765000000000, Failures: 1, Number: 3},
		},
		RedCount: 1}, d.note(asked{what: "builds", who: who, after: after})
}

func (d *desk) PanelMine(who app.Actor) ([]app.PanelMineBuild, error) {
	return []app.PanelMineBuild{{PostURL: "http://mm/_redirect/pl/p", Repo: "webapp", Branch: "main", State: post.StateFailure, At: 1765000000000,
		Builders: []app.PanelMineBuilder{{Builder: "webapp-linux", Number: 5, State: post.StateFailure}}}}, d.note(asked{what: "mine", who: who})
}

func (d *desk) PanelRedCount(_ context.Context, who app.Actor) (int, error) {
	return 2, d.note(asked{what: "red_count", who: who})
}

func (d *desk) PanelSubscriptionList(who app.Actor) (app.PanelSubscriptions, error) {
	return app.PanelSubscriptions{
		Subscriptions: []app.PanelSubscription{{Repo: "webapp", Events: []subscription.Event{subscription.Finished}, Style: subscription.StyleCard, Creator: "alice", CreatedAt: 1765000000000}},
		MayEdit:       true, Events: []app.PanelEvent{{Event: subscription.Started, Means: "when a build starts"}},
		DefaultEvents: subscription.DefaultEvents, Repos: []string{"webapp", "api"},
	}, d.note(asked{what: "subscriptions", who: who})
}

func (d *desk) PanelSubscribe(_ context.Context, who app.Actor, sub app.SubscribeRequest) (i18n.Text, error) {
	return i18n.Raw("This channel now hears about **webapp**."), d.note(asked{what: "subscribe", who: who, sub: sub})
}

func (d *desk) PanelUnsubscribe(who app.Actor, repo, glob string) (i18n.Text, error) {
	return i18n.Raw("This channel no longer hears about **webapp**."), d.note(asked{what: "unsubscribe", who: who, sub: app.SubscribeRequest{Repo: repo, Branch: glob}})
}

func (d *desk) PanelBranches(who app.Actor, repo string) ([]string, error) {
	return []string{"main", "release/1.2"}, d.note(asked{what: "branches", who: who, sub: app.SubscribeRequest{Repo: repo}})
}

func (d *desk) PanelStop(_ context.Context, who app.Actor, buildID, requestID int) (i18n.Text, error) {
	return i18n.Raw("Stopping webapp-linux."), d.note(asked{what: "stop", who: who, buildID: buildID, requestID: requestID})
}

func panelRouter(d *desk) http.Handler {
	return NewRouter(Deps{Snapshot: func() *config.Snapshot { return config.NewSnapshot(&config.Configuration{}) }, Panel: d})
}

func call(h http.Handler, method, path, userID, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequestWithContext(context.Background(), method, path, strings.NewReader(body))
	if userID != "" {
		req.Header.Set("Mattermost-User-Id", userID)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// panelCall is one call of each panel route, for alice in channel c of team t.
type panelCall struct {
	name, method, path, body string
}

func panelCalls(channel string) []panelCall {
	q := "?channel_id=" + channel + "&team_id=t"
	body := `{"channel_id":"` + channel + `","team_id":"t","repo":"webapp","branch":"main","events":["failure"],"build_id":12}`
	p := "/" + route.Panel
	return []panelCall{
		{"builds", http.MethodGet, p + "/builds" + q, ""},
		{"mine", http.MethodGet, p + "/mine" + q, ""},
		{"red_count", http.MethodGet, p + "/red_count" + q, ""},
		{"branches", http.MethodGet, p + "/branches" + q + "&repo=webapp", ""},
		{"subscriptions", http.MethodGet, p + "/subscriptions" + q, ""},
		{"subscribe", http.MethodPut, p + "/subscriptions", body},
		{"unsubscribe", http.MethodDelete, p + "/subscriptions", body},
		{"stop", http.MethodPost, p + "/stop", body},
	}
}

// keys lists an object's keys, sorted.
func keys(t *testing.T, v any) []string {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%v is not an object", v)
	}
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func fieldsOf(list string) []string {
	out := strings.Fields(list)
	sort.Strings(out)
	return out
}

func decode(t *testing.T, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("code %d, body %q is not JSON: %v", rec.Code, rec.Body, err)
	}
	return body
}

func TestEachPanelRouteAnswersInTheContractsShape(t *testing.T) {
	d := &desk{}
	h := panelRouter(d)
	build := "builder builder_id state build_id number request_id step started_at branch started_by url post_url may_stop"
	want := map[string]func(t *testing.T, body map[string]any){
		"builds": func(t *testing.T, body map[string]any) {
			if got := keys(t, body); !slices.Equal(got, fieldsOf("read_at repos red red_count")) {
				t.Errorf("keys %q", got)
			}
			repo := body["repos"].([]any)[0]
			if got := keys(t, repo); !slices.Equal(got, fieldsOf("repo builds")) {
				t.Errorf("repo keys %q", got)
			}
			builds := repo.(map[string]any)["builds"].([]any)
			if got := keys(t, builds[0]); !slices.Equal(got, fieldsOf(build)) {
				t.Errorf("a running build's keys %q", got)
			}
			if got := keys(t, builds[1]); !slices.Equal(got, fieldsOf(build+" place starts_at")) {
				t.Errorf("a queued build's keys %q", got)
			}
			queued := builds[1].(map[string]any)
			if queued["state"] != "queued" || queued["place"] != 3.0 || queued["starts_at"] != 1765000100000.0 || queued["number"] != 0.0 {
				t.Errorf("queued %v", queued)
			}
			red := body["red"].([]any)
			if got := keys(t, red[0]); !slices.Equal(got, fieldsOf("repo builder builder_id branch since failures number url first_bad subscribed")) {
				t.Errorf("red keys %q", got)
			}
			if got := keys(t, red[0].(map[string]any)["first_bad"]); !slices.Equal(got, fieldsOf("revision author comment")) {
				t.Errorf("first bad keys %q", got)
			}
			if first, ok := red[1].(map[string]any)["first_bad"]; !ok || first != nil {
				t.Errorf("a red builder without a known change has first_bad %v, want null", first)
			}
			if body["red_count"] != 1.0 || body["read_at"] != 1765000000000.0 {
				t.Errorf("body %v", body)
			}
		},
		"mine": func(t *testing.T, body map[string]any) {
			mine := body["builds"].([]any)[0]
			if got := keys(t, mine); !slices.Equal(got, fieldsOf("post_url repo branch state builders at")) {
				t.Errorf("keys %q", got)
			}
			if got := keys(t, mine.(map[string]any)["builders"].([]any)[0]); !slices.Equal(got, fieldsOf("builder number state")) {
				t.Errorf("builder keys %q", got)
			}
		},
		"red_count": func(t *testing.T, body map[string]any) {
			if len(body) != 1 || body["count"] != 2.0 {
				t.Errorf("body %v", body)
			}
		},
		"branches": func(t *testing.T, body map[string]any) {
			if branches, _ := json.Marshal(body); string(branches) != `{"branches":["main","release/1.2"]}` {
				t.Errorf("body %s", branches)
			}
		},
		"subscriptions": func(t *testing.T, body map[string]any) {
			if got := keys(t, body); !slices.Equal(got, fieldsOf("subscriptions may_edit refusal events default_events repos")) {
				t.Errorf("keys %q", got)
			}
			if got := keys(t, body["subscriptions"].([]any)[0]); !slices.Equal(got, fieldsOf("repo branch events style creator created_at")) {
				t.Errorf("subscription keys %q", got)
			}
			if got := keys(t, body["events"].([]any)[0]); !slices.Equal(got, fieldsOf("event means")) {
				t.Errorf("event keys %q", got)
			}
		},
		// The panel shows text: the Markdown of answers written for chat is dropped.
		"subscribe":   message("This channel now hears about webapp."),
		"unsubscribe": message("This channel no longer hears about webapp."),
		"stop":        message("Stopping webapp-linux."),
	}
	for _, c := range panelCalls("c") {
		t.Run(c.name, func(t *testing.T) {
			rec := call(h, c.method, c.path, "alice", c.body)
			if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/json" {
				t.Fatalf("code %d, %q: %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
			}
			want[c.name](t, decode(t, rec))
			if got := d.last(); got.what != c.name || got.who != (app.Actor{UserID: "alice", ChannelID: "c", TeamID: "t", CallerTeam: true}) {
				t.Errorf("asked %+v", got)
			}
		})
	}
}

func message(want string) func(t *testing.T, body map[string]any) {
	return func(t *testing.T, body map[string]any) {
		if len(body) != 1 || body["message"] != want {
			t.Errorf("body %v", body)
		}
	}
}

func TestEachPanelRouteAnswersARefusalWithTheGatesWordsAsText(t *testing.T) {
	h := panelRouter(&desk{})
	for _, c := range panelCalls("c") {
		t.Run(c.name, func(t *testing.T) {
			rec := call(h, c.method, c.path, "mallory", c.body)
			if body := decode(t, rec); rec.Code != http.StatusForbidden || len(body) != 1 ||
				body["error"] != "Only system admins may change this channel's subscriptions. A system admin can change that in System Console > Plugins > Buildbot > Who may subscribe channels." {
				t.Errorf("code %d, body %v", rec.Code, body)
			}
		})
	}
}

func TestEachPanelRouteAnswersWhatTheRequestGotWrongWithABadRequest(t *testing.T) {
	h := panelRouter(&desk{})
	for _, c := range panelCalls("bad") {
		t.Run(c.name, func(t *testing.T) {
			rec := call(h, c.method, c.path, "alice", c.body)
			if body := decode(t, rec); rec.Code != http.StatusBadRequest || body["error"] != "Buildbot has nothing called bad." {
				t.Errorf("code %d, body %v", rec.Code, body)
			}
		})
	}
	t.Run("a body that is not JSON", func(t *testing.T) {
		for _, method := range []string{http.MethodPut, http.MethodDelete} {
			if rec := call(h, method, "/"+route.Panel+"/subscriptions", "alice", `{"repo":`); rec.Code != http.StatusBadRequest {
				t.Errorf("%s: code %d", method, rec.Code)
			}
		}
		if rec := call(h, http.MethodPost, "/"+route.Panel+"/stop", "alice", `build 12`); rec.Code != http.StatusBadRequest {
			t.Errorf("stop: code %d", rec.Code)
		}
	})
	t.Run("nobody logged in", func(t *testing.T) {
		if rec := call(h, http.MethodGet, "/"+route.Panel+"/builds?channel_id=c", "", ""); rec.Code != http.StatusUnauthorized {
			t.Errorf("code %d", rec.Code)
		}
	})
}

func TestAPanelRouteSaysWhenBuildbotFailsWithoutItsDetails(t *testing.T) {
	bb := &buildbottest.Server{Down: true}
	_, bbErr := bb.Client(t).Builders(context.Background())
	for _, tc := range []struct {
		name string
		err  error
		code int
		text string
	}{
		{"a Buildbot that does not answer is a bad gateway", bbErr, http.StatusBadGateway, "could not be reached"},
		{"no Buildbot set up is unavailable", fmtWrap(panel.ErrNoBuildbot), http.StatusServiceUnavailable, "not connected to Buildbot"},
		{"any other failure is an internal error", errors.New("kv: secret detail"), http.StatusInternalServerError, "could not be read"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := panelRouter(&desk{failed: tc.err})
			for _, c := range panelCalls("c") {
				rec := call(h, c.method, c.path, "alice", c.body)
				body := decode(t, rec)
				text, _ := body["error"].(string)
				if rec.Code != tc.code || !strings.Contains(text, tc.text) || strings.Contains(text, "secret") {
					t.Errorf("%s: code %d, body %v", c.name, rec.Code, body)
				}
			}
		})
	}
}

func fmtWrap(err error) error { return fmt.Errorf("read the builds panel: %w", err) }

func TestThePanelsBodiesNameWhatToChangeButNotWhoAsks(t *testing.T) {
	d := &desk{}
	h := panelRouter(d)
	p := "/" + route.Panel

	call(h, http.MethodPut, p+"/subscriptions", "alice",
		`{"channel_id":"c","team_id":"t","user_id":"mallory","repo":"webapp","branch":"release/*","events":["failure","problem"]}`)
	got := d.last()
	if got.who != (app.Actor{UserID: "alice", ChannelID: "c", TeamID: "t", CallerTeam: true}) ||
		got.sub.Repo != "webapp" || got.sub.Branch != "release/*" || !slices.Equal(got.sub.Events, []subscription.Event{subscription.Failure, subscription.Problem}) {
		t.Errorf("subscribe asked %+v", got)
	}
	call(h, http.MethodDelete, p+"/subscriptions", "alice", `{"channel_id":"c","team_id":"t","repo":"webapp","branch":"release/*"}`)
	if got := d.last(); got.what != "unsubscribe" || got.sub.Repo != "webapp" || got.sub.Branch != "release/*" {
		t.Errorf("unsubscribe asked %+v", got)
	}
	call(h, http.MethodPost, p+"/stop", "alice", `{"channel_id":"c","team_id":"t","request_id":44}`)
	if got := d.last(); got.buildID != 0 || got.requestID != 44 || got.who.ChannelID != "c" {
		t.Errorf("stop asked %+v", got)
	}
	call(h, http.MethodGet, p+"/branches?channel_id=c&team_id=t&repo=api", "alice", "")
	if got := d.last(); got.sub.Repo != "api" {
		t.Errorf("branches asked %+v", got)
	}
}

func TestThePanelAsksForABoardNoNewerThanThisServersClock(t *testing.T) {
	d := &desk{}
	h := panelRouter(d)
	path := "/" + route.Panel + "/builds?channel_id=c&team_id=t"

	call(h, http.MethodGet, path+"&after=1700000000123", "alice", "")
	if got := d.last().after; !got.Equal(time.UnixMilli(1700000000123)) {
		t.Errorf("after %v", got)
	}
	for _, after := range []string{"", "&after=soon", "&after=-5"} {
		call(h, http.MethodGet, path+after, "alice", "")
		if got := d.last().after; !got.IsZero() {
			t.Errorf("%q: after %v, want none", after, got)
		}
	}
	// A webapp whose clock is an hour ahead must not ask for a read that comes in an hour.
	ahead := time.Now().Add(time.Hour)
	call(h, http.MethodGet, path+"&after="+strconv.FormatInt(ahead.UnixMilli(), 10), "alice", "")
	if got := d.last().after; got.After(time.Now()) {
		t.Errorf("after %v is in the future", got)
	}
}
