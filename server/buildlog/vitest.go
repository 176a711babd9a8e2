package buildlog

import "regexp"

var (
	// A failed test in the "Failed Tests" section: " FAIL  src/a.test.ts > suite > test", with the
	// project first in a workspace: " FAIL  |unit| src/a.test.ts > suite > test".
	vitestFailRe = regexp.MustCompile(`^\s*FAIL\s+(?:\|[^|]*\|\s+)?(\S+ > .+?)\s*$`)
	// A file that failed to load: " FAIL  src/a.test.ts [ src/a.test.ts ]".
	vitestSuiteFailRe = regexp.MustCompile(`^\s*FAIL\s+(?:\|[^|]*\|\s+)?\S+ \[ .+ \]$`)
	// A failed test in the run's tree: "   × suite > test 3ms".
	vitestCrossRe = regexp.MustCompile(`^\s*× (.+?)(?: \d+(?:\.\d+)?m?s)?$`)
	// A file in the run's tree: "✓ src/a.test.ts (3 tests) 5ms", "❯ src/b.test.ts (3 tests | 1 failed) 9ms".
	vitestTreeRe = regexp.MustCompile(`^\s*[✓❯↓] \S+\s+\(\d+ tests?\b`)
	// The summary: "      Tests  3 failed | 1204 passed | 2 skipped (1209)".
	vitestTestsRe = regexp.MustCompile(`^\s*Tests\s{2,}((?:\d+ \w+ \| )*\d+ \w+) \(\d+\)$`)
	vitestOtherRe = regexp.MustCompile(`^(?:\s*(?:Test Files\s{2,}\d+ \w+|Start at\s{2,}\d)|⎯+ Failed (?:Tests|Suites) \d+ ⎯)`)
)

// parseVitest reads Vitest's default reporter. The "Failed Tests" section names each failed test
// by its file and suites; the run's tree, without the file, is used only when that section is missing.
func parseVitest(lines []string) outcome {
	var (
		o     outcome
		cross failedTests
	)
	for _, line := range lines {
		switch {
		case vitestFailRe.MatchString(line):
			o.evidence++
			o.failed.add(vitestFailRe.FindStringSubmatch(line)[1])
		case vitestSuiteFailRe.MatchString(line):
			o.evidence++
			o.failing = true
		case vitestCrossRe.MatchString(line):
			o.evidence++
			cross.add(vitestCrossRe.FindStringSubmatch(line)[1])
		case vitestTreeRe.MatchString(line), vitestOtherRe.MatchString(line):
			o.evidence++
		case vitestTestsRe.MatchString(line):
			o.evidence++
			o.counts.addTally(vitestTestsRe.FindStringSubmatch(line)[1])
		}
	}
	if o.failed.len() == 0 {
		o.failed = cross
	}
	o.failing = o.failing || o.failed.len() > 0 || o.counts.Failed > 0
	return o
}
