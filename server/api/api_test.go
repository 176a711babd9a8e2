package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbottest"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/config"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/route"
)

type admins map[string]bool

func (a admins) IsSystemAdmin(userID string) bool { return a[userID] }

// rules allows /build in the channels it lists, for anyone.
type rules map[string]bool

func (r rules) MayView(_, channelID, _ string) bool { return r[channelID] }

// helpOnly is autocomplete that offers help at every word, and says what it was asked.
type helpOnly struct{ asked []string }

func (l *helpOnly) offer(what string) []model.AutocompleteListItem {
	l.asked = append(l.asked, what)
	return []model.AutocompleteListItem{{Item: "help"}}
}

func (l *helpOnly) Word(userID, channelID, parsed, input string) []model.AutocompleteListItem {
	return l.offer(strings.Join([]string{userID, channelID, parsed, input}, "|"))
}

// clicks records the button clicks that reach the command package.
type clicks []*model.PostActionIntegrationRequest

func (c *clicks) Act(_ context.Context, req *model.PostActionIntegrationRequest) string {
	*c = append(*c, req)
	return "done"
}

func router(snap *config.Snapshot) http.Handler {
	return routerWith(snap, &clicks{})
}

func routerWith(snap *config.Snapshot, actions Actions) http.Handler {
	return NewRouter(Deps{
		Snapshot:    func() *config.Snapshot { return snap },
		Permissions: admins{"admin-id": true},
		Lists:       &helpOnly{},
		Actions:     actions,
		Rules:       rules{"allowed": true},
		BotID:       "bot-id",
		PluginID:    "buildbot",
		Version:     "1.2.3",
		Node:        func() NodeStatus { return NodeStatus{FollowsEvents: true, LastScheduledPoll: 42, Goroutines: 7} },
		Events:      func() EventsStatus { return EventsStatus{Connected: true, Since: 1700000000000} },
	})
}

