package post

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
)

func TestAFailureReplyFitsInAPostHoweverLongTheLog(t *testing.T) {
	var lines []string
	for i := 0; i < 200; i++ {
		lines = append(lines, fmt.Sprintf("%03d %s", i, strings.Repeat("x", 2000)))
	}
	row := Row{Builder: "b", Number: 4, URL: "https://ci/#/builders/1/builds/4", State: StateFailure,
		FailedStep: "compile", LogURL: "https://ci/log"}

	text := FailureReply(row, []string{"alice"}, FailureLog{Tail: strings.Join(lines, "\n")}, i18n.English())

	if n := utf8.RuneCountInString(text); n > model.PostMessageMaxRunesV2 {
		t.Fatalf("%d characters", n)
	}
	if !strings.Contains(text, "lines left out here, to fit in a post") || !strings.Contains(text, "199 xxx") || !strings.HasSuffix(text, "[Full log](https://ci/log)") {
		t.Fatalf("reply %q…%q", text[:200], text[len(text)-200:])
	}
	for _, line := range strings.Split(text, "\n") {
		if utf8.RuneCountInString(line) > maxLogLine {
			t.Fatalf("a line of %d characters", utf8.RuneCountInString(line))
		}
	}
}

// A failure reply names the failed tests, new or already failing, and quotes the log's first
// error before its end, which is often a summary that misses the cause.
func TestAFailureReplyNamesTheFailedTestsAndQuotesTheFirstErrorBeforeTheEnd(t *testing.T) {
	row := Row{Builder: "b", Number: 4, URL: "https://ci/#/builders/1/builds/4", State: StateFailure, FailedStep: "test", LogURL: "https://ci/log",
		Tests: &Tests{From: "pytest", Counted: true, Passed: 1204, Failed: 13, Skipped: 12, Failing: []FailingTest{
			{Name: "tests/test_a.py::test_parse_empty", Since: SinceNew}, {Name: "tests/test_b.py::test_`render`", Since: SinceBefore}}}}
	log := FailureLog{FirstError: []string{"collected 1229 items", "E   AssertionError: 3 != 4"}, Tail: "=== 13 failed, 1204 passed, 12 skipped in 2.10s ==="}

	text := FailureReply(row, []string{"alice"}, log, i18n.English())

	for _, want := range []string{
		"**Tests:** 13 failed, 1204 passed, 12 skipped\n",
		"- `tests/test_a.py::test_parse_empty` (new)\n",
		"- `tests/test_b.py::test_'render'` (already failing)\n",
		"- and 11 more\n",
		"**First error:**\n```\ncollected 1229 items\nE   AssertionError: 3 != 4\n```\n**End of the log**:\n```\n=== 13 failed",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q in\n%s", want, text)
		}
	}
	if first, end := strings.Index(text, "First error"), strings.Index(text, "End of the log"); first > end {
		t.Errorf("the first error comes after the end of the log:\n%s", text)
	}
}

// A row shows its tests' counts beside its result, in the message every client shows.
func TestARowSaysHowItsTestsWent(t *testing.T) {
	counted := Row{Builder: "b", Number: 4, URL: "https://ci/b/4", State: StateFailure, Tests: &Tests{From: TestsFromBuildbot, Counted: true, Passed: 10, Failed: 2}}
	named := Row{Builder: "b", Number: 5, URL: "https://ci/b/5", State: StateFailure, Tests: &Tests{From: "go test", Failing: []FailingTest{{Name: "TestA"}}}}

	l := i18n.English()
	if got := l.String(rowDetail(counted, ": ")); !strings.Contains(got, " · 2 failed, 10 passed") {
		t.Errorf("counted: %q", got)
	}
	if got := l.String(rowDetail(named, ": ")); !strings.Contains(got, " · 1 test failed") {
		t.Errorf("named: %q", got)
	}
}

// Test runners colour their output; a reply quotes the text without the terminal's codes.
func TestAFailureReplyQuotesTheLogWithoutTerminalCodes(t *testing.T) {
	row := Row{Builder: "b", Number: 4, URL: "https://ci/b/4", State: StateFailure, FailedStep: "test"}
	log := FailureLog{FirstError: []string{"\x1b[31mFAIL\x1b[0m src/a.test.ts"}, Tail: "\x1b[1m\x1b[31mTests: 1 failed\x1b[39m\x1b[22m\a"}

	text := FailureReply(row, []string{"alice"}, log, i18n.English())

	if strings.ContainsAny(text, "\x1b\a") || !strings.Contains(text, "FAIL src/a.test.ts") || !strings.Contains(text, "Tests: 1 failed") {
		t.Fatalf("reply %q", text)
	}
}
