package buildlog

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const unittestPy311 = `test_a (test_m.T.test_a) ... FAIL
test_b (test_m.T.test_b) ... ERROR
test_c (test_m.T.test_c) ... skipped 'no'
test_d (test_m.T.test_d) ... 
  test_d (test_m.T.test_d) (i=2) ... FAIL
test_e (test_m.T.test_e) ... expected failure
test_error_handling (test_m.T.test_error_handling) ... ok

======================================================================
ERROR: test_b (test_m.T.test_b)
----------------------------------------------------------------------
Traceback (most recent call last):
  File "/build/test_m.py", line 4, in test_b
    def test_b(self): raise ValueError("x")
ValueError: x

======================================================================
FAIL: test_a (test_m.T.test_a)
----------------------------------------------------------------------
Traceback (most recent call last):
  File "/build/test_m.py", line 3, in test_a
    def test_a(self): self.assertEqual(1, 2)
AssertionError: 1 != 2

======================================================================
FAIL: test_d (test_m.T.test_d) (i=2)
----------------------------------------------------------------------
Traceback (most recent call last):
  File "/build/test_m.py", line 10, in test_d
    self.assertTrue(i < 2)
AssertionError: False is not true

----------------------------------------------------------------------
Ran 6 tests in 0.002s

FAILED (failures=2, errors=1, skipped=1, expected failures=1)
`

func TestUnittestNamesFailedTestsByTheirIDOnce(t *testing.T) {
	o := parsed(parseUnittest, unittestPy311)

	require.Equal(t, []string{"test_m.T.test_a", "test_m.T.test_b", "test_m.T.test_d"}, o.failed.names)
	require.True(t, o.failing)
}

func TestUnittestCountsWhatRanFromItsVerdict(t *testing.T) {
	o := parsed(parseUnittest, unittestPy311)

	// 6 run: 2 failures and 1 error failed, 1 skipped, 1 expected failure in none.
	require.Equal(t, Counts{Known: true, Passed: 1, Failed: 3, Skipped: 1}, o.counts)
}

func TestUnittestQualifiesPython310HeadersWithTheirClass(t *testing.T) {
	o := parsed(parseUnittest, `======================================================================
FAIL: test_escapes_dollar (mailer.tests.test_render.RenderTests)
----------------------------------------------------------------------
======================================================================
ERROR: setUpClass (mailer.tests.test_db.DbTests)
----------------------------------------------------------------------
`)

	require.Equal(t, []string{"mailer.tests.test_render.RenderTests.test_escapes_dollar", "mailer.tests.test_db.DbTests.setUpClass"}, o.failed.names)
}

func TestUnittestNamesAModuleThatFailedToImportByTheModule(t *testing.T) {
	o := parsed(parseUnittest, `ERROR: test_render (unittest.loader._FailedTest.test_render)
----------------------------------------------------------------------
ImportError: Failed to import test module: test_render
`)

	require.Equal(t, []string{"test_render"}, o.failed.names)
}

func TestUnittestTakesAnOKVerdictOnlyAfterRan(t *testing.T) {
	o := parsed(parseUnittest, "OK\nRan 12 tests in 0.5s\n\nOK (skipped=2)\n")

	require.Equal(t, Counts{Known: true, Passed: 10, Skipped: 2}, o.counts)
	require.False(t, o.failing)
}

func TestUnittestDoesNotReadPipErrorsAsTests(t *testing.T) {
	o := parsed(parseUnittest, "ERROR: Could not find a version that satisfies the requirement foo==9 (from versions: none)\n")

	require.Empty(t, o.failed.names)
	require.Zero(t, o.evidence)
}

const trialOutput = `buildbot.test.unit.test_mail
  TestMail
    test_subject ...                                                     [FAIL]
    test_body ...                                                          [OK]
===============================================================================
[SKIPPED]
Test requires the 'txrequests' package

buildbot.test.unit.test_http.TestHttp.test_get
===============================================================================
[FAIL]
Traceback (most recent call last):
  File "/build/buildbot/test/unit/test_mail.py", line 88, in test_subject
    self.assertEqual(m['Subject'], 'Buildbot FAILURE')
twisted.trial.unittest.FailTest: 'Buildbot failure' != 'Buildbot FAILURE'

buildbot.test.unit.test_mail.TestMail.test_subject
===============================================================================
[ERROR]
Traceback (most recent call last):
  File "/build/buildbot/reporters/utils.py", line 93, in getDetailsForBuild
    build['worker'] = workers[build['workerid']]['workername']
builtins.KeyError

buildbot.test.unit.test_utils.TestUtils.test_worker_missing
buildbot.test.unit.test_utils.TestUtils.test_worker_offline
-------------------------------------------------------------------------------
Ran 6 tests in 0.208s

FAILED (skips=1, failures=1, errors=2, successes=2)
`

func TestTrialNamesTheTestsListedAtTheEndOfFailAndErrorBlocks(t *testing.T) {
	o := parsed(parseUnittest, trialOutput)

	require.Equal(t, []string{
		"buildbot.test.unit.test_mail.TestMail.test_subject",
		"buildbot.test.unit.test_utils.TestUtils.test_worker_missing",
		"buildbot.test.unit.test_utils.TestUtils.test_worker_offline",
	}, o.failed.names)
}

func TestTrialCountsSuccessesAsPassed(t *testing.T) {
	o := parsed(parseUnittest, trialOutput)

	require.Equal(t, Counts{Known: true, Passed: 2, Failed: 3, Skipped: 1}, o.counts)
}

func TestTrialDoesNotTakeABareExceptionNameForATest(t *testing.T) {
	// "builtins.KeyError" above is followed by a blank line, so it is no test id.
	o := parsed(parseUnittest, trialOutput)

	require.NotContains(t, o.failed.names, "builtins.KeyError")
}

func TestTrialNamesTheTestsOfABlockTheLogEndsIn(t *testing.T) {
	cut, _, found := strings.Cut(trialOutput, "-----")
	require.True(t, found)

	o := parsed(parseUnittest, cut)

	require.Contains(t, o.failed.names, "buildbot.test.unit.test_utils.TestUtils.test_worker_offline")
}
