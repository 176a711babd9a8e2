package panel

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/websockettest"
)

func newLive() (*Live, *websockettest.Recorder) {
	out := &websockettest.Recorder{}
	return &Live{Publish: out.Publish}, out
}

func event(key, record string) buildbot.Event {
	return buildbot.Event{Key: key, Message: json.RawMessage(record)}
}

func TestABuildEventTellsEveryWebappAtOnce(t *testing.T) {
	l, sent := newLive()
	l.Notice(event("builds/90/new", `{"buildid":90,"builderid":3}`))

	require.Zero(t, l.Flush(now))

	got := sent.Take()
	require.Len(t, got, 1)
	require.Equal(t, Event, got[0].Event)
	require.Equal(t, map[string]any{"at": now.UnixMilli(), "buildbot": true, "builds": true, "posts": false}, got[0].Payload)
	// An empty broadcast is every connection: the event carries nothing a user may not see.
	require.Equal(t, model.WebsocketBroadcast{}, *got[0].Broadcast)
	require.Zero(t, l.Flush(now.Add(time.Second)), "nothing new")
	require.Empty(t, sent.Take())
}

func TestABurstOfEventsWithinTheChangeGapIsOneEvent(t *testing.T) {
	l, sent := newLive()
	l.Notice(event("buildrequests/41/new", `{}`))
	l.Flush(now)
	sent.Take()

	l.Notice(event("buildrequests/42/new", `{}`))
	l.Notice(event("buildrequests/43/new", `{}`))
	l.Notice(event("builds/91/new", `{}`))
	require.Equal(t, changeGap-10*time.Millisecond, l.Flush(now.Add(10*time.Millisecond)))
	require.Empty(t, sent.Take())

	require.Zero(t, l.Flush(now.Add(changeGap)))
	got := sent.Take()
	require.Len(t, got, 1)
	require.Equal(t, now.Add(changeGap).UnixMilli(), got[0].Payload["at"])
}

func TestStepsAloneAreToldAtMostEveryStepGap(t *testing.T) {
	l, sent := newLive()
	l.Notice(event("builds/90/new", `{}`))
	l.Flush(now)
	sent.Take()

	l.Notice(event("steps/700/started", `{"stepid":700,"buildid":90}`))
	l.Notice(event("steps/700/finished", `{"stepid":700,"buildid":90}`))
	require.Equal(t, stepGap-time.Second, l.Flush(now.Add(time.Second)))
	require.Empty(t, sent.Take())
	require.Zero(t, l.Flush(now.Add(stepGap)))
	require.Len(t, sent.Take(), 1)

	t.Run("a build event among steps is told after the change gap", func(t *testing.T) {
		l.Notice(event("steps/701/new", `{"stepid":701,"buildid":90}`))
		l.Notice(event("buildrequests/44/claimed", `{}`))
		require.Zero(t, l.Flush(now.Add(stepGap+changeGap)))
		require.Len(t, sent.Take(), 1)
	})
	t.Run("a worker that comes or goes is told as a change", func(t *testing.T) {
		l.Notice(event("workers/3/connected", `{}`))
		require.Zero(t, l.Flush(now.Add(stepGap+2*changeGap)))
		require.Len(t, sent.Take(), 1)
	})
}

// A build that starts or finishes changes the viewers' own builds and may change which builders
// are red; a request that waits, moves or is claimed, a step or a worker changes neither.
func TestTheEventSaysWhetherABuildStartedOrFinished(t *testing.T) {
	l, sent := newLive()
	for i, tc := range []struct {
		keys   []string
		builds bool
	}{
		{[]string{"buildrequests/44/new", "builds/91/finished", "steps/700/finished"}, true},
		{[]string{"buildrequests/44/claimed", "buildrequests/45/complete", "steps/701/finished", "builds/92/changed", "workers/3/connected"}, false},
		{[]string{"builds/92/new"}, true},
		{[]string{"steps/702/new"}, false},
	} {
		for _, key := range tc.keys {
			l.Notice(event(key, `{}`))
		}
		l.Flush(now.Add(time.Duration(i) * time.Minute))
		got := sent.Take()
		require.Len(t, got, 1, "%v", tc.keys)
		require.Equal(t, tc.builds, got[0].Payload["builds"], "%v", tc.keys)
	}
}

// The tracker writes a status post after Buildbot's event about its build: a post that shows
// another state is told too, after the change gap like a build, so the viewers' own builds are
// read again once their posts show it.
func TestAStatusPostThatShowsAnotherStateIsTold(t *testing.T) {
	l, sent := newLive()
	l.Notice(event("builds/91/finished", `{}`))
	l.Flush(now)
	require.Equal(t, false, sent.Take()[0].Payload["posts"])

	l.PostsChanged()
	require.Equal(t, changeGap, l.Flush(now), "within the change gap of the last event")
	require.Zero(t, l.Flush(now.Add(changeGap)))
	got := sent.Take()
	require.Len(t, got, 1)
	require.Equal(t, map[string]any{"at": now.Add(changeGap).UnixMilli(), "buildbot": false, "builds": false, "posts": true}, got[0].Payload)
}

func TestEventsThatChangeNoBuildTellNothing(t *testing.T) {
	l, sent := newLive()
	for _, key := range []string{"changes/8/new", "logs/70/append", "buildsets/7/new", "masters/1/started"} {
		l.Notice(event(key, `{}`))
	}
	require.Zero(t, l.Flush(now))
	require.Empty(t, sent.Take())
}

func TestAStepEventTellsTheReaderWhichBuildsStepsChanged(t *testing.T) {
	r := &Reader{}
	l := &Live{Publish: func(string, map[string]any, *model.WebsocketBroadcast) {}, Reader: r}

	l.Notice(event("steps/700/started", `{"stepid":700,"buildid":90,"number":2}`))
	l.Notice(event("steps/701/started", `{"stepid":701}`))
	l.Notice(event("steps/702/started", `not json`))

	require.Equal(t, map[int]bool{90: true}, r.steps.changed)
}

func TestRunTellsOfAnEventWithinMomentsAndStopsWithItsContext(t *testing.T) {
	l, sent := newLive()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		l.Run(ctx)
		close(done)
	}()

	for i := range 2 {
		l.Notice(event("builds/90/finished", `{}`))
		deadline := time.Now().Add(2 * time.Second)
		for len(sent.Take()) == 0 {
			if time.Now().After(deadline) {
				t.Fatalf("event %d: none within 2s", i)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	cancel()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("Run outlived its context")
	}
}

func TestABuildThatEndsWhileStepsWaitIsToldAfterTheChangeGapNotTheStepGap(t *testing.T) {
	l, sent := newLive()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go l.Run(ctx)

	// One step event is told at once; the next waits for the step gap.
	l.Notice(event("steps/700/started", `{"stepid":700,"buildid":90}`))
	require.Eventually(t, func() bool { return len(sent.Take()) == 1 }, time.Second, 5*time.Millisecond)
	l.Notice(event("steps/700/finished", `{"stepid":700,"buildid":90}`))
	time.Sleep(20 * time.Millisecond)

	ended := time.Now()
	l.Notice(event("builds/90/finished", `{"buildid":90,"builderid":1}`))
	require.Eventually(t, func() bool { return len(sent.Take()) == 1 }, stepGap/2, 5*time.Millisecond)
	require.Less(t, time.Since(ended), stepGap/2)
}
