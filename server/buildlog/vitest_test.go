package buildlog

import (
	"testing"

	"github.com/stretchr/testify/require"
)

const vitestOutput = ` RUN  v1.6.0 /build

 ✓ src/utils/money.test.ts  (12 tests) 8ms
 ❯ src/cart/cart.test.ts  (8 tests | 2 failed) 14ms
   × Cart > applies percentage discounts
     → expected 90.00000000000001 to be 90 // Object.is equality
   × Cart > rejects negative quantities
     → expected [Function] to throw an error
 ❯ src/legacy/format.test.ts (0 test)

⎯⎯⎯⎯⎯⎯ Failed Suites 1 ⎯⎯⎯⎯⎯⎯

 FAIL  src/legacy/format.test.ts [ src/legacy/format.test.ts ]
Error: Failed to load url ../format (resolved id: ../format). Does the file exist?

⎯⎯⎯⎯⎯⎯ Failed Tests 2 ⎯⎯⎯⎯⎯⎯

 FAIL  src/cart/cart.test.ts > Cart > applies percentage discounts
AssertionError: expected 90.00000000000001 to be 90 // Object.is equality

 FAIL  |unit| src/cart/cart.test.ts > Cart > rejects negative quantities
AssertionError: expected [Function] to throw an error

 Test Files  2 failed | 1 passed (3)
      Tests  2 failed | 17 passed | 1 skipped | 2 todo (22)
   Start at  10:21:33
   Duration  3.41s
`

func TestVitestNamesFailedTestsByFileAndSuites(t *testing.T) {
	o := parsed(parseVitest, vitestOutput)

	require.Equal(t, []string{"src/cart/cart.test.ts > Cart > applies percentage discounts", "src/cart/cart.test.ts > Cart > rejects negative quantities"}, o.failed.names)
	require.True(t, o.failing)
}

func TestVitestCountsFromItsTestsLineLeavingTodosOut(t *testing.T) {
	o := parsed(parseVitest, vitestOutput)

	require.Equal(t, Counts{Known: true, Passed: 17, Failed: 2, Skipped: 1}, o.counts)
}

func TestVitestFallsBackOnTheTreeWithoutTheFailedTestsSection(t *testing.T) {
	o := parsed(parseVitest, " ❯ src/cart/cart.test.ts (8 tests | 1 failed) 14ms\n   × Cart > applies percentage discounts 3ms\n")

	require.Equal(t, []string{"Cart > applies percentage discounts"}, o.failed.names)
}

func TestVitestFailsOnAFileThatDoesNotLoadWithoutNamingATest(t *testing.T) {
	o := parsed(parseVitest, " FAIL  src/legacy/format.test.ts [ src/legacy/format.test.ts ]\n")

	require.Empty(t, o.failed.names)
	require.True(t, o.failing)
}

func TestVitestIsNotJestsSummary(t *testing.T) {
	o := parsed(parseVitest, "Tests:       2 failed, 41 passed, 43 total\n")

	require.False(t, o.counts.Known)
}
