package buildbottest

import (
	"context"
	"slices"
	"testing"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
)

// The fake filters its lists and reads one item by id as Buildbot does, or the tests that read
// running and finished builds apart would see every build as both.
func TestTheFakeFiltersItsListsAndReadsOneItemAsBuildbotDoes(t *testing.T) {
	f := &Server{
		Builds: `{"builds":[{"buildid":1,"builderid":3,"complete":false},{"buildid":2,"builderid":3,"complete":true},{"buildid":3,"builderid":4}]}`,
		BuildRequests: `{"buildrequests":[{"buildrequestid":6,"claimed":false,"complete":false},{"buildrequestid":7,"claimed":true,"complete":false},
			{"buildrequestid":8,"claimed":true,"complete":true}]}`,
		Buildsets:    `{"buildsets":[{"bsid":7,"reason":"because","sourcestamps":[{"branch":"main"}]}]}`,
		BuildChanges: `{"changes":[{"changeid":8,"author":"Ann"}]}`,
	}
	bb := f.Client(t)
	ctx := context.Background()
	ids := func(builds []buildbot.Build, err error) []int {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		out := []int{}
		for _, b := range builds {
			out = append(out, b.BuildID)
		}
		return out
	}

	// A build that leaves a field out is every test's build.
	for _, tc := range []struct {
		filters []buildbot.Filter
		want    []int
	}{
		{nil, []int{1, 2, 3}},
		{[]buildbot.Filter{buildbot.Where("complete", "eq", false)}, []int{1, 3}},
		{[]buildbot.Filter{buildbot.Where("complete", "eq", true)}, []int{2, 3}},
		{[]buildbot.Filter{buildbot.Where("complete", "eq", true), buildbot.Where("builderid", "eq", 3)}, []int{2}},
		{[]buildbot.Filter{buildbot.Where("buildid", "gt", 1)}, []int{1, 2, 3}},
	} {
		if got := ids(bb.Builds(ctx, buildbot.Query{Filters: tc.filters})); !slices.Equal(got, tc.want) {
			t.Errorf("builds %+v: %v, want %v", tc.filters, got, tc.want)
		}
	}
	queued, err := bb.BuildRequests(ctx, buildbot.Query{Filters: []buildbot.Filter{buildbot.Where("claimed", "eq", false), buildbot.Where("complete", "eq", false)}})
	if err != nil || len(queued) != 1 || queued[0].BuildRequestID != 6 {
		t.Errorf("queued requests %+v, %v", queued, err)
	}
	if claimed, err := bb.BuildRequests(ctx, buildbot.Query{Filters: []buildbot.Filter{buildbot.Claimed}}); err != nil || len(claimed) != 2 {
		t.Errorf("claimed requests %+v, %v", claimed, err)
	}

	if b, err := bb.Build(ctx, 2, buildbot.Query{}); err != nil || b.BuildID != 2 || !b.Complete {
		t.Errorf("build 2: %+v, %v", b, err)
	}
	if _, err := bb.Build(ctx, 99, buildbot.Query{}); buildbot.KindOf(err) != buildbot.KindNotFound {
		t.Errorf("build 99: %v", err)
	}
	if b, err := bb.Builder(ctx, 3); err != nil || b.Name != "tools" {
		t.Errorf("builder 3: %+v, %v", b, err)
	}
	if set, err := bb.Buildset(ctx, 7); err != nil || set.Reason != "because" || set.SourceStamps[0].Branch != "main" {
		t.Errorf("buildset 7: %+v, %v", set, err)
	}
	if _, err := bb.Buildset(ctx, 8); buildbot.KindOf(err) != buildbot.KindNotFound {
		t.Errorf("buildset 8: %v", err)
	}
	if changes, err := bb.BuildChanges(ctx, 2); err != nil || len(changes) != 1 || changes[0].Author != "Ann" {
		t.Errorf("changes of build 2: %+v, %v", changes, err)
	}
	if _, err := (&Server{}).Client(t).BuildChanges(ctx, 2); buildbot.KindOf(err) != buildbot.KindNotFound {
		t.Errorf("changes without BuildChanges: %v", err)
	}
}
