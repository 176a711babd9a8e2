package buildlog

import (
	"regexp"
	"strings"
)

const (
	// maxBlock bounds FirstError, context included.
	maxBlock = 15
	// maxContext is how many lines before an error FirstError shows.
	maxContext = 2
)

// blockRule says which lines after an error's first belong to it.
type blockRule int

const (
	// untilBlank takes the lines up to the next blank one, as compilers and most tools print.
	untilBlank blockRule = iota
	// throughException takes a Python traceback through the exception it ends with.
	throughException
	// goroutines takes a Go panic up to a blank line, and on through the trace of the goroutines.
	goroutines
	// goFailure takes a Go test's result with its indented log lines, and the panic that failed it.
	goFailure
	// explanation takes pytest's "E" lines, which -q --tb=short runs into the next failure's.
	explanation
	// indented takes the lines indented deeper than the first, and blank lines among them.
	indented
	// gradleReport takes Gradle's "FAILURE:" report through "* What went wrong:", up to "* Try:".
	gradleReport
	// ctestOutput takes a test's output under --output-on-failure, up to the next test's result.
	ctestOutput
)

// marker is the first line of an error: a line that says an error happened, not one that only
// mentions the word ("-Werror", "error_count=0", "errors.go", "test_error_handling PASSED").
type marker struct {
	// words are what a line must contain, one of them, for re to be tried: most lines have none,
	// and looking for a word costs far less than running a regexp over a long line.
	words []string
	re    *regexp.Regexp
	rule  blockRule
	// benign, when set, tells apart the lines re matches that are not errors.
	benign func(line string) bool
}

