package queue

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var now = time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)

func at(minutes int) time.Time { return now.Add(time.Duration(minutes) * time.Minute) }

func starts(es []Estimate) []time.Duration {
	out := make([]time.Duration, len(es))
	for i, e := range es {
		out[i] = e.StartsAt.Sub(now)
	}
	return out
}

func TestOneWorkerTakesTheLineOneTypicalBuildAfterAnother(t *testing.T) {
	b := Builder{
		Waiting:   []Request{{ID: 12}, {ID: 10}, {ID: 11}},
		Running:   []time.Time{at(-4)},
		Durations: []time.Duration{9 * time.Minute, 10 * time.Minute, 30 * time.Minute},
		Workers:   1,
	}
	es := b.Estimates(now)
	require.Equal(t, []int{10, 11, 12}, []int{es[0].RequestID, es[1].RequestID, es[2].RequestID}, "oldest first")
	require.Equal(t, []int{1, 2, 3}, []int{es[0].Place, es[1].Place, es[2].Place})
	// The running build is 4 minutes into a typical 10.
	require.Equal(t, []time.Duration{6 * time.Minute, 16 * time.Minute, 26 * time.Minute}, starts(es))
}

func TestTwoWorkersShareTheLineAndAnOverdueBuildFreesItsWorkerNow(t *testing.T) {
	b := Builder{
		Waiting:   []Request{{ID: 1}, {ID: 2}, {ID: 3}},
		Running:   []time.Time{at(-15), at(-2)},
		Durations: []time.Duration{10 * time.Minute},
		Workers:   2,
	}
	require.Equal(t, []time.Duration{0, 8 * time.Minute, 10 * time.Minute}, starts(b.Estimates(now)))
}

func TestBuildbot39AndLaterPickTheHighestPriorityFirst(t *testing.T) {
	waiting := []Request{{ID: 1, Priority: 0}, {ID: 2, Priority: 5}, {ID: 3, Priority: 5}}
	require.Equal(t, []int{1, 2, 3}, ids(Builder{Waiting: waiting}.Line()), "3.7 ignores priority")
	require.Equal(t, []int{2, 3, 1}, ids(Builder{Waiting: waiting, ByPriority: true}.Line()))
}

func TestWithoutAWorkerOrAFinishedBuildThePlaceIsKnownButNotTheTime(t *testing.T) {
	for _, b := range []Builder{
		{Waiting: []Request{{ID: 1}}, Durations: []time.Duration{time.Minute}},
		{Waiting: []Request{{ID: 1}}, Workers: 1},
	} {
		es := b.Estimates(now)
		require.Equal(t, 1, es[0].Place)
		require.False(t, es[0].Known)
	}
}

func ids(rs []Request) []int {
	out := make([]int, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}
