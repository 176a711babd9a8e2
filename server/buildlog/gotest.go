package buildlog

import (
	"regexp"
	"strings"
)

var (
	// A test's result: "--- FAIL: TestA (0.00s)", indented for a subtest "    --- FAIL: TestA/sub (0.00s)".
	goResultRe = regexp.MustCompile(`^\s*--- (FAIL|PASS|SKIP): (\S+) \(\d+(?:\.\d+)?s\)$`)
	// A package's result: "FAIL\tpkg\t0.1s", "FAIL\tpkg [build failed]", "ok  \tpkg\t0.1s (cached)",
	// "?   \tpkg\t[no test files]".
	goPackageRe = regexp.MustCompile(`^(FAIL|ok  |\?   )\t\S+(?:\t| \[)`)
	// The lines -v adds.
	goProgressRe = regexp.MustCompile(`^=== (?:RUN|PAUSE|CONT|NAME)\s+\S+$`)
	// A timed-out binary lists the tests still running: "panic: test timed out after 10m0s",
	// "running tests:", "\tTestSlow (10m0s)"; newer Go indents all but the panic's first line
	// by a tab.
	goTimeoutRe     = regexp.MustCompile(`^panic: test timed out after \S+$`)
	goRunningHeadRe = regexp.MustCompile(`^\t?running tests:$`)
	goRunningRe     = regexp.MustCompile(`^\t\t?(\S+) \([\dhmsµn.]+\)$`)
)

// parseGoTest reads the output of go test (not -json). A failed subtest fails its parent too, and
// both are printed; the parent is dropped for the subtest, which says more.
func parseGoTest(lines []string) outcome {
	var (
		o        outcome
		timedOut bool
	)
	for _, line := range lines {
		switch {
		case goResultRe.MatchString(line):
			o.evidence++
			m := goResultRe.FindStringSubmatch(line)
			if m[1] == "FAIL" {
				addGoTest(&o.failed, m[2])
			}
		case goPackageRe.MatchString(line):
			o.evidence++
			if strings.HasPrefix(line, "FAIL") {
				o.failing = true
			}
		case goProgressRe.MatchString(line):
			o.evidence++
		case goTimeoutRe.MatchString(line):
			o.evidence++
			timedOut = true
		case timedOut && goRunningHeadRe.MatchString(line):
		case timedOut && goRunningRe.MatchString(line):
			addGoTest(&o.failed, goRunningRe.FindStringSubmatch(line)[1])
		default:
			timedOut = false
		}
	}
	o.failing = o.failing || o.failed.len() > 0
	return o
}

// addGoTest adds a failed test in place of its parent: go test prints a parent before its subtests.
func addGoTest(failed *failedTests, name string) {
	if i := strings.LastIndexByte(name, '/'); i > 0 {
		failed.drop(name[:i])
	}
	failed.add(name)
}
