package tracker

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbottest"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/post"
)

// fakeBuildbot answers request 1 as claimed and request 2 as failed, with the given builds, and
// counts requests.
func fakeBuildbot(t *testing.T, requests *int64, builds string) *buildbot.Client {
	return fakeBuildbotWith(t, requests, `{"buildrequests":[{"buildrequestid":1,"claimed":true},{"buildrequestid":2,"complete":true,"results":2}]}`, builds)
}

func fakeBuildbotWith(t *testing.T, requests *int64, buildRequests, builds string) *buildbot.Client {
	return buildbottest.NewClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		atomic.AddInt64(requests, 1)
		switch r.URL.Path {
		case "/api/v2/buildrequests":
			_, _ = io.WriteString(w, buildRequests)
		case "/api/v2/builds":
			_, _ = io.WriteString(w, builds)
		case "/api/v2/builds/7/steps":
			_, _ = io.WriteString(w, `{"steps":[{"number":0,"name":"checkout","results":0},{"number":1,"name":"compile","results":2}]}`)
		case "/api/v2/builds/7/steps/1/logs":
			_, _ = io.WriteString(w, `{"logs":[{"logid":70,"name":"stdio","slug":"stdio","type":"s","num_lines":6}]}`)
		case "/api/v2/logs/70/contents":
			_, _ = io.WriteString(w, `{"logchunks":[{"firstline":0,"content":"hsh -c make\nocompile line 1\nocompile line 2\neerror: broken\nhprogram finished with exit code 1\nhelapsedTime=0.01\n"}]}`)
		default:
			if strings.HasPrefix(r.URL.Path, "/api/v2/builds/") && strings.HasSuffix(r.URL.Path, "/steps") {
				_, _ = io.WriteString(w, `{"steps":[{"number":0,"name":"checkout","complete":true,"results":0},{"number":1,"name":"compile"},{"number":2,"name":"hidden","hidden":true}]}`)
				return
			}
			http.NotFound(w, r)
		}
	}))
}

var opts = Options{LinkBase: "https://ci/", Reply: true, LogLines: 20}

const runningBuild = `{"builds":[{"buildid":5,"number":3,"builderid":1,"buildrequestid":1,"state_string":"compile","started_at":100}]}`

func tracking(n int) (*memStore, *memPosts) {
	store, posts := newMemStore(), &memPosts{posts: map[string]*model.Post{}}
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("post%03d", i)
		props := post.Props{Repo: "app", RequestedBy: "alice", Rows: []post.Row{{Builder: "b", BuilderID: 1, RequestID: 1, State: post.StateQueued}}}
		store.m[id] = &Tracked{ID: id, PostID: id, ChannelID: "c", Props: props}
		posts.posts[id] = &model.Post{Id: id}
	}
	return store, posts
}

// A tick reads build requests and builds once each, from the oldest request followed, however
// many distinct requests it follows. The builds have finished: a running build's steps cost reads
// of their own, within a budget (TestStepReadsStayWithinABudgetAndEveryBuildTakesItsTurn).
func TestATickCostsTheSameRequestsForOneOrFiveHundredBuilds(t *testing.T) {
	counts := map[int]int64{}
	for _, n := range []int{1, 500} {
		var reads int64
		bb := pagedBuildbot(t, &reads, n, every(requestFinished))
		store, posts := tracking(n)
		for i := range n {
			store.m[fmt.Sprintf("post%03d", i)].Props.Rows[0].RequestID = i + 1
		}
		tr := &Tracker{Store: store, Posts: posts, ActionURL: "/x"}

		if err := tr.Tick(context.Background(), bb, opts); err != nil {
			t.Fatal(err)
		}
		counts[n] = reads
		if posts.updates != n {
			t.Errorf("%d tracked: %d posts updated", n, posts.updates)
		}
		// Each post shows its own request's build: the one read held them all.
		for id, p := range posts.posts {
			props, _ := post.Decode(p)
			if row := props.Rows[0]; row.State != post.StateSuccess || row.BuildID != row.RequestID+1000 {
				t.Errorf("%d tracked: %s shows request %d as %s with build %d", n, id, row.RequestID, row.State, row.BuildID)
			}
		}
	}
	if counts[1] != counts[500] || counts[1] != 2 {
		t.Fatalf("reads of Buildbot per tick: %v", counts)
	}
}

// Request states pagedBuildbot can give a request.
const (
	requestQueued    = "queued"    // unclaimed, no build
	requestRunning   = "running"   // claimed, its build running
	requestFinished  = "finished"  // claimed, complete, its build succeeded
	requestCancelled = "cancelled" // claimed and cancelled before a build
)

