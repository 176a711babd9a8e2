package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/mux"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/access"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/post"
)

// PreviewsReply is the live state of a message's previews, one status (as a status post's props
// carry it) per link it shows, in the message's order.
type PreviewsReply struct {
	Previews []post.Props `json:"previews"`
}

// previews answers the webapp's read of a previewed message's cards. Anyone may call it with any
// post id: the app checks the user may read the post's channel and that /build status is allowed
// there. after (Unix ms), from the event that asked for the read, refuses older state.
func (h *handler) previews(w http.ResponseWriter, r *http.Request) {
	if h.deps.Previews == nil {
		writeError(w, http.StatusNotFound, "no previews")
		return
	}
	var after time.Time
	if raw := r.URL.Query().Get("after"); raw != "" {
		ms, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || ms < 0 {
			writeError(w, http.StatusBadRequest, "after is not a time in milliseconds")
			return
		}
		after = time.UnixMilli(ms)
	}
	ctx, cancel := h.bounded(r)
	defer cancel()
	previews, err := h.deps.Previews.Live(ctx, r.Header.Get(userHeader), mux.Vars(r)["post_id"], after)
	if refusal, refused := access.TextOf(err); refused {
		writeError(w, http.StatusForbidden, h.words(r).String(refusal))
		return
	}
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, PreviewsReply{Previews: previews})
	case buildbot.KindOf(err) != 0:
		writeError(w, http.StatusBadGateway, h.words(r).String(buildbot.UserMessage(err)))
	default:
		writeError(w, http.StatusNotFound, "no previews")
	}
}
