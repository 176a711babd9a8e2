// Package post turns Buildbot's state into the status post of a build: its message, its typed
// props for the webapp and its buttons for every client. It is the one place that builds posts.
package post

import (
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
)

// State is what a builder's row of the status post shows.
type State string

// The states a row can be in.
const (
	StateQueued     State = "queued"
	StateBuilding   State = "building"
	StateSuccess    State = "success"
	StateWarnings   State = "warnings"
	StateFailure    State = "failure"
	StateSkipped    State = "skipped"
	StateException  State = "exception"
	StateRetry      State = "retry"
	StateCancelled  State = "cancelled"
	StateSuperseded State = "superseded"
	// StateUnfollowed is a row whose build ran on a Buildbot the plugin no longer uses.
	StateUnfollowed State = "unfollowed"
	// StateExpired is a row whose build had not finished when the plugin stopped following it,
	// ExpiryDays after it was started.
	StateExpired State = "expired"
)

// ExpiryDays is how long a build is followed.
const ExpiryDays = 7

// Done says whether the row will not change any more.
func (s State) Done() bool { return s != StateQueued && s != StateBuilding && s != StateRetry }

// StateOf maps what Buildbot knows of one build request and its newest build to a row state.
// build is nil while no build has started for the request.
func StateOf(req buildbot.BuildRequest, build *buildbot.Build) State {
	if build != nil {
		if !build.Complete || build.Results == nil {
			return StateBuilding
		}
		return resultState(*build.Results)
	}
	if !req.Complete || req.Results == nil {
		return StateQueued
	}
	// A request that completed without a build was skipped because a newer request for the same
	// builder was collapsed into it, or cancelled before it started.
	if *req.Results == buildbot.Skipped {
		return StateSuperseded
	}
	return resultState(*req.Results)
}

func resultState(r buildbot.Result) State {
	switch r {
	case buildbot.Success:
		return StateSuccess
	case buildbot.Warnings:
		return StateWarnings
	case buildbot.Failure:
		return StateFailure
	case buildbot.Skipped:
		return StateSkipped
	case buildbot.Exception:
		return StateException
	case buildbot.Retry:
		return StateRetry
	case buildbot.Cancelled:
		return StateCancelled
	}
	return StateException
}

// Result is the Buildbot result a finished row's state stands for; false for a row that ended
// without a build's result (superseded, no longer followed) or has not ended.
func (s State) Result() (buildbot.Result, bool) {
	for _, r := range []buildbot.Result{buildbot.Success, buildbot.Warnings, buildbot.Failure, buildbot.Skipped, buildbot.Exception, buildbot.Cancelled} {
		if resultState(r) == s {
			return r, true
		}
	}
	return 0, false
}

// Emoji is how the state reads in a plain message, where no webapp draws it.
func (s State) Emoji() string {
	switch s {
	case StateQueued:
		return ":hourglass_flowing_sand:"
	case StateBuilding, StateRetry:
		return ":arrows_counterclockwise:"
	case StateSuccess:
		return ":white_check_mark:"
	case StateWarnings:
		return ":warning:"
	case StateFailure:
		return ":x:"
	case StateSkipped, StateSuperseded:
		return ":fast_forward:"
	case StateException:
		return ":boom:"
	case StateCancelled:
		return ":no_entry_sign:"
	}
	return ":grey_question:"
}

// Label is the state in words.
func (s State) Label() i18n.Text {
	switch s {
	case StateQueued:
		return i18n.T("post.state.queued", "queued")
	case StateBuilding:
		return i18n.T("post.state.building", "building")
	case StateSuccess:
		return i18n.T("post.state.success", "success")
	case StateWarnings:
		return i18n.T("post.state.warnings", "warnings")
	case StateFailure:
		return i18n.T("post.state.failure", "failure")
	case StateSkipped:
		return i18n.T("post.state.skipped", "skipped")
	case StateException:
		return i18n.T("post.state.exception", "exception")
	case StateRetry:
		return i18n.T("post.state.retry", "retry")
	case StateCancelled:
		return i18n.T("post.state.cancelled", "cancelled")
	case StateSuperseded:
		return i18n.T("post.state.superseded", "superseded by a newer request")
	case StateUnfollowed, StateExpired:
		return i18n.T("post.state.unfollowed", "no longer followed")
	}
	return i18n.Raw(string(s))
}

// Overall is the state of a post with several rows: running while any row runs, else the worst.
func Overall(states []State) State {
	order := []State{StateException, StateFailure, StateCancelled, StateUnfollowed, StateExpired, StateWarnings, StateSuperseded, StateSkipped, StateSuccess}
	for _, s := range states {
		if !s.Done() {
			if s == StateQueued && allQueued(states) {
				return StateQueued
			}
			return StateBuilding
		}
	}
	for _, worst := range order {
		for _, s := range states {
			if s == worst {
				return worst
			}
		}
	}
	return StateQueued
}

func allQueued(states []State) bool {
	for _, s := range states {
		if s != StateQueued {
			return false
		}
	}
	return true
}
