package buildlog

import (
	"testing"

	"github.com/stretchr/testify/require"
)

const cargoOutput = `     Running unittests src/lib.rs (target/debug/deps/tally-fce0cb1f790c1353)

running 5 tests
test tests::adds ... ok
test tests::parses_error_handling ... ok
test tests::slow_fuzz ... ignored
test tests::trims_names ... FAILED

failures:

---- tests::trims_names stdout ----

thread 'tests::trims_names' panicked at src/lib.rs:39:9:
assertion ` + "`left == right`" + ` failed
    left: Some((" carol ", 4))

failures:
    tests::trims_names

test result: FAILED. 2 passed; 1 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.00s

   Doc-tests tally

running 1 test
test src/lib.rs - add (line 5) ... FAILED

failures:

---- src/lib.rs - add (line 5) stdout ----
Test executable failed (exit status: 101).

failures:
    src/lib.rs - add (line 5)

test result: FAILED. 0 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.08s

error: doctest failed, to rerun pass ` + "`--doc`" + `
`

func TestCargoNamesEachFailedTestOnceDoctestsIncluded(t *testing.T) {
	o := parsed(parseCargo, cargoOutput)

	require.Equal(t, []string{"tests::trims_names", "src/lib.rs - add (line 5)"}, o.failed.names)
	require.True(t, o.failing)
}

func TestCargoAddsUpTheTotalsOfEachTestBinary(t *testing.T) {
	o := parsed(parseCargo, cargoOutput)

	require.Equal(t, Counts{Known: true, Passed: 2, Failed: 2, Skipped: 1}, o.counts)
}

func TestCargoDoesNotTakeIndentedOutputForTheFailuresList(t *testing.T) {
	// The panic's "    left: …" is in the test's output, not in the list.
	o := parsed(parseCargo, cargoOutput)

	require.NotContains(t, o.failed.names, `left: Some((" carol ", 4))`)
}

func TestCargoReadsTheFailuresListAlone(t *testing.T) {
	o := parsed(parseCargo, "failures:\n    tests::a\n    tests::b\n\ntest result: FAILED. 0 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out\n")

	require.Equal(t, []string{"tests::a", "tests::b"}, o.failed.names)
}
