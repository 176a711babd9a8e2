package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/app"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/config"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/notify"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/route"
)

// mine keeps each user's settings in memory.
type mine map[string]notify.Settings

func (m mine) MeSettings(userID string) (app.MeView, error) {
	s, ok := m[userID]
	if !ok {
		s = notify.Defaults
	}
	return app.MeView{OwnBuilds: s.OwnBuilds, Breaks: s.Breaks, Email: userID + "@example.com"}, nil
}

func (m mine) SetMeSettings(userID string, s notify.Settings) (app.MeView, error) {
	if !s.OwnBuilds.Valid() {
		return app.MeView{}, app.ErrInvalidSettings
	}
	m[userID] = s
	return m.MeSettings(userID)
}

func put(h http.Handler, path, userID, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequestWithContext(context.Background(), http.MethodPut, path, strings.NewReader(body))
	req.Header.Set("Mattermost-User-Id", userID)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// The settings page reads and writes the caller's own settings: the user is Mattermost's word,
// whatever the body says, and an answer the plugin does not know is refused.
func TestTheSettingsPageReadsAndWritesTheCallersOwnSettings(t *testing.T) {
	settings := mine{}
	h := NewRouter(Deps{Snapshot: func() *config.Snapshot { return config.NewSnapshot(&config.Configuration{}) }, Me: settings})
	path := "/" + route.MeSettings

	if rec := get(h, path, ""); rec.Code != http.StatusUnauthorized {
		t.Fatalf("anonymous: %d", rec.Code)
	}
	if rec := get(h, path, "bob"); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"own_builds":"off","breaks":true,"email":"bob@example.com"`) {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	if rec := put(h, path, "bob", `{"own_builds":"always","breaks":false,"user_id":"carol"}`); rec.Code != http.StatusOK ||
		!strings.Contains(rec.Body.String(), `"own_builds":"always","breaks":false`) {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	if _, ok := settings["carol"]; ok || settings["bob"].OwnBuilds != notify.OwnBuildsAlways {
		t.Fatalf("settings %+v", settings)
	}
	if rec := put(h, path, "bob", `{"own_builds":"sometimes"}`); rec.Code != http.StatusBadRequest {
		t.Fatalf("an unknown choice: %d", rec.Code)
	}
}
