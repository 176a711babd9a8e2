package form

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
)

func opts(values ...string) []*model.PostActionOptions {
	o := make([]*model.PostActionOptions, len(values))
	for i, v := range values {
		o[i] = &model.PostActionOptions{Text: v, Value: v}
	}
	return o
}

func element(elements []model.DialogElement, name string) (model.DialogElement, bool) {
	for _, e := range elements {
		if e.Name == name {
			return e, true
		}
	}
	return model.DialogElement{}, false
}

// TestElements is the field-to-element mapping, one row per kind of Buildbot field.
func TestElements(t *testing.T) {
	tests := []struct {
		name      string
		scheduler string
		fullName  string
		want      *model.DialogElement // nil: not in the dialog
	}{
		{"text is text, capped at Mattermost's 150", "force", "reason",
			&model.DialogElement{DisplayName: "Reason", Name: "reason", Type: "text", Default: "force build", Optional: true, MaxLength: 150}},
		{"the owner is not shown", "force", "username", nil},
		{"the priority is not shown", "force", "priority", nil},
		{"a strict list of a few choices is radio", "deploy", "environment",
			&model.DialogElement{DisplayName: "Environment", Name: "environment", Type: "radio", Default: "staging", Optional: true, Options: opts("staging", "production")}},
		{"a strict list of many choices is select, required when its default is no choice", "deploy", "region",
			&model.DialogElement{DisplayName: "Region", Name: "region", Type: "select", Options: opts("eu-west-1", "eu-central-1", "us-east-1", "us-east-2", "us-west-2", "ap-south-1")}},
		{"a multiple list is multiselect with its defaults joined by commas", "deploy", "targets",
			&model.DialogElement{DisplayName: "Targets", Name: "targets", Type: "select", MultiSelect: true, Default: "linux", Optional: true, Options: opts("linux", "mac", "windows")}},
		{"a list that takes other values is text with the choices in the help", "deploy", "tag",
			&model.DialogElement{DisplayName: "Image tag", Name: "tag", Type: "text", Default: "latest", Optional: true, MaxLength: 150, HelpText: "For example latest, stable."}},
		{"a list with no choices over REST (workers) is text", "deploy", "workername",
			&model.DialogElement{DisplayName: "Workername", Name: "workername", Type: "text", Optional: true, MaxLength: 150}},
		{"bool is bool with its default as text, optional, or Mattermost would insist on a tick", "deploy", "deploy",
			&model.DialogElement{DisplayName: "Deploy after the build", Name: "deploy", Type: "bool", Default: "false", Optional: true}},
		{"int is number; a long label is cut and kept whole in the help with the tooltip; required is not optional", "deploy", "shards",
			&model.DialogElement{DisplayName: "Number of parallel te…", Name: "shards", Type: "text", SubType: "number", Default: "4", HelpText: "Number of parallel test shards. How many workers share the tests"}},
		{"maxsize caps the length", "deploy", "ticket",
			&model.DialogElement{DisplayName: "Ticket", Name: "ticket", Type: "text", MaxLength: 12}},
		{"textarea is textarea, capped at Mattermost's 3,000 over a larger maxsize", "deploy", "notes",
			&model.DialogElement{DisplayName: "Release notes", Name: "notes", Type: "textarea", Optional: true, MaxLength: 3000}},
		{"a fixed field is not shown", "deploy", "pipeline", nil},
		{"a hidden field is not shown", "deploy", "token", nil},
		{"a file is not shown", "deploy", "config_file", nil},
		{"the unnamed codebase's branch is plain", "multi", "branch",
			&model.DialogElement{DisplayName: "Branch", Name: "branch", Type: "text", Optional: true, MaxLength: 150}},
		{"a named codebase's branch carries the codebase", "multi", "frontend_branch",
			&model.DialogElement{DisplayName: "frontend › Branch", Name: "frontend_branch", Type: "text", Optional: true, MaxLength: 150}},
		{"a codebase's branch list is radio", "multi", "backend_branch",
			&model.DialogElement{DisplayName: "backend › Branch", Name: "backend_branch", Type: "radio", Default: "main", Optional: true, Options: opts("main", "release")}},
		{"a codebase's fixed project is not shown", "multi", "backend_project", nil},
		{"a codebase's patch is not shown", "multi", "backend_patch_level", nil},
		{"a nested bool carries its group's label", "multi", "docker_push",
			&model.DialogElement{DisplayName: "Docker › Push", Name: "docker_push", Type: "bool", Default: "true", Optional: true}},
		{"a field of an anonymous group in a named one", "multi", "docker_retries",
			&model.DialogElement{DisplayName: "Docker › Retries", Name: "docker_retries", Type: "text", SubType: "number", Default: "2", Optional: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := element(flatten(t, tt.scheduler).Elements(nil, i18n.English()), tt.fullName)
			switch {
			case tt.want == nil && ok:
				t.Fatalf("%s should not be in the dialog: %+v", tt.fullName, got)
			case tt.want == nil:
				return
			case !ok:
				t.Fatalf("%s is not in the dialog", tt.fullName)
			}
			if !reflect.DeepEqual(got, *tt.want) {
				g, _ := json.Marshal(got)
				w, _ := json.Marshal(tt.want)
				t.Fatalf("got  %s\nwant %s", g, w)
			}
		})
	}
}