// pagedBuildbot holds requests 1 to n in the state stateOf gives each, and the build of each
// request that started, numbered 1000 more than its request so the two are not confused. It
// answers the range, claimed and buildid filters and the limits the tracker asks for as Buildbot
// does.
func pagedBuildbot(t *testing.T, reads *int64, n int, stateOf func(id int) string) *buildbot.Client {
	return buildbottest.NewClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		atomic.AddInt64(reads, 1)
		q := r.URL.Query()
		from, to, limit, afterBuild := 1, n, n, 0
		_, _ = fmt.Sscan(q.Get("buildrequestid__ge"), &from)
		_, _ = fmt.Sscan(q.Get("buildrequestid__le"), &to)
		_, _ = fmt.Sscan(q.Get("limit"), &limit)
		_, _ = fmt.Sscan(q.Get("buildid__gt"), &afterBuild)
		var items []string
		for id := max(from, 1); id <= min(to, n) && len(items) < limit; id++ {
			state := stateOf(id)
			done := ""
			switch state {
			case requestFinished:
				done = `,"complete":true,"results":0`
			case requestCancelled:
				done = `,"complete":true,"results":6`
			}
			if r.URL.Path == "/api/v2/buildrequests" {
				if state != requestQueued || q.Get("claimed__eq") != "true" {
					items = append(items, fmt.Sprintf(`{"buildrequestid":%d,"builderid":1,"claimed":%t%s}`, id, state != requestQueued, done))
				}
			} else if (state == requestRunning || state == requestFinished) && id+1000 > afterBuild {
				items = append(items, fmt.Sprintf(`{"buildid":%d,"number":%d,"builderid":1,"buildrequestid":%d%s}`, id+1000, id, id, done))
			}
		}
		switch r.URL.Path {
		case "/api/v2/buildrequests":
			_, _ = fmt.Fprintf(w, `{"buildrequests":[%s]}`, strings.Join(items, ","))
		case "/api/v2/builds":
			_, _ = fmt.Fprintf(w, `{"builds":[%s]}`, strings.Join(items, ","))
		default:
			http.NotFound(w, r)
		}
	}))
}

func every(state string) func(int) string { return func(int) string { return state } }

// Builds waiting for a worker are most of what a busy team follows. A tick asks Buildbot only for
// the requests it claimed, so ten thousand queued builds cost the same two reads and two empty
// replies as one, and the few that moved since show it: started, finished, cancelled, or handed
// back to the queue when their build was retried.
func TestQueuedBuildsCostTwoReadsHoweverManyAreFollowed(t *testing.T) {
	const n = 10000
	states := map[int]string{}
	var reads int64
	bb := pagedBuildbot(t, &reads, n, func(id int) string {
		if s, ok := states[id]; ok {
			return s
		}
		return requestQueued
	})
	store, posts := tracking(n)
	for i := range n {
		store.m[fmt.Sprintf("post%03d", i)].Props.Rows[0].RequestID = i + 1
	}
	tr := &Tracker{Store: store, Posts: posts, ActionURL: "/x"}
	// The first tick shows each post as its entry holds it; the next has nothing to show.
	require.NoError(t, tr.Tick(context.Background(), bb, opts))
	shown := posts.updates
	reads = 0
	require.NoError(t, tr.Tick(context.Background(), bb, opts))
	require.EqualValues(t, 2, reads)
	require.Equal(t, shown, posts.updates, "nothing moved")

	states[10], states[20], states[30], states[40] = requestRunning, requestFinished, requestCancelled, requestRunning
	reads = 0
	require.NoError(t, tr.Tick(context.Background(), bb, opts))
	// The two reads, and the steps of the two running builds.
	require.LessOrEqual(t, reads, int64(2+stepReadsPerTick))
	shows := func(id int) post.State {
		props, ok := post.Decode(posts.posts[fmt.Sprintf("post%03d", id-1)])
		require.True(t, ok)
		return props.Rows[0].State
	}
	require.Equal(t, post.StateBuilding, shows(10))
	require.Equal(t, post.StateSuccess, shows(20))
	require.Equal(t, post.StateCancelled, shows(30))
	require.Equal(t, post.StateQueued, shows(50))

	// Request 40's build was retried: Buildbot handed the request back to wait for a worker.
	delete(states, 40)
	require.NoError(t, tr.Tick(context.Background(), bb, opts))
	require.Equal(t, post.StateQueued, shows(40))
	require.Equal(t, post.StateBuilding, shows(10))
}

