package command

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbottest"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/catalog"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/route"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/subscription"
)

func items(list []model.AutocompleteListItem) []string {
	out := make([]string, len(list))
	for i, item := range list {
		out[i] = item.Item
	}
	return out
}

// suggest asks for the word being typed as Mattermost does: parsed is the input up to that word.
func suggest(ix *catalog.Index, input string, subscribed Subscribed) []model.AutocompleteListItem {
	return Suggest(ix, input[:strings.LastIndex(input, " ")+1], input, subscribed, i18n.English())
}

func branchBuild(builderID int, name string, at buildbot.Time) buildbot.Build {
	v, _ := json.Marshal(name)
	return buildbot.Build{BuilderID: builderID, StartedAt: at, Properties: buildbot.Properties{"branch": {Value: v}}}
}

func none() []subscription.Subscription { return nil }

func TestAutocomplete(t *testing.T) {
	def, _ := json.Marshal("main")
	ix := catalog.Build(catalog.Sources{
		Builders: []buildbot.Builder{{BuilderID: 1, Name: "app", MasterIDs: []int{1}}, {BuilderID: 2, Name: "tools", MasterIDs: []int{1}}},
		Schedulers: []buildbot.ForceScheduler{
			{Name: "app", BuilderNames: []string{"app"}, AllFields: []buildbot.ForceField{{Name: "branch", Default: def}}},
		},
		Builds: []buildbot.Build{branchBuild(1, "feature/x", 0)},
	}, time.Time{})

	subscribed := func() []subscription.Subscription {
		return []subscription.Subscription{{Repo: "app"}, {Repo: "app", Branch: "release/*"}, {Repo: "*", Branch: "*"}}
	}
	everyEvent := make([]string, len(subscription.Events))
	for i, e := range subscription.Events {
		everyEvent[i] = string(e.Event)
	}
	tests := []struct {
		input string
		subs  Subscribed
		want  []string
	}{
		{"/build ", none, []string{"app", "tools", "list", "status", "subscribe", "unsubscribe", "subscriptions", "me", "mine", "help"}},
		{"/build s", none, []string{"status", "subscribe", "subscriptions"}},
		{"/build app ", none, []string{"main", "feature/x"}},
		{"/build APP f", none, []string{"feature/x"}},
		{"build app ", none, []string{"main", "feature/x"}},
		{"/build app main ", none, []string{}},
		{"/build status ", none, []string{"app", "tools"}},
		{"/build status app ", none, []string{"main", "feature/x"}},
		{"/build list ", none, []string{}},
		{"/build nope ", none, []string{}},
		{"/build subscribe ", none, []string{"*", "app", "tools"}},
		{"/build subscribe app ", none, []string{"*", "main", "feature/x", "--events", "--style"}},
		{"/build subscribe app --", none, []string{"--events", "--style"}},
		{"/build subscribe app main ", none, []string{"--events", "--style"}},
		{"/build subscribe app --events ", none, everyEvent},
		{"/build subscribe app --events failure,pro", none, []string{"failure,problem"}},
		{"/build subscribe app --events failure ", none, []string{"*", "main", "feature/x", "--style"}},
		{"/build subscribe app --events=failure main ", none, []string{"--style"}},
		{"/build subscribe app main --style ", none, []string{"card", "line"}},
		{"/build subscribe --events failure ", none, []string{"*", "app", "tools"}},
		{"/build subscribe --events failure app ", none, []string{"*", "main", "feature/x", "--style"}},
		{"/build unsubscribe ", subscribed, []string{"app", "*"}},
		{"/build unsubscribe app ", subscribed, []string{"release/*"}},
		{"/build subscriptions ", none, []string{"--all"}},
		{"/build me ", none, []string{"link", "unlink", "builds", "breaks"}},
		{"/build me builds ", none, []string{"off", "failures", "always"}},
		{"/build me breaks o", none, []string{"on", "off"}},
		{"/build", none, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.input, func(t *testing.T) {
			if got := items(suggest(ix, tt.input, tt.subs)); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
	first := suggest(ix, "/build ", none)[0]
	if first.Hint != "[main]" || first.HelpText != "Builds on app" {
		t.Errorf("repo item %+v", first)
	}
	if branch := suggest(ix, "/build app ", none)[0]; branch.HelpText != "default branch" {
		t.Errorf("default branch item %+v", branch)
	}
}

// `/build slow ` offered every branch built lately, 461 of them sorted as text; Mattermost's list
// is for picking: the default, then the latest, and typing finds the others.
func TestLongListsAreCutToTheMostRecentAndTypingFindsTheRest(t *testing.T) {
	def, _ := json.Marshal("main")
	src := catalog.Sources{
		Builders:   []buildbot.Builder{{BuilderID: 1, Name: "slow", MasterIDs: []int{1}}},
		Schedulers: []buildbot.ForceScheduler{{Name: "force", BuilderNames: []string{"slow"}, AllFields: []buildbot.ForceField{{Name: "branch", Default: def}}}},
	}
	for i := range 461 {
		src.Builds = append(src.Builds, branchBuild(1, fmt.Sprintf("s19-%d", i), buildbot.Time(1000+i)))
	}
	for i := range 40 {
		src.Builders = append(src.Builders, buildbot.Builder{BuilderID: 100 + i, Name: fmt.Sprintf("repo-%02d", i), MasterIDs: []int{1}})
	}
	ix := catalog.Build(src, time.Now())

	branches := items(suggest(ix, "/build slow ", none))
	if len(branches) != maxItems || branches[0] != "main" || branches[1] != "s19-460" || branches[2] != "s19-459" || branches[24] != "s19-437" {
		t.Fatalf("%d branches: %q", len(branches), branches)
	}
	if got := items(suggest(ix, "/build slow s19-3", none)); len(got) != maxItems || got[0] != "s19-399" {
		t.Fatalf("typed s19-3: %q", got)
	}
	if got := items(suggest(ix, "/build slow s19-0", none)); !slices.Equal(got, []string{"s19-0"}) {
		t.Fatalf("the oldest branch is not found by its name: %q", got)
	}
	if got := items(suggest(ix, "/build subscribe slow ", none)); len(got) != maxItems || got[0] != "*" || got[1] != "main" || got[23] != "--events" {
		t.Fatalf("globs %q", got)
	}

	first := items(suggest(ix, "/build ", none))
	if len(first) != maxItems || first[0] != "slow" || !slices.Contains(first, "help") {
		t.Fatalf("%d first words: %q", len(first), first)
	}
	if got := items(suggest(ix, "/build repo-3", none)); len(got) != 10 || got[0] != "repo-30" {
		t.Fatalf("typed repo-3: %q", got)
	}
	if got := items(suggest(ix, "/build subscribe ", none)); len(got) != maxItems || got[0] != "*" || got[1] != "slow" {
		t.Fatalf("subscribe's repos %q", got)
	}
}

// Right after the settings name another Buildbot, the catalog knows nothing until its first read
// ends: the lists say so rather than stay empty.
func TestAColdCatalogSaysItIsReading(t *testing.T) {
	reading := "reading Buildbot's builders…"
	first := suggest(nil, "/build ", none)
	if first[0].Item != "" || first[0].HelpText != reading || !slices.Contains(items(first), "help") {
		t.Fatalf("first word %+v", first)
	}
	for _, input := range []string{"/build ap", "/build app ", "/build app main de", "/build status ", "/build subscribe a"} {
		got := suggest(nil, input, none)
		word := input[strings.LastIndex(input, " ")+1:]
		if !slices.ContainsFunc(got, func(i model.AutocompleteListItem) bool { return i.Item == word && i.HelpText == reading }) {
			t.Errorf("%q: %+v", input, got)
		}
	}
	if got := items(suggest(nil, "/build me ", none)); !slices.Equal(got, []string{"link", "unlink", "builds", "breaks"}) {
		t.Errorf("a list that needs no catalog: %q", got)
	}
}

// hangingReader is a Buildbot whose first read has not ended.
type hangingReader struct{}

func (hangingReader) Builders(ctx context.Context) ([]buildbot.Builder, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

func (hangingReader) ForceSchedulers(context.Context) ([]buildbot.ForceScheduler, error) {
	return nil, nil
}
func (hangingReader) Projects(context.Context) ([]buildbot.Project, error) { return nil, nil }
func (hangingReader) Builds(context.Context, buildbot.Query) ([]buildbot.Build, error) {
	return nil, nil
}

func (hangingReader) SourceStamps(context.Context, buildbot.Query) ([]buildbot.SourceStamp, error) {
	return nil, nil
}

func TestTheListsSayTheCatalogIsReadingOnlyWhileABuildbotIsSet(t *testing.T) {
	var setup catalog.Setup
	lists := &Lists{Catalog: catalog.New(func() catalog.Setup { return setup }, nil)}
	says := func(list []model.AutocompleteListItem) bool {
		return slices.ContainsFunc(list, func(i model.AutocompleteListItem) bool { return i.HelpText == "reading Buildbot's builders…" })
	}
	if got := lists.Word("alice", "builds", "build ", "build "); says(got) || got[0].Item != SubList {
		t.Fatalf("with no Buildbot set: %+v", got)
	}
	setup.Reader = hangingReader{}
	if got := lists.Word("alice", "builds", "build ", "build "); !says(got) {
		t.Fatalf("while reading: %+v", got)
	}
}

// Mattermost asks an optional argument's route about the words of those before it too, on every
// keystroke; and it offers a named argument wherever its command's arguments go.
func TestEveryWordIsOneRequiredListOfTheOneRoute(t *testing.T) {
	cmd := Definition(i18n.English())
	if cmd.Trigger != "build" || !cmd.AutoComplete {
		t.Fatalf("command %+v", cmd)
	}
	if err := cmd.AutocompleteData.IsValid(); err != nil {
		t.Fatalf("autocomplete data: %v", err)
	}
	args := cmd.AutocompleteData.Arguments
	if len(args) != maxWords {
		t.Fatalf("%d arguments", len(args))
	}
	for i, arg := range args {
		list, ok := arg.Data.(*model.AutocompleteDynamicListArg)
		if !ok || !arg.Required || arg.Name != "" || list.FetchURL != route.Autocomplete {
			t.Errorf("argument %d: %+v %+v", i+1, arg, arg.Data)
		}
	}
}

func TestNameValueWordsAutocompleteFromTheSchedulersFormAfterTheBranch(t *testing.T) {
	var schedulers struct {
		ForceSchedulers []buildbot.ForceScheduler `json:"forceschedulers"`
	}
	if err := json.Unmarshal([]byte(buildbottest.ParamsSchedulers), &schedulers); err != nil {
		t.Fatal(err)
	}
	ix := catalog.Build(catalog.Sources{
		Builders:   []buildbot.Builder{{BuilderID: 4, Name: "deploy-prod", MasterIDs: []int{1}}, {BuilderID: 3, Name: "tools", MasterIDs: []int{1}}},
		Schedulers: schedulers.ForceSchedulers, RequireScheduler: true,
	}, time.Now())
	for input, want := range map[string]string{
		"/build deploy-prod main ":                                 "reason= revision= deploy= environment= ticket=",
		"/build deploy-prod main tic":                              "ticket=",
		"/build deploy-prod main 1a2b ":                            "reason= deploy= environment= ticket=",
		"/build deploy-prod main env":                              "environment=",
		"/build deploy-prod main environment=":                     "environment=staging environment=production",
		"/build deploy-prod main deploy=true de":                   "",
		"/build deploy-prod main deploy=true ticket=X ":            "reason= revision= environment=",
		"/build deploy-prod main deploy=true ticket=X dep":         "",
		"/build deploy-prod main deploy=true environment=pr":       "environment=production",
		"/build deploy-prod main 1a2b deploy=true ticket=X env":    "environment=",
		"/build deploy-prod main 1a2b deploy=true reason=x tic=y ": "environment= ticket=",
		"/build status deploy-prod main ":                          "",
		"/build nothing-like-it main ":                             "",
	} {
		if got := strings.Join(items(suggest(ix, input, none)), " "); got != want {
			t.Errorf("%q: got %q, want %q", input, got, want)
		}
	}
}

func TestAWordTypedPastIsOfferedAloneSoMattermostMovesOnToTheNext(t *testing.T) {
	for _, tt := range []struct{ parsed, input, want string }{
		{"build app ", "build app new-branch ticket=", "new-branch"},
		{"build app main ", "build app main 1a2b deploy=", "1a2b"},
		{"build ", "build nope main", "nope"},
	} {
		if got := items(Suggest(nil, tt.parsed, tt.input, none, i18n.English())); !slices.Equal(got, []string{tt.want}) {
			t.Errorf("%q after %q: %q", tt.input, tt.parsed, got)
		}
	}
}

// FuzzSuggest checks that no keystroke panics (anyone may call the route with any text), that a
// list is never longer than Mattermost's is useful, and that every item starts with the word
// typed, as Mattermost keeps only those.
func FuzzSuggest(f *testing.F) {
	var schedulers struct {
		ForceSchedulers []buildbot.ForceScheduler `json:"forceschedulers"`
	}
	if err := json.Unmarshal([]byte(buildbottest.ParamsSchedulers), &schedulers); err != nil {
		f.Fatal(err)
	}
	src := catalog.Sources{Builders: []buildbot.Builder{{BuilderID: 4, Name: "deploy-prod", MasterIDs: []int{1}}}, Schedulers: schedulers.ForceSchedulers}
	for i := range 60 {
		src.Builds = append(src.Builds, branchBuild(4, fmt.Sprintf("b-%d", i), buildbot.Time(i)))
	}
	ix := catalog.Build(src, time.Now())
	for _, seed := range []string{
		"build ", "build d", "build deploy-prod ", "build deploy-prod b-1", "build deploy-prod main environment=pr",
		"build deploy-prod main \"x y\" suites=unit,", "build subscribe deploy-prod --events failure,", "build subscribe deploy-prod --style=",
		"build status deploy-prod ", "build unsubscribe * ", "build me builds ", "/BUILD  deploy-prod  ", "build \xff ", "build deploy-prod =",
	} {
		f.Add(seed, true)
	}
	f.Fuzz(func(t *testing.T, input string, warm bool) {
		parsed := input[:strings.LastIndex(input, " ")+1]
		word := strings.TrimLeft(input[len(parsed):], " ")
		known := ix
		if !warm {
			known = nil
		}
		list := Suggest(known, parsed, input, none, i18n.English())
		if len(list) > maxItems {
			t.Fatalf("%q: %d items", input, len(list))
		}
		for _, item := range list {
			if !hasPrefix(item.Item, word) {
				t.Fatalf("%q: the item %q does not start with %q", input, item.Item, word)
			}
		}
	})
}
