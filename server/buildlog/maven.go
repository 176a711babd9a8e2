package buildlog

import (
	"regexp"
	"strings"
)

var (
	// Surefire's totals, for a class ("…, Time elapsed: 0.05 s <<< FAILURE! - in com.acme.FooTest") or,
	// without the time, for the module after "Results:".
	mavenTotalsRe = regexp.MustCompile(`^(?:\[\w+\] )?Tests run: (\d+), Failures: (\d+), Errors: (\d+), Skipped: (\d+)(.*)$`)
	// The class a class's totals are for: "… - in com.acme.FooTest" (Surefire 2), "… -- in …" (3).
	mavenInClassRe = regexp.MustCompile(` --? in (\S+)$`)
	// A failed test, as Surefire 2 prints it, "[ERROR] testBar(com.acme.FooTest)  Time elapsed: 0.01 s  <<< FAILURE!",
	// or JUnit 5's provider without its class, "[ERROR] testBar  Time elapsed: …".
	mavenTest2Re = regexp.MustCompile(`^(?:\[ERROR\] )?([^\s(]+)(?:\(([\w.$]+)\))?\s+Time elapsed: .*<<< (?:FAILURE|ERROR)!$`)
	// A failed test, as Surefire 3 prints it: "[ERROR] com.acme.FooTest.testBar -- Time elapsed: 0.01 s <<< FAILURE!".
	mavenTest3Re = regexp.MustCompile(`^(?:\[ERROR\] )?(\S.*?) -- Time elapsed: .*<<< (?:FAILURE|ERROR)!$`)
	// The lists after "Results:": "[ERROR] Failures: ", then "[ERROR]   FooTest.testBar:42 expected…".
	mavenListRe     = regexp.MustCompile(`^\[ERROR\] (?:Failures|Errors):\s*$`)
	mavenListItemRe = regexp.MustCompile(`^\[ERROR\]   (?:Run \d+: )?([\w$.]+\.[^\s.:(]+?)(?:[:(].*|\s.*)?$`)
	mavenOtherRe    = regexp.MustCompile(`^\[INFO\] (?:Running [\w.$]+$|Results:$| T E S T S$)`)
)

// parseMaven reads the output of Maven's Surefire and Failsafe plugins. Each failed test is printed
// with its full class name where it ran, and again, with the class's simple name, in the results;
// those are used only when the first are missing.
//
//i18n:verbatim a test runner's or a compiler's own words, matched in logs
func parseMaven(lines []string) outcome {
	var (
		o                      outcome
		listed                 failedTests
		inList                 bool
		class                  string
		classTotals, modTotals Counts
	)
	for _, line := range lines {
		if inList {
			if m := mavenListItemRe.FindStringSubmatch(line); m != nil {
				o.evidence++
				listed.add(m[1])
				continue
			}
			inList = false
		}
		switch {
		case mavenTotalsRe.MatchString(line):
			o.evidence++
			m := mavenTotalsRe.FindStringSubmatch(line)
			run, failures, errors, skipped := number(m[1]), number(m[2]), number(m[3]), number(m[4])
			passed := max(run-failures-errors-skipped, 0)
			if strings.Contains(m[5], "Time elapsed") {
				classTotals.add(passed, failures+errors, skipped)
				if c := mavenInClassRe.FindStringSubmatch(m[5]); c != nil {
					class = c[1]
				}
			} else {
				modTotals.add(passed, failures+errors, skipped)
			}
		case mavenTest3Re.MatchString(line):
			o.evidence++
			o.failed.add(mavenTestName(mavenTest3Re.FindStringSubmatch(line)[1], class))
		case mavenTest2Re.MatchString(line):
			o.evidence++
			m := mavenTest2Re.FindStringSubmatch(line)
			if m[2] != "" {
				o.failed.add(m[2] + "." + m[1])
			} else {
				o.failed.add(mavenTestName(m[1], class))
			}
		case mavenListRe.MatchString(line):
			o.evidence++
			inList = true
		case mavenOtherRe.MatchString(line):
			o.evidence++
		}
	}
	if o.failed.len() == 0 {
		o.failed = listed
	}
	// A module's totals sum its classes'; the classes' are used only when no module got that far.
	o.counts = modTotals
	if !o.counts.Known {
		o.counts = classTotals
	}
	o.failing = o.failed.len() > 0 || o.counts.Failed > 0
	return o
}

// mavenTestName qualifies a test's name with the class it ran in, when Surefire printed only the method.
func mavenTestName(name, class string) string {
	if method, _, _ := strings.Cut(name, "("); class == "" || strings.Contains(method, ".") {
		return name
	}
	return class + "." + name
}
