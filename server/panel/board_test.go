package panel

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbottest"
)

// running is how many builds run on the fake Buildbot of boardBuildbot: more than one read of the
// board reads the steps of.
const running = stepReadsPerRead + 2

// boardBuildbot is a Buildbot on which builds 201 to 210 run on builder 1; builder 1's last builds
// on main failed twice (103, 102) after a success (101), and its last on dev succeeded (104);
// requests 301 and 302 of buildset 7 wait for builder 1, which one connected worker serves, and
// 303 of buildset 8 for builder 2; request 300 was claimed.
func boardBuildbot() *buildbottest.Server {
	var builds []string
	started := time.Now().Add(-time.Minute).Unix()
	for id := 201; id < 201+running; id++ {
		builds = append(builds, fmt.Sprintf(`{"buildid":%d,"number":%d,"builderid":1,"buildrequestid":%d,"complete":false,"results":null,"started_at":%d,"properties":{"branch":["main","x"],"buildername":["builder-1","Build"]}}`,
			id, id-200, id+200, started))
	}
	for _, b := range []struct {
		id     int
		branch string
		result buildbot.Result
	}{{104, "dev", buildbot.Success}, {103, "main", buildbot.Failure}, {102, "main", buildbot.Failure}, {101, "main", buildbot.Success}} {
		builds = append(builds, fmt.Sprintf(`{"buildid":%d,"number":%d,"builderid":1,"complete":true,"results":%d,"started_at":%d,"complete_at":%d,"properties":{"branch":[%q,"x"]}}`,
			b.id, b.id-100, b.result, started-3600, started-3000+int64(b.id), b.branch))
	}
	return &buildbottest.Server{
		Builds: `{"builds":[` + strings.Join(builds, ",") + `]}`,
		BuildRequests: `{"buildrequests":[{"buildrequestid":300,"buildsetid":6,"builderid":1,"claimed":true,"complete":false},
			{"buildrequestid":301,"buildsetid":7,"builderid":1,"claimed":false,"complete":false,"submitted_at":100},
			{"buildrequestid":302,"buildsetid":7,"builderid":1,"claimed":false,"complete":false,"submitted_at":100},
			{"buildrequestid":303,"buildsetid":8,"builderid":2,"claimed":false,"complete":false,"submitted_at":100}]}`,
		Buildsets: `{"buildsets":[{"bsid":7,"reason":"Requested by Ann <ann@example.com>","sourcestamps":[{"branch":"feature/x"}]},
			{"bsid":8,"reason":"The Nightly scheduler named \"nightly\" triggered this build","sourcestamps":[{"branch":"main"}]}]}`,
		Steps:        `{"steps":[{"number":0,"name":"checkout","complete":true},{"number":1,"name":"compile","complete":false},{"number":2,"name":"test","complete":false}]}`,
		BuildChanges: `{"changes":[{"changeid":9,"author":"Bob","revision":"def"},{"changeid":8,"author":"Ann <ann@example.com>","revision":"abc","comments":"Break it"}]}`,
		Workers:      []buildbot.Worker{buildbottest.Worker(1, true, 1)},
	}
}

func readerOf(bb *buildbot.Client) *Reader {
	return &Reader{Client: func() *buildbot.Client { return bb }, Timeout: func() time.Duration { return 5 * time.Second }}
}

// reads is how many times the fake was asked for each path.
func reads(bb *buildbottest.Server) map[string]int {
	bb.Mu.Lock()
	defer bb.Mu.Unlock()
	out := map[string]int{}
	for path, n := range bb.Reads {
		out[path] = n
	}
	return out
}

// buildReads counts the reads of one build's paths that end with suffix (/changes, /steps).
func buildReads(bb *buildbottest.Server, suffix string) int {
	n := 0
	for path, count := range reads(bb) {
		if strings.HasPrefix(path, "/api/v2/builds/") && strings.HasSuffix(path, suffix) {
			n += count
		}
	}
	return n
}

