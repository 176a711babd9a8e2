package buildlog

import "regexp"

// pytestItem is one tally of the last line, "3 failed".
const pytestItem = `\d+ (?:failed|passed|skipped|deselected|xfailed|xpassed|warnings?|errors?|rerun)`

var (
	// A line of the short test summary: "FAILED tests/test_a.py::test_b - assert 1 == 2", or
	// "ERROR tests/test_c.py - ImportError…" for a module that failed to import.
	pytestSummaryRe = regexp.MustCompile(`^(?:FAILED|ERROR) (\S+?\.py|\S+?::.+?)(?: - .*)?$`)
	// A result of -v: "tests/test_a.py::test_b FAILED                [ 50%]".
	pytestVerboseRe = regexp.MustCompile(`^(\S+?::.+?) (PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS)(?: \(.*\))?\s*(?:\[\s*\d+%\])?$`)
	// A result of -v under pytest-xdist: "[gw1] [ 50%] FAILED tests/test_a.py::test_b".
	pytestXdistRe = regexp.MustCompile(`^\[gw\d+\] \[\s*\d+%\] (PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS) (\S+?::.+?)\s*$`)
	// A section rule: "=================== FAILURES ===================".
	pytestSectionRe = regexp.MustCompile(`^={3,} (.+?) ={3,}$`)
	// The header of one failure in the FAILURES or ERRORS section: "_______ test_b _______".
	pytestHeaderRe = regexp.MustCompile(`^_{3,} (.+?) _{3,}$`)
	// What a header says of an error outside the test itself.
	pytestHeaderErrorRe = regexp.MustCompile(`^ERROR (?:at (?:setup|teardown) of|collecting) (.+)$`)
	// The last line: "===== 3 failed, 1204 passed, 12 skipped in 2.10s (0:00:02) =====", without the
	// rules under -q.
	pytestTotalsRe = regexp.MustCompile(`^(?:={3,} )?(no tests ran|` + pytestItem + `(?:, ` + pytestItem + `)*) in \d+(?:\.\d+)?s(?: \([\d:.]+\))?(?: ={3,})?$`)
	pytestTallyRe  = regexp.MustCompile(`(\d+) (failed|passed|skipped|errors?)\b`)
	pytestBannerRe = regexp.MustCompile(`^(?:platform \S+ -- Python \S+, pytest-|rootdir: |collect(?:ed|ing) .*\d+ items?\b)`)
)

// pytestSection is whether a section's title is one only pytest prints.
//
//i18n:verbatim a test runner's or a compiler's own words, matched in logs
func pytestSection(title string) bool {
	switch title {
	case "test session starts", "FAILURES", "ERRORS", "short test summary info", "warnings summary":
		return true
	}
	return false
}

// parsePytest reads pytest's output. A failed test shows up under its full node id in the short
// summary and in -v results, and by a shorter name in its FAILURES header: the headers are used
// only when no node id is printed (as with -q and -rN).
func parsePytest(lines []string) outcome {
	var (
		o          outcome
		headers    failedTests
		inFailures bool
	)
	for _, line := range lines {
		if m := pytestTotalsRe.FindStringSubmatch(line); m != nil {
			o.evidence++
			inFailures = false
			o.counts.add(pytestTally(m[1]))
			continue
		}
		if m := pytestSectionRe.FindStringSubmatch(line); m != nil {
			inFailures = m[1] == "FAILURES" || m[1] == "ERRORS"
			if pytestSection(m[1]) {
				o.evidence++
			}
			continue
		}
		switch {
		case inFailures && pytestHeaderRe.MatchString(line):
			o.evidence++
			name := pytestHeaderRe.FindStringSubmatch(line)[1]
			if m := pytestHeaderErrorRe.FindStringSubmatch(name); m != nil {
				name = m[1]
			}
			headers.add(name)
		case pytestSummaryRe.MatchString(line):
			o.evidence++
			o.failed.add(pytestSummaryRe.FindStringSubmatch(line)[1])
		case pytestVerboseRe.MatchString(line):
			o.evidence++
			if m := pytestVerboseRe.FindStringSubmatch(line); m[2] == "FAILED" || m[2] == "ERROR" {
				o.failed.add(m[1])
			}
		case pytestXdistRe.MatchString(line):
			o.evidence++
			if m := pytestXdistRe.FindStringSubmatch(line); m[1] == "FAILED" || m[1] == "ERROR" {
				o.failed.add(m[2])
			}
		case pytestBannerRe.MatchString(line):
			o.evidence++
		}
	}
	if o.failed.len() == 0 {
		o.failed = headers
	}
	o.failing = o.failed.len() > 0 || o.counts.Failed > 0
	return o
}

// pytestTally reads the totals line's "3 failed, 1204 passed, 12 skipped, 1 error".
func pytestTally(s string) (passed, failed, skipped int) {
	for _, m := range pytestTallyRe.FindAllStringSubmatch(s, -1) {
		n := number(m[1])
		switch m[2] {
		case "passed":
			passed += n
		case "skipped":
			skipped += n
		default:
			failed += n
		}
	}
	return passed, failed, skipped
}