// More requests started within a window than a page holds: the tick reads on, page by page, and
// misses none.
func TestAWindowWithMoreStartedRequestsThanAPageIsReadPageByPage(t *testing.T) {
	const n = 2500
	var reads int64
	bb := pagedBuildbot(t, &reads, n, every(requestFinished))
	store, posts := tracking(3)
	for i, id := range []int{1, 1200, n} {
		store.m[fmt.Sprintf("post%03d", i)].Props.Rows[0].RequestID = id
	}
	tr := &Tracker{Store: store, Posts: posts, ActionURL: "/x"}
	require.NoError(t, tr.Tick(context.Background(), bb, opts))
	for id, p := range posts.posts {
		props, ok := post.Decode(p)
		require.True(t, ok)
		if row := props.Rows[0]; row.State != post.StateSuccess || row.BuildID != row.RequestID+1000 {
			t.Errorf("%s shows request %d as %s with build %d", id, row.RequestID, row.State, row.BuildID)
		}
	}
	// One window, three pages of requests and three of builds.
	require.EqualValues(t, 6, reads)
}

// A request stuck in a queue for days, with thousands run since, must not hide the newer ones.
func TestFollowedRequestsFurtherApartThanAPageAreAllRead(t *testing.T) {
	var reads int64
	bb := pagedBuildbot(t, &reads, 6000, every(requestRunning))
	store, posts := tracking(3)
	for i, id := range []int{1, 4200, 5000} {
		store.m[fmt.Sprintf("post%03d", i)].Props.Rows[0].RequestID = id
	}
	tr := &Tracker{Store: store, Posts: posts, ActionURL: "/x"}

	if err := tr.Tick(context.Background(), bb, Options{LinkBase: "https://ci/"}); err != nil {
		t.Fatal(err)
	}

	for id, p := range posts.posts {
		if props, _ := post.Decode(p); props.Rows[0].State != post.StateBuilding {
			t.Errorf("%s (request %d) is %s", id, props.Rows[0].RequestID, props.Rows[0].State)
		}
	}
	// Two windows (1, and 4200 with 5000), two reads each, and the step reads of three builds.
	if reads > 2*2+stepReadsPerTick {
		t.Fatalf("%d reads", reads)
	}
}

func TestWindows(t *testing.T) {
	tests := []struct {
		ids  []int
		open []int
		want []window
	}{
		{[]int{7}, nil, []window{{7, 7}}},
		{[]int{9, 3, 5}, nil, []window{{3, 9}}},
		{[]int{1, 1000, 1999}, nil, []window{{1, 1999}}},
		{[]int{1, 1001}, nil, []window{{1, 1}, {1001, 1001}}},
		{[]int{1, 5000, 5001}, []int{5001}, []window{{1, 1}, {5000, 0}}},
		{[]int{1, 2, 5000}, []int{2}, []window{{1, 0}, {5000, 5000}}},
	}
	for _, tt := range tests {
		open := map[int]bool{}
		for _, id := range tt.open {
			open[id] = true
		}
		if got := windows(tt.ids, open); !slices.Equal(got, tt.want) {
			t.Errorf("windows(%v, open %v) = %v, want %v", tt.ids, tt.open, got, tt.want)
		}
	}
}

// Steps are listed per build only; their reads have a fixed budget per tick, and builds take
// turns so that every running build's progress moves.
func TestStepReadsStayWithinABudgetAndEveryBuildTakesItsTurn(t *testing.T) {
	const n = 500
	var builds strings.Builder
	builds.WriteString(`{"builds":[`)
	store, posts := newMemStore(), &memPosts{posts: map[string]*model.Post{}}
	for i := 1; i <= n; i++ {
		if i > 1 {
			builds.WriteString(",")
		}
		fmt.Fprintf(&builds, `{"buildid":%d,"number":%d,"builderid":1,"buildrequestid":%d,"started_at":100}`, 1000+i, i, i)
		id := fmt.Sprintf("post%03d", i)
		props := post.Props{Repo: "app", RequestedBy: "alice", Rows: []post.Row{{Builder: "b", BuilderID: 1, RequestID: i, State: post.StateQueued}}}
		store.m[id] = &Tracked{ID: id, PostID: id, ChannelID: "c", Props: props}
		posts.posts[id] = &model.Post{Id: id}
	}
	builds.WriteString("]}")
	var list []string
	for i := 1; i <= n; i++ {
		list = append(list, fmt.Sprintf(`{"buildrequestid":%d,"claimed":true}`, i))
	}
	var requests int64
	bb := fakeBuildbotWith(t, &requests, `{"buildrequests":[`+strings.Join(list, ",")+`]}`, builds.String())
	tr := &Tracker{Store: store, Posts: posts, ActionURL: "/x"}

	ticks := 0
	for ; ticks < n; ticks++ {
		before := atomic.LoadInt64(&requests)
		_ = tr.Tick(context.Background(), bb, opts)
		if cost := atomic.LoadInt64(&requests) - before; cost > 2+stepReadsPerTick {
			t.Fatalf("tick %d read %d times", ticks, cost)
		}
		if allHaveSteps(store) {
			break
		}
	}
	if !allHaveSteps(store) {
		t.Fatal("some running builds never had their steps read")
	}
	if ticks > n/(stepReadsPerTick-2)+1 {
		t.Fatalf("%d ticks to read every build's steps", ticks)
	}
	row := store.m["post001"].Props.Rows[0]
	if row.Step != "compile" || row.StepsDone != 1 || row.StepsTotal != 2 {
		t.Fatalf("row %+v", row)
	}
	if !strings.Contains(posts.posts["post001"].Message, "building (step 2/2: compile)") {
		t.Fatalf("message %q", posts.posts["post001"].Message)
	}
}