// newer asks for a board read after b: what the event that made a webapp ask says.
func newer(b *Board) time.Time {
	time.Sleep(2 * time.Millisecond)
	return b.ReadAt.Add(time.Millisecond)
}

func TestViewersAskingAtOnceShareOneReadOfBuildbot(t *testing.T) {
	bb := boardBuildbot()
	bb.ReadDelay = 30 * time.Millisecond
	r := readerOf(bb.Client(t))

	const viewers = 20
	boards := make([]*Board, viewers)
	var wg sync.WaitGroup
	for i := range viewers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, err := r.Get(context.Background(), time.Time{})
			if err != nil {
				t.Error(err)
			}
			boards[i] = b
		}()
	}
	wg.Wait()

	for _, b := range boards {
		require.Same(t, boards[0], b)
	}
	got := reads(bb)
	// Running and finished builds are two reads of builds, and their properties a third, by a
	// range of ids; the version is read once per Buildbot.
	require.Equal(t, 3, got["/api/v2/builds"])
	require.Equal(t, 1, got["/api/v2/buildrequests"])
	require.Equal(t, 1, got["/api/v2/workers"])
	require.Equal(t, 1, got["/config"])
}

func TestABoardAnswersFromMemoryUntilItIsOlderThanAskedFor(t *testing.T) {
	bb := boardBuildbot()
	r := readerOf(bb.Client(t))
	ctx := context.Background()
	first, err := r.Get(ctx, time.Time{})
	require.NoError(t, err)
	asked := bb.Requests.Load()

	t.Run("within MaxAge and no newer event, the board held answers", func(t *testing.T) {
		for _, after := range []time.Time{{}, first.ReadAt} {
			b, err := r.Get(ctx, after)
			require.NoError(t, err)
			require.Same(t, first, b)
		}
		require.Equal(t, asked, bb.Requests.Load(), "Buildbot was asked again")
	})
	t.Run("an event newer than the board reads Buildbot again", func(t *testing.T) {
		b, err := r.Get(ctx, newer(first))
		require.NoError(t, err)
		require.NotSame(t, first, b)
		require.True(t, b.ReadAt.After(first.ReadAt))
		require.Equal(t, 5, reads(bb)["/api/v2/builds"], "the builds' properties are read once")
		require.Equal(t, 1, reads(bb)["/config"], "the version is read once")
	})
	t.Run("a board older than MaxAge is read again", func(t *testing.T) {
		r.mu.Lock()
		old := *r.board
		old.ReadAt = time.Now().Add(-MaxAge - time.Millisecond)
		r.board = &old
		r.mu.Unlock()
		b, err := r.Get(ctx, time.Time{})
		require.NoError(t, err)
		require.NotSame(t, &old, b)
		require.Equal(t, 7, reads(bb)["/api/v2/builds"])
	})
	t.Run("a board of another Buildbot does not answer for the one the settings name now", func(t *testing.T) {
		other := boardBuildbot()
		client := other.Client(t)
		r.Client = func() *buildbot.Client { return client }
		b, err := r.Get(ctx, time.Time{})
		require.NoError(t, err)
		require.Equal(t, client.Fingerprint(), b.Source)
		require.Equal(t, 3, reads(other)["/api/v2/builds"], "another Buildbot's builds have their own properties")
		require.Equal(t, 1, reads(other)["/api/v2/buildsets/7"], "another Buildbot's buildset 7 is another buildset")
		require.Equal(t, 1, reads(other)["/api/v2/builds/102/changes"], "and its build 102 other changes")
	})
	t.Run("without a Buildbot set up there is no board", func(t *testing.T) {
		r.Client = func() *buildbot.Client { return nil }
		_, err := r.Get(ctx, time.Time{})
		require.ErrorIs(t, err, ErrNoBuildbot)
	})
}

