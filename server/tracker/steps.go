package tracker

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/post"
)

// Buildbot lists steps only per build, so step progress is the one thing a tick cannot read for
// all builds at once. stepReadsPerTick bounds it: builds whose steps Buildbot pushed a change for
// go first, then those read longest ago, so with many builds running each is refreshed in turn.
const stepReadsPerTick = 4

// expectedTTL is how long a builder's expected step count is trusted before it is read again.
const expectedTTL = 30 * time.Minute

// stepProgress is what the tracker remembers between ticks about steps. Losing it on a restart
// only costs a few reads.
type stepProgress struct {
	mu sync.Mutex
	// changed holds builds Buildbot pushed a step event for; push writes it while a tick runs.
	changed map[int]bool

	read     map[int]time.Time
	expected map[int]expectedSteps
}

type expectedSteps struct {
	count int
	at    time.Time
	// source is the Buildbot the count was read from: builder ids of another mean other builders.
	source string
}

// StepChanged notes that a build's steps changed, so the next tick reads them first.
func (t *Tracker) StepChanged(buildID int) {
	t.steps.mu.Lock()
	defer t.steps.mu.Unlock()
	if t.steps.changed == nil {
		t.steps.changed = map[int]bool{}
	}
	t.steps.changed[buildID] = true
}

func (s *stepProgress) takeChanged() map[int]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	changed := s.changed
	s.changed = nil
	return changed
}

func (s *stepProgress) forget(tr *Tracked) {
	for _, r := range tr.Props.Rows {
		delete(s.read, r.BuildID)
	}
}

// readSteps brings the step progress of running builds up to date, within the tick's budget.
func (t *Tracker) readSteps(ctx context.Context, bb *buildbot.Client, all []*Tracked) {
	rowsOf := map[int][]*post.Row{}
	for _, tr := range all {
		for i := range tr.Props.Rows {
			row := &tr.Props.Rows[i]
			if row.State == post.StateBuilding && row.BuildID != 0 {
				rowsOf[row.BuildID] = append(rowsOf[row.BuildID], row)
			}
		}
	}
	changed := t.steps.takeChanged()
	if t.steps.read == nil {
		t.steps.read = map[int]time.Time{}
		t.steps.expected = map[int]expectedSteps{}
	}
	order := make([]int, 0, len(rowsOf))
	for id := range rowsOf {
		order = append(order, id)
	}
	sort.Slice(order, func(i, j int) bool {
		a, b := order[i], order[j]
		if changed[a] != changed[b] {
			return changed[a]
		}
		if !t.steps.read[a].Equal(t.steps.read[b]) {
			return t.steps.read[a].Before(t.steps.read[b])
		}
		return a < b
	})
	budget := stepReadsPerTick
	for _, buildID := range order {
		if budget <= 0 {
			// Not read this time: keep its push hint for the next tick.
			if changed[buildID] {
				t.StepChanged(buildID)
			}
			continue
		}
		budget--
		steps, err := bb.Steps(ctx, buildID, buildbot.Query{})
		if err != nil {
			continue
		}
		t.steps.read[buildID] = time.Now()
		rows := rowsOf[buildID]
		total := t.expectedSteps(ctx, bb, rows[0].BuilderID, &budget)
		done, seen, current := post.CountSteps(steps)
		for _, row := range rows {
			row.StepsDone, row.Step, row.StepsTotal = done, current, max(total, seen)
		}
	}
}

// expectedSteps is how many steps a builder's builds have: those of its last successful build.
// It costs up to two reads from the tick's budget, once per builder per expectedTTL.
func (t *Tracker) expectedSteps(ctx context.Context, bb *buildbot.Client, builderID int, budget *int) int {
	cached, ok := t.steps.expected[builderID]
	if ok && cached.source != bb.Fingerprint() {
		cached, ok = expectedSteps{}, false
	}
	if (ok && time.Since(cached.at) < expectedTTL) || *budget <= 0 {
		return cached.count
	}
	*budget--
	last, err := bb.Builds(ctx, buildbot.Query{
		Filters: []buildbot.Filter{buildbot.Where("builderid", "eq", builderID), buildbot.Where("results", "eq", int(buildbot.Success))},
		Order:   []string{"-buildid"},
		Limit:   1,
	})
	if err != nil {
		return cached.count
	}
	count := 0
	if len(last) > 0 {
		if *budget <= 0 {
			return cached.count
		}
		*budget--
		steps, err := bb.Steps(ctx, last[0].BuildID, buildbot.Query{})
		if err != nil {
			return cached.count
		}
		_, count, _ = post.CountSteps(steps)
	}
	t.steps.expected[builderID] = expectedSteps{count: count, at: time.Now(), source: bb.Fingerprint()}
	return count
}