func TestDialogsAreValid(t *testing.T) {
	for name, s := range schedulers(t) {
		t.Run("Mattermost accepts the dialog of "+name, func(t *testing.T) {
			f, err := Flatten(s)
			if err != nil {
				t.Fatal(err)
			}
			d := model.Dialog{Title: "Build", Elements: f.Elements(nil, i18n.English())}
			if err := d.IsValid(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestElementLimits(t *testing.T) {
	long := strings.Repeat("ü", 40)
	f, err := Flatten(buildbot.ForceScheduler{Name: "s", AllFields: []buildbot.ForceField{
		{Name: "a", FullName: "a", Type: "text", Label: "Größe des Zwischenspeichers", Tooltip: strings.Repeat("why ", 60)},
		{Name: "b", FullName: "b", Type: "text", Label: "B", Default: json.RawMessage(`"` + strings.Repeat("x", 151) + `"`)},
		{Name: "c", FullName: "c", Type: "list", Label: "C", Strict: true, Multiple: true, Choices: []string{"a b", "c"}, Default: json.RawMessage(`["a b"]`)},
		{Name: "d", FullName: "d", Type: "list", Label: long, Strict: false, Multiple: true, Choices: []string{"x", "y"}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	elements := f.Elements(nil, i18n.English())
	if err := (&model.Dialog{Title: "Build", Elements: elements}).IsValid(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		check func(e []model.DialogElement) bool
	}{
		{"a label is cut at a character, within 24 bytes", func(e []model.DialogElement) bool {
			return utf8.ValidString(e[0].DisplayName) && len(e[0].DisplayName) <= 24 && strings.HasSuffix(e[0].DisplayName, "…")
		}},
		{"the help keeps the full label first and is cut within 150 bytes", func(e []model.DialogElement) bool {
			return strings.HasPrefix(e[0].HelpText, "Größe des Zwischenspeichers. why") && len(e[0].HelpText) <= 150
		}},
		{"a default too long for the field is left out; the empty field means it", func(e []model.DialogElement) bool {
			return e[1].Default == ""
		}},
		{"a multiselect default Mattermost would misread is left out", func(e []model.DialogElement) bool {
			return e[2].Default == ""
		}},
		{"a multiple list that takes other values is text, separated by commas", func(e []model.DialogElement) bool {
			return e[3].Type == "text" && strings.Contains(e[3].HelpText, "For example x, y. Separate values with commas.")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.check(elements) {
				g, _ := json.MarshalIndent(elements, "", " ")
				t.Fatalf("elements %s", g)
			}
		})
	}
}

func TestElementsFilledIn(t *testing.T) {
	f := flatten(t, "deploy")
	elements := f.Elements(map[string]any{
		"branch": "develop", "deploy": true, "environment": "production", "targets": []string{"mac", "windows"},
		"shards": int64(8), "region": "mars-1",
	}, i18n.English())
	tests := []struct {
		name, fullName, want string
	}{
		{"a branch from /build", "branch", "develop"},
		{"a bool", "deploy", "true"},
		{"a choice", "environment", "production"},
		{"several choices", "targets", "mac,windows"},
		{"a number", "shards", "8"},
		{"a value that is no choice leaves the field empty", "region", ""},
		{"a field not filled in keeps its default", "tag", "latest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, _ := element(elements, tt.fullName)
			if e.Default != tt.want {
				t.Fatalf("got %q, want %q", e.Default, tt.want)
			}
		})
	}
}

func TestFromBuild(t *testing.T) {
	prop := func(v string) buildbot.Property {
		return buildbot.Property{Value: json.RawMessage(v), Source: "Force Build Form"}
	}
	f := flatten(t, "multi")
	got := f.FromBuild(
		buildbot.Properties{
			"reason": prop(`"nightly"`),
			"docker": prop(`{"image": "web", "push": false, "retries": 5}`),
			"owner":  prop(`"someone"`),
		},
		[]buildbot.SourceStamp{
			{Codebase: "", Branch: "main", Revision: "abc123", Repository: "https://git/app"},
			{Codebase: "frontend", Branch: "feature/x"},
			{Codebase: "backend", Branch: "release", Project: "backend"},
		},
	)
	want := map[string]any{
		"reason": "nightly", "branch": "main", "revision": "abc123",
		"frontend_branch": "feature/x", "backend_branch": "release",
		"docker_image": "web", "docker_push": false, "docker_retries": int64(5),
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("a rebuild's dialog is filled from the build's properties and source stamps:\ngot  %v\nwant %v", got, want)
	}
	deploy := flatten(t, "deploy")
	got = deploy.FromBuild(buildbot.Properties{"targets": prop(`["mac"]`), "shards": prop(`"many"`), "tag": prop(`{"x":1}`)}, nil)
	if !reflect.DeepEqual(got, map[string]any{"targets": []string{"mac"}}) {
		t.Fatalf("a list is read as a list, and values of the wrong kind are left out: %v", got)
	}
}

// FuzzElements checks that whatever fields Buildbot describes, the dialog is one Mattermost
// accepts, or Flatten says why not.
func FuzzElements(f *testing.F) {
	for _, s := range schedulers(f) {
		b, _ := json.Marshal(s.AllFields)
		f.Add(b)
	}
	f.Add([]byte(`[{"name":"","fullName":"x","label":"","type":"text"}]`))
	f.Add([]byte(`[{"name":"x","fullName":"x","type":"list","strict":true,"choices":["a,b"," "],"default":["a,b"],"multiple":true}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var fields []buildbot.ForceField
		if json.Unmarshal(data, &fields) != nil {
			return
		}
		form, err := Flatten(buildbot.ForceScheduler{Name: "fuzz", AllFields: fields})
		if err != nil {
			return
		}
		for _, e := range form.Elements(nil, i18n.English()) {
			if err := e.IsValid(); err != nil {
				t.Fatalf("Mattermost refuses %+v: %v", e, err)
			}
		}
	})
}
