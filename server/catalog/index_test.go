package catalog

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
)

func ptr(i int) *int { return &i }

func build(builderID int, branch string) buildbot.Build {
	v, _ := json.Marshal(branch)
	return buildbot.Build{BuilderID: builderID, Properties: buildbot.Properties{"branch": {Value: v}}}
}

func branchField(def string, choices ...string) []buildbot.ForceField {
	d, _ := json.Marshal(def)
	return []buildbot.ForceField{{Name: "", Type: "nested", Fields: []buildbot.ForceField{
		{Name: "branch", FullName: "branch", Type: "text", Default: d, Choices: choices},
	}}}
}

func sources() Sources {
	return Sources{
		Builders: []buildbot.Builder{
			{BuilderID: 1, Name: "compile", MasterIDs: []int{1}, ProjectID: ptr(7)},
			{BuilderID: 2, Name: "docs", MasterIDs: []int{1}, ProjectID: ptr(7)},
			{BuilderID: 3, Name: "tools", MasterIDs: []int{1}},
			{BuilderID: 4, Name: "retired", MasterIDs: []int{}},
			{BuilderID: 5, Name: "unforceable", MasterIDs: []int{1}},
		},
		Projects: []buildbot.Project{{ProjectID: 7, Name: "app"}},
		Schedulers: []buildbot.ForceScheduler{
			{Name: "force", BuilderNames: []string{"compile", "docs", "tools", "retired"}, AllFields: branchField("main")},
			{Name: "force-docs", BuilderNames: []string{"docs"}, AllFields: branchField("main", "main", "release-1")},
		},
		Builds: []buildbot.Build{
			build(1, "feature/a"), build(1, "feature/a"), build(1, "main"), build(2, "feature/b"),
			build(3, "dev"), build(3, "dev"), build(3, ""), build(99, "ghost"),
		},
		Stamps: []buildbot.SourceStamp{{Project: "app", Branch: "feature/a"}, {Project: "elsewhere", Branch: "x"}},
	}
}

func TestBuild(t *testing.T) {
	src := sources()
	src.RequireScheduler = true
	ix := Build(src, time.Unix(0, 0))

	t.Run("repos are 4.x projects and builders outside projects, attached and forceable", func(t *testing.T) {
		if got := ix.Names(); !reflect.DeepEqual(got, []string{"app", "tools"}) {
			t.Fatalf("names %v", got)
		}
	})
	t.Run("a project builds on each of its builders with the scheduler made for it", func(t *testing.T) {
		want := []Target{
			{BuilderID: 1, Builder: "compile", Schedulers: []Scheduler{{Name: "force"}}},
			{BuilderID: 2, Builder: "docs", Schedulers: []Scheduler{{Name: "force-docs", Branches: []string{"main", "release-1"}}, {Name: "force"}}},
		}
		if got := ix.Repos["app"].Targets; !reflect.DeepEqual(got, want) {
			t.Fatalf("targets %+v", got)
		}
	})
	t.Run("the scheduler default comes first, then the most built branches, then choices", func(t *testing.T) {
		app := ix.Repos["app"]
		if app.DefaultBranch != "main" {
			t.Fatalf("default %q", app.DefaultBranch)
		}
		if want := []string{"main", "feature/a", "feature/b", "release-1"}; !reflect.DeepEqual(app.Branches, want) {
			t.Fatalf("branches %v", app.Branches)
		}
	})
	t.Run("empty branches and builds of unknown builders are ignored", func(t *testing.T) {
		if want := []string{"main", "dev"}; !reflect.DeepEqual(ix.Repos["tools"].Branches, want) {
			t.Fatalf("branches %v", ix.Repos["tools"].Branches)
		}
	})
	t.Run("a branch outside a scheduler's choices goes to another scheduler", func(t *testing.T) {
		docs := ix.Repos["app"].Targets[1]
		if s, _ := docs.SchedulerFor("release-1"); s.Name != "force-docs" {
			t.Errorf("release-1 went to %q", s.Name)
		}
		if s, _ := docs.SchedulerFor("feature/z"); s.Name != "force" {
			t.Errorf("feature/z went to %q", s.Name)
		}
	})
	t.Run("lookup ignores case", func(t *testing.T) {
		if r, ok := ix.Lookup("APP"); !ok || r.Name != "app" {
			t.Fatal("APP not found")
		}
	})
}

