package panel

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
)

func TestPropertiesAreReadByRangesOfIdsTheNewestFirst(t *testing.T) {
	for _, tc := range []struct {
		name string
		ids  []int
		want [][2]int
	}{
		{"none missing", nil, nil},
		{"close ids are one range", []int{5, 3, 9, 4}, [][2]int{{3, 9}}},
		{"a gap as wide as a range starts another", []int{1000, 990, 700, 650}, [][2]int{{990, 1000}, {650, 700}}},
		{"a cold start reads the newest builds first, in a few ranges", coldStart(2000), [][2]int{
			{1801, 2000}, {1601, 1800}, {1401, 1600}, {1201, 1400}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, ranges(tc.ids))
		})
	}
}

func coldStart(n int) []int {
	ids := make([]int, n)
	for i := range ids {
		ids[i] = i + 1
	}
	return ids
}

func TestARunningBuildReadBeforeBuildbotStoredItsPropertiesIsReadAgain(t *testing.T) {
	bb := boardBuildbot()
	client := bb.Client(t)
	r := readerOf(client)
	running := []buildbot.Build{{BuildID: 201, BuilderID: 1}}
	bb.Builds = `{"builds":[{"buildid":201,"builderid":1,"complete":false,"state_string":"created","properties":{"buildername":["builder-1","Build"]}}]}`
	r.withProperties(context.Background(), client, slices.Clone(running), nil)
	first := reads(bb)["/api/v2/builds"]

	bb.Builds = `{"builds":[{"buildid":201,"builderid":1,"complete":false,"state_string":"starting","properties":{"branch":["main","x"],"buildername":["builder-1","Build"]}}]}`
	got := slices.Clone(running)
	r.withProperties(context.Background(), client, got, nil)
	require.Equal(t, first+1, reads(bb)["/api/v2/builds"])
	require.Equal(t, "main", got[0].Properties.Get("branch"))

	r.withProperties(context.Background(), client, slices.Clone(running), nil)
	require.Equal(t, first+1, reads(bb)["/api/v2/builds"], "read once they are stored")
}
