// Package catalog knows what the configured Buildbot can build: its repos, the builders and force
// schedulers behind each, and the branches seen for each. It is read on every keystroke of /build,
// so it answers from memory and refreshes from Buildbot in the background.
package catalog

import (
	"sort"
	"strings"
	"time"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
)

// Target is one builder a repo builds on, with the force scheduler that serves it (empty in
// change-hook mode, where schedulers pick builds themselves).
type Target struct {
	BuilderID int
	Builder   string
	Scheduler string
}

// Repo is something a user can name after /build: a 4.x project, or a builder.
type Repo struct {
	Name    string
	Targets []Target
	// DefaultBranch is the force scheduler's default, else the most built branch.
	DefaultBranch string
	// Branches are known branch names: the default first, then the most built.
	Branches []string
}

// Index is one refresh's view of Buildbot. It is never changed after it is built.
type Index struct {
	Repos       map[string]*Repo
	names       []string
	RefreshedAt time.Time
}

// Names lists the repos in alphabetical order.
func (ix *Index) Names() []string { return ix.names }

// Lookup finds a repo by name, ignoring case.
func (ix *Index) Lookup(name string) (*Repo, bool) {
	if r, ok := ix.Repos[name]; ok {
		return r, true
	}
	for _, r := range ix.Repos {
		if strings.EqualFold(r.Name, name) {
			return r, true
		}
	}
	return nil, false
}

// Sources is what one refresh read from Buildbot.
type Sources struct {
	Builders   []buildbot.Builder
	Schedulers []buildbot.ForceScheduler
	// Projects is empty on masters before 4.0.
	Projects []buildbot.Project
	// Builds are recent builds with their branch property.
	Builds []buildbot.Build
	// Stamps are recent source stamps.
	Stamps []buildbot.SourceStamp
	// RequireScheduler keeps only builders a force scheduler serves (force mode).
	RequireScheduler bool
}

// Build turns what Buildbot said into an index. It is pure, so every rule is unit-tested.
func Build(src Sources, now time.Time) *Index {
	projectNames := map[int]string{}
	for _, p := range src.Projects {
		projectNames[p.ProjectID] = p.Name
	}
	schedulerFor := func(builder string) (buildbot.ForceScheduler, bool) {
		// Prefer the scheduler that serves the fewest builders: it is the one made for this builder.
		var best buildbot.ForceScheduler
		found := false
		for _, s := range src.Schedulers {
			if s.Serves(builder) && (!found || len(s.BuilderNames) < len(best.BuilderNames)) {
				best, found = s, true
			}
		}
		return best, found
	}

	ix := &Index{Repos: map[string]*Repo{}, RefreshedAt: now}
	repoOfBuilder := map[int]*Repo{}
	defaults := map[*Repo]map[string]bool{}
	choices := map[*Repo][]string{}
	for _, b := range src.Builders {
		if !b.Active() {
			continue
		}
		scheduler, ok := schedulerFor(b.Name)
		if src.RequireScheduler && !ok {
			continue
		}
		name := b.Name
		if b.ProjectID != nil && projectNames[*b.ProjectID] != "" {
			name = projectNames[*b.ProjectID]
		}
		repo := ix.Repos[name]
		if repo == nil {
			repo = &Repo{Name: name}
			ix.Repos[name] = repo
			defaults[repo] = map[string]bool{}
		}
		repo.Targets = append(repo.Targets, Target{BuilderID: b.BuilderID, Builder: b.Name, Scheduler: scheduler.Name})
		repoOfBuilder[b.BuilderID] = repo
		if field, ok := scheduler.Field("branch"); ok {
			if d := field.DefaultString(); d != "" {
				defaults[repo][d] = true
			}
			choices[repo] = append(choices[repo], field.Choices...)
		}
	}

	counts := map[*Repo]map[string]int{}
	count := func(repo *Repo, branch string) {
		if repo == nil || branch == "" {
			return
		}
		if counts[repo] == nil {
			counts[repo] = map[string]int{}
		}
		counts[repo][branch]++
	}
	for _, b := range src.Builds {
		count(repoOfBuilder[b.BuilderID], b.Properties.Get("branch"))
	}
	for _, s := range src.Stamps {
		count(ix.Repos[s.Project], s.Branch)
	}

	for _, repo := range ix.Repos {
		seen := counts[repo]
		if seen == nil {
			seen = map[string]int{}
		}
		for _, c := range choices[repo] {
			if _, ok := seen[c]; !ok {
				seen[c] = 0
			}
		}
		repo.DefaultBranch = pickDefault(defaults[repo], seen)
		repo.Branches = rank(seen, repo.DefaultBranch)
		sort.Slice(repo.Targets, func(i, j int) bool { return repo.Targets[i].Builder < repo.Targets[j].Builder })
		ix.names = append(ix.names, repo.Name)
	}
	sort.Strings(ix.names)
	return ix
}

// pickDefault prefers a scheduler default (the most built one if schedulers disagree), then the
// most built branch.
func pickDefault(schedulerDefaults map[string]bool, seen map[string]int) string {
	best, bestCount := "", -1
	consider := func(branch string) {
		if n := seen[branch]; n > bestCount || (n == bestCount && branch < best) {
			best, bestCount = branch, n
		}
	}
	if len(schedulerDefaults) > 0 {
		for branch := range schedulerDefaults {
			consider(branch)
		}
		return best
	}
	for branch := range seen {
		consider(branch)
	}
	return best
}

func rank(seen map[string]int, first string) []string {
	branches := make([]string, 0, len(seen)+1)
	for b := range seen {
		if b != first {
			branches = append(branches, b)
		}
	}
	sort.Slice(branches, func(i, j int) bool {
		if seen[branches[i]] != seen[branches[j]] {
			return seen[branches[i]] > seen[branches[j]]
		}
		return branches[i] < branches[j]
	})
	if first != "" {
		branches = append([]string{first}, branches...)
	}
	return branches
}
