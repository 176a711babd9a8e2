// Package api serves the plugin's HTTP routes under /plugins/buildbot/: what the webapp, buttons,
// autocomplete and admins call. Mattermost authenticates the caller and passes the user id in the
// Mattermost-User-Id header; every route here requires it.
package api

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/gorilla/mux"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/catalog"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/command"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/config"
)

// Permissions answers who the caller is allowed to be.
type Permissions interface {
	IsSystemAdmin(userID string) bool
}

// ActionsRoute receives the clicks on status posts' buttons, relative to the plugin.
const ActionsRoute = "api/v1/actions"

// Actions runs a status post's button for the user who clicked it.
type Actions interface {
	Act(ctx context.Context, req *model.PostActionIntegrationRequest) string
}

// Deps is what the routes need from the plugin.
type Deps struct {
	// Snapshot returns the settings in force for this request.
	Snapshot    func() *config.Snapshot
	Permissions Permissions
	Catalog     *catalog.Catalog
	Actions     Actions
	PluginID    string
	Version     string
}

// NewRouter builds the plugin's HTTP handler.
func NewRouter(deps Deps) http.Handler {
	h := &handler{deps: deps}
	r := mux.NewRouter()
	r.Use(requireUser)
	v1 := r.PathPrefix("/api/v1").Subrouter()
	v1.Handle("/status", h.requireAdmin(http.HandlerFunc(h.status))).Methods(http.MethodGet)
	r.HandleFunc("/"+ActionsRoute, h.action).Methods(http.MethodPost)
	r.HandleFunc("/"+command.FirstWordRoute, h.firstWord).Methods(http.MethodGet)
	r.HandleFunc("/"+command.SecondWordRoute, h.secondWord).Methods(http.MethodGet)
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusNotFound, "no such route")
	})
	return r
}

type handler struct {
	deps Deps
}

const userHeader = "Mattermost-User-Id"

func requireUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(userHeader) == "" {
			writeError(w, http.StatusUnauthorized, "log in to Mattermost first")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (h *handler) requireAdmin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !h.deps.Permissions.IsSystemAdmin(r.Header.Get(userHeader)) {
			writeError(w, http.StatusForbidden, "only system admins may see this")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func writeError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]string{"error": message})
}
