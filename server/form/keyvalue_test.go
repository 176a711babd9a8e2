package form

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

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

// sentByDefault is what each scheduler of the fixture (testdata/forceschedulers.py) sends when
// nothing is typed, written out from its Python: every offered field's default, the hidden and
// fixed fields' defaults, and neither the owner, nor a file, nor a codebase's repository or project,
// which the plugin sends. deploy's region and ticket are required and have no default, so every
// case that passes names them.
var sentByDefault = map[string]map[string]any{
	"deploy": {
		"reason": "test", "priority": int64(0),
		"branch": "", "revision": "",
		"deploy": false, "environment": "staging", "targets": []string{"linux"}, "tag": "latest", "shards": int64(4),
		"notes": "", "pipeline": "v2", "token": "s3cret", "workername": "",
	},
	"multi": {
		"reason": "force build", "priority": int64(0),
		"branch": "", "revision": "",
		"frontend_branch": "", "frontend_revision": "", "backend_branch": "main",
		"docker_image": "app", "docker_push": true, "docker_retries": int64(2),
		"extra_name": "", "extra_value": "",
	},
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
			"`colour` is not a field of deploy: use `reason`, `branch`, `revision`, `deploy`, `environment`, `region`, `targets`, `tag`, `shards`, `ticket`, `notes`, `workername`."},
		{"the repository cannot retarget a build", "deploy", "ticket=OPS-7 region=eu-west-1 repository=https://evil.example/x.git", nil, nil,
			"`repository` is not set from chat: the plugin builds the repo you name"},
		{"nor can the project", "multi", "backend_project=elsewhere", nil, nil, "`backend_project` is not set from chat"},
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
		{"nothing typed sends every default", "multi", "", nil, nil, ""},
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
				if !ok || !strings.Contains(text.English(), tt.err) || got != nil {
					t.Fatalf("got %v and %v, want %q", got, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			want := map[string]any{}
			for k, v := range sentByDefault[tt.scheduler] {
				want[k] = v
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
		{"codebases share names, so their fields go by full name", multi, "fr", nil, []string{"frontend_branch=", "frontend_revision="}},
		{"a nested field by its own name", multi, "re", nil, []string{"reason=", "revision=", "retries="}},
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

// FuzzFromWords checks that no command text panics, and that every value accepted text sends is
// one its field allows, as Buildbot describes the field: checked here by hand, not by Check, which
// made the values and would pass its own mistakes.
func FuzzFromWords(f *testing.F) {
	for _, seed := range []string{
		"deploy=true environment=staging", `notes="a b" targets=mac,linux`, "=", `x="`, "shards=99999999999999999999",
		"region=eu-west-1 ticket=OPS-1", "“a”", "targets=,,,",
		"region=us-east-2 ticket=A-1 environment=production targets=mac,windows reason=hotfix deploy=yes shards=8 tag=custom notes=x",
		// Near misses of what the fields allow, for the fuzzer to start from.
		"region=eu-west-1 ticket=OPS-1 environment=Staging", "region=eu-west-1 ticket=OPS-1 targets=linux,bsd",
		"region=EU-WEST-1 ticket=OPS-1", "region=eu-west-1 ticket=OPS-1234567890", "region=eu-west-1 ticket=OPS-1 reason=release2",
		"region=eu-west-1 ticket=OPS-1 shards=4.5", "region=eu-west-1 ticket=OPS-1 deploy=2",
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
		if problem := notAllowed(form, values); problem != "" {
			t.Fatalf("accepted %q, but %s", text, problem)
		}
	})
}

// notAllowed names a value sent that its field does not allow, "" when there is none: Buildbot's
// rules for each kind of field, written out apart from Check.
func notAllowed(f Form, values map[string]any) string {
	fields := map[string]Param{}
	for _, p := range f.Params {
		fields[p.FullName] = p
		if _, sent := values[p.FullName]; p.Shown() && !sent {
			return fmt.Sprintf("the offered field %s is not sent", p.FullName)
		}
	}
	for name, v := range values {
		p, known := fields[name]
		switch {
		case !known:
			return fmt.Sprintf("%s is no field of %s", name, f.Scheduler)
		case p.Omitted:
			return fmt.Sprintf("%s is sent, which chat does not fill", name)
		case p.Hidden:
			if !reflect.DeepEqual(v, p.Default) {
				return fmt.Sprintf("the hidden or fixed field %s sends %#v, not its default %#v", name, v, p.Default)
			}
			continue
		}
		var texts []string
		switch v := v.(type) {
		case bool:
			if p.Type != typeBool {
				return fmt.Sprintf("%s sends %v, though it is no yes-or-no field", name, v)
			}
			continue
		case int64:
			// A number has no length: Buildbot fails on one whose field has a maxsize.
			if p.Type != typeInt || p.MaxSize > 0 {
				return fmt.Sprintf("%s sends the number %d", name, v)
			}
			continue
		case string:
			if p.Type == typeBool || p.Multiple {
				return fmt.Sprintf("%s sends the text %q", name, v)
			}
			if _, err := strconv.ParseInt(v, 10, 64); p.Type == typeInt && err != nil {
				return fmt.Sprintf("%s sends %q, which is no whole number", name, v)
			}
			texts = []string{v}
		case []string:
			if !p.Multiple {
				return fmt.Sprintf("%s sends the list %q", name, v)
			}
			texts = v
		default:
			return fmt.Sprintf("%s sends %#v, which Buildbot does not read", name, v)
		}
		if p.Required && strings.TrimSpace(strings.Join(texts, "")) == "" {
			return fmt.Sprintf("the required field %s is sent empty", name)
		}
		for _, s := range texts {
			if p.Type == typeList && p.Strict && !slices.Contains(p.Choices, s) {
				return fmt.Sprintf("%s sends %q, which is none of %q", name, s, p.Choices)
			}
			if n := utf8.RuneCountInString(s); p.MaxSize > 0 && n > p.MaxSize {
				return fmt.Sprintf("%s sends %d characters, over its maxsize of %d", name, n, p.MaxSize)
			}
		}
	}
	return ""
}
