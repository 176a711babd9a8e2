package tracker

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbottest"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/post"
)

// streakBuildbot answers build 7 (#4) of builder 1 on main with result, and before it, newest
// first: #3 and #2 failed, #1 passed; #2 built Bob's change abc123.
func streakBuildbot(t *testing.T, result buildbot.Result, reads *int64) *buildbot.Client {
	return buildbottest.NewClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		atomic.AddInt64(reads, 1)
		q := r.URL.Query()
		switch path := r.URL.Path; {
		case path == "/api/v2/buildrequests":
			_, _ = fmt.Fprintf(w, `{"buildrequests":[{"buildrequestid":1,"claimed":true,"complete":true,"results":%d}]}`, result)
		case path == "/api/v2/builds" && q.Get("buildid__lt") == "7":
			_, _ = fmt.Fprint(w, `{"builds":[
				{"buildid":6,"number":3,"builderid":1,"complete":true,"results":2,"complete_at":7000,"properties":{"branch":["main","x"]}},
				{"buildid":9,"number":9,"builderid":1,"complete":true,"results":0,"properties":{"branch":["other","x"]}},
				{"buildid":5,"number":2,"builderid":1,"complete":true,"results":2,"complete_at":3600,"properties":{"branch":["main","x"],"got_revision":["abc1234567890def","x"]}},
				{"buildid":4,"number":1,"builderid":1,"complete":true,"results":0,"complete_at":1000,"properties":{"branch":["main","x"]}}]}`)
		case path == "/api/v2/builds":
			_, _ = fmt.Fprintf(w, `{"builds":[{"buildid":7,"number":4,"builderid":1,"buildrequestid":1,"complete":true,"results":%d,"started_at":7100,"complete_at":7200}]}`, result)
		case path == "/api/v2/builds/5/changes":
			_, _ = fmt.Fprint(w, `{"changes":[{"changeid":12,"author":"Carol <carol@example.com>"},{"changeid":11,"author":"Bob <bob@example.com>"}]}`)
		default:
			_, _ = fmt.Fprint(w, `{"steps":[],"logs":[],"test_result_sets":[]}`)
		}
	}))
}

func streakRow(t *testing.T, result buildbot.Result, previous buildbot.Result) (post.Row, string, int64) {
	t.Helper()
	var reads int64
	bb := streakBuildbot(t, result, &reads)
	store, posts := tracking(1)
	store.m["post000"].Props.Branch = "main"
	store.results[resultKey(bb.Fingerprint(), 1, "main")] = previous
	tr := &Tracker{Store: store, Posts: posts, ActionURL: "/x", BotID: "bot", Users: people{"bob@example.com": "bob"}}
	require.NoError(t, tr.Tick(context.Background(), bb, Options{LinkBase: "https://ci/", MentionAuthors: true}))
	props, ok := post.Decode(posts.posts["post000"])
	require.True(t, ok)
	return props.Rows[0], posts.posts["post000"].Message, reads
}

// A failure after failures says since which build the branch fails, how long, and which change
// by whom failed first, so the channel knows whether it is theirs.
func TestAFailureAfterFailuresSaysSinceWhenAndWhoseChangeFailedFirst(t *testing.T) {
	row, message, _ := streakRow(t, buildbot.Failure, buildbot.Failure)

	require.Equal(t, &post.Broken{Number: 2, URL: "https://ci/#/builders/1/builds/2", At: 3600, Failures: 2, Revision: "abc123456789", Author: "bob"}, row.BrokenSince)
	require.Contains(t, message, "failing since [#2](https://ci/#/builders/1/builds/2), 1h0m0s and 2 builds before this one; it first failed with `abc123456789` by @bob")
}

// A success after failures says how long the branch was broken.
func TestASuccessAfterFailuresSaysHowLongItWasBroken(t *testing.T) {
	_, message, _ := streakRow(t, buildbot.Success, buildbot.Failure)

	require.Contains(t, message, "fixed after 2 failed builds since [#2](https://ci/#/builders/1/builds/2) (1h0m0s)")
}

// After a success there is no run of failures to find, and nothing more is read of Buildbot.
func TestAResultAfterASuccessReadsNothingMore(t *testing.T) {
	row, message, reads := streakRow(t, buildbot.Success, buildbot.Success)

	require.Nil(t, row.BrokenSince)
	require.NotContains(t, message, "since")
	require.EqualValues(t, 2, reads, "the tick's two reads")
}

// Without leave to mention authors, the first failure names its revision but nobody.
func TestTheFirstFailureNamesNobodyWithoutLeaveToMentionAuthors(t *testing.T) {
	var reads int64
	bb := streakBuildbot(t, buildbot.Failure, &reads)
	store, posts := tracking(1)
	store.m["post000"].Props.Branch = "main"
	store.results[resultKey(bb.Fingerprint(), 1, "main")] = buildbot.Failure
	tr := &Tracker{Store: store, Posts: posts, ActionURL: "/x", BotID: "bot", Users: people{"bob@example.com": "bob"}}
	require.NoError(t, tr.Tick(context.Background(), bb, Options{LinkBase: "https://ci/"}))

	message := posts.posts["post000"].Message
	require.Contains(t, message, "it first failed with `abc123456789`")
	require.False(t, strings.Contains(message, "@bob"), message)
}
