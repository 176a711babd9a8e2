package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/access"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/app"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/markdown"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/panel"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/subscription"
)

// Panel is what the Builds panel reads and does, for a user in a channel; the app asks the gate.
type Panel interface {
	Panel(ctx context.Context, who app.Actor, after time.Time) (app.PanelBuilds, error)
	PanelMine(who app.Actor) ([]app.PanelMineBuild, error)
	PanelRedCount(ctx context.Context, who app.Actor) (int, error)
	PanelSubscriptionList(who app.Actor) (app.PanelSubscriptions, error)
	PanelSubscribe(ctx context.Context, who app.Actor, asked app.SubscribeRequest) (i18n.Text, error)
	PanelUnsubscribe(who app.Actor, repo, glob string) (i18n.Text, error)
	PanelBranches(who app.Actor, repo string) ([]string, error)
	PanelStop(ctx context.Context, who app.Actor, buildID, requestID int) (i18n.Text, error)
}

// panelPlace is where a panel request is made: the webapp names the channel and team, which the
// gate checks the caller may use.
type panelPlace struct {
	ChannelID string `json:"channel_id"`
	TeamID    string `json:"team_id"`
}

func (h *handler) actor(r *http.Request, place panelPlace) app.Actor {
	return app.Actor{UserID: r.Header.Get(userHeader), ChannelID: place.ChannelID, TeamID: place.TeamID, CallerTeam: true}
}

func queryPlace(r *http.Request) panelPlace {
	q := r.URL.Query()
	return panelPlace{ChannelID: q.Get("channel_id"), TeamID: q.Get("team_id")}
}

// panelBuilds answers what runs, waits and is red, from a read of Buildbot no older than the
// event the webapp heard (after, epoch ms).
func (h *handler) panelBuilds(w http.ResponseWriter, r *http.Request) {
	var after time.Time
	if ms, err := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64); err == nil && ms > 0 {
		// A clock ahead of this server's must not ask for a read that never comes.
		after = time.UnixMilli(min(ms, time.Now().UnixMilli()))
	}
	view, err := h.deps.Panel.Panel(r.Context(), h.actor(r, queryPlace(r)), after)
	h.panelAnswer(w, r, view, err)
}

func (h *handler) panelMine(w http.ResponseWriter, r *http.Request) {
	builds, err := h.deps.Panel.PanelMine(h.actor(r, queryPlace(r)))
	h.panelAnswer(w, r, map[string]any{"builds": builds}, err)
}

func (h *handler) panelRedCount(w http.ResponseWriter, r *http.Request) {
	count, err := h.deps.Panel.PanelRedCount(r.Context(), h.actor(r, queryPlace(r)))
	h.panelAnswer(w, r, map[string]int{"count": count}, err)
}

func (h *handler) panelBranches(w http.ResponseWriter, r *http.Request) {
	branches, err := h.deps.Panel.PanelBranches(h.actor(r, queryPlace(r)), r.URL.Query().Get("repo"))
	h.panelAnswer(w, r, map[string]any{"branches": branches}, err)
}

// panelSubscriptions lists (GET), adds or replaces (PUT) and removes (DELETE) the channel's
// subscriptions.
func (h *handler) panelSubscriptions(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		view, err := h.deps.Panel.PanelSubscriptionList(h.actor(r, queryPlace(r)))
		h.panelAnswer(w, r, view, err)
		return
	}
	var body struct {
		panelPlace
		Repo   string               `json:"repo"`
		Branch string               `json:"branch"`
		Events []subscription.Event `json:"events"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	who := h.actor(r, body.panelPlace)
	var text i18n.Text
	var err error
	if r.Method == http.MethodPut {
		text, err = h.deps.Panel.PanelSubscribe(r.Context(), who, app.SubscribeRequest{Repo: body.Repo, Branch: body.Branch, Events: body.Events})
	} else {
		text, err = h.deps.Panel.PanelUnsubscribe(who, body.Repo, body.Branch)
	}
	h.panelMessage(w, r, text, err)
}

func (h *handler) panelStop(w http.ResponseWriter, r *http.Request) {
	var body struct {
		panelPlace
		BuildID   int `json:"build_id"`
		RequestID int `json:"request_id"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	text, err := h.deps.Panel.PanelStop(r.Context(), h.actor(r, body.panelPlace), body.BuildID, body.RequestID)
	h.panelMessage(w, r, text, err)
}

func (h *handler) panelMessage(w http.ResponseWriter, r *http.Request, text i18n.Text, err error) {
	h.panelAnswer(w, r, map[string]string{"message": markdown.Plain(h.words(r).String(text))}, err)
}

// panelAnswer writes a panel answer, or why there is none in the caller's words: what the gate
// refuses is 403, what the request got wrong 400, a Buildbot that does not answer 502.
func (h *handler) panelAnswer(w http.ResponseWriter, r *http.Request, body any, err error) {
	// The panel shows text: the answers' Markdown, written for chat, is dropped.
	say := func(t i18n.Text) string { return markdown.Plain(h.words(r).String(t)) }
	if text, ok := access.TextOf(err); ok {
		writeError(w, http.StatusForbidden, say(text))
		return
	}
	if text, ok := i18n.TextOf(err); ok {
		writeError(w, http.StatusBadRequest, say(text))
		return
	}
	var bbErr *buildbot.Error
	switch {
	case errors.Is(err, panel.ErrNoBuildbot):
		writeError(w, http.StatusServiceUnavailable, say(i18n.T("panel.no_buildbot", "The plugin is not connected to Buildbot yet.")))
	case errors.As(err, &bbErr):
		writeError(w, http.StatusBadGateway, say(buildbot.UserMessage(err)))
	case err != nil:
		if h.deps.Log != nil {
			h.deps.Log.LogError("A Builds panel request failed", "path", r.URL.Path, "error", err.Error())
		}
		writeError(w, http.StatusInternalServerError, say(i18n.T("panel.failed", "The Builds panel could not be read; try again.")))
	default:
		writeJSON(w, http.StatusOK, body)
	}
}
