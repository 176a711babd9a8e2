package form

import (
	"reflect"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
)

func TestSplitWords(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
		err  string
	}{
		{"words split at any space", " a  b\tc=d ", []string{"a", "b", "c=d"}, ""},
		{"a quoted value keeps its spaces", `notes="two words" tag=x`, []string{"notes=two words", "tag=x"}, ""},
		{"single quotes hold double ones", `notes='say "hi"'`, []string{`notes=say "hi"`}, ""},
		{"the curly quotes phones type", "notes=“two words”", []string{"notes=two words"}, ""},
		{"an empty quoted value is a word", `reason=""`, []string{"reason="}, ""},
		{"nothing is no words", "   ", nil, ""},
		{"an open quote is an error", `notes="two words`, nil, "A quote is not closed in `notes=two words`: end it with \"."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := SplitWords(tt.text)
			if tt.err != "" {
				text, ok := i18n.TextOf(err)
				if !ok || text.English() != tt.err {
					t.Fatalf("got %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %q, %v", got, err)
			}
		})
	}
}

func TestFromWords(t *testing.T) {
	tests := []struct {
		name      string
		scheduler string
		text      string
		fill      map[string]any
		want      map[string]any // changes to the scheduler's defaults
		err       string
	}{
		{"the example from the issue", "deploy", "deploy=true environment=production region=us-east-1 ticket=OPS-7",
			map[string]any{"branch": "develop"},
			map[string]any{"branch": "develop", "deploy": true, "environment": "production", "region": "us-east-1", "ticket": "OPS-7"}, ""},
		{"names ignore case, a word overrides what the caller filled in, lists take commas", "deploy", `Region=eu-west-1 ticket=OPS-7 branch=main targets=mac,windows notes="a b"`,
			map[string]any{"branch": "develop"},
			map[string]any{"branch": "main", "region": "eu-west-1", "ticket": "OPS-7", "targets": []string{"mac", "windows"}, "notes": "a b"}, ""},
		{"a codebase's field by its full name", "multi", "frontend_branch=feature/x backend_branch=release branch=main",
			nil, map[string]any{"frontend_branch": "feature/x", "backend_branch": "release", "branch": "main"}, ""},
		{"a name shared by codebases resolves to the unnamed codebase's field first", "multi", "revision=abc",
			nil, map[string]any{"revision": "abc"}, ""},
		{"a nested field by its own name", "multi", "image=web push=false retries=3",
			nil, map[string]any{"docker_image": "web", "docker_push": false, "docker_retries": int64(3)}, ""},
		{"an unknown name lists the names", "deploy", "ticket=OPS-7 region=eu-west-1 colour=red", nil, nil,
			"`colour` is not a field of deploy: use `reason`, `branch`, `project`, `repository`, `revision`, `deploy`, `environment`, `region`, `targets`, `tag`, `shards`, `ticket` and 2 more."},
		{"a value that is no choice names the choices", "deploy", "ticket=OPS-7 region=eu-west-1 environment=prod", nil, nil,
			"`environment`: \"prod\" is not a choice: choose \"staging\", \"production\"."},
		{"a wrong type is named", "deploy", "ticket=OPS-7 region=eu-west-1 shards=many deploy=maybe", nil, nil,
			"`deploy`: Answer true or false.\n`shards`: \"many\" is not a whole number."},
		{"a missing required field is named", "deploy", "region=eu-west-1", nil, nil, "`ticket`: A value is required."},
		{"a word that is not name=value", "deploy", "=x deploy", nil, nil, "`=x` is not name=value.\n`deploy` is not name=value."},
		{"a name given twice", "deploy", "tag=a tag=b", nil, nil, "`tag` is given twice."},
		{"a hidden field cannot be set", "deploy", "token=x", nil, nil, "`token` cannot be set from chat: Buildbot uses its default."},
		{"the priority cannot be set", "deploy", "priority=9", nil, nil, "`priority` cannot be set from chat"},
		{"the owner cannot be set", "deploy", "username=someone", nil, nil, "`username` is not set from chat"},
		{"a file cannot be sent", "deploy", "config_file=x", nil, nil, "`config_file` is a file upload"},
		{"a nested field's name ignores case too", "multi", "Image=web", nil, map[string]any{"docker_image": "web"}, ""},
		{"backticks typed are not echoed as Markdown", "deploy", "`x`=1", nil, nil, "`'x'` is not a field of deploy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := flatten(t, tt.scheduler)
			words, err := SplitWords(tt.text)
			if err != nil {
				t.Fatal(err)
			}
			got, err := f.FromWords(words, tt.fill)
			if tt.err != "" {
				text, ok := i18n.TextOf(err)
				if !ok || !strings.Contains(text.English(), tt.err) {
					t.Fatalf("got %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want, _ := f.FromWords(nil, map[string]any{"region": "eu-west-1", "ticket": "OPS-1"})
			if tt.scheduler == "deploy" {
				delete(want, "region")
				delete(want, "ticket")
			}
			for k, v := range tt.want {
				want[k] = v
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("got  %#v\nwant %#v", got, want)
			}
		})
	}
}

func TestFromWordsAmbiguous(t *testing.T) {
	f := flatten(t, "multi")
	// The unnamed codebase is gone: "branch" names two fields.
	var params []Param
	for _, p := range f.Params {
		if p.Codebase != "" || p.Role == RoleProperty || p.Role == RoleReason {
			params = append(params, p)
		}
	}
	f.Params = params
	_, err := f.FromWords([]string{"branch=x"}, nil)
	text, ok := i18n.TextOf(err)
	if !ok || text.ID() != "form.several_fields" || text.English() != "`branch` names several fields: use `frontend_branch` or `backend_branch`." {
		t.Fatalf("got %v", err)
	}
}

func TestSuggest(t *testing.T) {
	items := func(list []model.AutocompleteListItem) []string {
		out := []string{}
		for _, i := range list {
			out = append(out, i.Item)
		}
		return out
	}
	deploy, multi := flatten(t, "deploy"), flatten(t, "multi")
	tests := []struct {
		name    string
		form    Form
		partial string
		typed   []string
		want    []string
	}{
		{"names starting with what is typed", deploy, "t", nil, []string{"targets=", "tag=", "ticket="}},
		{"names already given are not offered", deploy, "t", []string{"tag=x"}, []string{"targets=", "ticket="}},
		{"hidden fields are not offered", deploy, "to", nil, []string{}},
		{"codebases share names, so their fields go by full name", multi, "fr", nil, []string{"frontend_branch=", "frontend_project=", "frontend_repository=", "frontend_revision="}},
		{"a nested field by its own name", multi, "re", nil, []string{"reason=", "repository=", "revision=", "retries="}},
		{"a bool's values", deploy, "deploy=", nil, []string{"deploy=true", "deploy=false"}},
		{"a list's choices that start with what is typed", deploy, "region=us", nil, []string{"region=us-east-1", "region=us-east-2", "region=us-west-2"}},
		{"a non-strict list's choices", deploy, "tag=", nil, []string{"tag=latest", "tag=stable"}},
		{"after a comma, the choices not yet listed", deploy, "targets=linux,", nil, []string{"targets=linux,mac", "targets=linux,windows"}},
		{"a text field has nothing to offer", deploy, "ticket=", nil, []string{}},
		{"an unknown name has nothing to offer", deploy, "colour=", nil, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := items(tt.form.Suggest(tt.partial, tt.typed, i18n.English())); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("a name's hint says what it takes and its help is its label", func(t *testing.T) {
		got := deploy.Suggest("env", nil, i18n.English())
		want := []model.AutocompleteListItem{{Item: "environment=", Hint: "staging|production", HelpText: "Environment"}}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("got %+v", got)
		}
	})
	t.Run("a choice with a space is quoted as SplitWords reads it", func(t *testing.T) {
		if got := quoteWord("eu west"); got != `"eu west"` {
			t.Fatalf("got %s", got)
		}
	})
}

// FuzzFromWords checks that no command text panics, and that whatever is accepted passes Check,
// so nothing unchecked reaches Buildbot.
func FuzzFromWords(f *testing.F) {
	for _, seed := range []string{
		"deploy=true environment=staging", `notes="a b" targets=mac,linux`, "=", `x="`, "shards=99999999999999999999",
		"region=eu-west-1 ticket=OPS-1", "“a”", "targets=,,,",
	} {
		f.Add(seed)
	}
	form := flatten(f, "deploy")
	f.Fuzz(func(t *testing.T, text string) {
		words, err := SplitWords(text)
		if err != nil {
			return
		}
		values, err := form.FromWords(words, nil)
		if err != nil {
			return
		}
		submitted := map[string]any{}
		for k, v := range values {
			submitted[k] = v
		}
		if _, problems := form.Check(submitted); problems != nil {
			t.Fatalf("accepted %q, but its values fail Check: %v", text, problems)
		}
	})
}
