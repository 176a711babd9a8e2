package app

import (
	"strings"
	"testing"
)

func TestClosest(t *testing.T) {
	names := []string{"project-example", "docs-example", "failing-example", "tools"}
	for typed, want := range map[string]string{"project-exmple": "project-example", "tool": "tools", "docs": "docs-example", "zzzzzz": ""} {
		got := strings.Join(closest(typed, names, 1), "")
		if got != want {
			t.Errorf("%q: got %q, want %q", typed, got, want)
		}
	}
}
