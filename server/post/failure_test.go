package post

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
)

func TestAFailureReplyFitsInAPostHoweverLongTheLog(t *testing.T) {
	var lines []string
	for i := 0; i < 200; i++ {
		lines = append(lines, fmt.Sprintf("%03d %s", i, strings.Repeat("x", 2000)))
	}
	row := Row{Builder: "b", Number: 4, URL: "https://ci/#/builders/1/builds/4", State: StateFailure,
		FailedStep: "compile", LogURL: "https://ci/log"}

	text := FailureReply(row, []string{"alice"}, strings.Join(lines, "\n"), i18n.English())

	if n := utf8.RuneCountInString(text); n > model.PostMessageMaxRunesV2 {
		t.Fatalf("%d characters", n)
	}
	if !strings.Contains(text, "lines left out here, to fit in a post") || !strings.Contains(text, "199 xxx") || !strings.HasSuffix(text, "[Full log](https://ci/log)") {
		t.Fatalf("reply %q…%q", text[:200], text[len(text)-200:])
	}
	for _, line := range strings.Split(text, "\n") {
		if utf8.RuneCountInString(line) > maxLogLine {
			t.Fatalf("a line of %d characters", utf8.RuneCountInString(line))
		}
	}
}