// markers are tried in order on each line, so a line takes the rule of the first that matches;
// the earliest line that any matches is the first error.
//
//i18n:verbatim a test runner's or a compiler's own words, matched in logs
var markers = []marker{
	{words: []string{"Traceback"}, re: regexp.MustCompile(`^\s*Traceback \(most recent call last\):$`), rule: throughException},
	// Go's runtime: "panic: …", "fatal error: all goroutines are asleep - deadlock!".
	{words: []string{"panic: ", "fatal error: "}, re: regexp.MustCompile(`^(?:panic: |fatal error: )`), rule: goroutines},
	{words: []string{"--- FAIL: "}, re: regexp.MustCompile(`^\s*--- FAIL: `), rule: goFailure},
	{words: []string{"DATA RACE"}, re: regexp.MustCompile(`^WARNING: DATA RACE$`), rule: untilBlank},
	// Compilers: "src/a.c:12:5: error: …", "Foo.java:3: error: …", "collect2: error: …",
	// "error[E0308]: …", "gcc: fatal error: …".
	{words: []string{"error"}, re: regexp.MustCompile(`^(?:[^\s:][^:]*:\d+(?::\d+)?: |[\w./+-]+: )?(?:fatal )?error(?:\[E\d+\])?: \S`), rule: untilBlank},
	// Go's compiler and vet: "./x.go:3:2: undefined: y".
	{words: []string{".go:"}, re: regexp.MustCompile(`^(?:\.{1,2}/)?[\w.@/-]+\.go:\d+:\d+: \S`), rule: untilBlank},
	// tsc: "src/a.ts(12,5): error TS2322: …", "src/a.ts:12:5 - error TS2322: …".
	{words: []string{"error TS"}, re: regexp.MustCompile(`error TS\d+: `), rule: untilBlank},
	// kotlinc: "e: file:///src/Main.kt:3:5 Unresolved reference: foo".
	{words: []string{"e: "}, re: regexp.MustCompile(`^e: \S+\.kts?[:(]`), rule: untilBlank},
	// The linker: "main.c:(.text+0x1e): undefined reference to `compute'", "/usr/bin/ld: cannot find -lfoo".
	{words: []string{": undefined reference to "}, re: regexp.MustCompile(`: undefined reference to `), rule: untilBlank},
	{words: []string{": cannot find "}, re: regexp.MustCompile(`^\S*\bld(?:\.\w+)?: cannot find `), rule: untilBlank},
	{words: []string{"CMake Error"}, re: regexp.MustCompile(`^CMake Error\b`), rule: indented},
	// Rust's panic, which fails a cargo test: "thread 'tests::x' panicked at src/lib.rs:10:5:".
	{words: []string{" panicked at "}, re: regexp.MustCompile(`^thread '[^']*'(?: \(\d+\))? panicked at `), rule: untilBlank},
	// pytest's explanation of a failure: "E       assert 4 == 5".
	{words: []string{"E   "}, re: regexp.MustCompile(`^E {3,}\S`), rule: explanation},
	// Jest's details of a failed test: "  ● Suite › test".
	{words: []string{"●"}, re: regexp.MustCompile(`^\s*● \S`), rule: indented, benign: jestAside},
	// Vitest's details of a failed test or file: " FAIL  src/a.test.ts > suite > test".
	{words: []string{"FAIL"}, re: regexp.MustCompile(`^\s*FAIL\s+(?:\|[^|]*\|\s+)?\S+ (?:> |\[ )`), rule: untilBlank},
	// Gradle's failed test, "FooTest > testBar() FAILED", and its report on the build.
	{words: []string{" FAILED"}, re: regexp.MustCompile(`^[^\s>].*? > .+? FAILED$`), rule: indented},
	{words: []string{"FAILURE: "}, re: regexp.MustCompile(`^FAILURE: `), rule: gradleReport},
	{words: []string{"***"}, re: regexp.MustCompile(`\*\*\*(?:Failed|Exception|Timeout)\b`), rule: ctestOutput},
	// unittest's "FAIL: test_x (m.C)", pytest's "FAILED tests/a.py::b", ninja's "FAILED: a.o", sha256sum's
	// "a.tar.gz: FAILED", pip's "ERROR: No matching distribution…", webpack's "ERROR in ./src/a.ts".
	{words: []string{"FAIL", "ERROR"}, re: regexp.MustCompile(`^(?:FAIL: \S|FAILED(?::| \S)|\S+: FAILED$|ERROR(?:: \S| in \S| \S+(?:::|\.py\b)))`), rule: untilBlank, benign: pipResolverNote},
	// Trial's "[FAIL]" and "[ERROR]", Go's verdict on a package "FAIL\tpkg\t0.1s", GoogleTest's.
	{words: []string{"FAIL", "ERROR", ": Failure"}, re: regexp.MustCompile(`^(?:\[(?:FAIL|ERROR)\]$|FAIL(?:\t\S|$)|\[  FAILED  \] |\S+:\d+: Failure$)`), rule: untilBlank},
	// Maven: "[ERROR] Failed to execute goal…", and Surefire's "<<< FAILURE!" without the level.
	{words: []string{"[ERROR] "}, re: regexp.MustCompile(`^\[ERROR\] \S`), rule: untilBlank},
	{words: []string{"<<< "}, re: regexp.MustCompile(`<<< (?:FAILURE|ERROR)!$`), rule: untilBlank},
	{words: []string{"Exception in thread"}, re: regexp.MustCompile(`^Exception in thread "`), rule: untilBlank},
	// An exception at the start of a line: "Error: connect ECONNREFUSED", "java.lang.IllegalStateException: x",
	// "ModuleNotFoundError: No module named 'x'". "Error: 0" is a tally.
	{words: []string{"Error", "Exception"}, re: regexp.MustCompile(`^(?:[a-z_]\w*\.)*\w*(?:Error|Exception): \S|^(?:[a-z_]\w*\.)+[A-Z]\w*(?:Error|Exception)$`), rule: untilBlank, benign: tallyOnly},
	{words: []string{"npm ", "error ", "ELIFECYCLE"}, re: regexp.MustCompile(`^npm (?:ERR!|error) |^error (?:Command failed|An unexpected error)|^\s*ELIFECYCLE\b`), rule: untilBlank},
	{words: []string{"ERR_PNPM_"}, re: regexp.MustCompile(`ERR_PNPM_\w`), rule: untilBlank},
	{words: []string{": *** "}, re: regexp.MustCompile(`^g?make(?:\[\d+\])?: \*\*\* `), rule: untilBlank},
	// "FATAL: …", "[FATAL] …", "2024-05-01 12:00:00 FATAL …", git's "fatal: …".
	{words: []string{"FATAL", "fatal: "}, re: regexp.MustCompile(`^(?:\S+ ){0,2}\[?FATAL\]?[: ]|^fatal: `), rule: untilBlank},
	{words: []string{"Segmentation fault"}, re: regexp.MustCompile(`Segmentation fault`), rule: untilBlank},
	{words: []string{"not found"}, re: regexp.MustCompile(`: command not found$|^/bin/sh: \d+: \S+: not found$`), rule: untilBlank},
	// Buildbot's own word that it killed the command: "command timed out: 1200 seconds without output running […]".
	{words: []string{"command timed out: ", "process killed by signal "}, re: regexp.MustCompile(`^command timed out: |^process killed by signal \d+$`), rule: untilBlank},
}

