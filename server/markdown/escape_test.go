package markdown

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/markdown/markdowntest"
)

// hostile are names a Buildbot config or a user with access to it could give a builder, step,
// branch or reason.
var hostile = []string{
	"@channel deploy",
	"deploy @here now",
	"@all",
	"ping @alice and @bob.smith",
	"[x](https://evil.example)",
	"![img](https://evil.example/a.png)",
	"<https://evil.example>",
	"see https://evil.example/path and www.evil.example",
	"www0. and WWW12.evil.example and www123.x",
	"mail admin@evil.example",
	"# Heading",
	"line one\n# heading\n- list item\n> quote",
	"a | b | c",
	"**bold** _it_ ~~strike~~ `code`",
	"[ref][1]\n\n[1]: https://evil.example",
	"\\[escaped\\](https://evil.example)",
	"~town-square",
}

func TestTextIsInertInAMessage(t *testing.T) {
	for _, s := range hostile {
		t.Run(s, func(t *testing.T) {
			got := Text(s)
			// As the plugin uses it: inside a sentence, inside bold, and as a link's text.
			for _, message := range []string{"Step " + got + " failed", "**" + got + "**", "[" + got + "](https://ci.example.com/)"} {
				read := markdowntest.Read(message)
				if len(read.Mentions) > 0 {
					t.Errorf("%q mentions %v", message, read.Mentions)
				}
				wantLinks := 0
				if strings.HasPrefix(message, "[") {
					wantLinks = 1
				}
				if len(read.Links) != wantLinks {
					t.Errorf("%q links to %v", message, read.Links)
				}
				if len(read.Blocks) > 0 {
					t.Errorf("%q makes blocks %v", message, read.Blocks)
				}
				if strings.ContainsAny(message, "\n\r") {
					t.Errorf("%q spans lines", message)
				}
			}
		})
	}
}

func TestTextKeepsWhatItShows(t *testing.T) {
	for _, tc := range []struct{ in, shown string }{
		{"compile", "compile"},
		{"release-1.0/fix_2", "release-1.0/fix_2"},
		{"@channel deploy", "@channel deploy"},
		{"a | b", "a | b"},
		{"straße 東京", "straße 東京"},
		{"two\nlines", "two lines"},
	} {
		// What a reader sees: the text with escapes undone and the invisible joiners gone.
		shown := strings.NewReplacer(wordJoiner, "").Replace(Text(tc.in))
		for _, p := range punctuation {
			shown = strings.ReplaceAll(shown, `\`+string(p), string(p))
		}
		if shown != tc.shown {
			t.Errorf("Text(%q) shows %q, want %q", tc.in, shown, tc.shown)
		}
	}
}

func TestTextIsBounded(t *testing.T) {
	got := Text(strings.Repeat("a", 5000))
	if n := utf8.RuneCountInString(got); n != MaxText || !strings.HasSuffix(got, "…") {
		t.Fatalf("%d runes, ends %q", n, got[len(got)-5:])
	}
	if got := Text("bad \xff byte"); !utf8.ValidString(got) {
		t.Fatalf("%q is not valid UTF-8", got)
	}
}

func TestCodeCannotEndItsSpan(t *testing.T) {
	message := "on `" + Code("x` @channel [a](https://evil.example)\nnext") + "`"
	if read := markdowntest.Read(message); len(read.Mentions) > 0 || len(read.Links) > 0 || len(read.Blocks) > 0 {
		t.Fatalf("%q: %+v", message, read)
	}
}

func FuzzTextIsInert(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Text(s)
		message := "Step **" + got + "** failed"
		read := markdowntest.Read(message)
		if len(read.Mentions) > 0 || len(read.Links) > 0 || len(read.Blocks) > 0 || strings.ContainsAny(got, "\n\r") {
			t.Fatalf("Text(%q) = %q: %+v", s, got, read)
		}
	})
}