func TestWithoutSchedulerDefaultsTheMostBuiltBranchIsTheDefault(t *testing.T) {
	src := sources()
	src.Schedulers = nil
	ix := Build(src, time.Unix(0, 0))

	if got := ix.Names(); !reflect.DeepEqual(got, []string{"app", "tools", "unforceable"}) {
		t.Fatalf("change-hook mode keeps every attached builder: %v", got)
	}
	if ix.Repos["tools"].DefaultBranch != "dev" || ix.Repos["app"].DefaultBranch != "feature/a" {
		t.Fatalf("defaults %q %q", ix.Repos["tools"].DefaultBranch, ix.Repos["app"].DefaultBranch)
	}
	if ix.Repos["unforceable"].DefaultBranch != "" || len(ix.Repos["unforceable"].Branches) != 0 {
		t.Fatalf("a repo never built has no branches: %+v", ix.Repos["unforceable"])
	}
}

func TestThreeXMastersWithoutProjectsUseBuilderNames(t *testing.T) {
	src := sources()
	src.Projects = nil
	for i := range src.Builders {
		src.Builders[i].ProjectID = nil
	}
	ix := Build(src, time.Unix(0, 0))
	if got := ix.Names(); !reflect.DeepEqual(got, []string{"compile", "docs", "tools", "unforceable"}) {
		t.Fatalf("names %v", got)
	}
}

func TestTheAdminsMappingNamesRepos(t *testing.T) {
	src := sources()
	src.Mapping = map[string][]string{"everything": {"compile", "tools"}}
	ix := Build(src, time.Unix(0, 0))

	if got := ix.Names(); !reflect.DeepEqual(got, []string{"app", "everything", "unforceable"}) {
		t.Fatalf("names %v", got)
	}
	var builders []string
	for _, target := range ix.Repos["everything"].Targets {
		builders = append(builders, target.Builder)
	}
	if !reflect.DeepEqual(builders, []string{"compile", "tools"}) {
		t.Fatalf("builders %v", builders)
	}
}

func TestAChoiceOfNoBranchIsNotOfferedWhileTyping(t *testing.T) {
	src := sources()
	src.Schedulers = append(src.Schedulers, buildbot.ForceScheduler{Name: "force-tools", BuilderNames: []string{"tools"}, AllFields: branchField("dev", "", "dev", "stable")})
	ix := Build(src, time.Unix(0, 0))

	if want := []string{"dev", "stable"}; !reflect.DeepEqual(ix.Repos["tools"].Branches, want) {
		t.Fatalf("branches %q", ix.Repos["tools"].Branches)
	}
}

func TestBranchChoicesAreThoseOfSchedulersThatOnlyTakeSome(t *testing.T) {
	picky := Target{Schedulers: []Scheduler{{Name: "a", Branches: []string{"main", "release-1"}}, {Name: "b", Branches: []string{"main", "release-2"}}}}
	if got := picky.BranchChoices(); !reflect.DeepEqual(got, []string{"main", "release-1", "release-2"}) {
		t.Fatalf("choices %v", got)
	}
	open := Target{Schedulers: []Scheduler{{Name: "a", Branches: []string{"main"}}, {Name: "any"}}}
	if got := open.BranchChoices(); got != nil {
		t.Fatalf("a target with a scheduler for any branch has choices %v", got)
	}
}

func TestServesNamesOnlyBuildersChatMayBuildOn(t *testing.T) {
	src := sources()
	src.RequireScheduler = true
	ix := Build(src, time.Unix(0, 0))
	for id, want := range map[int]bool{1: true, 2: true, 3: true, 4: false, 5: false, 99: false} {
		if got := ix.Serves(id); got != want {
			t.Errorf("builder %d: %v", id, got)
		}
	}
}

// Subscriptions follow builds chat never starts: every active builder has a repo, also those no
// force scheduler serves, while /build offers only what it can start.
func TestEveryActiveBuilderIsWatchedThoughOnlyForceableOnesAreBuilt(t *testing.T) {
	src := sources()
	src.RequireScheduler = true
	ix := Build(src, time.Unix(0, 0))

	if got := ix.WatchedNames(); !reflect.DeepEqual(got, []string{"app", "tools", "unforceable"}) {
		t.Fatalf("watched %v", got)
	}
	if _, ok := ix.Lookup("unforceable"); ok {
		t.Fatal("/build offers a builder no force scheduler serves")
	}
	if repo, ok := ix.RepoOf(5); !ok || repo != "unforceable" {
		t.Fatalf("builder 5 is in %q", repo)
	}
	if repo, ok := ix.RepoOf(2); !ok || repo != "app" {
		t.Fatalf("builder 2 is in %q", repo)
	}
	if _, ok := ix.RepoOf(4); ok {
		t.Fatal("a retired builder is watched")
	}
}

