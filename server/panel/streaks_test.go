package panel

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
)

// finished is a finished build of a builder on a branch, as the board's read of finished builds
// gives it: build id 100+n, number n, ending at minute n.
func finished(n, builder int, branch string, result buildbot.Result) buildbot.Build {
	r := result
	return buildbot.Build{BuildID: 100 + n, Number: n, BuilderID: builder, Complete: true, Results: &r,
		StartedAt: buildbot.Time(n*60 - 30), CompleteAt: buildbot.Time(n * 60),
		Properties: buildbot.Properties{"branch": {Value: json.RawMessage(fmt.Sprintf("%q", branch))}}}
}

func TestAStreakIsHowABuildersLastBuildsOnABranchEnded(t *testing.T) {
	const ok, bad, retry = buildbot.Success, buildbot.Failure, buildbot.Retry
	type want struct {
		builder       int
		branch        string
		newest, first int
		failures      int
		whole         bool
	}
	for _, tc := range []struct {
		name string
		// builds are newest first, as Buildbot lists them for the board.
		builds []buildbot.Build
		want   []want
	}{
		{"a failing run is counted back to its first failure, and is whole when a success precedes it",
			[]buildbot.Build{finished(5, 1, "main", bad), finished(4, 1, "main", bad), finished(3, 1, "main", bad), finished(2, 1, "main", ok), finished(1, 1, "main", bad)},
			[]want{{1, "main", 5, 3, 3, true}}},
		{"a run that began before the builds read is not whole",
			[]buildbot.Build{finished(5, 1, "main", bad), finished(4, 1, "main", bad)},
			[]want{{1, "main", 5, 4, 2, false}}},
		{"a retry neither continues nor ends a run",
			[]buildbot.Build{finished(5, 1, "main", bad), finished(4, 1, "main", retry), finished(3, 1, "main", bad), finished(2, 1, "main", ok)},
			[]want{{1, "main", 5, 3, 2, true}}},
		{"a retry is not the newest build either",
			[]buildbot.Build{finished(5, 1, "main", retry), finished(4, 1, "main", bad), finished(3, 1, "main", ok)},
			[]want{{1, "main", 4, 4, 1, true}}},
		{"a success after failures is no run",
			[]buildbot.Build{finished(5, 1, "main", ok), finished(4, 1, "main", bad), finished(3, 1, "main", bad)},
			[]want{{1, "main", 5, 0, 0, false}}},
		{"branches and builders are kept apart, newest first",
			[]buildbot.Build{finished(6, 1, "dev", bad), finished(5, 1, "main", ok), finished(4, 2, "main", bad), finished(3, 1, "dev", bad), finished(2, 1, "main", bad), finished(1, 1, "dev", ok)},
			[]want{{1, "dev", 6, 3, 2, true}, {1, "main", 5, 0, 0, false}, {2, "main", 4, 4, 1, false}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := streaks(tc.builds)
			require.Len(t, got, len(tc.want))
			for i, w := range tc.want {
				s := got[i]
				require.Equal(t, w.builder, s.BuilderID, "streak %d", i)
				require.Equal(t, w.branch, s.Branch, "streak %d", i)
				require.Equal(t, w.newest, s.Newest.Number, "streak %d: newest", i)
				require.Equal(t, w.failures, s.Failures, "streak %d: failures", i)
				require.Equal(t, w.failures > 0, s.Red(), "streak %d: red", i)
				require.Equal(t, w.first, s.First.Number, "streak %d: first failure", i)
				require.Equal(t, w.whole, s.Whole, "streak %d: whole", i)
			}
		})
	}
}

func TestABuildWhosePropertiesAreNotReadYetIsInNoStreak(t *testing.T) {
	unread := finished(3, 1, "main", buildbot.Failure)
	unread.Properties = nil
	got := streaks([]buildbot.Build{unread, finished(2, 1, "main", buildbot.Success)})
	require.Len(t, got, 1)
	require.False(t, got[0].Red(), "the failure's branch is not known yet")
}
