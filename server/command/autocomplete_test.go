package command

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbottest"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/catalog"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/subscription"
)

func items(list []model.AutocompleteListItem) []string {
	out := make([]string, len(list))
	for i, item := range list {
		out[i] = item.Item
	}
	return out
}

func TestAutocomplete(t *testing.T) {
	branch := func(name string) buildbot.Properties {
		v, _ := json.Marshal(name)
		return buildbot.Properties{"branch": {Value: v}}
	}
	def, _ := json.Marshal("main")
	ix := catalog.Build(catalog.Sources{
		Builders: []buildbot.Builder{{BuilderID: 1, Name: "app", MasterIDs: []int{1}}, {BuilderID: 2, Name: "tools", MasterIDs: []int{1}}},
		Schedulers: []buildbot.ForceScheduler{
			{Name: "app", BuilderNames: []string{"app"}, AllFields: []buildbot.ForceField{{Name: "branch", Default: def}}},
		},
		Builds: []buildbot.Build{{BuilderID: 1, Properties: branch("feature/x")}},
	}, time.Time{})

	none := func() []subscription.Subscription { return nil }
	subscribed := func() []subscription.Subscription {
		return []subscription.Subscription{{Repo: "app"}, {Repo: "app", Branch: "release/*"}, {Repo: "*", Branch: "*"}}
	}
	tests := []struct {
		name string
		got  []model.AutocompleteListItem
		want []string
	}{
		{"the first word offers repos, then subcommands", FirstWord(ix, i18n.English()), []string{"app", "tools", "list", "status", "subscribe", "unsubscribe", "subscriptions", "me", "help"}},
		{"the second word offers the typed repo's branches, default first", SecondWord(ix, "/build app ", none, i18n.English()), []string{"main", "feature/x"}},
		{"a repo is found whatever its case", SecondWord(ix, "/build APP", none, i18n.English()), []string{"main", "feature/x"}},
		{"Mattermost's parsed text has no slash", SecondWord(ix, "build app ", none, i18n.English()), []string{"main", "feature/x"}},
		{"after status come the repos", SecondWord(ix, "/build status ", none, i18n.English()), []string{"app", "tools"}},
		{"after list comes nothing", SecondWord(ix, "/build list ", none, i18n.English()), []string{}},
		{"an unknown repo has no branches", SecondWord(ix, "/build nope ", none, i18n.English()), []string{}},
		{"nothing typed, nothing offered", SecondWord(ix, "/build", none, i18n.English()), []string{}},
		{"after subscribe come every builder's repos, and * first", SecondWord(ix, "build subscribe ", none, i18n.English()), []string{"*", "app", "tools"}},
		{"after unsubscribe come the channel's subscribed repos", SecondWord(ix, "build unsubscribe ", subscribed, i18n.English()), []string{"app", "*"}},
		{"after subscribe and a repo come every branch, then its branches", ThirdWord(ix, "build subscribe app ", "build subscribe app ", none, i18n.English()), []string{"*", "main", "feature/x"}},
		{"after unsubscribe and a repo come its globs in this channel", ThirdWord(ix, "build unsubscribe app ", "build unsubscribe app ", subscribed, i18n.English()), []string{"release/*"}},
		{"a revision has no list", ThirdWord(ix, "build app main ", "build app main ", none, i18n.English()), []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := items(tt.got); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
	if first := FirstWord(ix, i18n.English())[0]; first.Hint != "[main]" || first.HelpText != "Builds on app" {
		t.Errorf("repo item %+v", first)
	}
}

func TestDefinitionIsAValidAutocompleteTree(t *testing.T) {
	cmd := Definition(i18n.English())
	if cmd.Trigger != "build" || !cmd.AutoComplete {
		t.Fatalf("command %+v", cmd)
	}
	if err := cmd.AutocompleteData.IsValid(); err != nil {
		t.Fatalf("autocomplete data: %v", err)
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
	items := func(list []model.AutocompleteListItem) string {
		out := make([]string, len(list))
		for i, item := range list {
			out[i] = item.Item
		}
		return strings.Join(out, " ")
	}
	// Mattermost sends the words before the one being typed (parsed) and the whole input.
	suggest := func(input string) string {
		parsed := input[:strings.LastIndex(input, " ")+1]
		return items(ParamWord(ix, parsed, input, len(words(parsed))+1, i18n.English()))
	}
	for input, want := range map[string]string{
		"/build deploy-prod main ":                           "reason= revision= deploy= environment= ticket=",
		"/build deploy-prod main 1a2b ":                      "reason= deploy= environment= ticket=",
		"/build deploy-prod main env":                        "environment=",
		"/build deploy-prod main environment=":               "environment=staging environment=production",
		"/build deploy-prod main deploy=true de":             "",
		"/build deploy-prod main deploy=true ticket=X ":      "reason= revision= environment=",
		"/build deploy-prod main deploy=true ticket=X dep":   "",
		"/build deploy-prod main deploy=true environment=pr": "environment=production",
		"/build status deploy-prod ":                         "",
		"/build nothing-like-it main ":                       "",
	} {
		if got := suggest(input); got != want {
			t.Errorf("%q: got %q, want %q", input, got, want)
		}
	}
	if got := items(ParamWord(ix, "/build deploy-prod main ", "/build deploy-prod main env", 5, i18n.English())); got != "" {
		t.Errorf("another position's argument answers: %q", got)
	}
	if got := items(ThirdWord(ix, "/build deploy-prod main ", "/build deploy-prod main tic", nil, i18n.English())); got != "ticket=" {
		t.Errorf("the third word offers the parameters too: %q", got)
	}
}

func TestAWordTypedPastIsOfferedSoMattermostMovesOnToTheNext(t *testing.T) {
	items := []model.AutocompleteListItem{{Item: "main"}}
	if got := Finished(items, "build app ", "build app new-branch ticket="); len(got) != 2 || got[1].Item != "new-branch" {
		t.Fatalf("a new branch typed past: %+v", got)
	}
	if got := Finished(items, "build app ", "build app new-bra"); len(got) != 1 {
		t.Fatalf("a word still being typed is not offered: %+v", got)
	}
	if got := Finished(items, "build app ", "build app main ticket="); len(got) != 1 {
		t.Fatalf("a listed word is not offered twice: %+v", got)
	}
}
