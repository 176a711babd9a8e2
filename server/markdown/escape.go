// Package markdown keeps text the plugin did not write (Buildbot's names, states, reasons and
// answers) inert in Mattermost messages: it cannot mention anyone, link anywhere or change the
// layout of the message it is put in.
package markdown

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// wordJoiner is invisible and, unlike a backslash, splits a word for Mattermost's mention parser,
// which reads the text of the parsed Markdown: "@\u2060channel" notifies no one.
const wordJoiner = "\u2060"

// MaxText bounds one piece of foreign text: a name or a state is a few words, and a post has
// Mattermost's size limit to keep.
const MaxText = 300

// punctuation is what Markdown gives a meaning to, escaped with a backslash wherever it stands.
const punctuation = "\\`*_[]<>#|~!"

// Text makes s safe to show as plain text in a message, inside emphasis or a link's text: on one
// line, at most MaxText characters, every Markdown sign escaped, and mentions, autolinks and
// e-mail addresses broken up so they neither notify nor link.
func Text(s string) string {
	s = oneLine(s)
	var b strings.Builder
	for i, r := range s {
		switch {
		case strings.ContainsRune(punctuation, r):
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '@':
			b.WriteString("@" + wordJoiner)
		case r == ':' && strings.HasPrefix(s[i:], "://"):
			b.WriteString(":" + wordJoiner)
		case r == '.' && wwwBefore(s[:i]):
			b.WriteString(wordJoiner + ".")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// wwwBefore says whether s ends the way Mattermost's www autolink starts: "www" and up to three
// digits ("www2." links as much as "www.").
func wwwBefore(s string) bool {
	end := len(s)
	for digits := 0; digits < 3 && end > 0 && s[end-1] >= '0' && s[end-1] <= '9'; digits++ {
		end--
	}
	return end >= 3 && strings.EqualFold(s[end-3:end], "www")
}

// Code makes s safe inside a code span (`...`), where Markdown, mentions and links are inert
// already and a backslash would show: only a backtick, which would end the span, is replaced.
func Code(s string) string {
	return strings.ReplaceAll(oneLine(s), "`", "'")
}

// oneLine turns line breaks and other control characters into spaces, so foreign text cannot
// start a heading, a list or a table row, and caps it at MaxText characters.
func oneLine(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	if utf8.RuneCountInString(s) > MaxText {
		s = string([]rune(s)[:MaxText-1]) + "…"
	}
	return s
}
