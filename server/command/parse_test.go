package command

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/app"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/subscription"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		text string
		want Invocation
		err  string
	}{
		{"nothing after the trigger shows help", "/build", Invocation{Sub: SubHelp}, ""},
		{"spaces alone show help", "   ", Invocation{Sub: SubHelp}, ""},
		{"help is a subcommand", "/build help", Invocation{Sub: SubHelp}, ""},
		{"subcommands ignore case", "/build LIST", Invocation{Sub: SubList}, ""},
		{"list takes no arguments", "/build list x", Invocation{}, "takes no arguments"},
		{"status alone", "/build status", Invocation{Sub: SubStatus}, ""},
		{"status of a repo and branch", "/build status project-example main", Invocation{Sub: SubStatus, Repo: "project-example", Branch: "main"}, ""},
		{"status with too much", "/build status a b c", Invocation{}, "/build status [repo] [branch]"},
		{"a repo alone", "/build project-example", Invocation{Repo: "project-example"}, ""},
		{"a repo and branch", "/build project-example feature/x-1", Invocation{Repo: "project-example", Branch: "feature/x-1"}, ""},
		{"a repo, branch and revision", "/build p main 1a2b3c", Invocation{Repo: "p", Branch: "main", Revision: "1a2b3c"}, ""},
		{"the trigger is optional", "project-example main", Invocation{Repo: "project-example", Branch: "main"}, ""},
		{"tabs and repeated spaces separate words", "/build\tp  \t main", Invocation{Repo: "p", Branch: "main"}, ""},
		{"four words are too many", "/build a b c d", Invocation{}, "Too many words"},
		{"a branch with a shell character is refused", "/build p main;rm", Invocation{}, "not a branch name Buildbot accepts"},
		{"a branch with a backtick is echoed safely", "/build p `x`", Invocation{}, "`'x'`"},
		{"a branch in another script is judged as Buildbot judges it", "/build p fix/straße-東京", Invocation{Repo: "p", Branch: "fix/straße-東京"}, ""},
		{"a revision with letters of another script", "/build p main ревизия", Invocation{Repo: "p", Branch: "main", Revision: "ревизия"}, ""},
		{"a branch with a symbol Buildbot refuses is refused", "/build p fix→main", Invocation{}, "not a branch name Buildbot accepts"},
		{"a revision with a colon is refused", "/build p main a:b", Invocation{}, "not a revision Buildbot accepts"},
		{"a repo with a quote is refused", "/build p\"x", Invocation{}, "not a repo name"},
		{"a very long branch is refused", "/build p " + strings.Repeat("b", 201), Invocation{}, "at most 200"},
		{"invalid UTF-8 is refused", "/build \xff", Invocation{}, "not valid text"},
		{"parameters after the branch", "/build api develop deploy=true environment=staging",
			Invocation{Repo: "api", Branch: "develop", Params: []string{"deploy=true", "environment=staging"}}, ""},
		{"a quoted value keeps its spaces", `/build api main notes="two words" tag='a b'`,
			Invocation{Repo: "api", Branch: "main", Params: []string{"notes=two words", "tag=a b"}}, ""},
		{"parameters right after the repo", "/build api deploy=true", Invocation{Repo: "api", Params: []string{"deploy=true"}}, ""},
		{"the form, asked for", "/build api main --form", Invocation{Repo: "api", Branch: "main", Form: true}, ""},
		{"the form after parameters", "/build api main deploy=true --form", Invocation{Repo: "api", Branch: "main", Params: []string{"deploy=true"}, Form: true}, ""},
		{"an unknown option", "/build api --fast", Invocation{}, "`--fast` is not an option of `/build`"},
		{"a branch after the parameters", "/build api deploy=true main", Invocation{}, "put the branch and revision before any `name=value`"},
		{"an open quote", `/build api main notes="open`, Invocation{}, "A quote is not closed"},
		{"options without a repo", "/build --form", Invocation{}, "Name the repo to build"},
		{"subscribe to a repo's default branch", "/build subscribe webapp", Invocation{Sub: SubSubscribe, Repo: "webapp"}, ""},
		{"subscribe with a glob, events and a style", "/build subscribe webapp release/* --events failure,problem --style=line",
			Invocation{Sub: SubSubscribe, Repo: "webapp", Branch: "release/*", Events: []subscription.Event{subscription.Failure, subscription.Problem}, Style: subscription.StyleLine}, ""},
		{"options may come first", "/build subscribe --events=started * *", Invocation{Sub: SubSubscribe, Repo: "*", Branch: "*", Events: []subscription.Event{subscription.Started}}, ""},
		{"an unknown event names the known ones", "/build subscribe webapp --events fails", Invocation{}, "`fails` is not an event. The events are `started`"},
		{"an option without its value", "/build subscribe webapp --events", Invocation{}, "`--events` needs a value"},
		{"an unknown style", "/build subscribe webapp --style loud", Invocation{}, "not a style"},
		{"subscribe without a repo", "/build subscribe", Invocation{}, "Name a repo, or `*`"},
		{"a glob with a shell character", "/build subscribe webapp ma;in", Invocation{}, "is not a branch or glob"},
		{"unsubscribe takes no events", "/build unsubscribe webapp --events failure", Invocation{}, "not an option of `/build unsubscribe`"},
		{"unsubscribe a glob", "/build unsubscribe webapp release/*", Invocation{Sub: SubUnsubscribe, Repo: "webapp", Branch: "release/*"}, ""},
		{"every channel's subscriptions", "/build subscriptions --all", Invocation{Sub: SubSubscriptions, All: true}, ""},
		{"subscriptions takes nothing else", "/build subscriptions webapp", Invocation{}, "takes no arguments but `--all`"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.text)
			if tt.err != "" {
				text, ok := i18n.TextOf(err)
				if !ok || !strings.Contains(text.English(), tt.err) {
					t.Fatalf("want words for the user containing %q, got %v", tt.err, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

// FuzzParse checks that no input panics, that a refusal has words for the user, and that what
// Parse accepts is safe to send to Buildbot: checked here by hand, not with parse.go's patterns,
// so a pattern loosened by mistake shows.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"/build", "/build help", "/build p main abc", "/build status p", "/build a b c d", "/build p `x`", "\xff",
		// What must never reach Buildbot, each where a branch, a revision or a repo stands.
		"/build p main;rm", "/build p main a;b", "/build p;q", "/build p ma`in", "/build status p ma;in",
		"/build p main\u00a0x", "/build p main a\u2003b", "/build p main\vx", "/build p main\x00", "/build p main a\u0085b",
		"/build subscribe p ma\u00a0in*",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		inv, err := Parse(text)
		if err != nil {
			text, ok := i18n.TextOf(err)
			if !ok || text.English() == "" || !utf8.ValidString(text.English()) {
				t.Fatalf("an error without words for the user: %#v", err)
			}
			return
		}
		for _, word := range []struct{ what, value string }{{"repo", inv.Repo}, {"branch", inv.Branch}, {"revision", inv.Revision}} {
			if problem := unsafeForBuildbot(word.value); problem != "" {
				t.Fatalf("accepted the %s %q from %q: it has %s", word.what, word.value, text, problem)
			}
		}
		if len(inv.Branch) > app.MaxBranchLength || len(inv.Revision) > app.MaxRevisionLength || len(inv.Repo) > app.MaxRepoLength {
			t.Fatalf("accepted %+v from %q: longer than the limits", inv, text)
		}
	})
}

// unsafeForBuildbot names what in a branch, revision or repo must not reach Buildbot, "" when
// nothing: a shell's command separator or backtick (a build step may put the branch in a command),
// any space (it would split the word in that command), a control character, or text that is not
// UTF-8.
func unsafeForBuildbot(s string) string {
	if !utf8.ValidString(s) {
		return "invalid UTF-8"
	}
	for _, r := range s {
		switch {
		case r == ';':
			return "a semicolon"
		case r == '`':
			return "a backtick"
		case unicode.IsSpace(r):
			return fmt.Sprintf("a space (%U)", r)
		case unicode.IsControl(r):
			return fmt.Sprintf("a control character (%U)", r)
		}
	}
	return ""
}
