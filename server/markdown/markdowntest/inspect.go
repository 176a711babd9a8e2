// Package markdowntest reads a message as Mattermost's server does, for tests that show a message
// mentions, links and formats only what the plugin meant to.
package markdowntest

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/mattermost/mattermost/server/public/shared/markdown"
)

// Reading is what Mattermost makes of a message.
type Reading struct {
	// Mentions are the words its mention parser would notify for, such as "@channel" or "@alice".
	Mentions []string
	// Links are the destinations of links, images and autolinks.
	Links []string
	// Blocks are the kinds of blocks beside paragraphs: lists, quotes, code.
	Blocks []string
}

// Read parses message with Mattermost's own Markdown parser and, as its mention detection does,
// joins adjacent text nodes (code is not text) and splits them into words.
func Read(message string) Reading {
	var r Reading
	var buf string
	flush := func() {
		for _, w := range strings.FieldsFunc(buf, func(c rune) bool {
			return c != ':' && c != '.' && c != '-' && c != '_' && c != '@' && !unicode.IsLetter(c) && !unicode.IsNumber(c)
		}) {
			if w = strings.TrimLeft(w, ":.-_"); strings.HasPrefix(w, "@") && len(w) > 1 {
				r.Mentions = append(r.Mentions, w)
			}
		}
		buf = ""
	}
	markdown.Inspect(message, func(node any) bool {
		switch n := node.(type) {
		case *markdown.Text:
			buf += n.Text
			return false
		case *markdown.InlineLink:
			r.Links = append(r.Links, n.Destination())
		case *markdown.ReferenceLink:
			r.Links = append(r.Links, n.Destination())
		case *markdown.Autolink:
			r.Links = append(r.Links, n.Destination())
		case *markdown.InlineImage:
			r.Links = append(r.Links, n.Destination())
		case *markdown.ReferenceImage:
			r.Links = append(r.Links, n.Destination())
		case *markdown.Paragraph, *markdown.Document:
		case markdown.Block:
			r.Blocks = append(r.Blocks, fmt.Sprintf("%T", n))
		}
		flush()
		return true
	})
	flush()
	return r
}
