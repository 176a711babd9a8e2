package api

import (
	"sync"
	"time"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/config"
)

// grantTTL is how long a user's yes to a channel is kept: the length of a burst of keystrokes.
const grantTTL = 5 * time.Second

// maxGrants bounds the memory grants take; past it, they start over.
const maxGrants = 10000

// grants remembers for a moment that a user may see what /build offers in a channel. Mattermost
// calls a dynamic list on every keystroke, and asking the server each time cost a tenth of the
// keystroke (make bench-stack). Only a yes is kept, under the settings it was decided with, so a
// refusal is never served from memory, a change of settings asks again at once, and a user who
// left the channel sees the list for grantTTL at most.
type grants struct {
	mu   sync.Mutex
	seen map[grantKey]grant
}

type grantKey struct{ user, channel, team string }

type grant struct {
	at   time.Time
	snap *config.Snapshot
}

func (g *grants) has(key grantKey, snap *config.Snapshot, now time.Time) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	got, ok := g.seen[key]
	return ok && got.snap == snap && now.Sub(got.at) < grantTTL
}

func (g *grants) add(key grantKey, snap *config.Snapshot, now time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.seen == nil || len(g.seen) >= maxGrants {
		g.seen = map[grantKey]grant{}
	}
	g.seen[key] = grant{at: now, snap: snap}
}
