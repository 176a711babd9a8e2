// Package buildlog reads a failed step's log for what people ask first: which tests failed, and
// the first real error.
package buildlog

import (
	"regexp"
	"strconv"
	"strings"
)

// Test is a failed test a log names.
type Test struct {
	Name string // as the runner prints it, e.g. "tests/test_a.py::test_broken", "TestParse/empty", "com.acme.FooTest.testBar"
}

// Counts are the totals a runner's summary line prints; Known is false when the log has none.
// Failed counts errors too (a test that errored failed the run); expected failures, todos,
// deselected and disabled tests are in none of them. Several runs in one log add up.
type Counts struct {
	Known                   bool
	Passed, Failed, Skipped int
}

// Report is what Analyze found.
type Report struct {
	Runner string // "pytest", "unittest", "go test", "jest", "vitest", "maven", "gradle", "cargo test", "ctest", or "" when no runner was recognised
	Failed []Test // in order of first appearance, without duplicates
	Counts Counts
	// FirstError is the first error block with up to 2 lines of context before it, and the block
	// itself (a traceback or a compiler message runs over several lines) capped at 15 lines total; nil when none.
	// Its lines are the log's own, escape codes and all, without the "\r" of a CRLF line end.
	FirstError []string
	// FirstErrorLine is the 0-based index in the log of FirstError's first line; 0 when FirstError is nil.
	FirstErrorLine int
	// ErrorLine is the 0-based index in the log of the line that is the error, after the context.
	ErrorLine int
}

// Analyze reads a log. It never panics, on any input, and is linear in the log's size.
func Analyze(log string) Report {
	lines := splitLines(log)
	text := forMatchingAll(lines)
	var r Report
	if name, o, ok := bestRunner(text); ok {
		r.Runner, r.Failed, r.Counts = name, o.failed.tests(), o.counts
	}
	if start, at, end, ok := firstError(text); ok {
		// Copied, so that a report kept does not keep the log.
		for _, line := range lines[start:end] {
			r.FirstError = append(r.FirstError, strings.Clone(line))
		}
		r.FirstErrorLine, r.ErrorLine = start, at
	}
	return r
}

// splitLines cuts a log at "\n", dropping the "\r" a CRLF line ends with.
func splitLines(log string) []string {
	lines := strings.Split(log, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}

// forMatchingAll is forMatching of every line.
func forMatchingAll(lines []string) []string {
	text := make([]string, len(lines))
	for i, l := range lines {
		text[i] = forMatching(l)
	}
	return text
}

// maxLineLen bounds the text of a line the patterns see, so a minified bundle or an env dump on one
// line costs no more than a normal one.
const maxLineLen = 4 << 10

// ansiRe matches the escape sequences colored output carries: CSI sequences (colors), OSC ones
// (hyperlinks), character set designations and the other two-byte ones.
var ansiRe = regexp.MustCompile(`\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[()*+#%].|[@-_])`)

// buildkitRe matches the step and time BuildKit puts before each line a Dockerfile's RUN prints:
// "#7 4.981 npm ERR! code ETARGET".
var buildkitRe = regexp.MustCompile(`^#\d+ \d+\.\d+ `)

// forMatching is a line as a terminal would show it: only what follows its last carriage return
// (progress bars redraw a line that way), without color codes, cut to maxLineLen, and without
// BuildKit's prefix, so that what a Dockerfile runs reads as it would outside.
func forMatching(line string) string {
	if i := strings.LastIndexByte(line, '\r'); i >= 0 {
		line = line[i+1:]
	}
	if len(line) > maxLineLen {
		line = line[:maxLineLen]
	}
	if strings.IndexByte(line, 0x1b) >= 0 {
		line = ansiRe.ReplaceAllString(line, "")
	}
	if strings.HasPrefix(line, "#") {
		if m := buildkitRe.FindStringIndex(line); m != nil {
			line = line[m[1]:]
		}
	}
	return line
}

// outcome is what one runner's parser found in a log.
type outcome struct {
	failed failedTests
	counts Counts
	// failing is whether the runner reported a failure, named or counted.
	failing bool
	// evidence is how many lines had the runner's own form; each line counts once.
	evidence int
}

// runners are the parsers Analyze tries, each named as Report.Runner names it.
//
//i18n:verbatim a test runner's or a compiler's own words, matched in logs
var runners = []struct {
	name  string
	parse func(lines []string) outcome
}{
	{"pytest", parsePytest},
	{"unittest", parseUnittest},
	{"go test", parseGoTest},
	{"jest", parseJest},
	{"vitest", parseVitest},
	{"maven", parseMaven},
	{"gradle", parseGradle},
	{"cargo test", parseCargo},
	{"ctest", parseCtest},
}

// bestRunner is the runner whose output the log holds: one that failed before one that did not
// (a step runs several tools, and the one that failed is what the log is about), then the one with
// the most lines of its own form.
func bestRunner(lines []string) (string, outcome, bool) {
	var (
		best     outcome
		bestName string
	)
	for _, r := range runners {
		o := r.parse(lines)
		if o.evidence == 0 {
			continue
		}
		if bestName == "" || o.failing && !best.failing || o.failing == best.failing && o.evidence > best.evidence {
			best, bestName = o, r.name
		}
	}
	return bestName, best, bestName != ""
}

// add adds one summary line's totals.
func (c *Counts) add(passed, failed, skipped int) {
	c.Known = true
	c.Passed += passed
	c.Failed += failed
	c.Skipped += skipped
}

// tallyRe is one count of a summary as Jest and Vitest print it: "3 failed", "1204 passed".
var tallyRe = regexp.MustCompile(`(\d+) (failed|passed|skipped)\b`)

// addTally adds the counts of a Jest or Vitest summary: "3 failed, 1 skipped, 1204 passed".
func (c *Counts) addTally(summary string) {
	var passed, failed, skipped int
	for _, m := range tallyRe.FindAllStringSubmatch(summary, -1) {
		switch n := number(m[1]); m[2] {
		case "failed":
			failed += n
		case "passed":
			passed += n
		default:
			skipped += n
		}
	}
	c.add(passed, failed, skipped)
}

// number reads a count a runner printed; one too long to be a real count reads as 0, so that
// adding counts up cannot overflow.
func number(s string) int {
	if len(s) > 9 {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0
	}
	return n
}
