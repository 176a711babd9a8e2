package post

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
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

// FailureLog is what a failed step's log says: its first error, with a little context, when the
// last lines do not hold it, and its last lines. A log's end is often a summary or a cleanup, so
// the cause may be only in the first.
type FailureLog struct {
	FirstError []string
	Tail       string
}

// FailureReply is the reply about a failed build, mentioning who should hear of it: the failed
// step, the failed tests, the log's first error and its last lines. The log is quoted in fenced
// blocks, where Markdown and mentions are inert; everything else Buildbot named is escaped.
func FailureReply(row Row, mentions []string, log FailureLog, l i18n.Localizer) string {
	head := fmt.Sprintf("@%s [%s #%d](%s) %s", strings.Join(mentions, " @"), markdown.Text(row.Builder), row.Number, row.URL, l.String(row.State.Label()))
	if row.FailedStep != "" {
		head += l.String(i18n.T("tracker.failure.in_step", " in step **{{.Step}}**", "Step", markdown.Text(row.FailedStep)))
	}
	// Sections follow the head on lines of their own: the failed tests, then the first error.
	var sections strings.Builder
	if row.Tests != nil && row.Tests.failedCount() > 0 {
		sections.WriteString(l.String(i18n.T("tracker.failure.tests", "**Tests:** {{.Counts}}", "Counts", l.String(testsCounts(*row.Tests)))) + "\n")
		sections.WriteString(failingList(*row.Tests, l))
	}
	foot := ""
	if row.LogURL != "" {
		foot = "\n" + l.String(i18n.T("tracker.failure.full_log", "[Full log]({{.URL}})", "URL", row.LogURL))
	}
	if row.FailedStep != "" && len(log.FirstError) > 0 {
		fmt.Fprintf(&sections, "%s\n```\n%s\n```\n", l.String(i18n.T("tracker.failure.first_error", "**First error:**")),
			strings.ReplaceAll(strings.Join(cutLines(log.FirstError), "\n"), "```", "'''"))
	}
	if row.FailedStep == "" || log.Tail == "" {
		if sections.Len() > 0 {
			return head + ".\n" + strings.TrimSuffix(sections.String(), "\n") + foot
		}
		if row.FailedStep == "" {
			return head + "."
		}
		return head + foot
	}
	tail := cutLines(strings.Split(log.Tail, "\n"))
	budget := maxReply - utf8.RuneCountInString(head+sections.String()+foot) - 200
	// Lines are kept from the end, which says most about the failure.
	cut := len(tail)
	for size := 0; cut > 0; cut-- {
		if size += utf8.RuneCountInString(tail[cut-1]) + 1; size > budget {
			break
		}
	}
	note := ""
	if cut > 0 {
		note = l.String(i18n.Plural("tracker.failure.lines_left_out",
			" (its first line left out here, to fit in a post)", " (its first {{.Count}} lines left out here, to fit in a post)", cut))
	}
	if sections.Len() == 0 {
		return fmt.Sprintf("%s%s:\n```\n%s\n```%s", head, note, strings.Join(tail[cut:], "\n"), foot)
	}
	end := l.String(i18n.T("tracker.failure.log_end", "**End of the log**"))
	return fmt.Sprintf("%s.\n%s%s%s:\n```\n%s\n```%s", head, sections.String(), end, note, strings.Join(tail[cut:], "\n"), foot)
}

// terminalCodes are a terminal's colour and cursor codes, which test runners print and a post
// would show as noise.
var terminalCodes = regexp.MustCompile("\x1b\\[[0-9;?]*[ -/]*[@-~]")

// cutLines readies log lines for a reply: without terminal codes and control characters, and cut
// when longer than a reply's line.
func cutLines(lines []string) []string {
	out := make([]string, len(lines))
	for i, line := range lines {
		line = strings.Map(func(r rune) rune {
			if unicode.IsControl(r) && r != '\t' {
				return -1
			}
			return r
		}, terminalCodes.ReplaceAllString(line, ""))
		if utf8.RuneCountInString(line) > maxLogLine {
			line = string([]rune(line)[:maxLogLine-1]) + "…"
		}
		out[i] = line
	}
	return out
}
