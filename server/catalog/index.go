// Package catalog knows what the configured Buildbot can build: its repos, the builders and force
// schedulers behind each, and the branches seen for each. It is read on every keystroke of /build,
// so it answers from memory and refreshes from Buildbot in the background.
package catalog

import (
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/form"
)

// Target is one builder a repo builds on, with the force schedulers that serve it, preferred
// first (none in change-hook mode, where schedulers pick builds themselves).
type Target struct {
	BuilderID  int
	Builder    string
	Schedulers []Scheduler
}

// Scheduler is a force scheduler as far as choosing one goes.
type Scheduler struct {
	Name string
	// Branches are the only branches its branch field accepts; empty accepts any.
	Branches []string
	// NeedsInput is set when its form has a field that must be filled and has no default: /build
	// then opens the form.
	NeedsInput bool `json:",omitempty"`
}

// needsInput says whether a form has a field a person must fill: one Buildbot requires and gives
// no default, the branch aside, which /build always has.
func needsInput(f form.Form) bool {
	return slices.ContainsFunc(f.Unfilled(nil), func(p form.Param) bool { return p.Role != form.RoleBranch })
}

// NeedsInput says whether the scheduler a builder of the repo would take the branch through wants
// a value no one gave.
func (r *Repo) NeedsInput(branch string) bool {
	return slices.ContainsFunc(r.Targets, func(t Target) bool {
		s, ok := t.SchedulerFor(branch)
		return ok && s.NeedsInput
	})
}

// SchedulerFor picks the preferred scheduler that accepts the branch.
func (t Target) SchedulerFor(branch string) (Scheduler, bool) {
	for _, s := range t.Schedulers {
		if len(s.Branches) == 0 || slices.Contains(s.Branches, branch) {
			return s, true
		}
	}
	return Scheduler{}, false
}

// BranchChoices lists the branches the target's schedulers accept, when each of them accepts only
// some; nil when one accepts any branch.
func (t Target) BranchChoices() []string {
	var out []string
	for _, s := range t.Schedulers {
		if len(s.Branches) == 0 {
			return nil
		}
		for _, b := range s.Branches {
			if !slices.Contains(out, b) {
				out = append(out, b)
			}
		}
	}
	return out
}

// Repo is something a user can name after /build: a 4.x project, or a builder.
type Repo struct {
	Name    string
	Targets []Target
	// DefaultBranch is the force scheduler's default, else the most built branch.
	DefaultBranch string
	// Branches are known branch names: the default first, then the most recently built (the most
	// built first among those of one moment), then the force schedulers' other choices.
	Branches []string
	// LastBuilt is when a build or change of the repo was last seen, for offering the repos in use
	// first; zero when none was.
	LastBuilt buildbot.Time `json:",omitempty"`
}

// Index is one refresh's view of Buildbot. It is never changed after it is built.
type Index struct {
	// Repos are what /build can build: in force mode, only builders a force scheduler serves.
	Repos map[string]*Repo
	// names are the repos in alphabetical order, recent the most recently built first.
	names, recent []string
	RefreshedAt   time.Time
	// Watched are the repos of every active builder, which subscriptions follow: most builds
	// start from a push, on builders chat may never start. It is the index itself when every
	// builder is in Repos.
	Watched *Index
	// Forms are the force schedulers' forms by scheduler name, for completing name=value words
	// without asking Buildbot; a build reads its scheduler's form anew.
	Forms map[string]form.Form `json:",omitempty"`
}

// FormFor is the form of the one force scheduler that serves the repo's builders for the branch.
func (ix *Index) FormFor(repo, branch string) (form.Form, bool) {
	r, ok := ix.Lookup(repo)
	if !ok {
		return form.Form{}, false
	}
	names := r.Schedulers(branch)
	if len(names) != 1 {
		return form.Form{}, false
	}
	f, ok := ix.Forms[names[0]]
	return f, ok
}

// Schedulers lists the force schedulers that would start the repo's builders on branch, each
// once. A form serves one of them, so a repo whose builders answer to several has no one form.
func (r *Repo) Schedulers(branch string) []string {
	var names []string
	for _, t := range r.Targets {
		if s, ok := t.SchedulerFor(branch); ok && !slices.Contains(names, s.Name) {
			names = append(names, s.Name)
		}
	}
	return names
}

// Names lists the repos in alphabetical order.
func (ix *Index) Names() []string { return ix.names }

// Recent lists the repos most recently built first, then those never seen built by name.
func (ix *Index) Recent() []string { return ix.recent }

// order lists the repos' names once the repos are known.
func (ix *Index) order() {
	ix.names = make([]string, 0, len(ix.Repos))
	for name := range ix.Repos {
		ix.names = append(ix.names, name)
	}
	sort.Strings(ix.names)
	ix.recent = slices.Clone(ix.names)
	sort.SliceStable(ix.recent, func(i, j int) bool { return ix.Repos[ix.recent[i]].LastBuilt > ix.Repos[ix.recent[j]].LastBuilt })
}

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

