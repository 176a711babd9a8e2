package buildlog

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// firstErrorOf is the first error Analyze finds in a log's lines.
func firstErrorOf(t *testing.T, lines ...string) []string {
	t.Helper()
	return Analyze(strings.Join(lines, "\n")).FirstError
}

func TestLinesThatOnlyMentionErrorsAreNone(t *testing.T) {
	for _, line := range []string{
		"gcc -O2 -Wall -Werror -Werror=format-security -c src/errors.c -o src/errors.o",
		"error_count=0",
		"Compiled with 0 errors and 2 warnings",
		"Error: 0",
		"Error: 0, Warning: 2",
		"ok  \tgithub.com/acme/ledger/internal/errors\t0.012s",
		"github.com/acme/ledger/internal/errors",
		"--- PASS: TestErrorHandling (0.00s)",
		"tests/test_api.py::test_error_handling PASSED                          [ 50%]",
		"test_error_handling (tests.test_api.ApiTest) ... ok",
		"test tests::parses_error_handling ... ok",
		"   Compiling thiserror v1.0.58",
		"-- Looking for strerror_r - found",
		"Downloading from central: https://repo.maven.apache.org/maven2/com/google/errorprone/error_prone_annotations/2.18.0/error_prone_annotations-2.18.0.pom",
		"  PYTHONWARNINGS=error::DeprecationWarning",
		"npm WARN deprecated inflight@1.0.6: This module is not supported",
		"ERROR: pip's dependency resolver does not currently take into account all the packages that are installed.",
		"+ echo 'FATAL: only when the checksum differs'",
		"  ● Console",
		"10:21:31.402 [main] ERROR com.acme.Service - transfer rejected (error_code=E_FUNDS)",
		"    Error: request failed with status 503, retrying",
		"Errors while running CTest",
		"6/6 Test #6: disabled_one .....................***Not Run (Disabled)   0.00 sec",
		"level=error msg=\"retrying\"",
	} {
		require.Nil(t, firstErrorOf(t, "make", line, "done"), line)
	}
}

func TestEachKindOfErrorIsFound(t *testing.T) {
	for _, line := range []string{
		"src/ring.c:6:13: error: unused variable 'unused' [-Werror=unused-variable]",
		"src/com/acme/Invoice.java:17: error: cannot find symbol",
		"collect2: error: ld returned 1 exit status",
		"gcc: fatal error: no input files",
		"error[E0308]: mismatched types",
		"error: could not compile `tally` (lib) due to 2 previous errors",
		"./x.go:3:2: undefined: y",
		"internal/store/store.go:5:2: \"fmt\" imported and not used",
		"src/api/client.ts(42,7): error TS2322: Type 'string' is not assignable to type 'number'.",
		"src/api/client.ts:42:7 - error TS2322: Type 'string' is not assignable to type 'number'.",
		"e: file:///build/src/Main.kt:14:9 Unresolved reference: ledgerClient",
		"main.c:(.text+0x1e): undefined reference to `compute'",
		"/usr/bin/ld: cannot find -lproj",
		"CMake Error at CMakeLists.txt:5 (find_package):",
		"Traceback (most recent call last):",
		"panic: runtime error: index out of range [3] with length 3",
		"fatal error: all goroutines are asleep - deadlock!",
		"WARNING: DATA RACE",
		"--- FAIL: TestSplit (0.00s)",
		"    --- FAIL: TestSplit/remainder (0.00s)",
		"FAIL\texample.com/ledger/internal/money\t0.006s",
		"thread 'tests::trims_names' panicked at src/lib.rs:39:9:",
		"thread 'tests::trims_names' (5885) panicked at src/lib.rs:39:9:",
		"E       assert 4 == 5",
		"FAILED tests/test_a.py::test_broken - assert 4 == 5",
		"FAIL: test_a (test_m.T.test_a)",
		"ERROR: test_b (test_m.T.test_b)",
		"[FAIL]",
		"  ● Cart › applies percentage discounts",
		"  ● Test suite failed to run",
		" FAIL  src/cart/cart.test.ts > Cart > applies percentage discounts",
		"InvoiceTest > totalIncludesTax() FAILED",
		"FAILURE: Build failed with an exception.",
		"2/6 Test #2: parser_bad .......................***Failed    0.00 sec",
		"[  FAILED  ] Bearing.West (0 ms)",
		"/src/test_bearing.cpp:4: Failure",
		"[ERROR] Failed to execute goal on project billing: Could not resolve dependencies",
		"testBar(com.acme.FooTest)  Time elapsed: 0.01 sec  <<< FAILURE!",
		"Exception in thread \"main\" java.lang.IllegalStateException: ledger and bank disagree",
		"java.lang.NullPointerException",
		"ModuleNotFoundError: No module named 'psycopg2'",
		"Error: connect ECONNREFUSED 127.0.0.1:5432",
		"npm ERR! code ERESOLVE",
		"npm error code 1",
		"error Command failed with exit code 1.",
		" ERR_PNPM_RECURSIVE_RUN_FIRST_FAIL  @acme/web@0.9.0 test: `vitest run`",
		"make: *** [Makefile:11: src/ring.o] Error 1",
		"make[1]: *** No rule to make target 'proto/ledger.pb.go', needed by 'build'.  Stop.",
		"FATAL: SDK checksum mismatch",
		"[FATAL] cannot open config",
		"2024-05-14 10:21:33 FATAL database unreachable",
		"fatal: not a git repository (or any of the parent directories): .git",
		"./run.sh: line 12:  6846 Segmentation fault      ./bench",
		"bash: line 1: yarnpkg: command not found",
		"/bin/sh: 1: yarnpkg: not found",
		"FAILED: CMakeFiles/tiler.dir/src/tile.cpp.o ",
		"acme-sdk.tar.gz: FAILED",
		"ERROR: No matching distribution found for acme-ledger-client==3.2.0",
		"ERROR in ./src/index.tsx 7:0-30",
		"command timed out: 1200 seconds without output running [b'pytest'], attempting to kill",
	} {
		require.Equal(t, []string{line}, firstErrorOf(t, "", line, ""), line)
	}
}

