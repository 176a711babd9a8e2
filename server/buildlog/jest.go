package buildlog

import (
	"regexp"
	"strings"
)

var (
	// The header of a failure's details: "  ● Suite › nested › test name".
	jestFailureRe = regexp.MustCompile(`^\s*● (.+)$`)
	// A failed test in the tree of --verbose: "    ✕ test name (5 ms)", "×" on Windows.
	jestCrossRe = regexp.MustCompile(`^\s*[✕×] (.+?)(?: \(\d+(?:\.\d+)? ?m?s\))?$`)
	// The other results of the tree: passed (with its time, which tells it from other tools'
	// check marks), skipped and todo.
	jestTreeRe = regexp.MustCompile(`^\s*(?:[✓√] .+ \(\d+(?:\.\d+)? ?m?s\)|○ skipped \S.*|✎ todo \S.*)$`)
	// A test file's verdict: " FAIL  src/sum.test.js (5.2 s)".
	jestFileRe = regexp.MustCompile(`^\s*(PASS|FAIL) +\S+(?: \(\d+(?:\.\d+)? ?m?s\))?$`)
	// The summary: "Tests:       3 failed, 1 skipped, 1204 passed, 1208 total".
	jestTestsRe = regexp.MustCompile(`^Tests:\s+((?:\d+ \w+, )*)\d+ total$`)
	jestOtherRe = regexp.MustCompile(`^(?:Test Suites:\s+\d+ \w+|Snapshots:\s+.*\d+ total$|Ran all test suites)`)
)

// parseJest reads Jest's default and --verbose output. A failure's details and the summary of
// failing tests name it "Suite › test"; the tree names it without its suites, so the tree is used
// only when no details are printed.
func parseJest(lines []string) outcome {
	var (
		o     outcome
		cross failedTests
	)
	for _, line := range lines {
		switch {
		case jestFailureRe.MatchString(line):
			name := jestFailureRe.FindStringSubmatch(line)[1]
			if jestNotATest(name) {
				continue
			}
			o.evidence++
			o.failed.add(name)
		case jestCrossRe.MatchString(line):
			o.evidence++
			cross.add(jestCrossRe.FindStringSubmatch(line)[1])
		case jestTreeRe.MatchString(line):
			o.evidence++
		case jestFileRe.MatchString(line):
			o.evidence++
			if jestFileRe.FindStringSubmatch(line)[1] == "FAIL" {
				o.failing = true
			}
		case jestTestsRe.MatchString(line):
			o.evidence++
			o.counts.addTally(jestTestsRe.FindStringSubmatch(line)[1])
		case jestOtherRe.MatchString(line):
			o.evidence++
		}
	}
	if o.failed.len() == 0 {
		o.failed = cross
	}
	o.failing = o.failing || o.failed.len() > 0 || o.counts.Failed > 0
	return o
}

// jestNotATest is whether a "●" header is about something else than a test: console output, a
// suite that failed to run, a warning about the configuration.
//
//i18n:verbatim a test runner's or a compiler's own words, matched in logs
func jestNotATest(header string) bool {
	return header == "Console" || header == "Test suite failed to run" || strings.HasSuffix(header, ":")
}
