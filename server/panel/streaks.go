package panel

import (
	"context"
	"slices"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
)

// Streak is how a builder's last builds on one branch ended: the newest, and for a failed one
// the run of failures it ends.
type Streak struct {
	BuilderID int
	Branch    string
	// Newest is the last finished build on the builder and branch.
	Newest buildbot.Build
	// Failures counts the failed builds in a row that end with Newest, and First is the first of
	// them; both are zero unless Newest failed. Whole says the run began within the builds read:
	// otherwise it is longer than Failures says.
	Failures int
	First    buildbot.Build
	Whole    bool
	// FirstChange is the oldest change First built, when Buildbot names one.
	FirstChange *buildbot.Change
}

// Red says whether the builder's last build on the branch failed.
func (s Streak) Red() bool { return s.Failures > 0 }

// streaks groups finished builds, newest first, by builder and branch. A retried build is one
// Buildbot runs again, so it neither continues nor ends a run of failures.
func streaks(finished []buildbot.Build) []Streak {
	type key struct {
		builder int
		branch  string
	}
	index := map[key]int{}
	var out []Streak
	open := map[key]bool{}
	for _, b := range finished {
		// A build whose properties are not read yet has no known branch: a later read places it.
		if b.Results == nil || *b.Results == buildbot.Retry || b.Properties == nil {
			continue
		}
		k := key{b.BuilderID, b.Properties.Get("branch")}
		i, seen := index[k]
		if !seen {
			s := Streak{BuilderID: k.builder, Branch: k.branch, Newest: b}
			if *b.Results == buildbot.Failure {
				s.Failures, s.First = 1, b
				open[k] = true
			}
			index[k] = len(out)
			out = append(out, s)
			continue
		}
		if !open[k] {
			continue
		}
		if *b.Results == buildbot.Failure {
			out[i].Failures++
			out[i].First = b
			continue
		}
		out[i].Whole = true
		open[k] = false
	}
	return out
}

// changeReadsPerRead bounds the builds whose changes one read of the board reads; the other red
// builders show their first change after a later read.
const changeReadsPerRead = 16

// firstChanges finds the oldest change of each red streak's first build: one read per build the
// reader has not seen before, none for one it has, since a build's changes never change.
func (r *Reader) firstChanges(ctx context.Context, bb *buildbot.Client, list []Streak) {
	var ids []int
	for _, s := range list {
		if s.Red() {
			ids = append(ids, s.First.BuildID)
		}
	}
	r.changes.fill(bb.Fingerprint(), ids, changeReadsPerRead, func(id int) (*buildbot.Change, error) {
		changes, err := bb.BuildChanges(ctx, id)
		if err != nil || len(changes) == 0 {
			return nil, err
		}
		oldest := slices.MinFunc(changes, func(a, b buildbot.Change) int { return a.ChangeID - b.ChangeID })
		return &oldest, nil
	})
	for i := range list {
		if list[i].Red() {
			list[i].FirstChange, _ = r.changes.get(list[i].First.BuildID)
		}
	}
}