// RepoOf names the repo a builder belongs to, among the watched repos.
func (ix *Index) RepoOf(builderID int) (string, bool) {
	for _, r := range ix.watched().Repos {
		for _, t := range r.Targets {
			if t.BuilderID == builderID {
				return r.Name, true
			}
		}
	}
	return "", false
}

// watched is the index of every active builder's repo.
func (ix *Index) watched() *Index {
	if ix.Watched != nil {
		return ix.Watched
	}
	return ix
}

// LookupWatched finds a repo among the watched ones, ignoring case.
func (ix *Index) LookupWatched(name string) (*Repo, bool) { return ix.watched().Lookup(name) }

// WatchedNames lists the watched repos in alphabetical order.
func (ix *Index) WatchedNames() []string { return ix.watched().names }

// WatchedRecent lists the watched repos most recently built first, as Recent does.
func (ix *Index) WatchedRecent() []string { return ix.watched().recent }

// Serves says whether chat may build on a builder: one of the repos has it as a target.
func (ix *Index) Serves(builderID int) bool {
	for _, r := range ix.Repos {
		for _, t := range r.Targets {
			if t.BuilderID == builderID {
				return true
			}
		}
	}
	return false
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
	// Mapping names repos by hand: repo to builder names. It wins over projects and names.
	Mapping map[string][]string
	// OwnProjects matches the project of a change this plugin sent; such a project names a repo
	// and a branch, not a repo, so it names nothing here. Nil matches none.
	OwnProjects *regexp.Regexp
}

// Build turns what Buildbot said into an index. It is pure, so every rule is unit-tested.
func Build(src Sources, now time.Time) *Index {
	ix := index(src, now)
	if src.RequireScheduler {
		all := src
		all.RequireScheduler = false
		ix.Watched = index(all, now)
	}
	return ix
}

func index(src Sources, now time.Time) *Index {
	projectNames := map[int]string{}
	for _, p := range src.Projects {
		projectNames[p.ProjectID] = p.Name
	}
	mappedRepo := map[string]string{}
	for repo, builders := range src.Mapping {
		for _, b := range builders {
			mappedRepo[b] = repo
		}
	}
	// A scheduler that serves fewer builders was made for this one: prefer it.
	schedulers := slices.Clone(src.Schedulers)
	sort.SliceStable(schedulers, func(i, j int) bool { return len(schedulers[i].BuilderNames) < len(schedulers[j].BuilderNames) })
	schedulersFor := func(builder string) []buildbot.ForceScheduler {
		var out []buildbot.ForceScheduler
		for _, s := range schedulers {
			if s.Serves(builder) {
				out = append(out, s)
			}
		}
		return out
	}

	built := builtRepos(src.Builds, src.OwnProjects)
	ix := &Index{Repos: map[string]*Repo{}, RefreshedAt: now, Forms: map[string]form.Form{}}
	for _, s := range src.Schedulers {
		if f, err := form.Flatten(s); err == nil {
			ix.Forms[s.Name] = f
		}
	}
	repoOfBuilder := map[int]*Repo{}
	defaults := map[*Repo]map[string]bool{}
	choices := map[*Repo][]string{}
	for _, b := range src.Builders {
		if !b.Active() {
			continue
		}
		serving := schedulersFor(b.Name)
		if src.RequireScheduler && len(serving) == 0 {
			continue
		}
		name := b.Name
		switch {
		case b.ProjectID != nil && projectNames[*b.ProjectID] != "":
			name = projectNames[*b.ProjectID]
		case built[b.BuilderID] != "":
			name = built[b.BuilderID]
		}
		if mapped, ok := mappedRepo[b.Name]; ok {
			name = mapped
		}
		repo := ix.Repos[name]
		if repo == nil {
			repo = &Repo{Name: name}
			ix.Repos[name] = repo
			defaults[repo] = map[string]bool{}
		}
		target := Target{BuilderID: b.BuilderID, Builder: b.Name}
		for _, scheduler := range serving {
			option := Scheduler{Name: scheduler.Name, NeedsInput: needsInput(ix.Forms[scheduler.Name])}
			if field, ok := scheduler.Field("branch"); ok {
				if d := field.DefaultString(); d != "" {
					defaults[repo][d] = true
				}
				option.Branches = field.Choices
				// A choice of no branch is not one to offer while typing.
				choices[repo] = append(choices[repo], slices.DeleteFunc(slices.Clone(field.Choices), func(b string) bool { return b == "" })...)
			}
			target.Schedulers = append(target.Schedulers, option)
		}
		repo.Targets = append(repo.Targets, target)
		repoOfBuilder[b.BuilderID] = repo
	}

	branches := map[*Repo]map[string]seen{}
	note := func(repo *Repo, branch string, at buildbot.Time) {
		if repo == nil {
			return
		}
		repo.LastBuilt = max(repo.LastBuilt, at)
		if branch == "" {
			return
		}
		if branches[repo] == nil {
			branches[repo] = map[string]seen{}
		}
		s := branches[repo][branch]
		s.count++
		s.last = max(s.last, at)
		branches[repo][branch] = s
	}
	for _, b := range src.Builds {
		note(repoOfBuilder[b.BuilderID], b.Properties.Get("branch"), b.StartedAt)
	}
	for _, s := range src.Stamps {
		repo := ix.Repos[s.Project]
		if repo == nil {
			repo = ix.Repos[repoName(s.Repository, "", nil)]
		}
		note(repo, s.Branch, s.CreatedAt)
	}

	for _, repo := range ix.Repos {
		known := branches[repo]
		if known == nil {
			known = map[string]seen{}
		}
		for _, c := range choices[repo] {
			if _, ok := known[c]; !ok {
				known[c] = seen{}
			}
		}
		repo.DefaultBranch = pickDefault(defaults[repo], known)
		repo.Branches = rank(known, repo.DefaultBranch)
		sort.Slice(repo.Targets, func(i, j int) bool { return repo.Targets[i].Builder < repo.Targets[j].Builder })
	}
	ix.order()
	return ix
}

