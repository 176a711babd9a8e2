package post

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/markdown"
)

// The failure reply stays within Mattermost's limit on a message (16,383 characters): each log
// line and the quoted log as a whole are cut, and the reply says so.
const (
	maxReply   = 16000
	maxLogLine = 500
)

// FailureReply is the reply about a failed build, mentioning who should hear of it. The log is
// quoted in a fenced block, where Markdown and mentions are inert; everything else Buildbot named
// is escaped.
func FailureReply(row Row, mentions []string, logTail string, l i18n.Localizer) string {
	head := fmt.Sprintf("@%s [%s #%d](%s) %s", strings.Join(mentions, " @"), markdown.Text(row.Builder), row.Number, row.URL, l.String(row.State.Label()))
	if row.FailedStep == "" {
		return head + "."
	}
	head += l.String(i18n.T("tracker.failure.in_step", " in step **{{.Step}}**", "Step", markdown.Text(row.FailedStep)))
	foot := ""
	if row.LogURL != "" {
		foot = "\n" + l.String(i18n.T("tracker.failure.full_log", "[Full log]({{.URL}})", "URL", row.LogURL))
	}
	if logTail == "" {
		return head + foot
	}
	lines := strings.Split(logTail, "\n")
	for i, line := range lines {
		if utf8.RuneCountInString(line) > maxLogLine {
			lines[i] = string([]rune(line)[:maxLogLine-1]) + "…"
		}
	}
	budget := maxReply - utf8.RuneCountInString(head+foot) - 100
	// Lines are kept from the end, which says most about the failure.
	cut := len(lines)
	for size := 0; cut > 0; cut-- {
		if size += utf8.RuneCountInString(lines[cut-1]) + 1; size > budget {
			break
		}
	}
	note := ""
	if cut > 0 {
		note = l.String(i18n.Plural("tracker.failure.lines_left_out",
			" (its first line left out here, to fit in a post)", " (its first {{.Count}} lines left out here, to fit in a post)", cut))
	}
	return fmt.Sprintf("%s%s:\n```\n%s\n```%s", head, note, strings.Join(lines[cut:], "\n"), foot)
}
