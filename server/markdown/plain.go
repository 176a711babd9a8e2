package markdown

import (
	"regexp"
	"strings"
)

var (
	plainLink   = regexp.MustCompile(`\[((?:\\.|[^\]\\])*)\]\([^)\s]*\)`)
	plainEscape = regexp.MustCompile(`\\(.)`)
)

// Plain is the plugin's own Markdown answer as plain text, for a surface that shows text (the
// webapp's Builds panel): emphasis and code marks go, a link keeps its text, an escaped sign shows
// as itself. Foreign text in it stays what Text or Code made it, so nothing in it links or mentions.
func Plain(s string) string {
	s = plainLink.ReplaceAllString(s, "$1")
	s = strings.ReplaceAll(s, "**", "")
	s = strings.ReplaceAll(s, "`", "")
	s = plainEscape.ReplaceAllString(s, "$1")
	return strings.ReplaceAll(s, wordJoiner, "")
}
