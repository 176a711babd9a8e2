package buildlog

import (
	"regexp"
	"strings"
)

var (
	// The header of a failure: "FAIL: test_x (pkg.mod.Class)", "FAIL: test_x (pkg.mod.Class.test_x)"
	// since Python 3.11, with a subtest's parameters after it: " (i=2)".
	unittestHeaderRe = regexp.MustCompile(`^(?:FAIL|ERROR): (\w+) \(([\w.]+)\)(?: .*)?$`)
	// A result of -v: "test_x (pkg.mod.Class) ... FAIL".
	unittestVerboseRe = regexp.MustCompile(`^\s*(\w+) \(([\w.]+)\)(?: .*?)? \.\.\. (ok|FAIL|ERROR|skipped\b.*|expected failure|unexpected success)$`)
	unittestRanRe     = regexp.MustCompile(`^Ran (\d+) tests? in \d+(?:\.\d+)?s$`)
	// The verdict after "Ran": "FAILED (failures=1, errors=1, skipped=2)", trial's
	// "FAILED (skips=1, failures=1, successes=3)", "OK", "PASSED (successes=3)".
	unittestVerdictRe = regexp.MustCompile(`^(?:FAILED|OK|PASSED)(?: \((.*)\))?$`)
	unittestTallyRe   = regexp.MustCompile(`(\w[\w ]*?)=(\d+)`)
	// Trial's rules: "=" * 79 opens a failure's block, "-" * 79 closes the last.
	trialOpenRe  = regexp.MustCompile(`^={70,}$`)
	trialCloseRe = regexp.MustCompile(`^-{70,}$`)
	// The kind of trial block: "[FAIL]", "[ERROR]", "[SKIPPED]", "[TODO]".
	trialKindRe = regexp.MustCompile(`^\[(FAIL|ERROR|SKIPPED|TODO|SUCCESS!\?!)\]$`)
	// A test id, as trial lists them at the end of a block.
	trialIDRe = regexp.MustCompile(`^[A-Za-z_]\w*(?:\.\w+)+$`)
	// A result of trial's tree: "    test_bar ...      [FAIL]".
	trialVerboseRe = regexp.MustCompile(`^\s+\w+ \.\.\.\s+\[(?:OK|FAIL|ERROR|SKIPPED|TODO|SUCCESS!\?!)\]$`)
)

// parseUnittest reads the output of Python's unittest and of Twisted's trial, which prints the
// same "Ran N tests" and verdict but names failed tests at the end of "[FAIL]" blocks.
//
//i18n:verbatim a test runner's or a compiler's own words, matched in logs
func parseUnittest(lines []string) outcome {
	var (
		o         outcome
		ran       = -1 // tests the last "Ran" line counted, until its verdict
		afterOpen bool
		trialKind string
		trialIDs  []string
		// afterBlank is whether a blank line came since the last line that was no test id.
		afterBlank bool
	)
	closeTrialBlock := func() {
		if trialKind == "FAIL" || trialKind == "ERROR" {
			for _, id := range trialIDs {
				o.failed.add(id)
			}
		}
		trialKind, trialIDs, afterBlank = "", trialIDs[:0], false
	}
	for _, line := range lines {
		open := trialOpenRe.MatchString(line)
		switch {
		case open || trialCloseRe.MatchString(line):
			closeTrialBlock()
		case afterOpen && trialKindRe.MatchString(line):
			o.evidence++
			trialKind = trialKindRe.FindStringSubmatch(line)[1]
		case trialKind != "":
			// The ids are the lines after the block's last blank one.
			switch {
			case line == "":
				afterBlank = true
			case trialIDRe.MatchString(line):
				if afterBlank {
					trialIDs, afterBlank = trialIDs[:0], false
				}
				if len(trialIDs) < maxFailed {
					trialIDs = append(trialIDs, line)
				}
			default:
				trialIDs, afterBlank = trialIDs[:0], false
			}
		case unittestHeaderRe.MatchString(line):
			o.evidence++
			m := unittestHeaderRe.FindStringSubmatch(line)
			o.failed.add(unittestID(m[1], m[2]))
		case unittestVerboseRe.MatchString(line):
			o.evidence++
			if m := unittestVerboseRe.FindStringSubmatch(line); m[3] == "FAIL" || m[3] == "ERROR" || m[3] == "unexpected success" {
				o.failed.add(unittestID(m[1], m[2]))
			}
		case trialVerboseRe.MatchString(line):
			o.evidence++
		case unittestRanRe.MatchString(line):
			o.evidence++
			ran = number(unittestRanRe.FindStringSubmatch(line)[1])
		case ran >= 0 && unittestVerdictRe.MatchString(line):
			o.evidence++
			o.counts.add(unittestTally(ran, unittestVerdictRe.FindStringSubmatch(line)[1]))
			ran = -1
		}
		afterOpen = open
	}
	closeTrialBlock()
	o.failing = o.failed.len() > 0 || o.counts.Failed > 0
	return o
}

// unittestID is a test's id as unittest takes it on the command line: "pkg.mod.Class.test_x".
func unittestID(method, where string) string {
	switch {
	case strings.HasPrefix(where, "unittest.loader."):
		// A module that failed to import is reported as a test named after the module.
		return method
	case strings.HasSuffix(where, "."+method):
		return where
	default:
		return where + "." + method
	}
}

// unittestTally reads a verdict's "failures=1, errors=1, skipped=2" given the tests run. Expected
// failures passed in the sense that matters here, but are not counted as passed.
//
//i18n:verbatim a test runner's or a compiler's own words, matched in logs
func unittestTally(ran int, tally string) (passed, failed, skipped int) {
	successes, expected := -1, 0
	for _, m := range unittestTallyRe.FindAllStringSubmatch(tally, -1) {
		n := number(m[2])
		switch m[1] {
		case "failures", "errors", "unexpected successes", "unexpectedSuccesses":
			failed += n
		case "skipped", "skips":
			skipped += n
		case "expected failures", "expectedFailures":
			expected += n
		case "successes":
			successes = n
		}
	}
	passed = successes
	if passed < 0 {
		passed = max(ran-failed-skipped-expected, 0)
	}
	return passed, failed, skipped
}