// stamped is a build whose source stamp names a repository and a project.
func stamped(builderID int, branch, repository, project string) buildbot.Build {
	b := build(builderID, branch)
	for name, value := range map[string]string{"repository": repository, "project": project} {
		v, _ := json.Marshal(value)
		b.Properties[name] = buildbot.Property{Value: v}
	}
	return b
}

func threeX(src Sources) Sources {
	src.Projects = nil
	for i := range src.Builders {
		src.Builders[i].ProjectID = nil
	}
	return src
}

func TestBuildersThatBuildOneRepositoryAreOneRepo(t *testing.T) {
	src := threeX(sources())
	src.Builds = append(src.Builds,
		stamped(1, "main", "https://git.example/team/webapp.git", ""),
		stamped(1, "main", "https://git.example/team/webapp", ""),
		stamped(3, "main", "git@git.example:team/webapp", ""),
		stamped(3, "next", "https://git.example/team/webapp/", "mattermost_build_webapp_next"))
	ix := Build(src, time.Unix(0, 0))

	if got := ix.Names(); !reflect.DeepEqual(got, []string{"docs", "unforceable", "webapp"}) {
		t.Fatalf("names %v", got)
	}
	webapp := ix.Repos["webapp"]
	if len(webapp.Targets) != 2 || webapp.Targets[0].Builder != "compile" || webapp.Targets[1].Builder != "tools" {
		t.Fatalf("targets %+v", webapp.Targets)
	}
	// The builds of both builders count for the branches of the one repo.
	if webapp.DefaultBranch != "main" || !reflect.DeepEqual(webapp.Branches, []string{"main", "dev", "feature/a", "next"}) {
		t.Fatalf("branches %q %v", webapp.DefaultBranch, webapp.Branches)
	}
	if repo, _ := ix.RepoOf(3); repo != "webapp" {
		t.Fatalf("builder 3 is in %q", repo)
	}
}

func TestProjectsAndTheAdminsMappingWinOverWhatBuildsSay(t *testing.T) {
	src := sources()
	src.Builds = append(src.Builds, stamped(1, "main", "https://git.example/webapp.git", ""), stamped(3, "main", "https://git.example/webapp.git", ""))
	src.Mapping = map[string][]string{"tooling": {"tools"}}
	ix := Build(src, time.Unix(0, 0))
	if got := ix.Names(); !reflect.DeepEqual(got, []string{"app", "tooling", "unforceable"}) {
		t.Fatalf("names %v", got)
	}
}

// A repository anyone typed into one forced build, in Buildbot's UI or a form, names nothing: the
// builder keeps the repo most of its builds name, or its own name.
func TestOneBuildWithAnotherRepositoryRenamesNoRepo(t *testing.T) {
	src := threeX(sources())
	src.Builds = append(src.Builds,
		stamped(1, "main", "https://git.example/team/webapp.git", ""), stamped(1, "main", "https://git.example/team/webapp.git", ""),
		stamped(1, "main", "https://evil.example/x.git", ""),
		stamped(3, "main", "https://evil.example/x.git", ""))
	ix := Build(src, time.Unix(0, 0))

	if got := ix.Names(); !reflect.DeepEqual(got, []string{"docs", "tools", "unforceable", "webapp"}) {
		t.Fatalf("names %v", got)
	}
}

func TestAChangesProjectNamesTheRepoWhenNoRepositoryDoes(t *testing.T) {
	src := threeX(sources())
	src.OwnProjects = ownProjects("mattermost_build_{repo}_{branch}")
	src.Builds = append(src.Builds,
		stamped(1, "main", "", "mobile"), stamped(1, "main", "", "mobile"), stamped(1, "main", "", "mobile"), stamped(1, "main", "", "desktop"),
		stamped(3, "main", "", "mattermost_build_tools_main"))
	ix := Build(src, time.Unix(0, 0))
	// The project most builds name wins; the plugin's own made-up projects name nothing.
	if got := ix.Names(); !reflect.DeepEqual(got, []string{"docs", "mobile", "tools", "unforceable"}) {
		t.Fatalf("names %v", got)
	}
}