var (
	jestAsideRe       = regexp.MustCompile(`^\s*● (?:Console$|.*:$)`)
	pipResolverNoteRe = regexp.MustCompile(`^ERROR: pip's dependency resolver does not currently take into account`)
	tallyOnlyRe       = regexp.MustCompile(`^\w*Error: 0\b`)
)

// jestAside is a "●" header of Jest's that is no error: console output, a warning about the configuration.
func jestAside(line string) bool { return jestAsideRe.MatchString(line) }

// pipResolverNote is pip's note on packages installed before, printed by installs that succeed.
func pipResolverNote(line string) bool { return pipResolverNoteRe.MatchString(line) }

// tallyOnly is a count of no errors, "Error: 0".
func tallyOnly(line string) bool { return tallyOnlyRe.MatchString(line) }

// firstError finds the first error's block, context included, lines[start:end], and the line
// that is the error, at.
func firstError(lines []string) (start, at, end int, ok bool) {
	for i, line := range lines {
		rule, found := errorRule(line)
		if !found {
			continue
		}
		start = i
		for start > 0 && i-start < maxContext && !blank(lines[start-1]) {
			start--
		}
		end = blockEnd(lines, i, rule, min(start+maxBlock, len(lines)))
		return start, i, end, true
	}
	return 0, 0, 0, false
}

// errorRule is the rule of the first marker that matches a line as an error.
func errorRule(line string) (blockRule, bool) {
	for _, m := range markers {
		if containsAny(line, m.words) && m.re.MatchString(line) && (m.benign == nil || !m.benign(line)) {
			return m.rule, true
		}
	}
	return 0, false
}

func containsAny(line string, words []string) bool {
	for _, w := range words {
		if strings.Contains(line, w) {
			return true
		}
	}
	return false
}

// blockEnd is where the block of the error at lines[i] ends, at limit at most, without the blank
// lines it would end with.
func blockEnd(lines []string, i int, rule blockRule, limit int) int {
	depth := indentation(lines[i])
	end := i + 1
	for ; end < limit; end++ {
		line := lines[end]
		if !continues(rule, line, depth, lines, end) {
			break
		}
		if rule == throughException && !blank(line) && indentation(line) <= depth {
			// The exception closes the traceback.
			end++
			break
		}
	}
	for end > i+1 && blank(lines[end-1]) {
		end--
	}
	return end
}

// continues is whether lines[j] still belongs to an error's block, under its rule; depth is the
// indentation of the error's first line.
//
//i18n:verbatim a test runner's or a compiler's own words, matched in logs
func continues(rule blockRule, line string, depth int, lines []string, j int) bool {
	if buildbotFooterRe.MatchString(line) {
		return false
	}
	switch rule {
	case throughException:
		return true
	case goroutines:
		return !blank(line) || j+1 < len(lines) && strings.HasPrefix(lines[j+1], "goroutine ")
	case goFailure:
		return !blank(line) && (indentation(line) > depth || strings.HasPrefix(line, "panic: "))
	case explanation:
		return line == "E" || strings.HasPrefix(line, "E ")
	case indented:
		return blank(line) || indentation(line) > depth
	case gradleReport:
		return !strings.HasPrefix(line, "* Try:") && !strings.HasPrefix(line, "BUILD FAILED")
	case ctestOutput:
		return !blank(line) && !ctestResultRe.MatchString(line) && !ctestStartRe.MatchString(line)
	default:
		return !blank(line)
	}
}

var (
	ctestStartRe = regexp.MustCompile(`^\s+Start\s+\d+: `)
	// buildbotFooterRe is the line Buildbot ends a command's log with, which no error runs into.
	buildbotFooterRe = regexp.MustCompile(`^program finished with exit code -?\d+$`)
)

// blank is whether a line shows nothing, Maven's bare "[ERROR]" and "[INFO]" among them.
func blank(line string) bool {
	line = strings.TrimSpace(line)
	return line == "" || line == "[ERROR]" || line == "[INFO]" || line == "[WARNING]"
}

func indentation(line string) int {
	return len(line) - len(strings.TrimLeft(line, " \t"))
}
