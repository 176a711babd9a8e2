package buildlog

import (
	"testing"

	"github.com/stretchr/testify/require"
)

const ctestLog = `Test project /build
    Start 1: parser_ok
1/6 Test #1: parser_ok ........................   Passed    0.00 sec
    Start 2: parser_bad
2/6 Test #2: parser_bad .......................***Failed    0.00 sec
    Start 3: crashy
3/6 Test #3: crashy ...........................***Exception: SegFault  0.00 sec
    Start 4: skippy
4/6 Test #4: skippy ...........................***Skipped   0.00 sec
    Start 5: net_timeout
5/6 Test #5: net_timeout ......................***Timeout   1.00 sec
    Start 6: disabled_one
6/6 Test #6: disabled_one .....................***Not Run (Disabled)   0.00 sec

40% tests passed, 3 tests failed out of 5

Total Test time (real) =   1.01 sec

The following tests did not run:
	  4 - skippy (Skipped)
	  6 - disabled_one (Disabled)

The following tests FAILED:
	  2 - parser_bad (Failed)
	  3 - crashy (SEGFAULT)
	  5 - net_timeout (Timeout)
Errors while running CTest
`

func TestCtestNamesTheTestsItListsAsFailed(t *testing.T) {
	o := parsed(parseCtest, ctestLog)

	require.Equal(t, []string{"parser_bad", "crashy", "net_timeout"}, o.failed.names)
	require.True(t, o.failing)
}

func TestCtestTellsSkippedTestsFromPassedOnesAndLeavesDisabledOnesOut(t *testing.T) {
	o := parsed(parseCtest, ctestLog)

	// 5 counted, 40% of them passing: parser_ok and the skipped skippy.
	require.Equal(t, Counts{Known: true, Passed: 1, Failed: 3, Skipped: 1}, o.counts)
}

func TestCtestFallsBackOnResultLinesWithoutTheList(t *testing.T) {
	o := parsed(parseCtest, "2/6 Test #2: parser_bad .......................***Failed    0.00 sec\n4/6 Test #4: skippy ...........................***Skipped   0.00 sec\n")

	require.Equal(t, []string{"parser_bad"}, o.failed.names)
	require.False(t, o.counts.Known)
}

func TestCtestReadsCTest4sSummaryWithoutFailures(t *testing.T) {
	o := parsed(parseCtest, "100% tests passed out of 8\n")

	require.Equal(t, Counts{Known: true, Passed: 8}, o.counts)
	require.False(t, o.failing)
}
