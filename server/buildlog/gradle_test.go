package buildlog

import (
	"testing"

	"github.com/stretchr/testify/require"
)

const gradleOutput = `> Task :core:test

com.acme.core.RetryPolicyTest > backsOffExponentially FAILED
    java.lang.AssertionError: expected:<400> but was:<200>

com.acme.core.RetryPolicyTest > givesUp PASSED

48 tests completed, 1 failed

> Task :core:test FAILED

> Task :web:test

InvoiceTest > roundsHalfEven(int, long) > [2] 5, 1005 FAILED
    org.opentest4j.AssertionFailedError at InvoiceTest.java:48

21 tests completed, 2 failed, 4 skipped

> Task :web:test FAILED

FAILURE: Build completed with 2 failures.
`

func TestGradleNamesFailedTestsAsItPrintsThem(t *testing.T) {
	o := parsed(parseGradle, gradleOutput)

	require.Equal(t, []string{"com.acme.core.RetryPolicyTest > backsOffExponentially", "InvoiceTest > roundsHalfEven(int, long) > [2] 5, 1005"}, o.failed.names)
	require.True(t, o.failing)
}

func TestGradleAddsUpTheTotalsOfEachTestTask(t *testing.T) {
	o := parsed(parseGradle, gradleOutput)

	require.Equal(t, Counts{Known: true, Passed: 62, Failed: 3, Skipped: 4}, o.counts)
}

func TestGradleDoesNotTakeAFailedTaskForATest(t *testing.T) {
	o := parsed(parseGradle, "> Task :app:compileJava FAILED\n> Task :app:test FAILED\n")

	require.Empty(t, o.failed.names)
	require.Zero(t, o.evidence)
}

func TestGradleReadsASingleTestsTotals(t *testing.T) {
	o := parsed(parseGradle, "1 test completed, 1 failed\n")

	require.Equal(t, Counts{Known: true, Failed: 1}, o.counts)
}
