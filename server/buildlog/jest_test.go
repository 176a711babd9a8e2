package buildlog

import (
	"testing"

	"github.com/stretchr/testify/require"
)

const jestVerbose = `PASS src/api/__tests__/prices.test.ts
  PriceClient
    ✓ fetches prices (12 ms)

FAIL src/checkout/__tests__/payment.test.ts
  checkout
    payment
      ✓ accepts valid cards (4 ms)
      ✕ declines expired cards (6 ms)
      ○ skipped charges in the card's currency
    summary
      ✕ shows the total with tax (3 ms)
      ✎ todo shows the shipping estimate

  ● Console

    console.log src/api/prices.ts:31
      fetching prices

  ● checkout › payment › declines expired cards

    expect(received).toEqual(expected) // deep equality

  ● checkout › summary › shows the total with tax

    TypeError: Cannot read properties of undefined (reading 'rate')

Summary of all failing tests
FAIL src/checkout/__tests__/payment.test.ts
  ● checkout › payment › declines expired cards

    expect(received).toEqual(expected) // deep equality

Test Suites: 1 failed, 1 passed, 2 total
Tests:       2 failed, 1 skipped, 1 todo, 2 passed, 6 total
Snapshots:   0 total
Time:        2.871 s
Ran all test suites.
`

func TestJestNamesFailedTestsWithTheirSuitesOnce(t *testing.T) {
	o := parsed(parseJest, jestVerbose)

	require.Equal(t, []string{"checkout › payment › declines expired cards", "checkout › summary › shows the total with tax"}, o.failed.names)
	require.True(t, o.failing)
}

func TestJestCountsFromItsTestsLine(t *testing.T) {
	o := parsed(parseJest, jestVerbose)

	require.Equal(t, Counts{Known: true, Passed: 2, Failed: 2, Skipped: 1}, o.counts)
}

func TestJestFallsBackOnTheTreeWithoutDetails(t *testing.T) {
	o := parsed(parseJest, "FAIL src/a.test.js\n  sum\n    × subtracts (2 ms)\n    ✕ divides\n")

	require.Equal(t, []string{"subtracts", "divides"}, o.failed.names)
}

func TestJestFailsOnASuiteThatDoesNotRunWithoutNamingATest(t *testing.T) {
	o := parsed(parseJest, ` FAIL  src/legacy/__tests__/format.test.js
  ● Test suite failed to run

    Cannot find module '../format' from 'src/legacy/__tests__/format.test.js'

Test Suites: 1 failed, 3 passed, 4 total
Tests:       38 passed, 38 total
`)

	require.Empty(t, o.failed.names)
	require.True(t, o.failing)
	require.Equal(t, Counts{Known: true, Passed: 38}, o.counts)
}

func TestJestTakesNothingFromOtherToolsCheckMarksAndTimes(t *testing.T) {
	o := parsed(parseJest, "✓ 106 modules transformed.\n✓ built in 1.85s\nTime: 18342ms\n")

	require.Zero(t, o.evidence)
}