func allHaveSteps(store *memStore) bool {
	for _, tr := range store.m {
		if tr.Props.Rows[0].Step == "" {
			return false
		}
	}
	return true
}

func TestATickMovesQueuedToBuildingAndOnlyEditsPostsThatChange(t *testing.T) {
	var requests int64
	bb := fakeBuildbot(t, &requests, runningBuild)
	store, posts := tracking(1)
	tr := &Tracker{Store: store, Posts: posts, ActionURL: "/x"}

	_ = tr.Tick(context.Background(), bb, opts)
	_ = tr.Tick(context.Background(), bb, opts)

	p := posts.posts["post000"]
	if posts.updates != 1 || !strings.Contains(p.Message, "[b #3](https://ci/#/builders/1/builds/3): building (step 2/2: compile)") {
		t.Fatalf("%d updates, message %q", posts.updates, p.Message)
	}
	if store.m["post000"] == nil {
		t.Fatal("a running build stopped being tracked")
	}
}

// The Builds panel lists people's own builds from their status posts: a tick tells it when a post
// came to show another state, once, and not when only a step moved on.
func TestATickTellsWhenAPostShowsAnotherStateNotWhenOnlyItsStepMoves(t *testing.T) {
	for _, tc := range []struct {
		name string
		row  post.Row
		told int
	}{
		{"queued, then building", post.Row{Builder: "b", BuilderID: 1, RequestID: 1, State: post.StateQueued}, 1},
		{"building, a step further", post.Row{Builder: "b", BuilderID: 1, RequestID: 1, State: post.StateBuilding, BuildID: 5, Number: 3,
			Step: "checkout", StartedAt: 100, URL: "https://ci/#/builders/1/builds/3"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var requests int64
			bb := fakeBuildbot(t, &requests, runningBuild)
			store, posts := tracking(1)
			tracked := store.m["post000"]
			tracked.Props.Rows = []post.Row{tc.row}
			post.Apply(posts.posts["post000"], tracked.Props, "/x", i18n.English())
			told := 0
			tr := &Tracker{Store: store, Posts: posts, ActionURL: "/x", PostsChanged: func() { told++ }}

			require.NoError(t, tr.Tick(context.Background(), bb, opts))
			require.NoError(t, tr.Tick(context.Background(), bb, opts))

			require.Equal(t, 1, posts.updates, "the post shows the step")
			require.Contains(t, posts.posts["post000"].Message, "compile")
			require.Equal(t, tc.told, told)
		})
	}
}

func TestAFailedBuildEndsTrackingAndRepliesWithTheLogTail(t *testing.T) {
	var requests int64
	bb := fakeBuildbot(t, &requests, `{"builds":[{"buildid":7,"number":4,"builderid":1,"buildrequestid":1,"complete":true,"results":2,"started_at":100,"complete_at":130}]}`)
	store, posts := tracking(1)
	tr := &Tracker{Store: store, Posts: posts, ActionURL: "/x", BotID: "bot"}

	_ = tr.Tick(context.Background(), bb, Options{LinkBase: "https://ci/", Reply: true, LogLines: 2})

	if len(store.m) != 0 {
		t.Fatal("a finished build is still tracked")
	}
	if !strings.Contains(posts.posts["post000"].Message, ":x: **app**: failure") {
		t.Fatalf("message %q", posts.posts["post000"].Message)
	}
	if len(posts.replies) != 1 {
		t.Fatalf("replies %v", posts.replies)
	}
	reply := posts.replies[0]
	want := "@alice [b #4](https://ci/#/builders/1/builds/4) failure in step **compile**:\n```\ncompile line 2\nerror: broken\n```\n[Full log](https://ci/#/builders/1/builds/4/steps/1/logs/stdio)"
	if reply.RootId != "post000" || reply.UserId != "bot" || reply.Message != want {
		t.Fatalf("reply %q", reply.Message)
	}
	props, _ := post.Decode(posts.posts["post000"])
	if row := props.Rows[0]; row.FailedStep != "compile" || row.LogURL != "https://ci/#/builders/1/builds/4/steps/1/logs/stdio" {
		t.Fatalf("row %+v", row)
	}
}

