package panel

import (
	"testing"

	"github.com/stretchr/testify/require"
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
