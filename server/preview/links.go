// Package preview finds what a message pastes of the configured Buildbot: links to a build, a build
// request or a builder, as Buildbot's web UI addresses them (its routes live in the URL fragment,
// `#/builders/3/builds/12`), so the post can show what they point at. It also keeps which channels
// show such previews of which builders, and tells those channels when to read them again.
package preview

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
)

// Kind is what a link points at.
type Kind string

// The kinds of link Buildbot's web UI has for what a post can preview.
const (
	KindBuild   Kind = "build"
	KindRequest Kind = "request"
	KindBuilder Kind = "builder"
)

// Link is one pasted link, by what it names rather than how it was written.
type Link struct {
	Kind      Kind `json:"kind"`
	BuilderID int  `json:"builder_id,omitempty"`
	Number    int  `json:"number,omitempty"`
	RequestID int  `json:"request_id,omitempty"`
}

// URL is the link on base, written as the plugin writes its own links.
func (l Link) URL(base string) string {
	switch l.Kind {
	case KindBuild:
		return buildbot.BuildURL(base, l.BuilderID, l.Number)
	case KindRequest:
		return buildbot.BuildRequestURL(base, l.RequestID)
	}
	return buildbot.BuilderURL(base, l.BuilderID)
}

// Max is how many links of one message get a preview: more would bury the message.
const Max = 3

// maxID bounds the ids a link may carry, so one never overflows an int.
const maxID = 1 << 40

// Find lists the distinct links to the Buildbot at base that message pastes, in their order, at
// most Max. Links inside code (a fenced or indented block, or a code span) are text someone
// quotes, not a link they share: they are left out, and so are links to any other address.
func Find(message, base string) []Link {
	if !strings.Contains(message, "://") {
		return nil
	}
	home, err := url.Parse(base)
	if err != nil || home.Host == "" {
		return nil
	}
	var links []Link
	for _, candidate := range urls(withoutCode(message)) {
		link, ok := parse(candidate, home)
		if !ok || contains(links, link) {
			continue
		}
		links = append(links, link)
		if len(links) == Max {
			break
		}
	}
	return links
}

func contains(links []Link, l Link) bool {
	for _, x := range links {
		if x == l {
			return true
		}
	}
	return false
}

// parse reads one URL as a link to home's Buildbot: same scheme, host and path, and a fragment
// that is one of the web UI's routes for a build, a request or a builder. Buildbot 3.x reporters
// write the fragment without its leading slash, so both are read.
func parse(raw string, home *url.URL) (Link, bool) {
	u, err := url.Parse(raw)
	if err != nil || !strings.EqualFold(u.Scheme, home.Scheme) || !strings.EqualFold(u.Host, home.Host) ||
		strings.TrimSuffix(u.Path, "/") != strings.TrimSuffix(home.Path, "/") {
		return Link{}, false
	}
	route, _, _ := strings.Cut(u.Fragment, "?")
	parts := strings.Split(strings.Trim(route, "/"), "/")
	ids := make([]int, 0, 2)
	for i := 1; i < len(parts); i += 2 {
		id, ok := number(parts[i])
		if !ok {
			return Link{}, false
		}
		ids = append(ids, id)
	}
	switch {
	case len(parts) == 2 && parts[0] == "builders":
		return Link{Kind: KindBuilder, BuilderID: ids[0]}, true
	case len(parts) == 4 && parts[0] == "builders" && parts[2] == "builds":
		return Link{Kind: KindBuild, BuilderID: ids[0], Number: ids[1]}, true
	case len(parts) == 2 && parts[0] == "buildrequests":
		return Link{Kind: KindRequest, RequestID: ids[0]}, true
	}
	return Link{}, false
}

// number reads an id as the web UI writes it: digits only, from 1.
func number(s string) (int, bool) {
	if s == "" || len(s) > 13 || strings.Trim(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n > 0 && n < maxID
}

// urls lists what looks like an http(s) URL in text: from its scheme to the first space or
// character that ends a URL in Markdown, less the punctuation that ends a sentence.
func urls(text string) []string {
	var found []string
	for i := 0; i < len(text); i++ {
		if !prefixFold(text[i:], "http://") && !prefixFold(text[i:], "https://") {
			continue
		}
		end := i
		for end < len(text) && !endsURL(text[end]) {
			end++
		}
		found = append(found, strings.TrimRight(text[i:end], ".,;:!?*_~'\""))
		i = end
	}
	return found
}

// prefixFold is strings.HasPrefix ignoring the case of ASCII letters, byte for byte, whatever
// else the text holds.
func prefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// endsURL says whether a byte cannot be part of a pasted URL: space, and the brackets and quotes
// Markdown puts around links.
func endsURL(b byte) bool {
	return b <= ' ' || strings.IndexByte("<>()[]{}\"'`|\\", b) >= 0
}

// withoutCode blanks out code: fenced blocks, indented blocks and code spans, keeping the rest
// of the text where it was.
func withoutCode(message string) string {
	lines := strings.Split(strings.ReplaceAll(message, "\r\n", "\n"), "\n")
	fence := ""
	indentedBlock, afterBlank := false, true
	for i, line := range lines {
		trimmed := strings.TrimLeft(line, " ")
		indent := len(line) - len(trimmed)
		blank := strings.TrimSpace(line) == ""
		indented := !blank && (indent >= 4 || strings.HasPrefix(trimmed, "\t"))
		switch {
		case fence != "":
			if indent < 4 && strings.HasPrefix(trimmed, fence) && strings.Trim(trimmed, fence[:1]+" \t") == "" {
				fence = ""
			}
			lines[i] = ""
		case indent < 4 && (strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~")):
			// A fence left open runs to the end of the message, as Markdown reads it.
			fence = opening(trimmed)
			lines[i] = ""
		case indented && (afterBlank || indentedBlock):
			// An indented block cannot interrupt a paragraph; blank lines do not end it.
			indentedBlock = true
			lines[i] = ""
		case !blank:
			indentedBlock = false
		}
		afterBlank = blank
	}
	return withoutSpans(strings.Join(lines, "\n"))
}

// opening is the run of backticks or tildes that opens a fenced block, which closes it too.
func opening(line string) string {
	n := 0
	for n < len(line) && line[n] == line[0] {
		n++
	}
	return line[:n]
}

// withoutSpans blanks out code spans: a run of backticks up to the next run of as many. A run with
// no match is only backticks.
func withoutSpans(text string) string {
	b := []byte(text)
	for i := 0; i < len(b); {
		if b[i] != '`' {
			i++
			continue
		}
		n := run(b, i)
		closeAt := -1
		for j := i + n; j < len(b); {
			if b[j] != '`' {
				j++
				continue
			}
			m := run(b, j)
			if m == n {
				closeAt = j
				break
			}
			j += m
		}
		if closeAt < 0 {
			i += n
			continue
		}
		for k := i; k < closeAt+n; k++ {
			if b[k] != '\n' {
				b[k] = ' '
			}
		}
		i = closeAt + n
	}
	return string(b)
}

func run(b []byte, i int) int {
	n := 0
	for i+n < len(b) && b[i+n] == '`' {
		n++
	}
	return n
}