func TestADeletedPostEndsItsTrackingQuietly(t *testing.T) {
	var requests int64
	bb := fakeBuildbot(t, &requests, runningBuild)
	store, posts := tracking(1)
	delete(posts.posts, "post000")
	tr := &Tracker{Store: store, Posts: posts, ActionURL: "/x"}

	_ = tr.Tick(context.Background(), bb, opts)

	if len(store.m) != 0 || posts.updates != 0 {
		t.Fatalf("store %v, updates %d", store, posts.updates)
	}
}

func TestAnUnreachableBuildbotIsSaidAfterRepeatedFailuresAndClearedAfter(t *testing.T) {
	down, err := buildbot.New(buildbot.Options{BaseURL: "http://127.0.0.1:9/"})
	if err != nil {
		t.Fatal(err)
	}
	store, posts := tracking(1)
	tr := &Tracker{Store: store, Posts: posts, ActionURL: "/x"}

	for i := 0; i < unreachableAfter; i++ {
		if err := tr.Tick(context.Background(), down, opts); err == nil {
			t.Fatal("a tick against a stopped Buildbot succeeded")
		}
	}
	if !strings.Contains(posts.posts["post000"].Message, "Buildbot unreachable since") {
		t.Fatalf("message %q", posts.posts["post000"].Message)
	}

	var requests int64
	_ = tr.Tick(context.Background(), fakeBuildbot(t, &requests, runningBuild), opts)
	if strings.Contains(posts.posts["post000"].Message, "unreachable") {
		t.Fatalf("message %q", posts.posts["post000"].Message)
	}
}

func TestBuildsFromAnotherBuildbotAreLetGoNotMatchedToItsIds(t *testing.T) {
	var requests int64
	// Request 1 on this Buildbot is running build 5; the tracked request 1 is another Buildbot's.
	bb := fakeBuildbot(t, &requests, runningBuild)
	store, posts := tracking(2)
	store.m["post000"].Props.Source = "another-buildbot"
	store.m["post001"].Props.Source = bb.Fingerprint()
	tr := &Tracker{Store: store, Posts: posts, ActionURL: "/x"}

	if err := tr.Tick(context.Background(), bb, opts); err != nil {
		t.Fatal(err)
	}

	if _, followed := store.m["post000"]; followed {
		t.Fatal("a build from another Buildbot is still followed")
	}
	foreign := posts.posts["post000"]
	props, _ := post.Decode(foreign)
	if !props.Unfollowed || props.Rows[0].State != post.StateUnfollowed || props.Rows[0].BuildID != 0 {
		t.Fatalf("props %+v", props)
	}
	if !strings.Contains(foreign.Message, "No longer followed: the plugin now uses another Buildbot") {
		t.Fatalf("message %q", foreign.Message)
	}
	if actions := foreign.Attachments()[0].Actions; len(actions) != 0 {
		t.Fatalf("buttons on a build the plugin cannot act on: %+v", actions)
	}
	if props, _ := post.Decode(posts.posts["post001"]); props.Rows[0].State != post.StateBuilding {
		t.Fatalf("this Buildbot's build: %+v", props.Rows[0])
	}
}

// A tick that waited for its turn while the settings changed holds the Buildbot they named
// before: the builds it takes for another Buildbot's are those of the Buildbot in use now.
func TestATickWithTheBuildbotOfOldSettingsLetsNothingGo(t *testing.T) {
	var requests int64
	old := fakeBuildbot(t, &requests, runningBuild)
	store, posts := tracking(1)
	store.m["post000"].Props.Source = "the-buildbot-named-now"
	tr := &Tracker{Store: store, Posts: posts, ActionURL: "/x"}

	if err := tr.Tick(context.Background(), old, Options{LinkBase: "https://ci/", InUse: func() string { return "the-buildbot-named-now" }}); err != nil {
		t.Fatal(err)
	}

	if store.m["post000"] == nil || posts.updates != 0 {
		t.Fatalf("a build of the Buildbot in use was let go: %+v, %d updates", store.m["post000"], posts.updates)
	}
}

