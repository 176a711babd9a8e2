package api

import (
	"errors"
	"net/http"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/app"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/notify"
)

// meSettings reads (GET) or writes (PUT) the caller's settings for direct messages about builds,
// for the plugin's page in Mattermost's settings. The user is Mattermost's word, never the body's.
func (h *handler) meSettings(w http.ResponseWriter, r *http.Request) {
	if h.deps.Me == nil {
		writeError(w, http.StatusNotFound, "no such route")
		return
	}
	userID := r.Header.Get(userHeader)
	var view app.MeView
	var err error
	if r.Method == http.MethodPut {
		var asked notify.Settings
		if !decodeBody(w, r, &asked) {
			return
		}
		view, err = h.deps.Me.SetMeSettings(userID, asked)
	} else {
		view, err = h.deps.Me.MeSettings(userID)
	}
	switch {
	case errors.Is(err, app.ErrInvalidSettings):
		writeError(w, http.StatusBadRequest, err.Error())
	case err != nil:
		writeError(w, http.StatusInternalServerError, "the settings could not be read or saved; try again")
	default:
		writeJSON(w, http.StatusOK, view)
	}
}
