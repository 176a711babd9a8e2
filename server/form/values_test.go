package form

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
)

// deployDefaults is what the deploy scheduler's force call gets when the required fields are
// given and nothing else: every offered field's default, and the hidden ones'. The repository and
// project are the plugin's to send.
func deployDefaults() map[string]any {
	return map[string]any{
		"reason": "test", "priority": int64(0),
		"branch": "", "revision": "",
		"deploy": false, "environment": "staging", "region": "eu-west-1", "targets": []string{"linux"},
		"tag": "latest", "shards": int64(4), "ticket": "OPS-1", "notes": "", "pipeline": "v2",
		"token": "s3cret", "workername": "",
	}
}

func TestCheck(t *testing.T) {
	// The dialog sends every field; shards is required, though it has a default.
	required := map[string]any{"region": "eu-west-1", "ticket": "OPS-1", "shards": float64(4)}
	with := func(extra map[string]any) map[string]any {
		m := map[string]any{}
		for k, v := range required {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name      string
		submitted map[string]any
		want      map[string]any    // changes to deployDefaults
		problems  map[string]string // substrings, by full name
	}{
		{"the required fields alone give Buildbot every default, hidden ones too", required, nil, nil},
		{"Mattermost's values are converted to what Buildbot takes", with(map[string]any{
			"deploy": true, "environment": "production", "targets": []any{"mac", "windows"}, "shards": float64(8),
			"tag": "edge", "notes": "  line one\nline two  ", "branch": " develop ",
		}), map[string]any{
			"deploy": true, "environment": "production", "targets": []string{"mac", "windows"}, "shards": int64(8),
			"tag": "edge", "notes": "  line one\nline two  ", "branch": "develop",
		}, nil},
		{"a number typed as text is a number", with(map[string]any{"shards": "16"}), map[string]any{"shards": int64(16)}, nil},
		{"a multiselect sent as text is split at commas", with(map[string]any{"targets": "mac, linux,"}), map[string]any{"targets": []string{"mac", "linux"}}, nil},
		{"an emptied multiselect takes the default", with(map[string]any{"targets": []any{}}), nil, nil},
		{"an emptied field takes the default, as in Buildbot", with(map[string]any{"reason": "", "deploy": nil, "tag": " "}), nil, nil},
		{"a required field left empty is refused though it has a default, as in Buildbot", with(map[string]any{"shards": ""}), nil, map[string]string{"shards": "A value is required."}},
		{"hidden and fixed fields ignore what is sent", with(map[string]any{"token": "mine", "pipeline": "v3", "priority": 10}), nil, nil},
		{"the owner and files are left out", with(map[string]any{"username": "x <x@y>", "config_file": "data"}), nil, nil},
		{"required fields left empty", map[string]any{"ticket": "  "}, nil, map[string]string{"ticket": "A value is required.", "region": "A value is required.", "shards": "A value is required."}},
		{"a value that is no choice names the choices", with(map[string]any{"environment": "prod"}), nil, map[string]string{"environment": `"prod" is not a choice: choose "staging", "production".`}},
		{"each value of a multiple list is checked", with(map[string]any{"targets": []any{"mac", "bsd"}}), nil, map[string]string{"targets": `"bsd" is not a choice`}},
		{"maxsize counts characters", with(map[string]any{"ticket": "ÄÄÄÄ-12345678"}), nil, map[string]string{"ticket": "At most 12 characters, not 13."}},
		{"maxsize allows the limit", with(map[string]any{"ticket": "ÄÄÄÄ-1234567"}), map[string]any{"ticket": "ÄÄÄÄ-1234567"}, nil},
		{"a number must be whole", with(map[string]any{"shards": "2.5"}), nil, map[string]string{"shards": `"2.5" is not a whole number.`}},
		{"a bool must be a bool", with(map[string]any{"deploy": "maybe"}), nil, map[string]string{"deploy": "Answer true or false."}},
		{"a bool typed as a word", with(map[string]any{"deploy": "Yes"}), map[string]any{"deploy": true}, nil},
		{"a text field takes one value", with(map[string]any{"tag": []any{"a", "b"}}), nil, map[string]string{"tag": "Give one value."}},
	}
	f := flatten(t, "deploy")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			values, problems := f.Check(tt.submitted)
			if tt.problems != nil {
				if values != nil || len(problems) != len(tt.problems) {
					t.Fatalf("want problems %v, got %v and values %v", tt.problems, problems, values)
				}
				for name, want := range tt.problems {
					if !strings.Contains(problems[name].English(), want) {
						t.Errorf("%s: got %q, want %q", name, problems[name].English(), want)
					}
				}
				return
			}
			want := deployDefaults()
			for k, v := range tt.want {
				want[k] = v
			}
			if problems != nil || !reflect.DeepEqual(values, want) {
				t.Fatalf("problems %v\ngot  %#v\nwant %#v", problems, values, want)
			}
		})
	}
}

