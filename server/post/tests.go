package post

import (
	"slices"
	"strings"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/markdown"
)

// TestsFromBuildbot is Tests.From for results the build's steps recorded in Buildbot.
const TestsFromBuildbot = "buildbot"

// MaxFailingShown is how many failed tests a post names; the others are counted.
const MaxFailingShown = 10

// Tests are what a finished build's tests said: the test results Buildbot holds for it, or what
// its failed step's log printed.
type Tests struct {
	// From is "buildbot", or the test runner whose output the log held ("pytest", "go test", ...).
	From string `json:"from"`
	// Counted says whether Passed, Failed and Skipped are totals; a log without its runner's
	// summary names failed tests only, and Buildbot counts no skipped tests.
	Counted bool `json:"counted,omitempty"`
	Passed  int  `json:"passed,omitempty"`
	Failed  int  `json:"failed,omitempty"`
	Skipped int  `json:"skipped,omitempty"`
	// Failing names the first MaxFailingShown failed tests.
	Failing []FailingTest `json:"failing,omitempty"`
}

// FailingTest is a failed test, and whether it failed before.
type FailingTest struct {
	Name  string `json:"name"`
	Since Since  `json:"since,omitempty"`
}

// Since tells a new failure from an old one; empty when there was nothing to compare with.
type Since string

const (
	// SinceNew is a test that passed in the last successful build of the builder and branch.
	SinceNew Since = "new"
	// SinceBefore is a test that failed in the build before too.
	SinceBefore Since = "already_failing"
)

// Clone is a copy of the row that shares nothing with it.
func (r Row) Clone() Row {
	if r.Tests != nil {
		t := *r.Tests
		t.Failing = slices.Clone(t.Failing)
		r.Tests = &t
	}
	if r.BrokenSince != nil {
		b := *r.BrokenSince
		r.BrokenSince = &b
	}
	return r
}

// failedCount is how many tests failed, named or counted.
func (t Tests) failedCount() int { return max(t.Failed, len(t.Failing)) }

// testsCounts is what a build's tests came to: "3 failed, 1204 passed, 12 skipped".
func testsCounts(t Tests) i18n.Text {
	if !t.Counted {
		return i18n.Plural("post.tests.failed", "{{.Count}} test failed", "{{.Count}} tests failed", t.failedCount())
	}
	parts := []i18n.Text{i18n.T("post.tests.counted_failed", "{{.Failed}} failed", "Failed", t.failedCount()),
		i18n.T("post.tests.counted_passed", ", {{.Passed}} passed", "Passed", t.Passed)}
	if t.Skipped > 0 {
		parts = append(parts, i18n.T("post.tests.counted_skipped", ", {{.Skipped}} skipped", "Skipped", t.Skipped))
	}
	return i18n.Join("", parts...)
}

// failingList names the failed tests, one per line, each marked new or already failing, and
// says how many more failed.
func failingList(t Tests, l i18n.Localizer) string {
	var b strings.Builder
	for _, f := range t.Failing {
		b.WriteString("- `" + markdown.Code(f.Name) + "`")
		switch f.Since {
		case SinceNew:
			b.WriteString(l.String(i18n.T("post.tests.new", " (new)")))
		case SinceBefore:
			b.WriteString(l.String(i18n.T("post.tests.already_failing", " (already failing)")))
		}
		b.WriteString("\n")
	}
	if more := t.failedCount() - len(t.Failing); more > 0 {
		b.WriteString(l.String(i18n.Plural("post.tests.more", "- and 1 more", "- and {{.Count}} more", more)) + "\n")
	}
	return b.String()
}
