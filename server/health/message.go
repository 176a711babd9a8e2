package health

import (
	"fmt"
	"strings"
	"time"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/markdown"
)

// maxRepos bounds the repos a worker's post names; a worker can serve hundreds of builders.
const maxRepos = 5

// message is the post of an incident. Every name and reason comes from Buildbot, so each is
// escaped.
func (inc incident) message(linkBase string, repos []string) string {
	switch inc.kind {
	case workerMissing:
		var b strings.Builder
		if inc.reported {
			fmt.Fprintf(&b, ":warning: Buildbot reports worker `%s` missing.", markdown.Code(inc.worker))
		} else {
			fmt.Fprintf(&b, ":warning: Worker `%s` is missing: it has not been connected to Buildbot for %s.", markdown.Code(inc.worker), duration(inc.away))
		}
		if len(repos) > 0 {
			fmt.Fprintf(&b, " Builds of %s wait until it is back.", repoList(repos))
		}
		fmt.Fprintf(&b, " [Open in Buildbot](%s)", buildbot.WorkerURL(linkBase, inc.workerID))
		return b.String()
	case workerBack:
		return fmt.Sprintf(":white_check_mark: Worker `%s` is back, after %s away.", markdown.Code(inc.worker), duration(inc.away))
	case buildbotDown:
		return fmt.Sprintf(":warning: Buildbot has not answered for %s. %s Status posts and subscriptions catch up once it answers.",
			duration(inc.away), markdown.Text(buildbot.UserMessage(inc.reason)))
	case buildbotBack:
		return fmt.Sprintf(":white_check_mark: Buildbot answers again, after %s without an answer.", duration(inc.away))
	}
	return ""
}

func repoList(repos []string) string {
	names := make([]string, 0, maxRepos)
	for _, r := range repos[:min(len(repos), maxRepos)] {
		names = append(names, "**"+markdown.Text(r)+"**")
	}
	list := strings.Join(names, ", ")
	if more := len(repos) - maxRepos; more > 0 {
		list += fmt.Sprintf(" and %d more", more)
	}
	return list
}

// duration says how long something lasted, in the two largest units that matter to a reader.
func duration(d time.Duration) string {
	d = d.Round(time.Second)
	unit := func(n int64, one string) string {
		if n == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %ss", n, one)
	}
	hours, minutes, seconds := int64(d/time.Hour), int64(d%time.Hour/time.Minute), int64(d%time.Minute/time.Second)
	switch {
	case hours >= 24:
		days := hours / 24
		if rest := hours % 24; rest > 0 {
			return unit(days, "day") + " " + unit(rest, "hour")
		}
		return unit(days, "day")
	case hours > 0:
		if minutes > 0 {
			return unit(hours, "hour") + " " + unit(minutes, "minute")
		}
		return unit(hours, "hour")
	case minutes > 0:
		if seconds > 0 && minutes < 10 {
			return unit(minutes, "minute") + " " + unit(seconds, "second")
		}
		return unit(minutes, "minute")
	}
	return unit(seconds, "second")
}