func TestBuildsFromAnotherBuildbotStayWhileTheNewOneDoesNotAnswer(t *testing.T) {
	down, err := buildbot.New(buildbot.Options{BaseURL: "http://127.0.0.1:9/"})
	if err != nil {
		t.Fatal(err)
	}
	store, posts := tracking(1)
	store.m["post000"].Props.Source = "the-buildbot-before-a-mistyped-address"
	tr := &Tracker{Store: store, Posts: posts, ActionURL: "/x"}

	if err := tr.Tick(context.Background(), down, opts); err == nil {
		t.Fatal("a tick against a stopped Buildbot succeeded")
	}

	if store.m["post000"] == nil || store.m["post000"].Props.Unfollowed {
		t.Fatalf("a build was let go on an unanswered call: %+v", store.m["post000"])
	}
}

func TestNoFailureReplyWhenTheAdminTurnedItOff(t *testing.T) {
	var requests int64
	bb := fakeBuildbot(t, &requests, `{"builds":[{"buildid":7,"number":4,"builderid":1,"buildrequestid":1,"complete":true,"results":2}]}`)
	store, posts := tracking(1)
	tr := &Tracker{Store: store, Posts: posts, ActionURL: "/x", BotID: "bot"}

	_ = tr.Tick(context.Background(), bb, Options{LinkBase: "https://ci/", Reply: false, LogLines: 20})

	// Two reads for the tick, two to name the failed step and link its log, and for the failed
	// tests the post shows, one of the log and one of Buildbot's test results.
	if len(posts.replies) != 0 || requests != 6 {
		t.Fatalf("replies %v after %d requests", posts.replies, requests)
	}
}

func TestAChangesBuildsAreFoundByItsTag(t *testing.T) {
	var requests int64
	bb := fakeBuildbot(t, &requests, `{"builds":[
		{"buildid":5,"number":3,"builderid":1,"buildrequestid":1,"properties":{"mattermost_request":["other","Change"]}},
		{"buildid":6,"number":4,"builderid":1,"buildrequestid":2,"complete":true,"results":0,"properties":{"mattermost_request":["tag-1","Change"]}}]}`)
	store, posts := newMemStore(), &memPosts{posts: map[string]*model.Post{}}
	tr := &Tracker{Store: store, Posts: posts, ActionURL: "/x"}
	p := &model.Post{ChannelId: "c"}
	props := post.Props{Repo: "app", RequestedBy: "alice", BuildbotURL: "https://ci/", ChangeID: 9}
	post.Apply(p, props, "/x", i18n.English())
	if err := tr.Announce(p, &Tracked{Tag: "tag-1", AfterRequest: 0, Props: props}); err != nil {
		t.Fatal(err)
	}

	_ = tr.Tick(context.Background(), bb, opts)

	msg := posts.posts[p.Id].Message
	if !strings.Contains(msg, ":white_check_mark: **app**: success · requested by @alice · from [change 9](https://ci/#/changes/9)") || !strings.Contains(msg, "[builder 1 #4](https://ci/#/builders/1/builds/4): success") {
		t.Fatalf("message %q", msg)
	}
	if len(store.m) != 0 {
		t.Fatal("a finished change is still tracked")
	}
}

func TestAChangeThatStartsNothingIsGivenUpOn(t *testing.T) {
	var requests int64
	bb := fakeBuildbot(t, &requests, `{"builds":[]}`)
	store, posts := newMemStore(), &memPosts{posts: map[string]*model.Post{"p": {Id: "p"}}}
	tr := &Tracker{Store: store, Posts: posts, ActionURL: "/x"}
	store.m["p"] = &Tracked{ID: "p", PostID: "p", Tag: "tag-1", CreatedAt: time.Now().Add(-time.Hour).UnixMilli(),
		Props: post.Props{Repo: "app", RequestedBy: "alice", ChangeID: 9}}

	_ = tr.Tick(context.Background(), bb, opts)

	if !strings.Contains(posts.posts["p"].Message, "nothing built") || len(store.m) != 0 {
		t.Fatalf("message %q, store %v", posts.posts["p"].Message, store)
	}
}

