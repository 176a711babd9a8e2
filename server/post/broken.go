package post

import (
	"strconv"
	"time"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/markdown"
)

// Broken is the first of a run of failed builds on a builder and branch.
type Broken struct {
	Number int    `json:"number"`
	URL    string `json:"url"`
	// At is when it finished, in epoch seconds.
	At int64 `json:"at"`
	// Failures is how many builds failed in a row before the one the row shows.
	Failures int    `json:"failures"`
	Revision string `json:"revision,omitempty"`
	// Author is the Mattermost user whose change it built, when the plugin may say so.
	Author string `json:"author,omitempty"`
}

// brokenText says since when a failed row's builder and branch fail, and what failed first; or,
// for a row that passed, how long they had failed.
func brokenText(r Row) i18n.Text {
	b := *r.BrokenSince
	link := "[#" + strconv.Itoa(b.Number) + "](" + b.URL + ")"
	var broken time.Duration
	if b.At > 0 && r.CompleteAt >= b.At {
		broken = time.Duration(r.CompleteAt-b.At) * time.Second
	}
	if r.State != StateFailure {
		return i18n.Plural("post.row.fixed_after", " · fixed after 1 failed build since {{.Link}} ({{.Duration}})",
			" · fixed after {{.Count}} failed builds since {{.Link}} ({{.Duration}})", b.Failures, "Link", link, "Duration", broken.String())
	}
	text := []i18n.Text{i18n.Plural("post.row.failing_since", " · failing since {{.Link}}, {{.Duration}} and 1 build before this one",
		" · failing since {{.Link}}, {{.Duration}} and {{.Count}} builds before this one", b.Failures, "Link", link, "Duration", broken.String())}
	switch {
	case b.Revision != "" && b.Author != "":
		text = append(text, i18n.T("post.row.first_failed_with_by", "; it first failed with `{{.Revision}}` by @{{.Author}}",
			"Revision", markdown.Code(b.Revision), "Author", b.Author))
	case b.Revision != "":
		text = append(text, i18n.T("post.row.first_failed_with", "; it first failed with `{{.Revision}}`", "Revision", markdown.Code(b.Revision)))
	}
	return i18n.Join("", text...)
}
