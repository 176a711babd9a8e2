package api

import (
	"net/http"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/command"
)

// The dynamic lists of /build. Mattermost calls them on every keystroke and filters the items by
// what was typed; they answer from memory and never wait on Buildbot.

func (h *handler) firstWord(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, command.FirstWord(h.deps.Catalog.Current()))
}

func (h *handler) secondWord(w http.ResponseWriter, r *http.Request) {
	typed := r.URL.Query().Get("parsed")
	if typed == "" {
		typed = r.URL.Query().Get("user_input")
	}
	writeJSON(w, http.StatusOK, command.SecondWord(h.deps.Catalog.Current(), typed))
}
