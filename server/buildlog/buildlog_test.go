package buildlog

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestAnEmptyLogHasNothingToReport(t *testing.T) {
	require.Equal(t, Report{}, Analyze(""))
}

func TestTheRunnerThatFailedIsChosenOverOneThatPassed(t *testing.T) {
	r := Analyze(strings.Join([]string{
		"ok  \texample.com/api/internal/auth\t0.031s",
		"ok  \texample.com/api/internal/orders\t1.204s",
		"ok  \texample.com/api/internal/payments\t0.412s",
		"FAIL src/pages/__tests__/Checkout.test.tsx",
		"  ● Checkout › submits the order",
		"Tests:       1 failed, 17 passed, 18 total",
	}, "\n"))

	require.Equal(t, "jest", r.Runner)
	require.Equal(t, []Test{{Name: "Checkout › submits the order"}}, r.Failed)
	require.Equal(t, Counts{Known: true, Passed: 17, Failed: 1}, r.Counts)
}

func TestALogWithoutTestsHasNoRunner(t *testing.T) {
	r := Analyze("cc -c a.c\na.c:1:1: error: expected ';'\nmake: *** [Makefile:3: a.o] Error 1\n")

	require.Empty(t, r.Runner)
	require.Nil(t, r.Failed)
	require.False(t, r.Counts.Known)
}

func TestAtMost200FailedTestsAreNamedButAllAreCounted(t *testing.T) {
	var b strings.Builder
	for i := range 500 {
		fmt.Fprintf(&b, "FAILED tests/test_gen.py::test_case[%d] - assert False\n", i)
	}
	b.WriteString("==== 500 failed, 3 passed in 9.10s ====\n")

	r := Analyze(b.String())

	require.Len(t, r.Failed, maxFailed)
	require.Equal(t, "tests/test_gen.py::test_case[199]", r.Failed[maxFailed-1].Name)
	require.Equal(t, 500, r.Counts.Failed)
}

func TestColorAndCarriageReturnsDoNotHideWhatALineSays(t *testing.T) {
	r := Analyze("downloading 10%\rdownloading 100%\r\x1b[31mFAILED\x1b[0m tests/test_a.py::\x1b[1mtest_b\x1b[0m - assert 1 == 2\r\n" +
		"\x1b[31m==== \x1b[31m\x1b[1m1 failed\x1b[0m in 0.1s ====\x1b[0m\r\n")

	require.Equal(t, "pytest", r.Runner)
	require.Equal(t, []Test{{Name: "tests/test_a.py::test_b"}}, r.Failed)
	require.Equal(t, 0, r.FirstErrorLine)
	// FirstError has the log's own lines, escape codes and all; only the line ends are cut.
	require.Equal(t, "downloading 10%\rdownloading 100%\r\x1b[31mFAILED\x1b[0m tests/test_a.py::\x1b[1mtest_b\x1b[0m - assert 1 == 2", r.FirstError[0])
}

func TestBuildKitsPrefixDoesNotHideWhatALineSays(t *testing.T) {
	r := Analyze("#7 [build 4/6] RUN npm ci\n#7 4.981 npm ERR! code ETARGET\n#7 ERROR: process \"/bin/sh -c npm ci\" did not complete successfully")

	require.Equal(t, 0, r.FirstErrorLine)
	require.Equal(t, "#7 4.981 npm ERR! code ETARGET", r.FirstError[1])
}

func TestOnlyTheFirst4KiBOfALineAreRead(t *testing.T) {
	long := strings.Repeat("x", maxLineLen) + " error: past the limit"

	require.Nil(t, Analyze(long).FirstError)
	require.Equal(t, []string{long, "FATAL: next line"}, Analyze(long+"\nFATAL: next line").FirstError)
}

func TestAnalyzeTakesTimeInProportionToTheLog(t *testing.T) {
	if testing.Short() {
		t.Skip("times a large log")
	}
	// Lines every parser looks at twice, and one longer than maxLineLen.
	chunk := strings.Repeat("tests/test_a.py::test_ok PASSED [ 10%]\n--- PASS: TestX (0.00s)\n  ● Console\n"+strings.Repeat("=", 5000)+"\n", 20)
	timeOf := func(copies int) time.Duration {
		log := strings.Repeat(chunk, copies)
		start := time.Now()
		Analyze(log)
		return time.Since(start)
	}
	small, large := timeOf(4), timeOf(32)

	// Eight times the log in well under the square of that: generous, for a busy machine.
	require.Less(t, large, 30*small+time.Second)
}
