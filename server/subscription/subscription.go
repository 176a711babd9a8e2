// Package subscription is what a channel asked to hear about builds chat did not start: which
// repos and branches, which events, in which style. It decides, for a build, whether a channel
// wants it; the tracker follows and posts it.
package subscription

import (
	"regexp"
	"slices"
	"strings"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
)

// AnyRepo subscribes to every repo.
const AnyRepo = "*"

// Style is how a subscribed build is posted.
type Style string

// The styles: the live card of a /build, or one compact line.
const (
	StyleCard Style = "card"
	StyleLine Style = "line"
)

// Subscription is one channel's wish for one repo and branch glob.
type Subscription struct {
	ChannelID string `json:"channel_id"`
	Repo      string `json:"repo"`
	// Branch is a glob, or empty for each repo's default branch as the catalog knows it when a
	// build comes, so a repo that changes its default needs no new subscription.
	Branch    string  `json:"branch"`
	Events    []Event `json:"events"`
	Style     Style   `json:"style"`
	CreatorID string  `json:"creator_id"`
	CreatedAt int64   `json:"created_at"`
}

// Same says whether two subscriptions are for the same repo and glob: one replaces the other.
func (s Subscription) Same(o Subscription) bool {
	return s.ChannelID == o.ChannelID && strings.EqualFold(s.Repo, o.Repo) && s.Branch == o.Branch
}

// Covers says whether a build of repo on branch is one the subscription is about; defaultBranch
// is the repo's default branch.
func (s Subscription) Covers(repo, branch, defaultBranch string) bool {
	if s.Repo != AnyRepo && !strings.EqualFold(s.Repo, repo) {
		return false
	}
	if s.Branch == "" {
		return defaultBranch != "" && branch == defaultBranch
	}
	return MatchBranch(s.Branch, branch)
}

