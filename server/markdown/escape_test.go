package markdown

import (
	"fmt"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	mmmarkdown "github.com/mattermost/mattermost/server/public/shared/markdown"
)

// inspect reads a message as Mattermost's server does: it parses the Markdown with Mattermost's own
// parser and, like its mention detection, joins adjacent text nodes and splits them into words.
func inspect(message string) (words []string, links int, blocks []string) {
	var buf string
	flush := func() {
		words = append(words, strings.FieldsFunc(buf, func(c rune) bool {
			return !(c == ':' || c == '.' || c == '-' || c == '_' || c == '@' || unicode.IsLetter(c) || unicode.IsNumber(c))
		})...)
		buf = ""
	}
	mmmarkdown.Inspect(message, func(node any) bool {
		switch n := node.(type) {
		case *mmmarkdown.Text:
			buf += n.Text
			return false
		case *mmmarkdown.InlineLink, *mmmarkdown.ReferenceLink, *mmmarkdown.Autolink, *mmmarkdown.InlineImage, *mmmarkdown.ReferenceImage:
			links++
		case *mmmarkdown.Paragraph, *mmmarkdown.Document:
		case mmmarkdown.Block:
			blocks = append(blocks, fmt.Sprintf("%T", n))
		}
		flush()
		return true
	})
	flush()
	return words, links, blocks
}

func mentions(words []string) []string {
	var out []string
	for _, w := range words {
		if strings.HasPrefix(strings.TrimLeft(w, ":.-_"), "@") && len(strings.TrimLeft(w, ":.-_")) > 1 {
			out = append(out, w)
		}
	}
	return out
}

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
				words, links, blocks := inspect(message)
				if m := mentions(words); len(m) > 0 {
					t.Errorf("%q mentions %v", message, m)
				}
				wantLinks := 0
				if strings.HasPrefix(message, "[") {
					wantLinks = 1
				}
				if links != wantLinks {
					t.Errorf("%q has %d links, want %d", message, links, wantLinks)
				}
				if len(blocks) > 0 {
					t.Errorf("%q makes blocks %v", message, blocks)
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
	words, links, blocks := inspect(message)
	if len(mentions(words)) > 0 || links > 0 || len(blocks) > 0 {
		t.Fatalf("%q: mentions %v, links %d, blocks %v", message, mentions(words), links, blocks)
	}
}

func FuzzTextIsInert(f *testing.F) {
	for _, s := range hostile {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Text(s)
		message := "Step **" + got + "** failed"
		words, links, blocks := inspect(message)
		if m := mentions(words); len(m) > 0 {
			t.Fatalf("Text(%q) = %q mentions %v", s, got, m)
		}
		if links > 0 || len(blocks) > 0 || strings.ContainsAny(got, "\n\r") {
			t.Fatalf("Text(%q) = %q: %d links, blocks %v", s, got, links, blocks)
		}
	})
}
