package panel

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/post"
)

// Buildbot lists steps only per build, and a running build's state string says only "building":
// the step each build runs is read per build, at most stepReadsPerRead a read of the board. Builds
// never read go first, then those whose steps Buildbot's events said changed, then those read
// longest ago; the others show the step last read.
const stepReadsPerRead = 4

// stepTTL is how long a step read is shown without an event saying it changed: on a server that
// hears no events, a panel's steps are that far behind at most, with few builds running.
const stepTTL = 30 * time.Second

type stepsRead struct {
	mu      sync.Mutex
	changed map[int]bool
	current map[int]stepEntry
}

type stepEntry struct {
	name   string
	readAt time.Time
}

// StepChanged notes that a build's steps changed, so the next read of the board reads them.
func (r *Reader) StepChanged(buildID int) {
	r.steps.mu.Lock()
	defer r.steps.mu.Unlock()
	if r.steps.changed == nil {
		r.steps.changed = map[int]bool{}
	}
	r.steps.changed[buildID] = true
}

// readSteps names the step each running build runs, reading those due.
func (r *Reader) readSteps(ctx context.Context, bb *buildbot.Client, running []buildbot.Build) map[int]string {
	s := &r.steps
	s.mu.Lock()
	if s.current == nil {
		s.current = map[int]stepEntry{}
	}
	kept := make(map[int]stepEntry, len(running))
	var due []int
	for _, b := range running {
		e, ok := s.current[b.BuildID]
		kept[b.BuildID] = e
		if !ok || s.changed[b.BuildID] || time.Since(e.readAt) > stepTTL {
			due = append(due, b.BuildID)
		}
	}
	changed := s.changed
	s.current, s.changed = kept, nil
	s.mu.Unlock()
	sort.SliceStable(due, func(i, j int) bool {
		a, b := kept[due[i]], kept[due[j]]
		if a.readAt.IsZero() != b.readAt.IsZero() {
			return a.readAt.IsZero()
		}
		if changed[due[i]] != changed[due[j]] {
			return changed[due[i]]
		}
		return a.readAt.Before(b.readAt)
	})
	// A changed build left for the next read keeps its hint, or it would show its old step until
	// stepTTL.
	for _, id := range due[min(len(due), stepReadsPerRead):] {
		if changed[id] {
			r.StepChanged(id)
		}
	}
	due = due[:min(len(due), stepReadsPerRead)]
	var wg sync.WaitGroup
	for _, id := range due {
		wg.Add(1)
		go func() {
			defer wg.Done()
			steps, err := bb.Steps(ctx, id, buildbot.Query{Fields: []string{"number", "name", "complete", "hidden", "results"}})
			if err != nil {
				return
			}
			_, _, current := post.CountSteps(steps)
			s.mu.Lock()
			s.current[id] = stepEntry{name: current, readAt: time.Now()}
			s.mu.Unlock()
		}()
	}
	wg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[int]string, len(s.current))
	for id, e := range s.current {
		if e.name != "" {
			out[id] = e.name
		}
	}
	return out
}
