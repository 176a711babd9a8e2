package health

import (
	"strings"
	"time"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/markdown"
)

// maxRepos bounds the repos a worker's post names; a worker can serve hundreds of builders.
const maxRepos = 5

// message is the post of an incident. Every name and reason comes from Buildbot, so each is
// escaped.
func (inc incident) message(linkBase string, repos []string) i18n.Text {
	switch inc.kind {
	case workerMissing:
		missing := i18n.T("health.worker.missing", ":warning: Worker `{{.Worker}}` is missing: it has not been connected to Buildbot for {{.Away}}.",
			"Worker", markdown.Code(inc.worker), "Away", duration(inc.away))
		if inc.reported {
			missing = i18n.T("health.worker.reported", ":warning: Buildbot reports worker `{{.Worker}}` missing.", "Worker", markdown.Code(inc.worker))
		}
		var waiting i18n.Text
		if len(repos) > 0 {
			waiting = i18n.T("health.worker.waiting", "Builds of {{.Repos}} wait until it is back.", "Repos", repoList(repos))
		}
		return i18n.Join(" ", missing, waiting,
			i18n.T("health.worker.link", "[Open in Buildbot]({{.URL}})", "URL", buildbot.WorkerURL(linkBase, inc.workerID)))
	case workerBack:
		return i18n.T("health.worker.back", ":white_check_mark: Worker `{{.Worker}}` is back, after {{.Away}} away.", "Worker", markdown.Code(inc.worker), "Away", duration(inc.away))
	case buildbotDown:
		return i18n.T("health.buildbot.down", ":warning: Buildbot has not answered for {{.Away}}. {{.Why}} Status posts and subscriptions catch up once it answers.",
			"Away", duration(inc.away), "Why", i18n.After(buildbot.UserMessage(inc.reason), markdown.Text))
	case buildbotBack:
		return i18n.T("health.buildbot.back", ":white_check_mark: Buildbot answers again, after {{.Away}} without an answer.", "Away", duration(inc.away))
	}
	return i18n.Text{}
}

func repoList(repos []string) i18n.Text {
	names := make([]string, 0, maxRepos)
	for _, r := range repos[:min(len(repos), maxRepos)] {
		names = append(names, "**"+markdown.Text(r)+"**")
	}
	list := i18n.Raw(strings.Join(names, ", "))
	if more := len(repos) - maxRepos; more > 0 {
		return i18n.T("health.repos.more", "{{.Repos}} and {{.More}} more", "Repos", list, "More", more)
	}
	return list
}

// duration says how long something lasted, in the two largest units that matter to a reader.
func duration(d time.Duration) i18n.Text {
	d = d.Round(time.Second)
	days := func(n int64) i18n.Text {
		return i18n.Plural("health.duration.days", "1 day", "{{.Count}} days", int(n))
	}
	hoursOf := func(n int64) i18n.Text {
		return i18n.Plural("health.duration.hours", "1 hour", "{{.Count}} hours", int(n))
	}
	minutesOf := func(n int64) i18n.Text {
		return i18n.Plural("health.duration.minutes", "1 minute", "{{.Count}} minutes", int(n))
	}
	secondsOf := func(n int64) i18n.Text {
		return i18n.Plural("health.duration.seconds", "1 second", "{{.Count}} seconds", int(n))
	}
	hours, minutes, seconds := int64(d/time.Hour), int64(d%time.Hour/time.Minute), int64(d%time.Minute/time.Second)
	switch {
	case hours >= 24:
		if rest := hours % 24; rest > 0 {
			return i18n.Join(" ", days(hours/24), hoursOf(rest))
		}
		return days(hours / 24)
	case hours > 0:
		if minutes > 0 {
			return i18n.Join(" ", hoursOf(hours), minutesOf(minutes))
		}
		return hoursOf(hours)
	case minutes > 0:
		if seconds > 0 && minutes < 10 {
			return i18n.Join(" ", minutesOf(minutes), secondsOf(seconds))
		}
		return minutesOf(minutes)
	}
	return secondsOf(seconds)
}
