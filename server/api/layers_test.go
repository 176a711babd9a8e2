package api

import (
	"os/exec"
	"strings"
	"testing"
)

// The routes act through the app layer, as /build does; they never reach into the slash command,
// whose parsing and wording are its own.
func TestTheRoutesDoNotDependOnTheSlashCommand(t *testing.T) {
	out, err := exec.CommandContext(t.Context(), "go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasSuffix(pkg, "/server/command") {
			t.Fatalf("the api package depends on %s", pkg)
		}
	}
}
