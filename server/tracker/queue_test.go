package tracker

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/post"
)

// line is where the panel's board says queued requests stand, and how often it was asked.
type line struct {
	places map[int][2]int64
	asked  int
}

func (l *line) options() Options {
	o := opts
	o.Queue = func(context.Context) Queue {
		l.asked++
		return func(requestID int) (int, int64) {
			p := l.places[requestID]
			return int(p[0]), p[1]
		}
	}
	return o
}

var tenSeven = time.Date(2026, 12, 5, 10, 7, 0, 0, time.UTC).UnixMilli()

func message(posts *memPosts, id string) string { return posts.posts[id].Message }

func TestAQueuedBuildsPostSaysWhereItStandsInItsBuildersLine(t *testing.T) {
	var reads int64
	bb := pagedBuildbot(t, &reads, 3, every(requestQueued))
	store, posts := tracking(3)
	for i := range 3 {
		store.m[fmt.Sprintf("post%03d", i)].Props.Rows[0].RequestID = i + 1
	}
	tr := &Tracker{Store: store, Posts: posts, ActionURL: "/x"}
	queue := &line{places: map[int][2]int64{1: {1, 0}, 2: {3, tenSeven}}}

	require.NoError(t, tr.Tick(context.Background(), bb, queue.options()))

	require.Equal(t, 1, queue.asked, "one read of the queue a tick")
	for id, want := range map[string]string{
		"post000": "queued · next in line",
		"post001": "queued · number 3 in line, starts about 10:07 UTC",
	} {
		require.Contains(t, message(posts, id), want, id)
	}
	require.NotContains(t, message(posts, "post002"), "in line", "a request the board does not know of")
	props, ok := post.Decode(posts.posts["post001"])
	require.True(t, ok)
	require.Equal(t, 3, props.Rows[0].QueuePlace)
	require.Equal(t, tenSeven, props.Rows[0].QueueStartsAt)
}

func TestAFollowedBuildIsEditedWhenItsPlaceInLineChangesAndOnlyThen(t *testing.T) {
	var reads int64
	bb := pagedBuildbot(t, &reads, 1, every(requestQueued))
	store, posts := tracking(1)
	tr := &Tracker{Store: store, Posts: posts, ActionURL: "/x"}
	queue := &line{places: map[int][2]int64{1: {2, tenSeven}}}
	require.NoError(t, tr.Tick(context.Background(), bb, queue.options()))
	updates, writes := posts.updates, store.writes

	require.NoError(t, tr.Tick(context.Background(), bb, queue.options()))
	require.Equal(t, updates, posts.updates, "nothing moved")
	require.Equal(t, writes, store.writes, "nothing moved")

	for _, tc := range []struct {
		place [2]int64
		moves bool
	}{
		{[2]int64{1, tenSeven}, true},
		// Behind a build that runs long, the estimate moves with the clock: the post follows it
		// only once it moved by queueDrift.
		{[2]int64{1, tenSeven + 60_000}, false},
		{[2]int64{1, tenSeven + 180_000}, true},
	} {
		queue.places[1] = tc.place
		require.NoError(t, tr.Tick(context.Background(), bb, queue.options()))
		if tc.moves {
			updates++
		}
		require.Equal(t, updates, posts.updates, "moved to %v", tc.place)
	}
	require.Contains(t, message(posts, "post000"), "queued · next in line, starts about 10:10 UTC")
}

func TestABuildThatWaitsWhereItsPostSaysIsNotCopiedByATick(t *testing.T) {
	shown := func() *Tracked {
		return &Tracked{ID: "a", PostID: "a", Shown: "digest", Props: post.Props{Rows: []post.Row{
			{BuilderID: 1, RequestID: 7, State: post.StateQueued, QueuePlace: 2, QueueStartsAt: tenSeven},
			{BuilderID: 2, RequestID: 8, State: post.StateSuccess},
		}}}
	}
	where := func(place int, startsAt int64) Queue {
		return func(requestID int) (int, int64) {
			if requestID != 7 {
				return 0, 0
			}
			return place, startsAt
		}
	}
	for _, tc := range []struct {
		name    string
		where   Queue
		changes bool
	}{
		{"in the same place, to start at the same time", where(2, tenSeven), false},
		{"without a queue read", nil, false},
		{"moved up the line", where(1, tenSeven), true},
		{"to start a minute later", where(2, tenSeven+60_000), false},
		{"to start three minutes later", where(2, tenSeven+180_000), true},
		{"with its start no longer known", where(2, 0), true},
		{"no longer known to the board", where(0, 0), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			here := []*Tracked{shown()}
			changing, now := mayChange(here, nil, tc.where)
			require.Equal(t, tc.changes, len(changing) == 1)
			if tc.changes {
				require.NotSame(t, here[0], now[0], "a tick changes a copy")
				require.Same(t, changing[0], now[0])
			} else {
				require.Same(t, here[0], now[0], "copied")
			}
		})
	}
}

func TestTheQueueIsReadOnlyWhileAFollowedBuildWaitsInIt(t *testing.T) {
	var reads int64
	bb := fakeBuildbot(t, &reads, runningBuild)
	store, posts := tracking(1)
	tr := &Tracker{Store: store, Posts: posts, ActionURL: "/x"}
	queue := &line{}

	// The post shows request 1 queued: the tick reads the queue, and finds it running.
	require.NoError(t, tr.Tick(context.Background(), bb, queue.options()))
	require.Equal(t, 1, queue.asked)
	require.True(t, strings.Contains(message(posts, "post000"), "building"), message(posts, "post000"))

	require.NoError(t, tr.Tick(context.Background(), bb, queue.options()))
	require.Equal(t, 1, queue.asked, "nothing followed waits in the queue")
}
