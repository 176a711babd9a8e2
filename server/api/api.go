// Package api serves the plugin's HTTP routes under /plugins/buildbot/: what the webapp, buttons,
// autocomplete and admins call. Mattermost authenticates the caller and passes the user id in the
// Mattermost-User-Id header; every route here requires it.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/gorilla/mux"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/app"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/config"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/notify"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/post"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/route"
)

// Permissions answers who the caller is allowed to be.
type Permissions interface {
	IsSystemAdmin(userID string) bool
}

// Actions runs a status post's button for the user who clicked it.
type Actions interface {
	Act(ctx context.Context, req *model.PostActionIntegrationRequest) string
}

// Forms runs a submitted build form for the user who sent it.
type Forms interface {
	SubmitForm(ctx context.Context, userID string, sub *model.SubmitDialogRequest) *model.SubmitDialogResponse
}

// Rules says where /build may be used, which is where autocomplete offers anything.
type Rules interface {
	MayView(userID, channelID, teamID string) bool
}

// Previews reads what a previewed message's Buildbot links show now, for a user who may see it.
type Previews interface {
	Live(ctx context.Context, userID, postID string, after time.Time) ([]post.Props, error)
}

// Me reads and writes a user's settings for direct messages about builds.
type Me interface {
	MeSettings(userID string) (app.MeView, error)
	SetMeSettings(userID string, settings notify.Settings) (app.MeView, error)
}

// Lists answers the dynamic lists of /build's autocomplete: what may be typed as the word being
// typed. parsed is the command before that word, input the command as typed.
type Lists interface {
	Word(userID, channelID, parsed, input string) []model.AutocompleteListItem
}

// Deps is what the routes need from the plugin.
type Deps struct {
	// Snapshot returns the settings in force for this request.
	Snapshot    func() *config.Snapshot
	Permissions Permissions
	Actions     Actions
	Forms       Forms
	Rules       Rules
	Lists       Lists
	Me          Me
	Previews    Previews
	Panel       Panel
	// BotID is the account that writes status posts; the webapp draws only its posts as cards.
	BotID    string
	PluginID string
	Version  string
	// Node reports this server's share of the work for the status route.
	Node func() NodeStatus
	// Events reports whether the plugin follows Buildbot's events, cluster-wide.
	Events func() EventsStatus
	// Words word the autocomplete lists in the caller's language; nil words English.
	Words *i18n.Bundle
	// Log hears of requests that panicked; it may be nil.
	Log Logger
}

// maxBody bounds what a request may send: a button click or a query is a few hundred bytes.
const maxBody = 64 << 10

// NewRouter builds the plugin's HTTP handler.
func NewRouter(deps Deps) http.Handler {
	h := &handler{deps: deps}
	r := mux.NewRouter()
	r.Use(requireUser, limitBody)
	r.Handle("/"+route.Status, h.requireAdmin(http.HandlerFunc(h.status))).Methods(http.MethodGet)
	r.HandleFunc("/"+route.Bot, h.bot).Methods(http.MethodGet)
	r.HandleFunc("/"+route.MeSettings, h.meSettings).Methods(http.MethodGet, http.MethodPut)
	r.HandleFunc("/"+route.Previews+"/{post_id:[a-z0-9]{26}}", h.previews).Methods(http.MethodGet)
	r.HandleFunc("/"+route.Actions, h.action).Methods(http.MethodPost)
	r.HandleFunc("/"+route.BuildForm, h.form).Methods(http.MethodPost)
	r.HandleFunc("/"+route.Autocomplete, h.autocomplete).Methods(http.MethodGet)
	if deps.Panel != nil {
		r.HandleFunc("/"+route.Panel+"/builds", h.panelBuilds).Methods(http.MethodGet)
		r.HandleFunc("/"+route.Panel+"/mine", h.panelMine).Methods(http.MethodGet)
		r.HandleFunc("/"+route.Panel+"/red_count", h.panelRedCount).Methods(http.MethodGet)
		r.HandleFunc("/"+route.Panel+"/branches", h.panelBranches).Methods(http.MethodGet)
		r.HandleFunc("/"+route.Panel+"/subscriptions", h.panelSubscriptions).Methods(http.MethodGet, http.MethodPut, http.MethodDelete)
		r.HandleFunc("/"+route.Panel+"/stop", h.panelStop).Methods(http.MethodPost)
	}
	r.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusNotFound, "no such route")
	})
	return withRecovery(deps.Log, r)
}

type handler struct {
	deps   Deps
	grants grants
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

func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		next.ServeHTTP(w, r)
	})
}

// decodeBody reads a JSON body, answering the client itself when it cannot.
func decodeBody(w http.ResponseWriter, r *http.Request, into any) bool {
	err := json.NewDecoder(r.Body).Decode(into)
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, "the request is too large")
		return false
	case err != nil:
		writeError(w, http.StatusBadRequest, "the request is not valid JSON")
		return false
	}
	return true
}

// bot names the account whose posts are status posts.
func (h *handler) bot(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"user_id": h.deps.BotID})
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
