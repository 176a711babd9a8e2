package buildlog

import (
	"testing"

	"github.com/stretchr/testify/require"
)

const surefire2 = `[INFO] -------------------------------------------------------
[INFO]  T E S T S
[INFO] -------------------------------------------------------
[INFO] Running com.acme.ledger.TransferServiceTest
[ERROR] Tests run: 9, Failures: 1, Errors: 1, Skipped: 2, Time elapsed: 0.214 s <<< FAILURE! - in com.acme.ledger.TransferServiceTest
[ERROR] rejectsOverdraft(com.acme.ledger.TransferServiceTest)  Time elapsed: 0.012 s  <<< FAILURE!
java.lang.AssertionError: expected:<REJECTED> but was:<PENDING>

[ERROR] auditsReversal(com.acme.ledger.TransferServiceTest)  Time elapsed: 0.003 s  <<< ERROR!
java.lang.NullPointerException

[INFO] Running com.acme.ledger.CurrencyTest
[INFO] Tests run: 16, Failures: 0, Errors: 0, Skipped: 0, Time elapsed: 0.007 s - in com.acme.ledger.CurrencyTest
[INFO] 
[INFO] Results:
[INFO] 
[ERROR] Failures: 
[ERROR]   TransferServiceTest.rejectsOverdraft:58 expected:<REJECTED> but was:<PENDING>
[ERROR] Errors: 
[ERROR]   TransferServiceTest.auditsReversal:97 » NullPointer
[INFO] 
[ERROR] Tests run: 25, Failures: 1, Errors: 1, Skipped: 2
`

func TestMavenNamesFailedTestsWithTheirFullClassOnce(t *testing.T) {
	o := parsed(parseMaven, surefire2)

	require.Equal(t, []string{"com.acme.ledger.TransferServiceTest.rejectsOverdraft", "com.acme.ledger.TransferServiceTest.auditsReversal"}, o.failed.names)
	require.True(t, o.failing)
}

func TestMavenCountsFromTheModulesTotalsNotAgainFromItsClasses(t *testing.T) {
	o := parsed(parseMaven, surefire2)

	require.Equal(t, Counts{Known: true, Passed: 21, Failed: 2, Skipped: 2}, o.counts)
}

func TestMavenAddsUpTheTotalsOfEachModule(t *testing.T) {
	o := parsed(parseMaven, "[WARNING] Tests run: 54, Failures: 0, Errors: 0, Skipped: 2\n[ERROR] Tests run: 31, Failures: 0, Errors: 1, Skipped: 0\n")

	require.Equal(t, Counts{Known: true, Passed: 82, Failed: 1, Skipped: 2}, o.counts)
}

func TestMavenCountsFromClassesWhenNoModuleFinished(t *testing.T) {
	o := parsed(parseMaven, "[ERROR] Tests run: 4, Failures: 1, Errors: 0, Skipped: 0, Time elapsed: 0.052 s <<< FAILURE! -- in com.acme.InvoiceTest\n")

	require.Equal(t, Counts{Known: true, Passed: 3, Failed: 1}, o.counts)
}

func TestMavenReadsSurefire3sFailedTests(t *testing.T) {
	o := parsed(parseMaven, `[ERROR] Tests run: 4, Failures: 1, Errors: 0, Skipped: 0, Time elapsed: 0.052 s <<< FAILURE! -- in com.acme.billing.InvoiceTest
[ERROR] com.acme.billing.InvoiceTest.totalIncludesTax -- Time elapsed: 0.011 s <<< FAILURE!
[ERROR] com.acme.billing.InvoiceTest.rounds(int)[2] -- Time elapsed: 0.001 s <<< FAILURE!
`)

	require.Equal(t, []string{"com.acme.billing.InvoiceTest.totalIncludesTax", "com.acme.billing.InvoiceTest.rounds(int)[2]"}, o.failed.names)
}

func TestMavenQualifiesAMethodPrintedWithoutItsClass(t *testing.T) {
	// Surefire 2's JUnit 5 provider names only the method.
	o := parsed(parseMaven, `[ERROR] Tests run: 2, Failures: 1, Errors: 0, Skipped: 0, Time elapsed: 0.05 s <<< FAILURE! - in com.acme.FooTest
[ERROR] testBar  Time elapsed: 0.01 s  <<< FAILURE!
`)

	require.Equal(t, []string{"com.acme.FooTest.testBar"}, o.failed.names)
}

func TestMavenFallsBackOnTheResultsLists(t *testing.T) {
	o := parsed(parseMaven, `[ERROR] Failures: 
[ERROR]   InvoiceTest.totalIncludesTax:31 expected: <1190> but was: <1100>
[ERROR]   InvoiceTest.roundsHalfEven:48->check:60 expected: <5> but was: <4>
[ERROR] Errors: 
[ERROR]   AccountControllerIT.createsAccount » IllegalState Failed to load ApplicationContext
[INFO] 
`)

	require.Equal(t, []string{"InvoiceTest.totalIncludesTax", "InvoiceTest.roundsHalfEven", "AccountControllerIT.createsAccount"}, o.failed.names)
}

func TestMavenIsNotRecognisedInABuildThatRanNoTests(t *testing.T) {
	o := parsed(parseMaven, `[INFO] --- compiler:3.11.0:compile (default-compile) @ billing ---
[ERROR] COMPILATION ERROR : 
[ERROR] /build/src/main/java/com/acme/Invoice.java:[17,16] cannot find symbol
Running migrations
`)

	require.Zero(t, o.evidence)
}
