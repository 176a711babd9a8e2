package panel

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbottest"
)

var now = time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)

// at is a Buildbot time minutes from now.
func at(minutes float64) buildbot.Time {
	return buildbot.Time(float64(now.Unix()) + minutes*60)
}

func request(id, builder, priority int) buildbot.BuildRequest {
	return buildbot.BuildRequest{BuildRequestID: id, BuilderID: builder, Priority: priority}
}

// took is a finished build of a builder that ran for minutes, ending an hour ago.
func took(builder int, minutes float64, result buildbot.Result) buildbot.Build {
	return buildbot.Build{BuilderID: builder, Complete: true, Results: &result, StartedAt: at(-60 - minutes), CompleteAt: at(-60)}
}

type place struct {
	request, place int
	// starts is minutes from now; -1 when the start is unknown.
	starts float64
}

func places(list []Waiting) []place {
	out := make([]place, len(list))
	for i, w := range list {
		out[i] = place{w.Request.BuildRequestID, w.Estimate.Place, -1}
		if w.Estimate.Known {
			out[i].starts = w.Estimate.StartsAt.Sub(now).Minutes()
		}
		if w.Estimate.RequestID != w.Request.BuildRequestID {
			panic("an estimate given to another request")
		}
	}
	return out
}

func TestEachBuildersLineIsInTheOrderBuildbotPicksIt(t *testing.T) {
	// As Buildbot lists them, oldest first: the builders come in the order of their oldest request.
	requests := []buildbot.BuildRequest{request(10, 2, 0), request(11, 1, 0), request(12, 2, 5), request(13, 1, 9), request(14, 2, 5)}

	t.Run("Buildbot 3.7 takes the oldest request first, whatever its priority", func(t *testing.T) {
		got := places(waiting(requests, nil, nil, nil, false, now))
		require.Equal(t, []place{{10, 1, -1}, {12, 2, -1}, {14, 3, -1}, {11, 1, -1}, {13, 2, -1}}, got)
	})
	t.Run("Buildbot 3.9 and later take the highest priority first, the oldest among equals", func(t *testing.T) {
		got := places(waiting(requests, nil, nil, nil, true, now))
		require.Equal(t, []place{{12, 1, -1}, {14, 2, -1}, {10, 3, -1}, {13, 1, -1}, {11, 2, -1}}, got)
	})
}

func TestAQueuedRequestStartsWhenTheBuildersWorkersAreFree(t *testing.T) {
	ok, bad := buildbot.Success, buildbot.Failure
	// Builder 1's ten newest finished builds took 10 minutes at the median; older ones, builds that
	// say nothing of a build's length (stopped, retried) and another builder's do not count.
	var finishedBuilds []buildbot.Build
	for i, minutes := range []float64{9, 30, 10, 10, 8, 12, 10, 11, 2, 10} {
		result := ok
		if i%3 == 0 {
			result = bad
		}
		finishedBuilds = append(finishedBuilds, took(1, minutes, result))
		if i == 4 {
			finishedBuilds = append(finishedBuilds, took(1, 1, buildbot.Cancelled), took(1, 90, buildbot.Retry), took(1, 90, buildbot.Exception), took(2, 60, ok))
		}
	}
	for range 10 {
		finishedBuilds = append(finishedBuilds, took(1, 500, ok))
	}
	requests := []buildbot.BuildRequest{request(1, 1, 0), request(2, 1, 0), request(3, 1, 0)}

	for _, tc := range []struct {
		name    string
		running []buildbot.Build
		workers []buildbot.Worker
		want    []place
	}{
		{"one worker, free now, takes the line one typical build after another",
			nil, []buildbot.Worker{buildbottest.Worker(1, true, 1)},
			[]place{{1, 1, 0}, {2, 2, 10}, {3, 3, 20}}},
		{"a running build frees its worker when it has run a typical build's length",
			[]buildbot.Build{{BuilderID: 1, StartedAt: at(-4)}, {BuilderID: 2, StartedAt: at(-1)}}, []buildbot.Worker{buildbottest.Worker(1, true, 1)},
			[]place{{1, 1, 6}, {2, 2, 16}, {3, 3, 26}}},
		{"two connected workers share the line",
			nil, []buildbot.Worker{buildbottest.Worker(1, true, 1), buildbottest.Worker(2, true, 2, 1)},
			[]place{{1, 1, 0}, {2, 2, 0}, {3, 3, 10}}},
		{"a worker configured on the builder through two masters is one worker",
			nil, []buildbot.Worker{twoMasters(buildbottest.Worker(1, true, 1))},
			[]place{{1, 1, 0}, {2, 2, 10}, {3, 3, 20}}},
		{"a worker that is not connected, is paused or serves other builders takes none",
			nil, []buildbot.Worker{buildbottest.Worker(1, true, 1), buildbottest.Worker(2, false, 1), paused(buildbottest.Worker(3, true, 1)), buildbottest.Worker(4, true, 2)},
			[]place{{1, 1, 0}, {2, 2, 10}, {3, 3, 20}}},
		{"without a worker the place is known but not the start",
			nil, []buildbot.Worker{buildbottest.Worker(1, false, 1), buildbottest.Worker(2, true, 2)},
			[]place{{1, 1, -1}, {2, 2, -1}, {3, 3, -1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, places(waiting(requests, tc.running, finishedBuilds, tc.workers, true, now)))
		})
	}

	t.Run("a builder that never finished a build has no start", func(t *testing.T) {
		got := places(waiting(requests, nil, []buildbot.Build{took(2, 5, ok)}, []buildbot.Worker{buildbottest.Worker(1, true, 1)}, true, now))
		require.Equal(t, []place{{1, 1, -1}, {2, 2, -1}, {3, 3, -1}}, got)
	})
}

func twoMasters(w buildbot.Worker) buildbot.Worker {
	w.ConfiguredOn = append(w.ConfiguredOn, w.ConfiguredOn[0])
	w.ConfiguredOn[1].MasterID = 2
	return w
}

func paused(w buildbot.Worker) buildbot.Worker {
	w.Paused = true
	return w
}

func TestBuildbotsVersionSaysWhetherItPicksByPriority(t *testing.T) {
	for version, older := range map[string]bool{"3.7.0": true, "3.8.1": true, "3.9.0": false, "3.11.2": false, "4.3.0": false, "2.10": true, "dev": false} {
		require.Equal(t, older, olderThan(version, 3, 9), version)
	}
}
