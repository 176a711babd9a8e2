package command

import (
	"context"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
)

// Help and mistakes are answered from what was typed alone: no app, no Buildbot, no gate.
func TestHelpAndMistakesAreAnsweredBeforeTheAppIsAsked(t *testing.T) {
	h := &Handler{}
	for text, want := range map[string]string{
		"/build":                  "#### /build",
		"/build help":             "#### /build",
		"/build list extra":       "`/build list` takes no arguments.",
		"/build app main --nope":  "`--nope` is not an option of `/build`",
		"/build subscribe":        "Name a repo, or `*` for every repo.",
		"/build app main a b c d": "Too many words",
	} {
		got := h.Execute(context.Background(), &model.CommandArgs{UserId: "alice", ChannelId: "builds", Command: text})
		if !strings.Contains(got, want) {
			t.Errorf("%q answered %q, want %q in it", text, got, want)
		}
	}
}