// MatchBranch matches a branch against a glob: `*` stands for any run of characters, slashes
// included (so `*` is every branch and `release/*` every release branch), `?` for one.
func MatchBranch(glob, branch string) bool {
	if glob == "*" {
		return true
	}
	var re strings.Builder
	re.WriteString("^")
	for _, r := range glob {
		switch r {
		case '*':
			re.WriteString(".*")
		case '?':
			re.WriteString(".")
		default:
			re.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	re.WriteString("$")
	ok, err := regexp.MatchString(re.String(), branch)
	return err == nil && ok
}

// validGlob takes the characters Buildbot takes in a branch, plus the wildcards.
var validGlob = regexp.MustCompile(`^[\p{L}\p{N}_.+/~*?-]+$`)

// CheckBranch says what is wrong with a glob, or nothing.
func CheckBranch(glob string) i18n.Text {
	if len(glob) > 200 || !validGlob.MatchString(glob) {
		return i18n.T("subscription.bad_glob", "use a branch name or a glob of letters, digits, `._-+/~` and the wildcards `*` and `?`")
	}
	return i18n.Text{}
}

// Event is something about a build a subscription asks to hear, named as Buildbot's own chat
// bots name it.
type Event string

// The events.
const (
	Started   Event = "started"
	Finished  Event = "finished"
	Success   Event = "success"
	Warnings  Event = "warnings"
	Failure   Event = "failure"
	Exception Event = "exception"
	Cancelled Event = "cancelled"
	Problem   Event = "problem"
	Recovery  Event = "recovery"
	Worse     Event = "worse"
	Better    Event = "better"
	// Health is about Buildbot and its workers rather than builds: a worker that builds the
	// subscription's repos (every worker, for `*`) went missing or came back, Buildbot stopped
	// answering or answers again.
	Health Event = "health"
)

// Events lists every event with what it means, for help and autocomplete.
var Events = []struct {
	Event Event
	Means i18n.Text
}{
	{Started, i18n.T("subscription.event.started", "when a build starts; its card follows it to the end")},
	{Finished, i18n.T("subscription.event.finished", "every finished build")},
	{Success, i18n.T("subscription.event.success", "a build that succeeded")},
	{Warnings, i18n.T("subscription.event.warnings", "a build that passed with warnings")},
	{Failure, i18n.T("subscription.event.failure", "a build that failed")},
	{Exception, i18n.T("subscription.event.exception", "a build Buildbot could not run")},
	{Cancelled, i18n.T("subscription.event.cancelled", "a build someone stopped")},
	{Problem, i18n.T("subscription.event.problem", "the first failure after a success on the same builder and branch")},
	{Recovery, i18n.T("subscription.event.recovery", "the first success after a failure on the same builder and branch")},
	{Worse, i18n.T("subscription.event.worse", "a result worse than the previous one on the same builder and branch")},
	{Better, i18n.T("subscription.event.better", "a result better than the previous one on the same builder and branch")},
	{Health, i18n.T("subscription.event.health", "a worker of the repo (any, for *) missing or back, and Buildbot not answering or back")},
}

// DefaultEvents is one card per build, edited in place.
var DefaultEvents = []Event{Finished}

// QuietEvents is the recipe for channels that want only what needs someone.
var QuietEvents = []Event{Failure, Problem, Recovery}

// ParseEvents reads a comma-separated list of event names.
func ParseEvents(list string) ([]Event, error) {
	var out []Event
	for _, name := range strings.Split(list, ",") {
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		known := false
		for _, e := range Events {
			if string(e.Event) == name {
				known = true
			}
		}
		if !known {
			return nil, i18n.NewError(i18n.T("subscription.unknown_event", "`{{.Name}}` is not an event", "Name", strings.ReplaceAll(name, "`", "'")))
		}
		if !slices.Contains(out, Event(name)) {
			out = append(out, Event(name))
		}
	}
	if len(out) == 0 {
		return nil, i18n.NewError(i18n.T("subscription.no_events", "no events named"))
	}
	return out, nil
}

// JoinEvents is a list of events as --events takes it.
func JoinEvents(events []Event) string {
	names := make([]string, len(events))
	for i, e := range events {
		names[i] = string(e)
	}
	return strings.Join(names, ",")
}

// Wants says whether events include e.
func Wants(events []Event, e Event) bool { return slices.Contains(events, e) }

// FollowsBuilds says whether the events are about builds at all: a subscription to health alone
// follows none.
func FollowsBuilds(events []Event) bool {
	return slices.ContainsFunc(events, func(e Event) bool { return e != Health })
}

// Transitional says whether the events need the previous result on the builder and branch.
func Transitional(events []Event) bool {
	return slices.ContainsFunc(events, func(e Event) bool { return e == Problem || e == Recovery || e == Worse || e == Better })
}

// severity is Buildbot's order of results, from best to worst; a result not in it (retry) is no
// step on the scale.
var severity = []buildbot.Result{buildbot.Skipped, buildbot.Success, buildbot.Warnings, buildbot.Failure, buildbot.Cancelled, buildbot.Exception}

// Announces says whether events ask for a build that finished with result, after previous on
// the same builder and branch (nil when there was none).
func Announces(events []Event, result buildbot.Result, previous *buildbot.Result) bool {
	good := func(r buildbot.Result) bool { return r == buildbot.Success || r == buildbot.Warnings }
	bad := func(r buildbot.Result) bool { return r == buildbot.Failure || r == buildbot.Exception }
	for _, e := range events {
		switch e {
		case Finished:
			return true
		case Success, Warnings, Failure, Exception, Cancelled:
			if string(e) == resultName(result) {
				return true
			}
		case Problem, Recovery, Worse, Better:
			if previous == nil {
				continue
			}
			now, before := slices.Index(severity, result), slices.Index(severity, *previous)
			switch {
			case e == Problem && good(*previous) && bad(result),
				e == Recovery && bad(*previous) && good(result),
				e == Worse && now >= 0 && before >= 0 && now > before,
				e == Better && now >= 0 && before >= 0 && now < before:
				return true
			}
		}
	}
	return false
}

func resultName(r buildbot.Result) string {
	switch r {
	case buildbot.Success:
		return string(Success)
	case buildbot.Warnings:
		return string(Warnings)
	case buildbot.Failure:
		return string(Failure)
	case buildbot.Exception:
		return string(Exception)
	case buildbot.Cancelled:
		return string(Cancelled)
	}
	return ""
}
