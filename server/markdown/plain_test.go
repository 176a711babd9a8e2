package markdown

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPlainDropsTheMarksOfTheAnswersAndKeepsTheirText(t *testing.T) {
	for in, want := range map[string]string{
		"This channel now hears about **verdict-example** on `release/*`: failure.": "This channel now hears about verdict-example on release/*: failure.",
		"A system admin can allow it in **System Console > Plugins > Buildbot**.":   "A system admin can allow it in System Console > Plugins > Buildbot.",
		"Try ~" + Text("builds") + ", or see [the docs](https://example.com/x).":    "Try ~builds, or see the docs.",
		"failed: " + Text("a_b*c [x](https://evil.example) @here"):                  "failed: a_b*c [x](https://evil.example) @here",
	} {
		require.Equal(t, want, Plain(in))
	}
}