func TestAnnounceStoresTheBuildBeforeItsPostExists(t *testing.T) {
	store, posts := newMemStore(), &memPosts{posts: map[string]*model.Post{}}
	tr := &Tracker{Store: store, Posts: posts, ActionURL: "/x"}
	posts.onCreate = func(p *model.Post) {
		if len(store.m) != 1 {
			t.Fatal("the post was made before the build was stored")
		}
		for _, stored := range store.m {
			if stored.PostID != "" || p.GetProp(TrackKey) != stored.ID {
				t.Fatalf("stored %+v, post props %v", stored, p.GetProps())
			}
		}
	}
	p := &model.Post{ChannelId: "c"}
	props := post.Props{Repo: "app", RequestedBy: "alice", Rows: []post.Row{{Builder: "b", BuilderID: 1, RequestID: 1, State: post.StateQueued}}}
	post.Apply(p, props, "/x", i18n.English())

	if err := tr.Announce(p, &Tracked{Props: props}); err != nil {
		t.Fatal(err)
	}
	for _, stored := range store.m {
		if stored.PostID != p.Id || stored.Shown != post.Digest(props) {
			t.Fatalf("stored %+v", stored)
		}
	}
}

// An entry without a post is an announcement a crash interrupted. The tick finds the post if it
// was made, and makes it if not: either way there is one post.
func TestATickFinishesAnInterruptedAnnouncement(t *testing.T) {
	props := post.Props{Repo: "app", RequestedBy: "alice", Rows: []post.Row{{Builder: "b", BuilderID: 1, RequestID: 1, State: post.StateQueued}}}
	old := time.Now().Add(-time.Minute).UnixMilli()
	for _, made := range []bool{false, true} {
		store, posts := newMemStore(), &memPosts{posts: map[string]*model.Post{}}
		store.m["t1"] = &Tracked{ID: "t1", ChannelID: "c", Props: props, CreatedAt: old}
		if made {
			p := &model.Post{Id: "made", ChannelId: "c", CreateAt: old + 10}
			post.Apply(p, props, "/x", i18n.English())
			p.AddProp(TrackKey, "t1")
			posts.posts[p.Id] = p
		}
		store.m["t2"] = &Tracked{ID: "t2", ChannelID: "c", Props: props, CreatedAt: time.Now().UnixMilli()}
		var requests int64
		tr := &Tracker{Store: store, Posts: posts, ActionURL: "/x", BotID: "bot"}

		_ = tr.Tick(context.Background(), fakeBuildbot(t, &requests, runningBuild), opts)

		if len(posts.posts) != 1 {
			t.Fatalf("made=%v: %d posts", made, len(posts.posts))
		}
		for id, p := range posts.posts {
			if store.m["t1"].PostID != id || !strings.Contains(p.Message, "building") || (!made && p.UserId != "bot") {
				t.Fatalf("made=%v: entry %+v, post %+v", made, store.m["t1"], p)
			}
		}
		if store.m["t2"].PostID != "" {
			t.Fatal("an announcement still in progress was taken over")
		}
	}
}

func TestOnlyEventsAboutTrackedBuildsCallForATick(t *testing.T) {
	store, posts := tracking(1)
	var requests int64
	tr := &Tracker{Store: store, Posts: posts, ActionURL: "/x"}
	event := func(key, m string) buildbot.Event { return buildbot.Event{Key: key, Message: []byte(m)} }

	if tr.Notice(event("builds/99/new", `{"buildrequestid":99}`)) != TickSoon {
		t.Fatal("before any tick, the tracker does not know what it waits on, so any build event counts")
	}
	_ = tr.Tick(context.Background(), fakeBuildbot(t, &requests, runningBuild), opts)

	for _, tc := range []struct {
		event buildbot.Event
		want  Need
	}{
		{event("buildrequests/1/complete", `{}`), TickSoon},
		{event("builds/5/finished", `{"buildrequestid":1}`), TickSoon},
		{event("builds/5/finished", `{"buildid":5,"buildrequestid":1,"complete":true,"results":0}`), TickNow},
		{event("steps/40/started", `{"buildid":5}`), TickSoon},
		{event("buildrequests/2/claimed", `{}`), NoTick},
		{event("builds/6/new", `{"buildrequestid":2}`), NoTick},
		{event("steps/41/started", `{"buildid":6}`), NoTick},
		{event("changes/3/new", `{}`), NoTick},
	} {
		if got := tr.Notice(tc.event); got != tc.want {
			t.Errorf("%s %s: %v", tc.event.Key, tc.event.Message, got)
		}
	}
	tr.noteSubscribed(true)
	if tr.Notice(event("builds/6/new", `{"buildrequestid":2}`)) != TickSoon {
		t.Fatal("while channels subscribe, a new build is news")
	}
	if tr.Notice(event("builds/6/finished", `{"buildid":6,"buildrequestid":2,"complete":true,"results":0}`)) != NoTick {
		t.Fatal("the end of a build nobody follows is not")
	}
	if changed := tr.steps.takeChanged(); !changed[5] || len(changed) != 1 {
		t.Fatalf("step hints %v", changed)
	}
}

