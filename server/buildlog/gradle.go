package buildlog

import "regexp"

var (
	// A test's result: "com.acme.FooTest > testBar() FAILED", parameterized
	// "FooTest > add(int, int) > [1] 1, 2 FAILED". Task lines ("> Task :app:test FAILED") start with ">".
	gradleResultRe = regexp.MustCompile(`^([^\s>].*? > .+?) (FAILED|PASSED|SKIPPED)$`)
	// A test task's totals: "5 tests completed, 1 failed, 1 skipped".
	gradleTotalsRe = regexp.MustCompile(`^(\d+) tests? completed(?:, (\d+) failed)?(?:, (\d+) skipped)?$`)
	gradleOtherRe  = regexp.MustCompile(`^There were failing tests\. See the report at`)
)

// parseGradle reads the test output of Gradle's console, one task's totals after each test task.
func parseGradle(lines []string) outcome {
	var o outcome
	for _, line := range lines {
		switch {
		case gradleResultRe.MatchString(line):
			o.evidence++
			if m := gradleResultRe.FindStringSubmatch(line); m[2] == "FAILED" {
				o.failed.add(m[1])
			}
		case gradleTotalsRe.MatchString(line):
			o.evidence++
			m := gradleTotalsRe.FindStringSubmatch(line)
			completed, failed, skipped := number(m[1]), number(m[2]), number(m[3])
			o.counts.add(max(completed-failed-skipped, 0), failed, skipped)
		case gradleOtherRe.MatchString(line):
			o.evidence++
		}
	}
	o.failing = o.failed.len() > 0 || o.counts.Failed > 0
	return o
}
