package tracker

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbottest"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/post"
)

// failedBuildbot answers for build 7 of builder 1, failed in step 1 with the given log and test
// result sets, and for the build before it on the builder, build 6 with its result and sets.
// A results read of a pass_fail set must ask for the failed ones ("0").
func failedBuildbot(t *testing.T, log, sets7, sets6 string, before buildbot.Result, results map[string]string) *buildbot.Client {
	return buildbottest.NewClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		switch path := r.URL.Path; {
		case path == "/api/v2/buildrequests":
			_, _ = fmt.Fprint(w, `{"buildrequests":[{"buildrequestid":1,"claimed":true,"complete":true,"results":2}]}`)
		case path == "/api/v2/builds" && q.Get("buildid__lt") == "7":
			_, _ = fmt.Fprintf(w, `{"builds":[{"buildid":6,"number":3,"builderid":1,"complete":true,"results":%d,"properties":{"branch":["main","Force Build Form"]}}]}`, before)
		case path == "/api/v2/builds":
			_, _ = fmt.Fprint(w, failedBuild)
		case strings.HasSuffix(path, "/steps"):
			_, _ = fmt.Fprint(w, `{"steps":[{"number":1,"name":"test","results":2}]}`)
		case strings.HasSuffix(path, "/steps/1/logs"):
			id := strings.Split(path, "/")[4]
			_, _ = fmt.Fprintf(w, `{"logs":[{"logid":%s0,"slug":"stdio","type":"s","num_lines":%d}]}`, id, strings.Count(log, "\n")+1)
		case strings.HasPrefix(path, "/api/v2/logs/"):
			content := "o" + strings.ReplaceAll(log, "\n", "\no") + "\n"
			_, _ = fmt.Fprintf(w, `{"logchunks":[{"firstline":0,"content":%q}]}`, content)
		case path == "/api/v2/builds/7/test_result_sets":
			_, _ = fmt.Fprintf(w, `{"test_result_sets":[%s]}`, sets7)
		case path == "/api/v2/builds/6/test_result_sets":
			_, _ = fmt.Fprintf(w, `{"test_result_sets":[%s]}`, sets6)
		case strings.HasPrefix(path, "/api/v2/test_result_sets/"):
			if q.Get("value__eq") != "0" {
				t.Errorf("results read without asking for the failed ones: %s", r.URL)
			}
			_, _ = fmt.Fprintf(w, `{"test_results":[%s]}`, results[strings.Split(path, "/")[4]])
		default:
			http.NotFound(w, r)
		}
	}))
}

func failedRow(t *testing.T, bb *buildbot.Client) (post.Row, *memPosts) {
	t.Helper()
	store, posts := tracking(1)
	store.m["post000"].Props.Branch = "main"
	tr := &Tracker{Store: store, Posts: posts, ActionURL: "/x", BotID: "bot"}
	require.NoError(t, tr.Tick(context.Background(), bb, Options{LinkBase: "https://ci/", Reply: true, LogLines: 20}))
	props, ok := post.Decode(posts.posts["post000"])
	require.True(t, ok)
	require.Len(t, posts.replies, 1)
	return props.Rows[0], posts
}

// The test results Buildbot holds name the failed tests, each new or already failing against the
// build before on the builder and branch.
func TestAFailedBuildShowsBuildbotsTestResultsNewAndAlreadyFailing(t *testing.T) {
	set := func(id, failed int) string {
		return fmt.Sprintf(`{"test_result_setid":%d,"builderid":1,"category":"pass_fail","value_unit":"boolean","tests_passed":10,"tests_failed":%d,"complete":true}`, id, failed)
	}
	bb := failedBuildbot(t, "tests/test_parse.py::test_parse_empty FAILED", set(5, 2), set(4, 1), buildbot.Failure, map[string]string{
		"5": `{"test_resultid":1,"test_name":"test_parse_empty","value":"0"},{"test_resultid":2,"test_name":"test_render_unicode","value":"0"}`,
		"4": `{"test_resultid":1,"test_name":"test_parse_empty","value":"0"}`,
	})

	row, posts := failedRow(t, bb)

	require.Equal(t, &post.Tests{From: post.TestsFromBuildbot, Counted: true, Passed: 10, Failed: 2, Failing: []post.FailingTest{
		{Name: "test_parse_empty", Since: post.SinceBefore}, {Name: "test_render_unicode", Since: post.SinceNew}}}, row.Tests)
	require.Contains(t, posts.posts["post000"].Message, "2 failed, 10 passed")
	require.Contains(t, posts.replies[0].Message, "- `test_render_unicode` (new)")
}

// Without test results in Buildbot, the failed step's log names the failed tests, and the reply
// quotes its first error before its end.
func TestAFailedBuildWithoutTestResultsTakesThemFromItsLog(t *testing.T) {
	log := strings.Join([]string{
		"=== RUN   TestWidthOfASCII",
		"--- PASS: TestWidthOfASCII (0.00s)",
		"=== RUN   TestWidthOfUnicode",
		"    widget_test.go:13: Width(\"héllo\") = 6, want 5",
		"--- FAIL: TestWidthOfUnicode (0.00s)",
		"FAIL",
		"FAIL\texample.com/widget\t0.004s",
		"FAIL",
	}, "\n")
	bb := failedBuildbot(t, log, "", "", buildbot.Success, nil)

	row, posts := failedRow(t, bb)

	require.NotNil(t, row.Tests)
	require.Equal(t, "go test", row.Tests.From)
	require.Equal(t, []post.FailingTest{{Name: "TestWidthOfUnicode", Since: post.SinceNew}}, row.Tests.Failing)
	require.Contains(t, posts.replies[0].Message, "TestWidthOfUnicode")
}
