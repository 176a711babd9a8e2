package tracker

import (
	"slices"
	"sync"
	"time"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
)

// interestTTL is how long the node following Buildbot's events trusts what it knows of the
// tracked builds. In a cluster, builds are announced and ticks run on other nodes too; once this
// is stale, the next event is taken as a reason to tick, and that tick brings it up to date.
const interestTTL = 15 * time.Second

// interest is what the tracked posts wait on, so events about a busy Buildbot's other builds
// cost no tick.
type interest struct {
	mu       sync.Mutex
	at       time.Time
	requests map[int]bool
	builds   map[int]bool
	// While a change's builds are awaited, any request newer than changesAfter may be one.
	awaitingChanges bool
	changesAfter    int
	// subscribed says channels subscribed to builds: any new build may be one of theirs.
	subscribed bool
	// arrived holds, by build id, the results of followed builds their finished events carried
	// and no tick has shown yet.
	arrived map[int]buildbot.Build
}

// maxArrived bounds the results kept between ticks; past it, the tick's read finds the rest.
const maxArrived = 1000

// Notice reads an event from Buildbot and says how soon it calls for a tick. A followed build's
// result calls for one at once, and the tick takes the result from the event.
func (t *Tracker) Notice(e buildbot.Event) Need {
	refs, ok := e.Refs()
	if !ok {
		return NoTick
	}
	t.interest.mu.Lock()
	stale := time.Since(t.interest.at) > interestTTL
	wanted := stale || t.interest.builds[refs.BuildID] || (t.interest.subscribed && refs.New) ||
		(refs.RequestID != 0 && (t.interest.requests[refs.RequestID] || (t.interest.awaitingChanges && refs.RequestID > t.interest.changesAfter)))
	need := NoTick
	if wanted {
		need = TickSoon
		if b, ok := e.FinishedBuild(); ok && len(t.interest.arrived) < maxArrived {
			if t.interest.arrived == nil {
				t.interest.arrived = map[int]buildbot.Build{}
			}
			t.interest.arrived[b.BuildID] = b
			need = TickNow
		}
	}
	t.interest.mu.Unlock()
	if wanted && refs.Step {
		t.StepChanged(refs.BuildID)
	}
	return need
}

// takeArrived hands over the results events carried since the last look.
func (t *Tracker) takeArrived() []buildbot.Build {
	t.interest.mu.Lock()
	defer t.interest.mu.Unlock()
	builds := make([]buildbot.Build, 0, len(t.interest.arrived))
	for _, b := range t.interest.arrived {
		builds = append(builds, b)
	}
	t.interest.arrived = nil
	// apply wants them oldest first, as Buildbot lists them.
	slices.SortFunc(builds, func(a, b buildbot.Build) int { return a.BuildID - b.BuildID })
	return builds
}

// noteSubscribed records whether channels subscribed to builds, so a new build's event ticks.
func (t *Tracker) noteSubscribed(subscribed bool) {
	t.interest.mu.Lock()
	defer t.interest.mu.Unlock()
	t.interest.subscribed = subscribed
}

// noteInterest records what the tracked builds wait on, after a tick has read them all.
func (t *Tracker) noteInterest(all []*Tracked) {
	t.interest.mu.Lock()
	defer t.interest.mu.Unlock()
	t.interest.at = time.Now()
	t.interest.requests, t.interest.builds = map[int]bool{}, map[int]bool{}
	t.interest.awaitingChanges, t.interest.changesAfter = false, 0
	for _, tr := range all {
		t.interest.add(tr)
	}
}

// expect adds a newly announced build to what the tracked builds wait on.
func (t *Tracker) expect(tr *Tracked) {
	t.interest.mu.Lock()
	defer t.interest.mu.Unlock()
	if t.interest.requests == nil {
		t.interest.requests, t.interest.builds = map[int]bool{}, map[int]bool{}
	}
	t.interest.add(tr)
}

// add notes what one tracked build waits on; the caller holds mu.
func (i *interest) add(tr *Tracked) {
	if tr.waiting() && (!i.awaitingChanges || tr.AfterRequest < i.changesAfter) {
		i.awaitingChanges, i.changesAfter = true, tr.AfterRequest
	}
	for _, r := range tr.Props.Rows {
		if r.State.Done() {
			continue
		}
		i.requests[r.RequestID] = true
		if r.BuildID != 0 {
			i.builds[r.BuildID] = true
		}
	}
}