// seen is what recent builds and changes say of one branch: how many name it, and when the last
// one was made.
type seen struct {
	count int
	last  buildbot.Time
}

// builtRepos names, for each builder, the repo its recent builds say they build: the one named by
// more than half of those that name one, and by two builds at least. Builders that build one
// repository are then one repo, with no mapping by hand; one build forced with another repository
// (anyone may type one in Buildbot's UI) renames nothing.
func builtRepos(builds []buildbot.Build, ownProjects *regexp.Regexp) map[int]string {
	counts := map[int]map[string]int{}
	naming := map[int]int{}
	for _, b := range builds {
		name := repoName(b.Properties.Get("repository"), b.Properties.Get("project"), ownProjects)
		if name == "" {
			continue
		}
		naming[b.BuilderID]++
		if counts[b.BuilderID] == nil {
			counts[b.BuilderID] = map[string]int{}
		}
		counts[b.BuilderID][name]++
	}
	out := map[int]string{}
	for builder, seen := range counts {
		best := ""
		for name, n := range seen {
			if best == "" || n > seen[best] || (n == seen[best] && name < best) {
				best = name
			}
		}
		if n := seen[best]; n >= 2 && 2*n > naming[builder] {
			out[builder] = best
		}
	}
	return out
}

// repoName is the repo a source stamp names: the last element of its repository's path or URL,
// without `.git` (`webapp` for https://git.example/team/webapp.git or git@host:team/webapp.git),
// else its project, unless that is one this plugin's change hook made up.
func repoName(repository, project string, ownProjects *regexp.Regexp) string {
	r := strings.TrimSuffix(strings.TrimRight(strings.TrimSpace(repository), "/"), ".git")
	if i := strings.LastIndexAny(r, "/:\\"); i >= 0 {
		r = r[i+1:]
	}
	if r != "" {
		return r
	}
	project = strings.TrimSpace(project)
	if ownProjects != nil && ownProjects.MatchString(project) {
		return ""
	}
	return project
}

// pickDefault prefers a scheduler default (the most built one if schedulers disagree), then the
// most built branch.
func pickDefault(schedulerDefaults map[string]bool, known map[string]seen) string {
	best, bestCount := "", -1
	consider := func(branch string) {
		if n := known[branch].count; n > bestCount || (n == bestCount && branch < best) {
			best, bestCount = branch, n
		}
	}
	if len(schedulerDefaults) > 0 {
		for branch := range schedulerDefaults {
			consider(branch)
		}
		return best
	}
	for branch := range known {
		consider(branch)
	}
	return best
}

// rank puts first first, then the branches most recently built: a Buildbot keeps hundreds of
// branches in its recent history, and the one someone builds next is most likely one built
// lately. Buildbot's times are whole seconds, so among those of one second the most built lead.
func rank(known map[string]seen, first string) []string {
	branches := make([]string, 0, len(known)+1)
	for b := range known {
		if b != first {
			branches = append(branches, b)
		}
	}
	sort.Slice(branches, func(i, j int) bool {
		a, b := known[branches[i]], known[branches[j]]
		switch {
		case a.last != b.last:
			return a.last > b.last
		case a.count != b.count:
			return a.count > b.count
		}
		return branches[i] < branches[j]
	})
	if first != "" {
		branches = append([]string{first}, branches...)
	}
	return branches
}
