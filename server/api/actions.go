package api

import (
	"encoding/json"
	"net/http"

	"github.com/mattermost/mattermost/server/public/model"
)

// action receives a button click. Mattermost delivers it in-process with the clicker's id, and
// the context it carries was set by the plugin and never shown to clients.
func (h *handler) action(w http.ResponseWriter, r *http.Request) {
	var req model.PostActionIntegrationRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.PostId == "" {
		writeError(w, http.StatusBadRequest, "not a post action")
		return
	}
	// Trust the authenticated header over the body.
	req.UserId = r.Header.Get(userHeader)
	text := h.deps.Actions.Act(r.Context(), &req)
	writeJSON(w, http.StatusOK, model.PostActionIntegrationResponse{EphemeralText: text})
}
