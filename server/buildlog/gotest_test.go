package buildlog

import (
	"testing"

	"github.com/stretchr/testify/require"
)

const goTestOutput = "?   \texample.com/ledger/cmd/ledgerd\t[no test files]\n" +
	"ok  \texample.com/ledger/internal/errors\t0.008s\n" +
	"--- FAIL: TestSplit (0.00s)\n" +
	"    --- FAIL: TestSplit/remainder (0.00s)\n" +
	"        money_test.go:24: Split(100, 3) sums to 99, want 100\n" +
	"    --- FAIL: TestSplit/remainder/nested (0.00s)\n" +
	"        money_test.go:31: got 1\n" +
	"FAIL\n" +
	"FAIL\texample.com/ledger/internal/money\t0.006s\n" +
	"--- FAIL: TestHeader (0.00s)\n" +
	"panic: runtime error: index out of range [3] with length 3 [recovered]\n" +
	"FAIL\texample.com/ledger/internal/parse\t0.006s\n" +
	"FAIL\n"

func TestGoTestNamesTheDeepestFailedSubtestsAndNotTheirParents(t *testing.T) {
	o := parsed(parseGoTest, goTestOutput)

	require.Equal(t, []string{"TestSplit/remainder/nested", "TestHeader"}, o.failed.names)
	require.True(t, o.failing)
}

func TestGoTestPrintsNoCounts(t *testing.T) {
	o := parsed(parseGoTest, goTestOutput)

	require.False(t, o.counts.Known)
}

func TestGoTestDoesNotNamePassedOrSkippedTests(t *testing.T) {
	o := parsed(parseGoTest, "=== RUN   TestErrorHandling\n--- PASS: TestErrorHandling (0.00s)\n--- SKIP: TestSlow (0.00s)\nPASS\nok  \texample.com/x\t0.1s\n")

	require.Empty(t, o.failed.names)
	require.False(t, o.failing)
	require.Positive(t, o.evidence)
}

func TestGoTestFailsOnAPackageThatDoesNotBuild(t *testing.T) {
	o := parsed(parseGoTest, "# example.com/x [example.com/x.test]\n./x.go:3:2: undefined: y\nFAIL\texample.com/x [build failed]\nFAIL\n")

	require.True(t, o.failing)
	require.Empty(t, o.failed.names)
}

func TestGoTestNamesTheTestsATimeoutFoundRunning(t *testing.T) {
	for name, log := range map[string]string{
		"indented": "panic: test timed out after 2s\n\trunning tests:\n\t\tTestWatch (2s)\n\t\tTestWatch/after_drop (2s)\n\ngoroutine 5 [running]:\n",
		"flush":    "panic: test timed out after 10m0s\nrunning tests:\n\tTestSlow (10m0s)\n\ngoroutine 5 [running]:\n",
	} {
		t.Run(name, func(t *testing.T) {
			o := parsed(parseGoTest, log)

			require.Len(t, o.failed.names, 1)
			require.Contains(t, []string{"TestWatch/after_drop", "TestSlow"}, o.failed.names[0])
		})
	}
}

func TestGoTestIgnoresTabIndentedLinesAwayFromATimeout(t *testing.T) {
	o := parsed(parseGoTest, "goroutine 1 [running]:\n\tTestLooksLikeAName (2s)\n")

	require.Empty(t, o.failed.names)
}