func TestTheFirstErrorIsTheEarliestNotTheLoudest(t *testing.T) {
	got := Analyze(strings.Join([]string{
		"cc -c src/ring.c -o src/ring.o",
		"src/ring.c:6:13: error: unused variable 'unused'",
		"make: *** [Makefile:11: src/ring.o] Error 1",
	}, "\n"))

	require.Equal(t, 0, got.FirstErrorLine)
	require.Equal(t, "src/ring.c:6:13: error: unused variable 'unused'", got.FirstError[1])
}

func TestTheFirstErrorKeepsTwoLinesOfContextUpToABlankLine(t *testing.T) {
	require.Equal(t, []string{"b", "c", "panic: x"}, firstErrorOf(t, "a", "b", "c", "panic: x"))
	require.Equal(t, []string{"c", "panic: x"}, firstErrorOf(t, "a", "", "c", "panic: x"))
	require.Equal(t, []string{"panic: x"}, firstErrorOf(t, "panic: x"))
}

func TestATracebackRunsThroughItsException(t *testing.T) {
	got := firstErrorOf(t, "",
		"Traceback (most recent call last):",
		`  File "deploy.py", line 6, in load`,
		"    with open(path) as f:",
		"FileNotFoundError: [Errno 2] No such file or directory: 'manifest.json'",
		"",
		"The above exception was the direct cause of the following exception:",
	)

	require.Equal(t, "FileNotFoundError: [Errno 2] No such file or directory: 'manifest.json'", got[len(got)-1])
}

func TestAGoPanicRunsIntoItsGoroutines(t *testing.T) {
	got := firstErrorOf(t, "",
		"panic: runtime error: invalid memory address or nil pointer dereference",
		"[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x49e735]",
		"",
		"goroutine 1 [running]:",
		"main.main()",
		"\t/build/cmd/migrate/main.go:20 +0x75",
		"exit status 2",
		"",
		"make: done",
	)

	require.Equal(t, "exit status 2", got[len(got)-1])
}

func TestAGoTestFailureTakesItsLogAndPanicButNotTheNextTest(t *testing.T) {
	got := firstErrorOf(t, "",
		"--- FAIL: TestHeader (0.00s)",
		"    parse_test.go:12: setting up",
		"panic: runtime error: index out of range [3] with length 3 [recovered]",
		"\tpanic: runtime error: index out of range [3] with length 3",
		"",
		"goroutine 6 [running]:",
	)
	require.Len(t, got, 4)

	got = firstErrorOf(t, "=== RUN   TestA", "    a_test.go:3: got 1", "--- FAIL: TestA (0.00s)", "=== RUN   TestB", "--- PASS: TestB (0.00s)")
	require.Equal(t, []string{"=== RUN   TestA", "    a_test.go:3: got 1", "--- FAIL: TestA (0.00s)"}, got)
}

func TestJestDetailsRunOverBlankLinesToTheNextTest(t *testing.T) {
	got := firstErrorOf(t, "",
		"  ● Cart › applies percentage discounts",
		"",
		"    Expected: 90",
		"    Received: 90.00000000000001",
		"",
		"  ● Cart › rejects negative quantities",
	)

	require.Equal(t, []string{"  ● Cart › applies percentage discounts", "", "    Expected: 90", "    Received: 90.00000000000001"}, got)
}

func TestPytestsExplanationStopsAtTheNextFailure(t *testing.T) {
	got := firstErrorOf(t, "",
		"    assert \"A-1\" not in stock.items",
		"E   AssertionError: assert 'A-1' not in {'A-1': 0}",
		"E    +  where {'A-1': 0} = <Stock>.items",
		"___________________ test_value_rounds_to_cents[prices1-1.67] ___________________",
		"E   AssertionError: assert '1.665' == '1.67'",
	)

	require.Len(t, got, 3)
}

func TestGradlesReportRunsToItsAdvice(t *testing.T) {
	got := firstErrorOf(t, "",
		"FAILURE: Build failed with an exception.",
		"",
		"* What went wrong:",
		"Execution failed for task ':app:compileJava'.",
		"",
		"* Try:",
		"> Run with --scan to get full insights.",
	)

	require.Equal(t, "Execution failed for task ':app:compileJava'.", got[len(got)-1])
}

func TestCtestOutputEndsAtTheNextTest(t *testing.T) {
	got := firstErrorOf(t, "",
		"2/6 Test #2: bearing ..........................***Failed    0.00 sec",
		"/src/test_bearing.cpp:4: Failure",
		"    Start 3: polygon",
	)

	require.Len(t, got, 2)
}

func TestABlockEndsAtBuildbotsFooter(t *testing.T) {
	got := firstErrorOf(t, "", "FATAL: no disk", "program finished with exit code 1", "elapsedTime=1.2")

	require.Equal(t, []string{"FATAL: no disk"}, got)
}

func TestTheFirstErrorIsCappedAtFifteenLinesWithItsContext(t *testing.T) {
	lines := []string{"x", "y", "Traceback (most recent call last):"}
	for i := range 40 {
		lines = append(lines, fmt.Sprintf(`  File "f.py", line %d, in g`, i))
	}

	got := firstErrorOf(t, lines...)

	require.Len(t, got, maxBlock)
	require.Equal(t, "x", got[0])
}
