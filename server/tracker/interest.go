package tracker

import (
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
}

// Notice reads an event from Buildbot and says whether it calls for a tick.
func (t *Tracker) Notice(e buildbot.Event) bool {
	refs, ok := e.Refs()
	if !ok {
		return false
	}
	t.interest.mu.Lock()
	stale := time.Since(t.interest.at) > interestTTL
	wanted := stale || t.interest.builds[refs.BuildID] || (t.interest.subscribed && refs.New) ||
		(refs.RequestID != 0 && (t.interest.requests[refs.RequestID] || (t.interest.awaitingChanges && refs.RequestID > t.interest.changesAfter)))
	t.interest.mu.Unlock()
	if wanted && refs.Step {
		t.StepChanged(refs.BuildID)
	}
	return wanted
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
