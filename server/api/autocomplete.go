package api

import (
	"net/http"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
)

// The dynamic lists of /build. Mattermost calls the route on every keystroke, once for each word
// up to the one typed, and filters the items by what was typed; it answers from memory and never
// waits on Buildbot. Where /build is refused, it offers nothing.
func (h *handler) autocomplete(w http.ResponseWriter, r *http.Request) {
	if !h.allowed(r) {
		writeJSON(w, http.StatusOK, []model.AutocompleteListItem{})
		return
	}
	q := r.URL.Query()
	writeJSON(w, http.StatusOK, h.deps.Lists.Word(r.Header.Get(userHeader), q.Get("channel_id"), q.Get("parsed"), q.Get("user_input")))
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
