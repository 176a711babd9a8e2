package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gorilla/mux"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/command"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/subscription"
)

// The dynamic lists of /build. Mattermost calls them on every keystroke and filters the items by
// what was typed; they answer from memory and never wait on Buildbot. Where /build is refused,
// they offer nothing.

func (h *handler) firstWord(w http.ResponseWriter, r *http.Request) {
	if !h.allowed(r) {
		writeJSON(w, http.StatusOK, []model.AutocompleteListItem{})
		return
	}
	writeJSON(w, http.StatusOK, command.FirstWord(h.deps.Catalog.Current(), h.words(r)))
}

// words are the caller's language for the lists' help texts.
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
	if !h.deps.Rules.Allows(key.user, key.channel, key.team) {
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
	writeJSON(w, http.StatusOK, command.Finished(command.SecondWord(h.deps.Catalog.Current(), typed(r), h.subscribed(r), h.words(r)), q.Get("parsed"), q.Get("user_input")))
}

func (h *handler) thirdWord(w http.ResponseWriter, r *http.Request) {
	if !h.allowed(r) {
		writeJSON(w, http.StatusOK, []model.AutocompleteListItem{})
		return
	}
	q := r.URL.Query()
	writeJSON(w, http.StatusOK, command.Finished(command.ThirdWord(h.deps.Catalog.Current(), typed(r), q.Get("user_input"), h.subscribed(r), h.words(r)), q.Get("parsed"), q.Get("user_input")))
}

func (h *handler) paramWord(w http.ResponseWriter, r *http.Request) {
	position, err := strconv.Atoi(mux.Vars(r)["position"])
	if err != nil || !h.allowed(r) {
		writeJSON(w, http.StatusOK, []model.AutocompleteListItem{})
		return
	}
	q := r.URL.Query()
	writeJSON(w, http.StatusOK, command.Finished(command.ParamWord(h.deps.Catalog.Current(), q.Get("parsed"), q.Get("user_input"), position, h.words(r)), q.Get("parsed"), q.Get("user_input")))
}

// typed is the command as typed so far.
func typed(r *http.Request) string {
	if parsed := r.URL.Query().Get("parsed"); parsed != "" {
		return parsed
	}
	return r.URL.Query().Get("user_input")
}

// subscribed reads the channel's subscriptions when a list needs them; allowed has checked that
// the user may read the channel.
func (h *handler) subscribed(r *http.Request) command.Subscribed {
	return func() []subscription.Subscription {
		subs, err := h.deps.Subs.Channel(r.URL.Query().Get("channel_id"))
		if err != nil {
			return nil
		}
		return subs
	}
}
