package api

import (
	"context"
	"net/http"

	"github.com/mattermost/mattermost/server/public/model"
)

// action receives a button click. Mattermost's post-action route delivers it with the clicker's
// id, but anyone may call this route directly with any body: only the user id is Mattermost's
// word, and Act checks the rest.
func (h *handler) action(w http.ResponseWriter, r *http.Request) {
	var req model.PostActionIntegrationRequest
	if !decodeBody(w, r, &req) {
		return
	}
	if req.PostId == "" {
		writeError(w, http.StatusBadRequest, "not a post action")
		return
	}
	// Trust the authenticated header over the body.
	req.UserId = r.Header.Get(userHeader)
	ctx, cancel := h.bounded(r)
	defer cancel()
	text := h.deps.Actions.Act(ctx, &req)
	writeJSON(w, http.StatusOK, model.PostActionIntegrationResponse{EphemeralText: text})
}

// form receives a build form's submission. Mattermost forwards it from its own dialog route with
// the user's session, but anyone may post here directly: the user is the authenticated header's,
// never the body's, and the rest is checked as /build checks it.
func (h *handler) form(w http.ResponseWriter, r *http.Request) {
	var sub model.SubmitDialogRequest
	if !decodeBody(w, r, &sub) {
		return
	}
	if sub.Cancelled {
		writeJSON(w, http.StatusOK, model.SubmitDialogResponse{})
		return
	}
	ctx, cancel := h.bounded(r)
	defer cancel()
	writeJSON(w, http.StatusOK, h.deps.Forms.SubmitForm(ctx, r.Header.Get(userHeader), &sub))
}

// bounded gives a click or a form the request timeout as a whole, as /build has: the user waits
// for the answer, and a Rebuild that logs in, reads the build and forces must still answer in time.
func (h *handler) bounded(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), h.deps.Snapshot().Config.RequestTimeout())
}
