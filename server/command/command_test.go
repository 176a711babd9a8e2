package command

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/config"
)

func handler(cfg *config.Configuration) *Handler {
	snap := config.NewSnapshot(cfg)
	return &Handler{Snapshot: func() *config.Snapshot { return snap }}
}

func run(h *Handler, text string) string {
	return h.Execute(context.Background(), &model.CommandArgs{Command: text})
}

func TestExecute(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v2/builders" {
			http.NotFound(w, r)
			return
		}
		_, _ = io.WriteString(w, `{"builders":[{"name":"zeta","masterids":[1]},{"name":"alpha","masterids":[1]},{"name":"gone","masterids":[]}]}`)
	}))
	t.Cleanup(srv.Close)
	good := handler(&config.Configuration{BuildbotURL: srv.URL})
	unset := handler(&config.Configuration{})

	tests := []struct {
		name, text string
		h          *Handler
		want       []string
		not        []string
	}{
		{"/build alone shows usage even before setup", "/build", unset, []string{"/build list"}, nil},
		{"a command before setup names what the admin must fix", "/build list", unset,
			[]string{"not set up correctly", "System Console > Plugins > Buildbot", "**Buildbot URL** is empty"}, nil},
		{"list shows active builders sorted", "/build list", good, []string{"`alpha`, `zeta`"}, []string{"gone"}},
		{"a typing mistake is explained with the usage", "/build p main;x", good, []string{"not a branch name", "/build help"}, nil},
		{"a build request says it is not available yet", "/build project-example", good, []string{"not available in this version yet"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := run(tt.h, tt.text)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("%q lacks %q", got, w)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(got, n) {
					t.Errorf("%q has %q", got, n)
				}
			}
		})
	}
}

func TestDefinitionIsAValidAutocompleteTree(t *testing.T) {
	cmd := Definition()
	if cmd.Trigger != "build" || !cmd.AutoComplete {
		t.Fatalf("command %+v", cmd)
	}
	if err := cmd.AutocompleteData.IsValid(); err != nil {
		t.Fatalf("autocomplete data: %v", err)
	}
}
