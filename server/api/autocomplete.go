package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/mux"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
)

// The dynamic lists of /build. Mattermost calls them on every keystroke and filters the items by
// what was typed; they answer from memory and never wait on Buildbot. Where /build is refused,
// they offer nothing.

func (h *handler) firstWord(w http.ResponseWriter, r *http.Request) {
	if !h.allowed(r) {
		writeJSON(w, http.StatusOK, []model.AutocompleteListItem{})
		return
	}
	writeJSON(w, http.StatusOK, h.deps.Lists.FirstWord(r.Header.Get(userHeader)))
}

// words are the caller's language for the status route.
func (h *handler) words(r *http.Request) i18n.Localizer {
	return h.deps.Words.User(r.Header.Get(userHeader))
}

// allowed reads where the user is typing from Mattermost's query; the route can be called
// directly too, so the rules check the user may read that channel. A yes is kept for the rest of
// a burst of keystrokes.
func (h *handler) allowed(r *http.Request) bool {
	q := r.URL.Query()
	key := grantKey{user: r.Header.Get(userHeader), channel: q.Get("channel_id"), team: q.Get("team_id")}
	snap, now := h.deps.Snapshot(), time.Now()
	if h.grants.has(key, snap, now) {
		return true
	}
	if !h.deps.Rules.MayView(key.user, key.channel, key.team) {
		return false
	}
	h.grants.add(key, snap, now)
	return true
}

func (h *handler) secondWord(w http.ResponseWriter, r *http.Request) {
	if !h.allowed(r) {
		writeJSON(w, http.StatusOK, []model.AutocompleteListItem{})
		return
	}
	q := r.URL.Query()
	writeJSON(w, http.StatusOK, h.deps.Lists.SecondWord(r.Header.Get(userHeader), q.Get("channel_id"), q.Get("parsed"), q.Get("user_input")))
}

func (h *handler) thirdWord(w http.ResponseWriter, r *http.Request) {
	if !h.allowed(r) {
		writeJSON(w, http.StatusOK, []model.AutocompleteListItem{})
		return
	}
	q := r.URL.Query()
	writeJSON(w, http.StatusOK, h.deps.Lists.ThirdWord(r.Header.Get(userHeader), q.Get("channel_id"), q.Get("parsed"), q.Get("user_input")))
}

func (h *handler) paramWord(w http.ResponseWriter, r *http.Request) {
	position, err := strconv.Atoi(mux.Vars(r)["position"])
	if err != nil || !h.allowed(r) {
		writeJSON(w, http.StatusOK, []model.AutocompleteListItem{})
		return
	}
	q := r.URL.Query()
	writeJSON(w, http.StatusOK, h.deps.Lists.ParamWord(r.Header.Get(userHeader), q.Get("parsed"), q.Get("user_input"), position))
}