func TestABuildbotThatFailsToAnswerIsAnErrorAndNoBoard(t *testing.T) {
	bb := boardBuildbot()
	bb.Down = true
	r := readerOf(bb.Client(t))
	ctx := context.Background()

	_, err := r.Get(ctx, time.Time{})
	var bbErr *buildbot.Error
	require.True(t, errors.As(err, &bbErr), "error %v", err)

	bb.Mu.Lock()
	bb.Down = false
	bb.Mu.Unlock()
	first, err := r.Get(ctx, time.Time{})
	require.NoError(t, err, "the failure was kept")
	require.Len(t, first.Running, running)

	bb.Mu.Lock()
	bb.Down = true
	bb.Mu.Unlock()
	_, err = r.Get(ctx, newer(first))
	require.True(t, errors.As(err, &bbErr), "a newer board was asked of a Buildbot that is down: %v", err)
	b, err := r.Get(ctx, time.Time{})
	require.NoError(t, err)
	require.Same(t, first, b, "the failed read replaced the board held")
}

func TestTheBoardHoldsWhatRunsWaitsAndIsRed(t *testing.T) {
	bb := boardBuildbot()
	r := readerOf(bb.Client(t))
	b, err := r.Get(context.Background(), time.Time{})
	require.NoError(t, err)

	require.Len(t, b.Running, running)
	require.Equal(t, 201, b.Running[0].BuildID)
	ids := []int{}
	for _, w := range b.Waiting {
		ids = append(ids, w.Request.BuildRequestID)
	}
	require.Equal(t, []int{301, 302, 303}, ids, "a claimed request waits no more")
	e, ok := b.Estimate(302)
	require.True(t, ok)
	require.Equal(t, 2, e.Place)
	require.True(t, e.Known, "builder 1 has a worker and finished builds")
	_, ok = b.Estimate(300)
	require.False(t, ok)

	require.Len(t, b.Streaks, 2)
	red := b.Streaks[1]
	require.Equal(t, "main", red.Branch)
	require.Equal(t, 2, red.Failures)
	require.Equal(t, 2, red.First.Number)
	require.False(t, b.Streaks[0].Red(), "dev")
}

func TestQueuedRequestsTakeTheirBuildsetsBranchAndReasonReadOncePerBuildset(t *testing.T) {
	bb := boardBuildbot()
	r := readerOf(bb.Client(t))
	ctx := context.Background()
	b, err := r.Get(ctx, time.Time{})
	require.NoError(t, err)

	got := map[int][2]string{}
	for _, w := range b.Waiting {
		got[w.Request.BuildRequestID] = [2]string{w.Branch, w.Reason}
	}
	require.Equal(t, map[int][2]string{
		301: {"feature/x", "Requested by Ann <ann@example.com>"},
		302: {"feature/x", "Requested by Ann <ann@example.com>"},
		303: {"main", `The Nightly scheduler named "nightly" triggered this build`},
	}, got)
	require.Equal(t, 1, reads(bb)["/api/v2/buildsets/7"])

	b, err = r.Get(ctx, newer(b))
	require.NoError(t, err)
	require.Equal(t, "feature/x", b.Waiting[0].Branch)
	require.Equal(t, 1, reads(bb)["/api/v2/buildsets/7"], "a buildset never changes: read once")
	require.Equal(t, 1, reads(bb)["/api/v2/buildsets/8"])
}

func TestARedStreakNamesTheOldestChangeOfItsFirstFailureReadOnce(t *testing.T) {
	bb := boardBuildbot()
	r := readerOf(bb.Client(t))
	ctx := context.Background()
	b, err := r.Get(ctx, time.Time{})
	require.NoError(t, err)

	red := b.Streaks[1]
	require.True(t, red.Red())
	require.NotNil(t, red.FirstChange)
	require.Equal(t, 8, red.FirstChange.ChangeID)
	require.Equal(t, "abc", red.FirstChange.Revision)
	require.Nil(t, b.Streaks[0].FirstChange, "a builder that is not red")
	require.Equal(t, 1, buildReads(bb, "/changes"), "only the first failure's changes are read")
	require.Equal(t, 1, reads(bb)["/api/v2/builds/102/changes"])

	b, err = r.Get(ctx, newer(b))
	require.NoError(t, err)
	require.Equal(t, 8, b.Streaks[1].FirstChange.ChangeID)
	require.Equal(t, 1, buildReads(bb, "/changes"), "a build's changes never change: read once")
}