// The result a build's finished event carries reaches the post without another read of Buildbot:
// that read is most of the time between Buildbot's event and the post.
func TestAResultFromAnEventIsShownWithoutReadingTheBuildAgain(t *testing.T) {
	var requests int64
	bb := fakeBuildbot(t, &requests, runningBuild)
	store, posts := tracking(1)
	tr := &Tracker{Store: store, Posts: posts, ActionURL: "/x"}
	_ = tr.Tick(context.Background(), bb, opts)
	var paths []string
	quiet := buildbottest.NewClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.URL.Path)
		http.Error(w, "no", http.StatusServiceUnavailable)
	}))
	event := buildbot.Event{Key: "builds/5/finished", Message: []byte(`{"buildid":5,"number":3,"builderid":1,"buildrequestid":1,"complete":true,"results":0,"state_string":"build successful","started_at":100,"complete_at":130}`)}

	if tr.Notice(event) != TickNow {
		t.Fatal("a followed build's result does not call for a tick at once")
	}
	if err := tr.Tick(context.Background(), quiet, opts); err != nil {
		t.Fatal(err)
	}

	if len(paths) != 0 {
		t.Fatalf("the tick read Buildbot: %v", paths)
	}
	props, _ := post.Decode(posts.posts["post000"])
	if row := props.Rows[0]; row.State != post.StateSuccess || row.BuildID != 5 || row.CompleteAt != 130 || row.StateString != "build successful" {
		t.Fatalf("row %+v", row)
	}
	if len(store.m) != 0 {
		t.Fatal("a finished build is still followed")
	}
}

// A result older than the build a row shows (its request was retried meanwhile) is left to the
// next tick's read, which finds the newer build.
func TestAnOlderBuildsResultDoesNotOverwriteARetry(t *testing.T) {
	var requests int64
	store, posts := tracking(1)
	tr := &Tracker{Store: store, Posts: posts, ActionURL: "/x"}
	_ = tr.Tick(context.Background(), fakeBuildbot(t, &requests, `{"builds":[{"buildid":4,"number":2,"builderid":1,"buildrequestid":1,"complete":true,"results":5},{"buildid":5,"number":3,"builderid":1,"buildrequestid":1,"state_string":"compile","started_at":100}]}`), opts)
	tr.Notice(buildbot.Event{Key: "builds/4/finished", Message: []byte(`{"buildid":4,"number":2,"builderid":1,"buildrequestid":1,"complete":true,"results":5}`)})
	before := requests

	_ = tr.Tick(context.Background(), fakeBuildbot(t, &requests, runningBuild), opts)

	if requests == before {
		t.Fatal("the tick did not read Buildbot")
	}
	props, _ := post.Decode(posts.posts["post000"])
	if row := props.Rows[0]; row.BuildID != 5 || row.State != post.StateBuilding {
		t.Fatalf("row %+v", row)
	}
}

// An announcement so slow that a tick takes it over must still leave one post: the tick claims the
// entry first, and the announcement, finding it claimed, gives way.
func TestATickTakingOverASlowAnnouncementLeavesOnePost(t *testing.T) {
	store, posts := newMemStore(), &memPosts{posts: map[string]*model.Post{}}
	tr := &Tracker{Store: store, Posts: posts, ActionURL: "/x", BotID: "bot"}
	var requests int64
	bb := fakeBuildbot(t, &requests, runningBuild)
	slow := true
	posts.onCreate = func(*model.Post) {
		if !slow {
			return
		}
		slow = false
		for _, stored := range store.m {
			stored.CreatedAt = time.Now().Add(-time.Minute).UnixMilli()
		}
		_ = tr.Tick(context.Background(), bb, opts)
	}
	p := &model.Post{ChannelId: "c"}
	props := post.Props{Repo: "app", RequestedBy: "alice", Rows: []post.Row{{Builder: "b", BuilderID: 1, RequestID: 1, State: post.StateQueued}}}
	post.Apply(p, props, "/x", i18n.English())

	if err := tr.Announce(p, &Tracked{Props: props}); err != nil {
		t.Fatal(err)
	}

	if len(posts.posts) != 1 {
		t.Fatalf("%d posts of one build", len(posts.posts))
	}
	for id := range posts.posts {
		for _, stored := range store.m {
			if stored.PostID != id {
				t.Fatalf("the build follows %s, the post left is %s", stored.PostID, id)
			}
		}
	}
}
