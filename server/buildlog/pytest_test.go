package buildlog

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// parsed runs a parser on a log as Analyze prepares it.
func parsed(parse func([]string) outcome, log string) outcome {
	return parse(forMatchingAll(splitLines(log)))
}

const pytestDefault = `============================= test session starts ==============================
platform linux -- Python 3.11.7, pytest-8.2.0, pluggy-1.5.0
rootdir: /build
collected 10 items

tests/test_a.py ..Fs..FExF                                               [100%]

==================================== ERRORS ====================================
________________________ ERROR at setup of test_uses_db ________________________

    @pytest.fixture
    def db():
>       raise RuntimeError("cannot connect to db")
E       RuntimeError: cannot connect to db

tests/test_a.py:16: RuntimeError
=================================== FAILURES ===================================
_________________________________ test_broken __________________________________

    def test_broken():
>       assert helper(2) == 5
E       assert 4 == 5

tests/test_a.py:8: AssertionError
_______________________________ TestThing.test_m _______________________________

>   def test_m(self): assert {"a": 1} == {"a": 2}
E   AssertionError: assert {'a': 1} == {'a': 2}

tests/test_a.py:21: AssertionError
=========================== short test summary info ============================
FAILED tests/test_a.py::test_broken - assert 4 == 5
FAILED tests/test_a.py::TestThing::test_m - AssertionError: assert {'a': 1} =...
ERROR tests/test_a.py::test_uses_db - RuntimeError: cannot connect to db
========== 2 failed, 4 passed, 1 skipped, 1 xfailed, 1 error in 0.05s ==========
`

func TestPytestNamesEachFailedTestOnceFromItsShortSummary(t *testing.T) {
	o := parsed(parsePytest, pytestDefault)

	require.Equal(t, []string{"tests/test_a.py::test_broken", "tests/test_a.py::TestThing::test_m", "tests/test_a.py::test_uses_db"}, o.failed.names)
	require.True(t, o.failing)
}

func TestPytestCountsErrorsAsFailedAndLeavesXfailOut(t *testing.T) {
	o := parsed(parsePytest, pytestDefault)

	require.Equal(t, Counts{Known: true, Passed: 4, Failed: 3, Skipped: 1}, o.counts)
}

func TestPytestTakesNamesFromVerboseResultsWithoutRepeatingThem(t *testing.T) {
	o := parsed(parsePytest, `tests/test_a.py::test_ok PASSED                                          [ 25%]
tests/test_a.py::test_db SKIPPED (needs db)                              [ 50%]
tests/test_a.py::test_double[3-7] FAILED                                 [ 75%]
tests/test_a.py::test_uses_db ERROR                                      [100%]
=========================== short test summary info ============================
FAILED tests/test_a.py::test_double[3-7] - assert 6 == 7
ERROR tests/test_a.py::test_uses_db - RuntimeError: cannot connect to db
==================== 1 failed, 1 passed, 1 skipped, 1 error in 0.04s ====================
`)

	require.Equal(t, []string{"tests/test_a.py::test_double[3-7]", "tests/test_a.py::test_uses_db"}, o.failed.names)
}

func TestPytestReadsXdistResults(t *testing.T) {
	o := parsed(parsePytest, `[gw0] [ 50%] PASSED tests/test_a.py::test_ok
[gw1] [100%] FAILED tests/test_a.py::test_broken
`)

	require.Equal(t, []string{"tests/test_a.py::test_broken"}, o.failed.names)
}

func TestPytestFallsBackOnFailureHeadersWhenNoNodeIDIsPrinted(t *testing.T) {
	o := parsed(parsePytest, `..F.E                                                                    [100%]
==================================== ERRORS ====================================
____________________ ERROR collecting tests/test_report.py _____________________
E   ModuleNotFoundError: No module named 'inventory.report'
=================================== FAILURES ===================================
_______________________ test_value_rounds_to_cents[p1] ________________________
E   AssertionError: assert '1.665' == '1.67'
_______________ test_take ________________
E   assert 1 == 2
1 failed, 3 passed, 1 error in 0.01s
`)

	require.Equal(t, []string{"tests/test_report.py", "test_value_rounds_to_cents[p1]", "test_take"}, o.failed.names)
	require.Equal(t, Counts{Known: true, Passed: 3, Failed: 2}, o.counts)
}

func TestPytestIgnoresUnderlinedTitlesOutsideItsFailureSections(t *testing.T) {
	o := parsed(parsePytest, `___ Release notes ___
================================ warnings summary ================================
___ not_a_test ___
========================= 5 passed, 1 warning in 0.10s =========================
`)

	require.Empty(t, o.failed.names)
	require.False(t, o.failing)
	require.Equal(t, Counts{Known: true, Passed: 5}, o.counts)
}

func TestPytestNamesAModuleThatFailedToImport(t *testing.T) {
	o := parsed(parsePytest, `=========================== short test summary info ============================
ERROR tests/test_report.py
!!!!!!!!!!!!!!!!!!!! Interrupted: 1 error during collection !!!!!!!!!!!!!!!!!!!!
=============================== 1 error in 0.12s ===============================
`)

	require.Equal(t, []string{"tests/test_report.py"}, o.failed.names)
	require.Equal(t, Counts{Known: true, Failed: 1}, o.counts)
}

func TestPytestAddsUpTheTotalsOfSeveralSessions(t *testing.T) {
	o := parsed(parsePytest, "2 failed, 3 passed, 1 skipped in 0.03s\n==== 1 failed, 10 passed in 1.20s (0:00:01) ====\n")

	require.Equal(t, Counts{Known: true, Passed: 13, Failed: 3, Skipped: 1}, o.counts)
}

func TestPytestDoesNotTakeOtherToolsTimingsForTotals(t *testing.T) {
	o := parsed(parsePytest, "==== built 3 targets in 2.1s ====\n4 files changed in 0.2s\n")

	require.False(t, o.counts.Known)
	require.Zero(t, o.evidence)
}