func get(h http.Handler, path, userID string) *httptest.ResponseRecorder {
	req := httptest.NewRequestWithContext(context.Background(), http.MethodGet, path, nil)
	if userID != "" {
		req.Header.Set("Mattermost-User-Id", userID)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// click posts a button click of user-id to the actions route, as Mattermost forwards one.
func click(h http.Handler, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequestWithContext(context.Background(), http.MethodPost, "/"+route.Actions, strings.NewReader(body))
	req.Header.Set("Mattermost-User-Id", "user-id")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestAButtonClickLargerThanAnyRealOneIsRefusedUnread(t *testing.T) {
	var seen clicks
	h := routerWith(config.NewSnapshot(&config.Configuration{}), &seen)
	huge := `{"post_id":"p","context":{"action":"stop","pad":"` + strings.Repeat("x", 1<<20) + `"}}`

	if rec := click(h, huge); rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("code %d body %s", rec.Code, rec.Body)
	}
	if rec := click(h, `{"post_id":"p","user_id":"someone-else","context":{"action":"stop"}}`); rec.Code != http.StatusOK {
		t.Fatalf("code %d body %s", rec.Code, rec.Body)
	}
	if len(seen) != 1 || seen[0].UserId != "user-id" {
		t.Fatalf("clicks %+v", seen)
	}
}

// deadlines records how long a click was given.
type deadlines []time.Duration

func (d *deadlines) Act(ctx context.Context, _ *model.PostActionIntegrationRequest) string {
	deadline, ok := ctx.Deadline()
	if !ok {
		*d = append(*d, 0)
		return "no deadline"
	}
	*d = append(*d, time.Until(deadline))
	return "done"
}

func TestAButtonClickIsBoundedAsAWholeByTheRequestTimeout(t *testing.T) {
	var given deadlines
	h := routerWith(config.NewSnapshot(&config.Configuration{RequestTimeoutSeconds: config.Number{Value: 3, Set: true, Raw: "3"}}), &given)

	if rec := click(h, `{"post_id":"p","context":{"action":"rebuild"}}`); rec.Code != http.StatusOK {
		t.Fatalf("code %d body %s", rec.Code, rec.Body)
	}
	if len(given) != 1 || given[0] <= 2*time.Second || given[0] > 3*time.Second {
		t.Fatalf("the click was given %v, want the request timeout of 3s", given)
	}
}

func TestAutocompleteOffersNothingWhereBuildIsRefused(t *testing.T) {
	h := router(config.NewSnapshot(&config.Configuration{}))
	if rec := get(h, "/api/v1/autocomplete?channel_id=refused&team_id=t&parsed=build+x+", "user-id"); rec.Body.String() != "[]\n" {
		t.Errorf("in a refused channel: %s", rec.Body)
	}
	if rec := get(h, "/api/v1/autocomplete?channel_id=allowed", "user-id"); !strings.Contains(rec.Body.String(), `"help"`) {
		t.Fatalf("in an allowed channel: %s", rec.Body)
	}
}

// The list is asked with what Mattermost's query says: who types, where, and what so far.
func TestAutocompletePassesTheQueryToItsList(t *testing.T) {
	lists := &helpOnly{}
	h := NewRouter(Deps{
		Snapshot: func() *config.Snapshot { return config.NewSnapshot(&config.Configuration{}) },
		Rules:    rules{"allowed": true},
		Lists:    lists,
	})
	q := "?channel_id=allowed&team_id=t&parsed=build+app+&user_input=build+app+ma"
	get(h, "/"+route.Autocomplete+q, "alice")
	if want := []string{"alice|allowed|build app |build app ma"}; !slices.Equal(lists.asked, want) {
		t.Fatalf("asked %q, want %q", lists.asked, want)
	}
}

func TestTheWebappLearnsWhichAccountWritesStatusPosts(t *testing.T) {
	rec := get(router(config.NewSnapshot(&config.Configuration{})), "/api/v1/bot", "user-id")
	if rec.Code != http.StatusOK || strings.TrimSpace(rec.Body.String()) != `{"user_id":"bot-id"}` {
		t.Fatalf("code %d body %s", rec.Code, rec.Body)
	}
}

func TestStatusRoute(t *testing.T) {
	// Builder 2 is on no master: the report must say it is not active.
	url := (&buildbottest.Server{Builders: `{"builders":[{"builderid":1,"name":"a","masterids":[1]},{"builderid":2,"name":"old","masterids":[]}]}`}).Start(t)
	good := config.NewSnapshot(&config.Configuration{BuildbotURL: url, AuthMode: "header", HeaderName: "X-Key", HeaderValue: "p-secret"})
	bad := config.NewSnapshot(&config.Configuration{BuildbotURL: "ci.example.com"})

	t.Run("a request without a session is refused", func(t *testing.T) {
		if rec := get(router(good), "/api/v1/status", ""); rec.Code != http.StatusUnauthorized {
			t.Fatalf("code %d", rec.Code)
		}
	})
	t.Run("a user who is not an admin is refused", func(t *testing.T) {
		if rec := get(router(good), "/api/v1/status", "user-id"); rec.Code != http.StatusForbidden {
			t.Fatalf("code %d", rec.Code)
		}
	})
	t.Run("an unknown route answers JSON 404", func(t *testing.T) {
		rec := get(router(good), "/api/v1/nope", "admin-id")
		if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), `"error"`) {
			t.Fatalf("code %d body %s", rec.Code, rec.Body)
		}
	})
	t.Run("an admin sees what Buildbot answered, without secrets", func(t *testing.T) {
		rec := get(router(good), "/api/v1/status", "admin-id")
		var report StatusReport
		if err := json.Unmarshal(rec.Body.Bytes(), &report); err != nil || rec.Code != http.StatusOK {
			t.Fatalf("code %d body %s", rec.Code, rec.Body)
		}
		if !report.Configured || report.Plugin.Version != "1.2.3" || report.Buildbot == nil || !report.Buildbot.Reachable ||
			report.Buildbot.Version != "4.3.0" || len(report.Buildbot.Builders) != 2 || report.Buildbot.Builders[1].Active {
			t.Fatalf("report %+v %+v", report, report.Buildbot)
		}
		if strings.Contains(rec.Body.String(), "p-secret") {
			t.Fatal("the password leaked")
		}
		if report.Node == nil || !report.Node.FollowsEvents || report.Node.LastScheduledPoll != 42 || report.Node.Goroutines != 7 {
			t.Fatalf("this server's share of the work is missing: %+v", report.Node)
		}
		// The System Console's check says whether Buildbot's events are followed, and since when.
		if report.Events == nil || !report.Events.Enabled || !report.Events.Connected || report.Events.Since != 1700000000000 {
			t.Fatalf("the event follower's state is missing: %+v", report.Events)
		}
	})
	t.Run("an admin sees what is wrong with the settings", func(t *testing.T) {
		rec := get(router(bad), "/api/v1/status", "admin-id")
		var report StatusReport
		_ = json.Unmarshal(rec.Body.Bytes(), &report)
		if report.Configured || len(report.Problems) != 1 || report.Problems[0].Setting != "Buildbot URL" || report.Buildbot != nil || report.Events != nil {
			t.Fatalf("report %+v", report)
		}
	})
	t.Run("an unreachable Buildbot is reported, not an error", func(t *testing.T) {
		down := config.NewSnapshot(&config.Configuration{BuildbotURL: "http://127.0.0.1:9/"})
		var report StatusReport
		_ = json.Unmarshal(get(router(down), "/api/v1/status", "admin-id").Body.Bytes(), &report)
		if report.Buildbot == nil || report.Buildbot.Reachable || !strings.Contains(report.Buildbot.Error, "is unreachable") {
			t.Fatalf("report %+v", report.Buildbot)
		}
	})
}
