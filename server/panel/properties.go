package panel

import (
	"context"
	"slices"
	"sync"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
)

// Buildbot fetches the properties of every build it holds before it filters a list by a field
// such as complete: on a master of a thousand builders, the finished builds with their branches
// took 18 s, without them 0.1 s. So builds are listed without properties, and their properties
// are read by ranges of build ids, which Buildbot filters in its database, once per build: what
// the panel reads of them (branch, revision, who and why) never changes once the build ended.

// panelProperties are the properties the panel shows of a build.
var panelProperties = []string{"branch", "owner", "scheduler", "reason", "got_revision", "revision"}

const (
	// rangeSpan bounds the build ids one range read covers, and rangeReadsPerRead the range reads
	// of one read of the board: on a cold start the older finished builds get their properties
	// over the next reads, the newest first.
	rangeSpan         = 200
	rangeReadsPerRead = 4
	maxPropertySets   = 5000
)

type propertyCache struct {
	mu sync.Mutex
	// source is the Buildbot the properties are of.
	source string
	builds map[int]cachedProperties
}

type cachedProperties struct {
	properties buildbot.Properties
	// final says the build had ended when they were read. stored says Buildbot had stored them:
	// it creates a build, then writes its properties one at a time, and only then calls it
	// anything but "created" (3.7 and 4.x alike), so a build read before that lacks some, the
	// branch as likely as any.
	final, stored bool
}

// withProperties gives the running and finished builds their properties, reading those it has not
// read before (and a finished build's once more, if they were read while it ran).
func (r *Reader) withProperties(ctx context.Context, bb *buildbot.Client, running, finished []buildbot.Build) {
	c := &r.properties
	c.mu.Lock()
	if c.source != bb.Fingerprint() || len(c.builds) > maxPropertySets {
		c.source, c.builds = bb.Fingerprint(), map[int]cachedProperties{}
	}
	var missing []int
	for _, b := range running {
		if cached, ok := c.builds[b.BuildID]; !ok || !cached.stored {
			missing = append(missing, b.BuildID)
		}
	}
	for _, b := range finished {
		if cached, ok := c.builds[b.BuildID]; !ok || !cached.final {
			missing = append(missing, b.BuildID)
		}
	}
	c.mu.Unlock()

	var wg sync.WaitGroup
	for _, span := range ranges(missing) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			builds, err := bb.Builds(ctx, buildbot.Query{Filters: []buildbot.Filter{buildbot.Where("buildid", "ge", span[0]), buildbot.Where("buildid", "le", span[1])},
				Properties: panelProperties})
			if err != nil {
				return
			}
			c.mu.Lock()
			defer c.mu.Unlock()
			for _, b := range builds {
				c.builds[b.BuildID] = cachedProperties{properties: b.Properties, final: b.Complete, stored: b.StateString != "created"}
			}
		}()
	}
	wg.Wait()

	c.mu.Lock()
	defer c.mu.Unlock()
	for _, list := range [][]buildbot.Build{running, finished} {
		for i := range list {
			list[i].Properties = c.builds[list[i].BuildID].properties
		}
	}
}

// ranges covers the newest of the build ids with at most rangeReadsPerRead ranges of at most
// rangeSpan ids each.
func ranges(ids []int) [][2]int {
	slices.Sort(ids)
	slices.Reverse(ids)
	var out [][2]int
	for _, id := range ids {
		if n := len(out); n > 0 && out[n-1][1]-id < rangeSpan {
			out[n-1][0] = id
			continue
		}
		if len(out) == rangeReadsPerRead {
			break
		}
		out = append(out, [2]int{id, id})
	}
	return out
}
