// Package queue estimates when build requests waiting in Buildbot's queue start: their place in
// the line of their builder, and a time from the builder's recent build durations, the elapsed
// times of its running builds and how many workers can take its builds.
package queue

import (
	"slices"
	"sort"
	"time"
)

// Request is a build request waiting for a worker. Buildbot numbers requests as they come, so
// the lower id waited longer.
type Request struct {
	ID       int
	Priority int
}

// Builder is what the estimate knows of a builder now.
type Builder struct {
	// Waiting are its unclaimed requests, in any order.
	Waiting []Request
	// Running are the start times of its builds that run now.
	Running []time.Time
	// Durations are how long its recent finished builds took; their median is a build's length.
	Durations []time.Duration
	// Workers is how many connected, unpaused workers may run its builds: a builder runs one build
	// per worker at a time.
	Workers int
	// ByPriority says Buildbot picks the highest priority first (3.9 and later); 3.7 picks the
	// oldest request whatever its priority.
	ByPriority bool
}

// Estimate is a waiting request's place in its builder's line, 1 for the next to start, and when
// it should start; Known is false when the builder has no worker or no finished build to go by.
type Estimate struct {
	RequestID int
	Place     int
	StartsAt  time.Time
	Known     bool
}

// Line orders a builder's waiting requests as Buildbot picks them.
func (b Builder) Line() []Request {
	line := slices.Clone(b.Waiting)
	sort.SliceStable(line, func(i, j int) bool {
		if b.ByPriority && line[i].Priority != line[j].Priority {
			return line[i].Priority > line[j].Priority
		}
		return line[i].ID < line[j].ID
	})
	return line
}

// Typical is the median of the builder's recent durations; 0 when it has none.
func (b Builder) Typical() time.Duration {
	if len(b.Durations) == 0 {
		return 0
	}
	d := slices.Clone(b.Durations)
	slices.Sort(d)
	if len(d)%2 == 1 {
		return d[len(d)/2]
	}
	return (d[len(d)/2-1] + d[len(d)/2]) / 2
}

// Estimates gives every waiting request of the builder its place and start, as of now. Each worker
// frees up when its running build has run a typical build's length (at once, if it ran longer), and
// each request in line takes the first worker free, for a typical build's length.
func (b Builder) Estimates(now time.Time) []Estimate {
	line := b.Line()
	out := make([]Estimate, len(line))
	typical := b.Typical()
	known := b.Workers > 0 && typical > 0
	free := make([]time.Time, max(b.Workers, 0))
	for i := range free {
		free[i] = now
	}
	running := slices.Clone(b.Running)
	slices.SortFunc(running, func(x, y time.Time) int { return x.Compare(y) })
	for i, started := range running {
		if i >= len(free) {
			break
		}
		free[i] = maxTime(now, started.Add(typical))
	}
	for i, r := range line {
		out[i] = Estimate{RequestID: r.ID, Place: i + 1, Known: known}
		if !known {
			continue
		}
		first := 0
		for w := range free {
			if free[w].Before(free[first]) {
				first = w
			}
		}
		out[i].StartsAt = free[first]
		free[first] = free[first].Add(typical)
	}
	return out
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