// Buildbot sends no regex over REST (see ForceField.Regex), so these fields are made by hand, as
// a master that sent its pattern would describe them.
func TestCheckRegex(t *testing.T) {
	field := func(typ, regex string, maxSize int) buildbot.ForceField {
		f := buildbot.ForceField{Name: "v", FullName: "v", Type: typ, Regex: &regex, Default: json.RawMessage(`""`)}
		if maxSize > 0 {
			f.MaxSize = &maxSize
		}
		return f
	}
	tests := []struct {
		name    string
		field   buildbot.ForceField
		value   any
		want    any
		problem string
	}{
		{"a value matching the pattern passes", field("text", `[A-Z]+-\d+$`, 0), "OPS-12", "OPS-12", ""},
		{"a value not matching is named with the pattern", field("text", `[A-Z]+-\d+$`, 0), "ops-12", nil, `"ops-12" does not match the pattern [A-Z]+-\d+$.`},
		{"the pattern is anchored at the start, as Python's re.match is", field("text", `\d+`, 0), "x1", nil, "does not match"},
		{"but not at the end, as Python's re.match is not", field("text", `\d+`, 0), "1x", "1x", ""},
		{"a pattern RE2 cannot compile is left to Buildbot", field("text", `(?<=a)b`, 0), "anything", "anything", ""},
		{"an int with a pattern is sent as text, which Buildbot can match", field("int", `[1-9]`, 0), "42", "42", ""},
		{"an int with a maxsize is checked as text", field("int", "", 2), "123", nil, "At most 2 characters, not 3."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Flatten(buildbot.ForceScheduler{Name: "s", AllFields: []buildbot.ForceField{tt.field}})
			if err != nil {
				t.Fatal(err)
			}
			values, problems := f.Check(map[string]any{"v": tt.value})
			if tt.problem != "" {
				if !strings.Contains(problems["v"].English(), tt.problem) {
					t.Fatalf("got %q, want %q", problems["v"].English(), tt.problem)
				}
				return
			}
			if problems != nil || values["v"] != tt.want {
				t.Fatalf("got %#v, problems %v", values["v"], problems)
			}
		})
	}
}

func TestBuildbotErrors(t *testing.T) {
	f := flatten(t, "multi")
	tests := []struct {
		name    string
		message string
		fields  map[string]string
		other   string
	}{
		{"per-field texts go to their fields, by full name",
			`{"frontend_branch": "Branch:'x y' does not match pattern '^[a-z]+$'", "docker_retries": "invalid literal for int() with base 10: 'x'"}`,
			map[string]string{"frontend_branch": "Branch:'x y' does not match pattern '^[a-z]+$'", "docker_retries": "invalid literal for int() with base 10: 'x'"}, ""},
		{"texts of fields the dialog does not show come back as a sentence",
			`{"username": "username: please fill in email address in the form 'User <email@email.com>'", "backend_project": "bad", "branch": "no"}`,
			map[string]string{"branch": "no"}, "backend_project: bad; username: please fill in email address in the form 'User <email@email.com>'"},
		{"a group's text without a name", `{"": "bad property name='a b', value=''"}`, map[string]string{}, "bad property name='a b', value=''"},
		{"a plain message", `"builderNames not specified or not supported"`, nil, "builderNames not specified or not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fields, other := f.BuildbotErrors(json.RawMessage(tt.message))
			var got map[string]string
			if fields != nil {
				got = map[string]string{}
				for name, text := range fields {
					got[name] = text.English()
				}
			}
			if !reflect.DeepEqual(got, tt.fields) || other.English() != tt.other {
				t.Fatalf("got %v and %q", got, other.English())
			}
		})
	}
}