func TestARedStreakWhoseFirstFailureHasNoChangeIsReadOnce(t *testing.T) {
	bb := boardBuildbot()
	bb.BuildChanges = `{"changes":[]}`
	r := readerOf(bb.Client(t))
	ctx := context.Background()
	b, err := r.Get(ctx, time.Time{})
	require.NoError(t, err)
	require.Nil(t, b.Streaks[1].FirstChange, "a forced build brings no change")

	_, err = r.Get(ctx, newer(b))
	require.NoError(t, err)
	require.Equal(t, 1, buildReads(bb, "/changes"), "no change is an answer too")
}

func TestStepsAreReadAFewBuildsAReadAndAgainWhenAnEventSaysTheyChanged(t *testing.T) {
	bb := boardBuildbot()
	r := readerOf(bb.Client(t))
	live := &Live{Reader: r, Publish: func(string, map[string]any, *model.WebsocketBroadcast) {}}
	ctx := context.Background()
	stepReads := func() int { return buildReads(bb, "/steps") }

	b, err := r.Get(ctx, time.Time{})
	require.NoError(t, err)
	require.Equal(t, stepReadsPerRead, stepReads())
	require.Len(t, b.Steps, stepReadsPerRead)
	require.Equal(t, "compile", b.Steps[201], "the first step not complete")

	b, err = r.Get(ctx, newer(b))
	require.NoError(t, err)
	require.Equal(t, running, stepReads(), "the builds never read go next, and only they")
	require.Len(t, b.Steps, running)

	live.Notice(buildbot.Event{Key: "steps/7000/finished", Message: []byte(`{"stepid":7000,"buildid":205,"number":1}`)})
	b, err = r.Get(ctx, newer(b))
	require.NoError(t, err)
	require.Equal(t, running+1, stepReads())
	require.Equal(t, 2, reads(bb)["/api/v2/builds/205/steps"], "the build an event named")

	_, err = r.Get(ctx, newer(b))
	require.NoError(t, err)
	require.Equal(t, running+1, stepReads(), "steps read moments ago are not read again")
}

func TestStepEventsForMoreBuildsThanOneReadTakesAreReadInTheNext(t *testing.T) {
	bb := boardBuildbot()
	r := readerOf(bb.Client(t))
	ctx := context.Background()
	b, err := r.Get(ctx, time.Time{})
	require.NoError(t, err)
	b, err = r.Get(ctx, newer(b))
	require.NoError(t, err)
	require.Len(t, b.Steps, running, "every build's steps read once")

	for id := 201; id < 201+running; id++ {
		r.StepChanged(id)
	}
	b, err = r.Get(ctx, newer(b))
	require.NoError(t, err)
	_, err = r.Get(ctx, newer(b))
	require.NoError(t, err)
	for id := 201; id < 201+running; id++ {
		require.Equal(t, 2, reads(bb)[fmt.Sprintf("/api/v2/builds/%d/steps", id)], "build %d, read again after its event", id)
	}
}

func TestAViewerWhoGoesAwayDoesNotFailTheReadOthersWaitFor(t *testing.T) {
	bb := boardBuildbot()
	bb.ReadDelay = 100 * time.Millisecond
	r := readerOf(bb.Client(t))
	leaving, leave := context.WithCancel(context.Background())
	go func() { _, _ = r.Get(leaving, time.Time{}) }()
	time.Sleep(20 * time.Millisecond)
	staying := make(chan error, 1)
	go func() {
		_, err := r.Get(context.Background(), time.Time{})
		staying <- err
	}()
	time.Sleep(20 * time.Millisecond)
	leave()
	require.NoError(t, <-staying)
}
