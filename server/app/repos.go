package app

import (
	"context"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/catalog"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/form"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/markdown"
)

// missRefreshAfter is how long a name Buildbot was read for and did not have is answered from
// memory: a typo typed again and again must not re-read Buildbot each time.
const missRefreshAfter = 30 * time.Second

// misses are the names Buildbot was last read for and did not have, each with when. They are
// kept per name: one user's typo must not hide a builder another user names, just added.
type misses struct {
	mu sync.Mutex
	at map[string]time.Time
}

// recent says whether Buildbot was read for name within missRefreshAfter.
func (m *misses) recent(name string, now time.Time) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	at, ok := m.at[strings.ToLower(name)]
	return ok && now.Sub(at) < missRefreshAfter
}

// note keeps that Buildbot, read at at, had no name; old entries go once there are many.
func (m *misses) note(name string, at time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.at == nil || len(m.at) >= 1000 {
		kept := map[string]time.Time{}
		for n, t := range m.at {
			if at.Sub(t) < missRefreshAfter {
				kept[n] = t
			}
		}
		m.at = kept
	}
	m.at[strings.ToLower(name)] = at
}

// repos returns the catalog, refreshing it first when it is cold or does not know name among
// the repos /build builds.
func (a *App) repos(ctx context.Context, name string) (*catalog.Index, error) {
	return a.index(ctx, name, (*catalog.Index).Lookup)
}

// index returns the catalog, refreshing it first when it is cold or find does not know name: a
// user who typed a builder added since the last refresh finds it at once. Only a name Buildbot was
// read for moments ago is answered "nothing called" from memory.
func (a *App) index(ctx context.Context, name string, find func(*catalog.Index, string) (*catalog.Repo, bool)) (*catalog.Index, error) {
	ix := a.Catalog.Current()
	asked := time.Now()
	if a.Catalog.Warm() {
		if _, ok := find(ix, name); ok || name == "" || a.misses.recent(name, asked) {
			return ix, nil
		}
	}
	ix, err := a.Catalog.Refresh(ctx)
	if err != nil {
		return ix, err
	}
	if _, ok := find(ix, name); !ok && name != "" {
		a.misses.note(name, asked)
	}
	return ix, nil
}

// findRepo looks a repo up, or says why it cannot: Buildbot did not answer, or has no such repo.
func (a *App) findRepo(ctx context.Context, name string) (*catalog.Repo, i18n.Text) {
	ix, err := a.repos(ctx, name)
	if err != nil {
		return nil, buildbot.UserMessage(err)
	}
	repo, ok := ix.Lookup(name)
	if !ok {
		return nil, unknownRepo(name, ix)
	}
	return repo, i18n.Text{}
}

func unknownRepo(name string, ix *catalog.Index) i18n.Text {
	names := ix.Names()
	if len(names) == 0 {
		return i18n.T("command.unknown_repo.nothing", "Buildbot has nothing called `{{.Name}}`, and nothing it can build from chat yet: check its force schedulers.",
			"Name", form.Shorten(name))
	}
	if near := nearNames(name, names); near != "" {
		return i18n.T("command.unknown_repo.near", "Buildbot has nothing called `{{.Name}}`. Did you mean {{.Near}}?", "Name", form.Shorten(name), "Near", near)
	}
	return i18n.T("command.unknown_repo", "Buildbot has nothing called `{{.Name}}`. `/build list` shows what it can build.", "Name", form.Shorten(name))
}

// nearNames words up to three names a typo could have meant, each in a code span, or "".
func nearNames(name string, names []string) string {
	near := closest(name, names, 3)
	for i, n := range near {
		near[i] = "`" + markdown.Code(n) + "`"
	}
	return strings.Join(near, ", ")
}

// closest returns up to n names a typo could have meant: those sharing a prefix or within a
// small edit distance, nearest first.
func closest(name string, names []string, n int) []string {
	type scored struct {
		name string
		dist int
	}
	lower := strings.ToLower(name)
	var candidates []scored
	for _, candidate := range names {
		c := strings.ToLower(candidate)
		d := editDistance(lower, c)
		if strings.HasPrefix(c, lower) || strings.HasPrefix(lower, c) || strings.Contains(c, lower) {
			d = min(d, 1)
		}
		if d <= max(2, len(lower)/3) {
			candidates = append(candidates, scored{candidate, d})
		}
	}
	sort.Slice(candidates, func(i, j int) bool {
		if candidates[i].dist != candidates[j].dist {
			return candidates[i].dist < candidates[j].dist
		}
		return candidates[i].name < candidates[j].name
	})
	var out []string
	for i := 0; i < len(candidates) && i < n; i++ {
		out = append(out, candidates[i].name)
	}
	return out
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
