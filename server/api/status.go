package api

import (
	"context"
	"net/http"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/config"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
)

// StatusReport tells an admin whether the plugin is set up and what it reached. It never carries
// secrets: only the URL, which the admin typed, and what Buildbot answered.
type StatusReport struct {
	Plugin     PluginInfo      `json:"plugin"`
	Configured bool            `json:"configured"`
	Problems   []ProblemReport `json:"problems"`
	Buildbot   *BuildbotStatus `json:"buildbot,omitempty"`
	Node       *NodeStatus     `json:"node,omitempty"`
	Events     *EventsStatus   `json:"events,omitempty"`
}

// EventsStatus is whether the plugin follows Buildbot's events (its WebSocket), as the server
// that follows them last said: a result then reaches its post within moments, else at the next
// poll.
type EventsStatus struct {
	// Enabled is the setting; Connected says Buildbot acknowledged the subscription and it has not
	// ended since, Since when (Unix ms), and Error why it last ended, in the admin's words.
	Enabled   bool   `json:"enabled"`
	Connected bool   `json:"connected"`
	Since     int64  `json:"since,omitempty"`
	Error     string `json:"error,omitempty"`
}

// NodeStatus is the share of the work that the plugin on the answering Mattermost server does. On
// several servers each runs its own copy; an admin chasing a fault needs to know which one follows
// Buildbot's events and which polled last, and whether a copy leaks.
type NodeStatus struct {
	FollowsEvents bool `json:"follows_events"`
	// LastScheduledPoll is when this server last ran the poller (Unix ms; 0 for never).
	LastScheduledPoll int64  `json:"last_scheduled_poll"`
	Goroutines        int    `json:"goroutines"`
	HeapBytes         uint64 `json:"heap_bytes"`
}

// ProblemReport is a setting that is wrong, worded for the admin who asked.
type ProblemReport struct {
	Setting string `json:"setting"`
	Message string `json:"message"`
}

// PluginInfo names the running plugin.
type PluginInfo struct {
	ID      string `json:"id"`
	Version string `json:"version"`
}

// BuildbotStatus is what one round of calls to Buildbot found.
type BuildbotStatus struct {
	URL       string           `json:"url"`
	Reachable bool             `json:"reachable"`
	Version   string           `json:"version,omitempty"`
	Builders  []BuilderSummary `json:"builders"`
	Error     string           `json:"error,omitempty"`
}

// BuilderSummary is one builder as the status report lists it.
type BuilderSummary struct {
	ID     int    `json:"id"`
	Name   string `json:"name"`
	Active bool   `json:"active"`
}

// status answers within the request timeout whatever Buildbot does: the admin is waiting.
func (h *handler) status(w http.ResponseWriter, r *http.Request) {
	snap := h.deps.Snapshot()
	ctx, cancel := context.WithTimeout(r.Context(), snap.Config.RequestTimeout())
	defer cancel()
	report := Status(ctx, snap, PluginInfo{ID: h.deps.PluginID, Version: h.deps.Version}, h.words(r))
	if h.deps.Node != nil {
		node := h.deps.Node()
		report.Node = &node
	}
	if h.deps.Events != nil && snap.Ready() {
		events := h.deps.Events()
		events.Enabled = snap.Config.PushEnabled()
		report.Events = &events
	}
	writeJSON(w, http.StatusOK, report)
}

// Status asks Buildbot for its version and builders at the same time; either failing makes the
// report say why, in the words a user would see.
func Status(ctx context.Context, snap *config.Snapshot, info PluginInfo, words i18n.Localizer) StatusReport {
	report := StatusReport{Plugin: info, Configured: snap.Ready(), Problems: []ProblemReport{}}
	for _, p := range snap.Problems {
		report.Problems = append(report.Problems, ProblemReport{Setting: p.Setting, Message: words.String(p.Message)})
	}
	if !snap.Ready() {
		return report
	}
	bb := &BuildbotStatus{URL: snap.Config.BuildbotURL, Builders: []BuilderSummary{}}
	report.Buildbot = bb

	var (
		version             string
		builders            []buildbot.Builder
		versionErr, listErr error
	)
	inParallel(
		func() { version, versionErr = snap.Buildbot.Version(ctx) },
		func() { builders, listErr = snap.Buildbot.Builders(ctx) },
	)

	if listErr != nil {
		bb.Error = words.String(buildbot.UserMessage(listErr))
		return report
	}
	bb.Reachable = true
	if versionErr != nil {
		bb.Error = words.String(buildbot.UserMessage(versionErr))
	}
	bb.Version = version
	for _, b := range builders {
		bb.Builders = append(bb.Builders, BuilderSummary{ID: b.BuilderID, Name: b.Name, Active: len(b.MasterIDs) > 0})
	}
	return report
}
