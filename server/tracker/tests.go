package tracker

import (
	"context"
	"strconv"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildlog"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/post"
)

// maxFailingCompared bounds the failed tests read of the build before, to tell new failures
// from old ones.
const maxFailingCompared = 200

// testsFound are a build's failed tests by name, in order, and its counts.
type testsFound struct {
	tests   post.Tests
	failing []string
}

// buildbotTests reads the test results Buildbot holds for a build: its test result sets, and the
// failed results of the sets that have some, up to limit names. False when the build recorded
// none that say whether a test passed.
func buildbotTests(ctx context.Context, bb *buildbot.Client, buildID, limit int) (testsFound, bool, error) {
	sets, err := bb.TestResultSets(ctx, buildID, buildbot.Query{})
	if err != nil {
		return testsFound{}, false, err
	}
	found := testsFound{tests: post.Tests{From: post.TestsFromBuildbot, Counted: true}}
	recorded := false
	for _, s := range sets {
		if s.Category != buildbot.CategoryPassFail && s.Category != buildbot.CategoryPassOnly && s.Category != buildbot.CategoryFailOnly {
			continue
		}
		recorded = true
		if s.TestsPassed != nil {
			found.tests.Passed += *s.TestsPassed
		}
		if s.TestsFailed == nil || *s.TestsFailed == 0 {
			continue
		}
		found.tests.Failed += *s.TestsFailed
		if len(found.failing) >= limit {
			continue
		}
		q := buildbot.Query{Limit: limit - len(found.failing)}
		if s.Category == buildbot.CategoryPassFail {
			// Buildbot counts failures of boolean sets only: "0" is a failed test.
			q.Filters = []buildbot.Filter{buildbot.Where("value", "eq", "0")}
		}
		results, err := bb.TestResults(ctx, s.TestResultSetID, q)
		if err != nil {
			return testsFound{}, false, err
		}
		for _, r := range results {
			found.failing = append(found.failing, testName(r))
		}
	}
	return found, recorded, nil
}

// testName is how a test result is named: its name, else its code path and line.
func testName(r buildbot.TestResult) string {
	switch {
	case r.TestName != nil && *r.TestName != "":
		return *r.TestName
	case r.TestCodePath != nil && r.Line != nil:
		return *r.TestCodePath + ":" + strconv.Itoa(*r.Line)
	case r.TestCodePath != nil:
		return *r.TestCodePath
	}
	return "#" + strconv.Itoa(r.TestResultID)
}

// logTests is what a failed step's log said of its tests; false when it named none.
func logTests(report buildlog.Report) (testsFound, bool) {
	if len(report.Failed) == 0 && !report.Counts.Known {
		return testsFound{}, false
	}
	found := testsFound{tests: post.Tests{From: report.Runner, Counted: report.Counts.Known,
		Passed: report.Counts.Passed, Failed: report.Counts.Failed, Skipped: report.Counts.Skipped}}
	for _, test := range report.Failed {
		found.failing = append(found.failing, test.Name)
	}
	return found, true
}

// shown is the tests a post shows: the counts, and the first failed tests each marked new or
// already failing against before, the failed tests of the build before on the builder and
// branch (nil when that build is not known; empty when it passed).
func (f testsFound) shown(before map[string]bool) *post.Tests {
	tests := f.tests
	tests.Failing = nil
	for _, name := range f.failing[:min(len(f.failing), post.MaxFailingShown)] {
		test := post.FailingTest{Name: name}
		switch {
		case before == nil:
		case before[name]:
			test.Since = post.SinceBefore
		default:
			test.Since = post.SinceNew
		}
		tests.Failing = append(tests.Failing, test)
	}
	return &tests
}