func TestRepoName(t *testing.T) {
	own := ownProjects("ci-{repo}-{branch}")
	for _, tc := range []struct{ repository, project, want string }{
		{"https://git.example/team/webapp.git", "", "webapp"},
		{"git@git.example:team/webapp.git", "", "webapp"},
		{"git@git.example:webapp", "", "webapp"},
		{"/srv/git/webapp/", "other", "webapp"},
		{"webapp", "", "webapp"},
		{"", "mobile", "mobile"},
		{"", "ci-mobile-main", ""},
		{" ", " ", ""},
	} {
		if got := repoName(tc.repository, tc.project, own); got != tc.want {
			t.Errorf("repoName(%q, %q) = %q, want %q", tc.repository, tc.project, got, tc.want)
		}
	}
	if ownProjects("{repo}") != nil {
		t.Error("a project that is the repo alone names the repo")
	}
}

func TestAFormServesARepoWhoseBuildersAnswerToOneScheduler(t *testing.T) {
	ix := Build(sources(), time.Unix(0, 0))
	app := ix.Repos["app"]

	if got := app.Schedulers("feature/z"); !reflect.DeepEqual(got, []string{"force"}) {
		t.Errorf("feature/z: schedulers %v", got)
	}
	if got := app.Schedulers("release-1"); !reflect.DeepEqual(got, []string{"force", "force-docs"}) {
		t.Errorf("release-1: schedulers %v", got)
	}
	if _, ok := ix.FormFor("app", "feature/z"); !ok {
		t.Error("feature/z, served by one scheduler, has no form")
	}
	if _, ok := ix.FormFor("app", "release-1"); ok {
		t.Error("release-1, served by two schedulers, has a form")
	}
	if _, ok := ix.FormFor("no-such-repo", "main"); ok {
		t.Error("an unknown repo has a form")
	}
}

// builtAt is a build of the branch started at the given second.
func builtAt(builderID int, branch string, at buildbot.Time) buildbot.Build {
	b := build(builderID, branch)
	b.StartedAt = at
	return b
}

// A Buildbot keeps hundreds of branches in its recent history: the one built last is the one most
// likely built next, whatever its name and however often the others were built.
func TestBranchesComeDefaultFirstThenTheMostRecentlyBuilt(t *testing.T) {
	src := sources()
	src.Builds = []buildbot.Build{
		builtAt(3, "often-long-ago", 100), builtAt(3, "often-long-ago", 101), builtAt(3, "often-long-ago", 102),
		builtAt(3, "s19-10", 300), builtAt(3, "s19-9", 400), builtAt(3, "main", 50),
		// Buildbot's times are whole seconds: of one second, the most built leads.
		builtAt(3, "same-second-once", 200), builtAt(3, "same-second-twice", 200), builtAt(3, "same-second-twice", 150),
	}
	src.Stamps = []buildbot.SourceStamp{{Project: "tools", Branch: "pushed-last", CreatedAt: 500}, {Project: "tools", Branch: "s19-10", CreatedAt: 250}}
	ix := Build(src, time.Unix(0, 0))

	want := []string{"main", "pushed-last", "s19-9", "s19-10", "same-second-twice", "same-second-once", "often-long-ago"}
	if got := ix.Repos["tools"].Branches; !reflect.DeepEqual(got, want) {
		t.Fatalf("branches %v, want %v", got, want)
	}
	if ix.Repos["tools"].DefaultBranch != "main" {
		t.Fatalf("the scheduler's default is no longer the default: %q", ix.Repos["tools"].DefaultBranch)
	}
}

func TestReposComeMostRecentlyBuiltFirstThenByName(t *testing.T) {
	src := threeX(sources())
	src.Builds = []buildbot.Build{builtAt(1, "main", 100), builtAt(3, "main", 300), builtAt(2, "main", 200)}
	src.Stamps = []buildbot.SourceStamp{{Project: "compile", Branch: "next", CreatedAt: 400}}
	ix := Build(src, time.Unix(0, 0))

	if got := ix.Recent(); !reflect.DeepEqual(got, []string{"compile", "tools", "docs", "unforceable"}) {
		t.Fatalf("recent %v", got)
	}
	if got := ix.WatchedRecent(); !reflect.DeepEqual(got, ix.Recent()) {
		t.Fatalf("watched recent %v", got)
	}
	if got := ix.Names(); !reflect.DeepEqual(got, []string{"compile", "docs", "tools", "unforceable"}) {
		t.Fatalf("names %v", got)
	}
}
