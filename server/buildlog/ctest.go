package buildlog

import "regexp"

var (
	// A test's result: "3/12 Test  #3: unit_c .........***Failed    0.02 sec", "… ***Exception: SegFault  0.01 sec".
	ctestResultRe = regexp.MustCompile(`^\s*\d+/\d+ Test\s+#\d+: (.+?) \.*\s*(\*\*\*)?(Passed|Failed|Skipped|Timeout|Exception|Not Run)\b.*\s[\d.]+ sec$`)
	// The summary: "83% tests passed, 2 tests failed out of 12", since CTest 4 "100% tests passed out of 12".
	ctestTotalsRe = regexp.MustCompile(`^\d+% tests passed(?:, (\d+) tests? failed)? out of (\d+)$`)
	// The lists after it: "The following tests FAILED:", then "\t  3 - unit_c (Failed)"; the same for
	// the tests that did not run, "\t  5 - net (Skipped)".
	ctestFailedListRe = regexp.MustCompile(`^The following tests FAILED:$`)
	ctestNotRunListRe = regexp.MustCompile(`^The following tests did not run:$`)
	ctestListItemRe   = regexp.MustCompile(`^\s*\d+ - (.+?) \(([^()]+)\)(?:\s+\S.*)?$`)
	ctestOtherRe      = regexp.MustCompile(`^(?:Test project \S|\s+Start\s+\d+: \S|Total Test time \(real\) =|Errors while running CTest$)`)
)

// parseCtest reads CTest's output. Its summary counts skipped tests as passed, and disabled ones
// not at all; the list of tests that did not run tells them apart.
//
//i18n:verbatim a test runner's or a compiler's own words, matched in logs
func parseCtest(lines []string) outcome {
	var (
		o                      outcome
		results                failedTests
		list                   string // "failed" or "not run" within those lists
		failed, total, skipped int
		summary                bool
	)
	for _, line := range lines {
		if list != "" {
			if m := ctestListItemRe.FindStringSubmatch(line); m != nil {
				o.evidence++
				switch {
				case list == "failed":
					o.failed.add(m[1])
				case m[2] == "Skipped":
					skipped++
				}
				continue
			}
			list = ""
		}
		switch {
		case ctestResultRe.MatchString(line):
			o.evidence++
			m := ctestResultRe.FindStringSubmatch(line)
			if m[2] != "" && m[3] != "Skipped" && m[3] != "Not Run" {
				results.add(m[1])
			}
		case ctestTotalsRe.MatchString(line):
			o.evidence++
			m := ctestTotalsRe.FindStringSubmatch(line)
			failed += number(m[1])
			total += number(m[2])
			summary = true
		case ctestFailedListRe.MatchString(line):
			o.evidence++
			list = "failed"
		case ctestNotRunListRe.MatchString(line):
			o.evidence++
			list = "not run"
		case ctestOtherRe.MatchString(line):
			o.evidence++
		}
	}
	if o.failed.len() == 0 {
		o.failed = results
	}
	if summary {
		o.counts.add(max(total-failed-skipped, 0), failed, skipped)
	}
	o.failing = o.failed.len() > 0 || failed > 0
	return o
}
