package post

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/markdown"
)

// A person's message that pastes links to Buildbot gets a preview of each: an attachment every
// client shows, with the state when the message was posted, which the webapp replaces with the
// live card of a status post.

// PreviewsKey holds, in a previewed message's props, the links its attachments preview. The
// webapp draws live cards only for a message that carries it; the server reads the links again
// from the message itself, so what a client put there shows nothing it could not paste.
const PreviewsKey = "buildbot_previews"

// PreviewsVersion changes when the shape of PreviewsKey's value does.
const PreviewsVersion = 1

// Previewed is what Buildbot said about one pasted link.
type Previewed struct {
	// Link is the link as the plugin writes it, on LinkBase, Buildbot's public address.
	Link, LinkBase string
	// Repo and Builder name the builder as chat knows it.
	Repo, Builder string
	BuilderID     int
	// Request is the build request a request link names; nil for a build or a builder link.
	Request *buildbot.BuildRequest
	// Build is the build the link shows: the one it names, the request's newest, the builder's
	// latest; nil while a request waits for one.
	Build *buildbot.Build
	// Steps are a running build's steps, when they were read.
	Steps []buildbot.Step
}

// PreviewProps is the card of a pasted link: one row, like a status post's, with no one who
// requested it, and the link as the card's address.
func PreviewProps(p Previewed) Props {
	row := Row{Builder: p.Builder, BuilderID: p.BuilderID}
	var req buildbot.BuildRequest
	if p.Request != nil {
		req = *p.Request
		row.RequestID = req.BuildRequestID
		row.URL = buildbot.BuildRequestURL(p.LinkBase, req.BuildRequestID)
	}
	props := Props{Repo: p.Repo, BuildbotURL: p.Link}
	if b := p.Build; b != nil {
		row.RequestID, row.BuildID, row.Number, row.StateString = b.BuildRequestID, b.BuildID, b.Number, b.StateString
		row.StartedAt, row.CompleteAt = int64(b.StartedAt), int64(b.CompleteAt)
		row.URL = buildbot.BuildURL(p.LinkBase, b.BuilderID, b.Number)
		props.Branch, props.Revision = b.Properties.Get("branch"), b.Properties.Get("revision")
	}
	row.State = StateOf(req, p.Build)
	if row.State == StateBuilding {
		// A preview names the step alone: it does not read how many steps the builder's builds have.
		row.StepsDone, _, row.Step = CountSteps(p.Steps)
	}
	props.Rows = []Row{row}
	return settled(props)
}

// CountSteps reads a running build's steps as Buildbot's UI shows them, hidden ones left out: how
// many finished, how many exist, and the one that runs. Buildbot adds steps as they start, so how
// many are to come is not known from them alone.
func CountSteps(steps []buildbot.Step) (done, seen int, current string) {
	for _, s := range steps {
		if s.Hidden {
			continue
		}
		seen++
		if s.Complete {
			done++
		} else if current == "" {
			current = s.Name
		}
	}
	return done, seen, current
}

// previewMarker is PreviewsKey's value.
type previewMarker struct {
	Version int      `json:"version"`
	Links   []string `json:"links"`
}

// ApplyPreviews gives a message an attachment for each preview, worded by l, and the marker that
// names their links. The message, its thread, files and other props stay as they are.
func ApplyPreviews(p *model.Post, previews []Props, l i18n.Localizer) {
	attachments := make([]*model.SlackAttachment, 0, len(previews))
	links := make([]string, 0, len(previews))
	for _, props := range previews {
		attachments = append(attachments, previewAttachment(settled(props), l))
		links = append(links, props.BuildbotURL)
	}
	// Props travel to the server over gob, which knows plain JSON values, not our types. The
	// post's type stays a message's (model.ParseSlackAttachment would make it an integration's).
	p.AddProp(model.PostPropsAttachments, attachments)
	var marker map[string]any
	raw, _ := json.Marshal(previewMarker{Version: PreviewsVersion, Links: links})
	_ = json.Unmarshal(raw, &marker)
	p.AddProp(PreviewsKey, marker)
}

// PreviewedLinks are the links a message's previews show, as ApplyPreviews wrote them; false for a
// message without them.
func PreviewedLinks(p *model.Post) ([]string, bool) {
	raw, err := json.Marshal(p.GetProp(PreviewsKey))
	var marker previewMarker
	if err != nil || json.Unmarshal(raw, &marker) != nil || marker.Version != PreviewsVersion || len(marker.Links) == 0 {
		return nil, false
	}
	return marker.Links, true
}

// RemovePreviews takes a message's previews away; it says whether there were any. The attachments
// of a message with the marker are the previews: a message keeps its own attachments only where
// it gets no preview.
func RemovePreviews(p *model.Post) bool {
	if p.GetProp(PreviewsKey) == nil {
		return false
	}
	p.DelProp(PreviewsKey)
	p.DelProp(model.PostPropsAttachments)
	return true
}

// SamePreviews says whether two messages' previews show the same links.
func SamePreviews(a []string, b *model.Post) bool {
	other, ok := PreviewedLinks(b)
	return ok && slices.Equal(a, other)
}

// previewAttachment is one link's preview for clients without the webapp: the build, linked, and
// its state, branch and revision when the message was posted.
func previewAttachment(props Props, l i18n.Localizer) *model.SlackAttachment {
	row := props.Rows[0]
	// A linked title is drawn as plain text, not Markdown: the builder's name needs no escaping.
	title := row.Builder
	if row.Number != 0 {
		title = fmt.Sprintf("%s #%d", row.Builder, row.Number)
	}
	state := i18n.Join(" ", i18n.Raw(row.State.Emoji()), row.State.Label())
	fields := []*model.SlackAttachmentField{{Title: l.String(i18n.T("post.preview.state", "State")), Value: l.String(state), Short: true}}
	if props.Branch != "" {
		fields = append(fields, &model.SlackAttachmentField{Title: l.String(i18n.T("post.preview.branch", "Branch")),
			Value: "`" + markdown.Code(props.Branch) + "`", Short: true})
	}
	if props.Revision != "" {
		fields = append(fields, &model.SlackAttachmentField{Title: l.String(i18n.T("post.preview.revision", "Revision")),
			Value: "`" + markdown.Code(ShortRevision(props.Revision)) + "`", Short: true})
	}
	return &model.SlackAttachment{
		Fallback:  l.String(i18n.Join(": ", i18n.Raw(title), row.State.Label())),
		Color:     previewColor(row.State),
		Title:     title,
		TitleLink: props.BuildbotURL,
		Fields:    fields,
		Footer:    l.String(i18n.T("post.preview.footer", "As Buildbot showed it when the message was posted")),
	}
}

// previewColor is the attachment's colour: Mattermost's own for good, warning and danger, so it
// follows the theme; none for a build still running or one that ended without a verdict.
func previewColor(s State) string {
	switch s {
	case StateSuccess:
		return "good"
	case StateWarnings:
		return "warning"
	case StateFailure, StateException:
		return "danger"
	}
	return ""
}
