package api

import (
	"net/http"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/command"
)

// The dynamic lists of /build. Mattermost calls them on every keystroke and filters the items by
// what was typed; they answer from memory and never wait on Buildbot. Where /build is refused,
// they offer nothing.

func (h *handler) firstWord(w http.ResponseWriter, r *http.Request) {
	if !h.allowed(r) {
		writeJSON(w, http.StatusOK, []model.AutocompleteListItem{})
		return
	}
	writeJSON(w, http.StatusOK, command.FirstWord(h.deps.Catalog.Current()))
}

// allowed reads where the user is typing from Mattermost's query; the route can be called
// directly too, so the rules check the user may read that channel.
func (h *handler) allowed(r *http.Request) bool {
	q := r.URL.Query()
	return h.deps.Rules.Allows(r.Header.Get(userHeader), q.Get("channel_id"), q.Get("team_id"))
}

func (h *handler) secondWord(w http.ResponseWriter, r *http.Request) {
	if !h.allowed(r) {
		writeJSON(w, http.StatusOK, []model.AutocompleteListItem{})
		return
	}
	typed := r.URL.Query().Get("parsed")
	if typed == "" {
		typed = r.URL.Query().Get("user_input")
	}
	writeJSON(w, http.StatusOK, command.SecondWord(h.deps.Catalog.Current(), typed))
}
