package form

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
)

// schedulers reads testdata/forceschedulers.json, made by testdata/forceschedulers.py with
// Buildbot 4.3's own parameter classes.
func schedulers(t testing.TB) map[string]buildbot.ForceScheduler {
	t.Helper()
	b, err := os.ReadFile("testdata/forceschedulers.json")
	if err != nil {
		t.Fatal(err)
	}
	var reply struct {
		ForceSchedulers []buildbot.ForceScheduler `json:"forceschedulers"`
	}
	if err := json.Unmarshal(b, &reply); err != nil {
		t.Fatal(err)
	}
	byName := map[string]buildbot.ForceScheduler{}
	for _, s := range reply.ForceSchedulers {
		byName[s.Name] = s
	}
	return byName
}

func flatten(t testing.TB, scheduler string) Form {
	t.Helper()
	s, ok := schedulers(t)[scheduler]
	if !ok {
		t.Fatalf("no scheduler %s in the fixture", scheduler)
	}
	f, err := Flatten(s)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func param(t testing.TB, f Form, fullName string) Param {
	t.Helper()
	for _, p := range f.Params {
		if p.FullName == fullName {
			return p
		}
	}
	t.Fatalf("%s has no parameter %s", f.Scheduler, fullName)
	return Param{}
}

func TestFlatten(t *testing.T) {
	// shown, hidden and omitted summarise each parameter: offered, sent as its default, neither.
	type row struct {
		label    string
		role     Role
		codebase string
		show     string
		required bool
		def      any
		property []string
	}
	tests := []struct {
		name      string
		scheduler string
		fullName  string
		want      row
	}{
		{"the owner is never offered: the plugin sets it", "force", "username", row{"Your name", RoleOwner, "", "omitted", false, "", nil}},
		{"the reason is offered, optional, with Buildbot's default", "force", "reason", row{"Reason", RoleReason, "", "shown", false, "force build", []string{"reason"}}},
		{"the priority is not offered but sent as its default", "force", "priority", row{"Priority", RolePriority, "", "hidden", false, int64(0), nil}},
		{"the unnamed codebase's branch has no prefix and no colon", "force", "branch", row{"Branch", RoleBranch, "", "shown", false, "", nil}},
		{"a reason made a list keeps its role and label", "deploy", "reason", row{"Why?", RoleReason, "", "shown", false, "test", []string{"reason"}}},
		{"a bool's default is a bool", "deploy", "deploy", row{"Deploy after the build", RoleProperty, "", "shown", false, false, []string{"deploy"}}},
		{"a strict list whose default is no choice must be chosen", "deploy", "region", row{"Region", RoleProperty, "", "shown", true, "", []string{"region"}}},
		{"a multiple list's default is a list", "deploy", "targets", row{"Targets", RoleProperty, "", "shown", false, []string{"linux"}, []string{"targets"}}},
		{"an int's default is a number", "deploy", "shards", row{"Number of parallel test shards", RoleProperty, "", "shown", true, int64(4), []string{"shards"}}},
		{"a fixed field is sent as its default", "deploy", "pipeline", row{"Pipeline", RoleProperty, "", "hidden", false, "v2", []string{"pipeline"}}},
		{"a hidden field is sent as its default", "deploy", "token", row{"Token", RoleProperty, "", "hidden", false, "s3cret", []string{"token"}}},
		{"a file is left out", "deploy", "config_file", row{"Config file", RoleProperty, "", "omitted", false, "", []string{"config_file"}}},
		{"a named codebase's fields carry its name as prefix", "multi", "frontend_branch", row{"frontend › Branch", RoleBranch, "frontend", "shown", false, "", nil}},
		{"a codebase branch may be a list", "multi", "backend_branch", row{"backend › Branch", RoleBranch, "backend", "shown", false, "main", nil}},
		{"a codebase's project is the plugin's to send, even a fixed one", "multi", "backend_project", row{"backend › Project", RoleProject, "backend", "omitted", false, "backend", nil}},
		{"a codebase's repository is the plugin's to send", "deploy", "repository", row{"Repository", RoleRepository, "", "omitted", false, "", nil}},
		{"a nested group's label prefixes its fields", "multi", "docker_image", row{"Docker › Image", RoleProperty, "", "shown", false, "app", []string{"docker", "image"}}},
		{"an anonymous group inside a named one adds no prefix and lands in its parent's property", "multi", "docker_retries", row{"Docker › Retries", RoleProperty, "", "shown", false, int64(2), []string{"docker", "retries"}}},
		{"an unlabelled group is prefixed with its name", "multi", "extra_name", row{"extra › Name", RoleProperty, "", "shown", false, "", []string{"extra", "name"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := param(t, flatten(t, tt.scheduler), tt.fullName)
			show := "shown"
			switch {
			case p.Omitted:
				show = "omitted"
			case p.Hidden:
				show = "hidden"
			}
			got := row{p.Label, p.Role, p.Codebase, show, p.Required, p.Default, p.Property}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got  %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestFlattenOrderAndNotes(t *testing.T) {
	t.Run("a scheduler with two codebases and the unnamed one keeps Buildbot's order", func(t *testing.T) {
		var got []string
		for _, p := range flatten(t, "multi").Params {
			got = append(got, p.FullName)
		}
		want := []string{
			"username", "reason", "priority",
			"branch", "project", "repository", "revision",
			"frontend_branch", "frontend_project", "frontend_repository", "frontend_revision",
			"backend_branch", "backend_project", "backend_repository",
			"docker_image", "docker_push", "docker_retries", "extra_name", "extra_value",
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("got %v", got)
		}
	})
	t.Run("a codebase's patch upload is left out with a note", func(t *testing.T) {
		notes := flatten(t, "multi").Notes
		if len(notes) != 1 || !strings.HasPrefix(notes[0].Text().English(), "backend › Patch is left out") {
			t.Fatalf("notes %q", notes)
		}
	})
	t.Run("a file field is left out with a note", func(t *testing.T) {
		notes := flatten(t, "deploy").Notes
		if len(notes) != 1 || !strings.HasPrefix(notes[0].Text().English(), "Config file is left out") {
			t.Fatalf("notes %q", notes)
		}
	})
	t.Run("the caller finds each codebase's branch to fill from /build", func(t *testing.T) {
		f := flatten(t, "multi")
		for codebase, want := range map[string]string{"": "branch", "frontend": "frontend_branch", "backend": "backend_branch"} {
			if p, ok := f.Lookup(RoleBranch, codebase); !ok || p.FullName != want {
				t.Errorf("codebase %q: got %v %v", codebase, p.FullName, ok)
			}
		}
		if _, ok := f.Lookup(RoleRevision, "backend"); ok {
			t.Error("backend has no revision field")
		}
	})
}

func TestFlattenRefuses(t *testing.T) {
	tests := []struct {
		name   string
		fields string
		err    string
	}{
		{"two fields with one full name", `[{"name":"a","fullName":"a","type":"text"},{"name":"a","fullName":"a","type":"int"}]`, `two fields are named "a"`},
		{"a field without a name", `[{"name":"","fullName":null,"type":"text"}]`, "has no name"},
		{"a name longer than a dialog takes", `[{"name":"x","fullName":"` + strings.Repeat("x", 301) + `","type":"text"}]`, "longer than a dialog takes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var fields []buildbot.ForceField
			if err := json.Unmarshal([]byte(tt.fields), &fields); err != nil {
				t.Fatal(err)
			}
			_, err := Flatten(buildbot.ForceScheduler{Name: "s", AllFields: fields})
			if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.HasPrefix(err.Error(), "force scheduler s: ") {
				t.Fatalf("got %v", err)
			}
		})
	}
}

func TestFlattenUnknownType(t *testing.T) {
	f, err := Flatten(buildbot.ForceScheduler{Name: "s", AllFields: []buildbot.ForceField{{Name: "when", FullName: "when", Label: "When", Type: "datetime"}}})
	if err != nil {
		t.Fatal(err)
	}
	if !f.Params[0].Omitted || len(f.Notes) != 1 || !strings.Contains(f.Notes[0].Text().English(), `type "datetime"`) {
		t.Fatalf("a field of an unknown type should be left out with a note: %+v %q", f.Params[0], f.Notes)
	}
}

func TestPlainText(t *testing.T) {
	if got := plainText("How many <b>workers</b>\n share &amp; run"); got != "How many workers share & run" {
		t.Fatalf("got %q", got)
	}
}
