package post

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/markdown"
)

// Type is the post type the webapp draws with its own component.
const Type = "custom_buildbot_build"

// PropsKey holds the typed props in post.props; PropsVersion changes when their shape does.
const (
	PropsKey     = "buildbot_build"
	PropsVersion = 1
)

// Action ids of the buttons; Mattermost wants them alphanumeric.
const (
	ActionRebuild = "rebuild"
	// ActionRebuildWith opens the build's form, filled with what it was started with.
	ActionRebuildWith = "rebuildwith"
	ActionStop        = "stop"
	// ActionNotify asks for, or cancels, a direct message when the build ends.
	ActionNotify = "notify"
)

// WaitingKey holds, in post.props, the users who asked for a direct message when the build ends:
// the card shows how many, and whether the viewer is one. The post's own props (PropsKey) are the
// tracker's; this one is the button's, so neither overwrites the other.
const WaitingKey = "buildbot_waiting"

// Props are what the webapp reads to draw the build; the message says the same for clients
// without it (mobile apps, email).
type Props struct {
	Version     int    `json:"version"`
	State       State  `json:"state"`
	Repo        string `json:"repo"`
	Branch      string `json:"branch,omitempty"`
	Revision    string `json:"revision,omitempty"`
	RequestedBy string `json:"requested_by"`
	// Params are the parameters the build was started with that differ from Buildbot's defaults.
	Params      []Param `json:"params,omitempty"`
	BuildbotURL string  `json:"buildbot_url"`
	Rows        []Row   `json:"rows"`
	// ChangeID is set in change-hook mode, where rows appear as Buildbot's schedulers start builds.
	ChangeID int `json:"change_id,omitempty"`
	// NothingStarted is set when a change's builds never came.
	NothingStarted bool `json:"nothing_started,omitempty"`
	// UnreachableSince is set, in epoch milliseconds, while Buildbot does not answer.
	UnreachableSince int64 `json:"unreachable_since,omitempty"`
	// Unfollowed is set when the build was let go unfinished, because the settings name another
	// Buildbot now; its unfinished rows are StateUnfollowed.
	Unfollowed bool `json:"unfollowed,omitempty"`
	// Expired is set when the build was let go unfinished because it was followed for as long as
	// the plugin follows a build; its unfinished rows are StateExpired.
	Expired bool `json:"expired,omitempty"`
	// Source is the Fingerprint of the Buildbot the build was started on. The settings may name
	// another Buildbot since, where the same request and build ids are other builds.
	Source string `json:"source,omitempty"`
	// TeamID is the team a build in a direct or group message was started from. Such a channel
	// has no team, and a button's request names none that can be trusted; the bot's own post can.
	TeamID string `json:"team_id,omitempty"`
	// Line asks for one compact line instead of the card: a subscription's --style line.
	Line bool `json:"line,omitempty"`
	// Changes are what a failed build brought since its builder's last success on the branch;
	// Mentions the Mattermost users among their authors, by username.
	Changes  []Change `json:"changes,omitempty"`
	Mentions []string `json:"mentions,omitempty"`
}

// Change is one change a build brought, as the post shows it.
type Change struct {
	Author   string `json:"author"`
	Revision string `json:"revision,omitempty"`
	// Comment is the first line of the change's comments.
	Comment string `json:"comment,omitempty"`
}

// From says whether the build was started on the Buildbot of this fingerprint. Posts made before
// posts carried it are taken to be from the Buildbot in use.
func (p Props) From(fingerprint string) bool { return p.Source == "" || p.Source == fingerprint }

// Row is one builder's part of the build.
type Row struct {
	Builder     string `json:"builder"`
	BuilderID   int    `json:"builder_id"`
	RequestID   int    `json:"request_id"`
	BuildID     int    `json:"build_id,omitempty"`
	Number      int    `json:"number,omitempty"`
	State       State  `json:"state"`
	StateString string `json:"state_string,omitempty"`
	URL         string `json:"url"`
	StartedAt   int64  `json:"started_at,omitempty"`
	CompleteAt  int64  `json:"complete_at,omitempty"`
	// Step is the step running now. Buildbot adds steps as they start, so StepsTotal is what the
	// builder's last successful build had, or the steps seen so far when that is more; 0 is unknown.
	Step       string `json:"step,omitempty"`
	StepsDone  int    `json:"steps_done,omitempty"`
	StepsTotal int    `json:"steps_total,omitempty"`
	// FailedStep and LogURL name the step a failed build failed in and link to its log.
	FailedStep string `json:"failed_step,omitempty"`
	LogURL     string `json:"log_url,omitempty"`
	// Tests are what the build's tests said, when Buildbot or the failed step's log tells.
	Tests *Tests `json:"tests,omitempty"`
	// BrokenSince is the first of the failed builds just before this one on its builder and
	// branch: the run of failures a failure continues, or a success ends.
	BrokenSince *Broken `json:"broken_since,omitempty"`
	// StoppedBy is the Mattermost user who stopped a cancelled build; StopReason is the reason
	// Buildbot gave when someone stopped it elsewhere.
	StoppedBy  string `json:"stopped_by,omitempty"`
	StopReason string `json:"stop_reason,omitempty"`
	// QueuePlace is a queued row's place in its builder's line, 1 for the next to start, and
	// QueueStartsAt when it should start, epoch ms; 0 when unknown.
	QueuePlace    int   `json:"queue_place,omitempty"`
	QueueStartsAt int64 `json:"queue_starts_at,omitempty"`
	// Unserved says no force scheduler serves the builder, so chat may not start builds on it (a
	// subscribed deploy that only a push starts): no Rebuild, and Stop for system admins only.
	Unserved bool `json:"unserved,omitempty"`
}

// Running says whether any row may still change, which is when Stop applies.
func (p Props) Running() bool {
	for _, r := range p.Rows {
		if !r.State.Done() {
			return true
		}
	}
	return false
}

// link is the Buildbot page that shows the whole build: its one row's, or the change's, or the
// start page when builders of a project each have a row.
func (p Props) link() string {
	switch {
	case len(p.Rows) == 1:
		return p.Rows[0].URL
	case p.ChangeID != 0:
		return buildbot.ChangeURL(p.BuildbotURL, p.ChangeID)
	}
	return p.BuildbotURL
}

// Failed says whether a row failed or broke.
func (p Props) Failed() bool {
	for _, r := range p.Rows {
		if r.State == StateFailure || r.State == StateException {
			return true
		}
	}
	return false
}

// Rebuildable says whether a build exists to rebuild, on the Buildbot in use, on builders chat may
// start builds on.
func (p Props) Rebuildable() bool {
	if p.Unfollowed || p.Expired || slices.ContainsFunc(p.Rows, func(r Row) bool { return r.Unserved }) {
		return false
	}
	for _, r := range p.Rows {
		if r.BuildID != 0 && r.State.Done() {
			return true
		}
	}
	return false
}

// Apply writes the status into a post: type, message, props and buttons, worded by l. actionURL is
// the plugin route the buttons call.
func Apply(p *model.Post, props Props, actionURL string, l i18n.Localizer) {
	props = settled(props)
	if props.Line {
		// A plain post: no card, no buttons, a link to Buildbot in the line itself.
		p.Type = model.PostTypeDefault
		p.Message = l.String(LineMessage(props))
		p.AddProp(PropsKey, plain(props))
		return
	}
	p.Type = Type
	p.Message = l.String(Message(props))
	// Props travel to the server over gob, which knows plain JSON values, not our types.
	p.AddProp(PropsKey, plain(props))

	var actions []*model.PostAction
	if props.Rebuildable() {
		actions = append(actions, button(ActionRebuild, l.String(i18n.T("post.button.rebuild", "Rebuild")), "default", actionURL),
			button(ActionRebuildWith, l.String(i18n.T("post.button.rebuild_with", "Rebuild with…")), "default", actionURL))
	}
	if props.Running() {
		actions = append(actions, button(ActionNotify, l.String(i18n.T("post.button.notify", "Notify me")), "default", actionURL),
			button(ActionStop, l.String(i18n.T("post.button.stop", "Stop")), "danger", actionURL))
	}
	// Clients without the webapp have no link button; the attachment's title is the link.
	attachment := &model.SlackAttachment{Fallback: p.Message, Title: l.String(i18n.T("post.open_in_buildbot", "Open in Buildbot")), TitleLink: props.link(),
		Actions: actions}
	model.ParseSlackAttachment(p, []*model.SlackAttachment{attachment})
}

// settled fills in what props derive from their rows: the version and the overall state.
func settled(props Props) Props {
	states := make([]State, len(props.Rows))
	for i, r := range props.Rows {
		states[i] = r.State
	}
	props.Version = PropsVersion
	props.State = Overall(states)
	switch {
	case props.Unfollowed && len(props.Rows) == 0:
		props.State = StateUnfollowed
	case props.Expired && len(props.Rows) == 0:
		props.State = StateExpired
	}
	return props
}

// Digest names what a post with these props shows, message and props alike, so a caller can
// tell whether the post needs an edit without reading it.
func Digest(props Props) string {
	props = settled(props)
	raw, _ := json.Marshal(props)
	sum := sha256.Sum256(append([]byte(Message(props).English()+"\x00"), raw...))
	return hex.EncodeToString(sum[:12])
}

// SameStates says two statuses show the build, and each of its builders with its build number, in
// the same state: what a list of builds shows of a post, without its steps and times.
func SameStates(a, b Props) bool {
	a, b = settled(a), settled(b)
	if a.State != b.State || len(a.Rows) != len(b.Rows) {
		return false
	}
	for i := range a.Rows {
		if a.Rows[i].State != b.Rows[i].State || a.Rows[i].Number != b.Rows[i].Number {
			return false
		}
	}
	return true
}

func plain(props Props) map[string]any {
	var out map[string]any
	raw, _ := json.Marshal(props)
	_ = json.Unmarshal(raw, &out)
	return out
}

// Decode reads the status a post carries; false when it has none or an older shape.
func Decode(p *model.Post) (Props, bool) {
	var props Props
	raw, err := json.Marshal(p.GetProp(PropsKey))
	if err != nil || json.Unmarshal(raw, &props) != nil || props.Version != PropsVersion || len(props.Rows) == 0 {
		return props, false
	}
	return props, true
}

func button(id, name, style, url string) *model.PostAction {
	return &model.PostAction{
		Id:    id,
		Name:  name,
		Type:  model.PostActionTypeButton,
		Style: style,
		// Mattermost strips the integration from posts sent to clients, so this cannot be forged.
		Integration: &model.PostActionIntegration{URL: url, Context: map[string]any{"action": id}},
	}
}

// Param is one parameter of a build's force scheduler, by its full name, as the user set it.
type Param struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Message is the post's text: it must read well alone, as mobile apps and notifications show only it.
// Everything Buildbot named is escaped: the message must not mention, link or format on its behalf.
func Message(p Props) i18n.Text {
	var head []i18n.Text
	head = append(head, i18n.Raw(fmt.Sprintf("%s **%s**", p.State.Emoji(), markdown.Text(p.Repo))))
	if p.Branch != "" {
		head = append(head, i18n.T("post.on_branch", "on `{{.Branch}}`", "Branch", markdown.Code(p.Branch)))
	}
	if p.Revision != "" {
		head = append(head, i18n.T("post.at_revision", "at `{{.Revision}}`", "Revision", markdown.Code(ShortRevision(p.Revision))))
	}
	state := p.State.Label()
	switch {
	case p.NothingStarted:
		state = i18n.T("post.nothing_built", "nothing built")
	case p.State == StateCancelled:
		state = i18n.Join("", state, stoppedText(p.Rows))
	}
	line := []i18n.Text{i18n.Join("", i18n.Join(" ", head...), i18n.Raw(": "), state)}
	if p.RequestedBy != "" {
		line = append(line, i18n.T("post.requested_by", "requested by @{{.User}}", "User", p.RequestedBy))
	}
	change := i18n.T("post.change_link", "[change {{.ID}}]({{.URL}})", "ID", p.ChangeID, "URL", buildbot.ChangeURL(p.BuildbotURL, p.ChangeID))
	parts := []i18n.Text{}
	if len(p.Params) > 0 {
		set := make([]string, len(p.Params))
		for i, param := range p.Params {
			set[i] = "`" + markdown.Code(param.Name+"="+param.Value) + "`"
		}
		parts = append(parts, i18n.T("post.params", "With {{.Params}}", "Params", strings.Join(set, ", ")))
	}
	if p.Unfollowed {
		parts = append(parts, i18n.T("post.unfollowed", ":grey_question: No longer followed: the plugin now uses another Buildbot. The links still open this one."))
	}
	if p.Expired {
		parts = append(parts, i18n.T("post.expired", ":grey_question: No longer followed: not finished after {{.Days}} days. The links still open it in Buildbot.", "Days", ExpiryDays))
	}
	if p.UnreachableSince != 0 {
		parts = append(parts, i18n.T("post.unreachable", ":electric_plug: Buildbot unreachable since {{.Time}} UTC, retrying.",
			"Time", time.UnixMilli(p.UnreachableSince).UTC().Format("15:04:05")))
	}
	if p.ChangeID != 0 && len(p.Rows) > 0 {
		line = append(line, i18n.T("post.from_change", "from {{.Change}}", "Change", change))
	}
	if p.ChangeID != 0 && len(p.Rows) == 0 && !p.Unfollowed && !p.Expired {
		if p.NothingStarted {
			parts = append(parts, i18n.T("post.change.nothing_started", "- Buildbot's schedulers started no build for {{.Change}}.", "Change", change))
		} else {
			parts = append(parts, i18n.T("post.change.waiting", "- Buildbot recorded {{.Change}}; waiting for its schedulers to start builds.", "Change", change))
		}
	}
	for _, r := range p.Rows {
		parts = append(parts, i18n.Join(" ", i18n.Raw("-"), rowText(r)))
	}
	return i18n.Join("\n", append([]i18n.Text{i18n.Join(" · ", line...)}, append(parts, changesText(p))...)...)
}

// changesText lists a failed build's changes, and mentions their authors who are on Mattermost:
// Buildbot's words are escaped, the mentions are the plugin's own.
func changesText(p Props) i18n.Text {
	if len(p.Changes) == 0 {
		return i18n.Text{}
	}
	lines := []i18n.Text{i18n.T("post.changes", "Changes since the last success:")}
	for _, c := range p.Changes {
		var b strings.Builder
		b.WriteString("- ")
		if c.Revision != "" {
			fmt.Fprintf(&b, "`%s` ", markdown.Code(ShortRevision(c.Revision)))
		}
		b.WriteString(markdown.Text(c.Author))
		if c.Comment != "" {
			b.WriteString(": " + markdown.Text(c.Comment))
		}
		lines = append(lines, i18n.Raw(b.String()))
	}
	if len(p.Mentions) > 0 {
		lines = append(lines, i18n.Raw("cc @"+strings.Join(p.Mentions, " @")))
	}
	return i18n.Join("\n", lines...)
}

// LineMessage is a build in one line, for channels that asked for no card.
func LineMessage(p Props) i18n.Text {
	head := fmt.Sprintf("%s **%s**", p.State.Emoji(), markdown.Text(p.Repo))
	if p.Branch != "" {
		head += fmt.Sprintf(" `%s`", markdown.Code(p.Branch))
	}
	rows := make([]i18n.Text, len(p.Rows))
	for i, r := range p.Rows {
		rows[i] = rowDetail(r, " ")
	}
	if len(rows) == 0 {
		return i18n.Raw(head)
	}
	return i18n.Join(": ", i18n.Raw(head), i18n.Join("; ", rows...))
}

func rowText(r Row) i18n.Text { return i18n.Join(" ", i18n.Raw(r.State.Emoji()), rowDetail(r, ": ")) }

// rowDetail is a row's build, linked, then its state after sep, with what more there is to say.
func rowDetail(r Row, sep string) i18n.Text {
	name := fmt.Sprintf("[%s](%s)", markdown.Text(r.Builder), r.URL)
	if r.Number != 0 {
		name = fmt.Sprintf("[%s #%d](%s)", markdown.Text(r.Builder), r.Number, r.URL)
	}
	text := []i18n.Text{i18n.Join(sep, i18n.Raw(name), r.State.Label())}
	switch {
	case r.State == StateBuilding && r.Step != "" && r.StepsTotal > 0:
		text = append(text, i18n.T("post.row.step_of", " (step {{.Current}}/{{.Total}}: {{.Step}})",
			"Current", min(r.StepsDone+1, r.StepsTotal), "Total", r.StepsTotal, "Step", markdown.Text(r.Step)))
	case r.State == StateBuilding && r.Step != "":
		text = append(text, i18n.Raw(" ("+markdown.Text(r.Step)+")"))
	case r.State == StateBuilding && r.StateString != "":
		text = append(text, i18n.Raw(" ("+markdown.Text(r.StateString)+")"))
	case r.State == StateCancelled:
		text = append(text, stoppedText([]Row{r}))
	case r.State == StateQueued && r.QueuePlace > 0:
		text = append(text, queueText(r))
	}
	if r.State.Done() && r.StartedAt != 0 && r.CompleteAt >= r.StartedAt {
		text = append(text, i18n.T("post.row.took", " in {{.Duration}}", "Duration", (time.Duration(r.CompleteAt-r.StartedAt)*time.Second).String()))
	}
	if r.Tests != nil && r.State.Done() {
		text = append(text, i18n.Raw(" · "), testsCounts(*r.Tests))
	}
	if r.BrokenSince != nil && r.State.Done() {
		text = append(text, brokenText(r))
	}
	switch {
	case r.FailedStep != "" && r.LogURL != "":
		text = append(text, i18n.T("post.row.failed_step_link", " · failed step [{{.Step}}]({{.URL}})", "Step", markdown.Text(r.FailedStep), "URL", r.LogURL))
	case r.FailedStep != "":
		text = append(text, i18n.T("post.row.failed_step", " · failed step {{.Step}}", "Step", markdown.Text(r.FailedStep)))
	}
	return i18n.Join("", text...)
}

// queueText is where a queued row stands in its builder's line, and when it should start. The
// time is a clock time, not "in 4 minutes": the post is not edited as time passes.
func queueText(r Row) i18n.Text {
	place := i18n.T("post.row.queue_place", " · number {{.Place}} in line", "Place", r.QueuePlace)
	if r.QueuePlace == 1 {
		place = i18n.T("post.row.queue_next", " · next in line")
	}
	if r.QueueStartsAt == 0 {
		return place
	}
	return i18n.Join("", place, i18n.T("post.row.queue_starts", ", starts about {{.Time}} UTC", "Time", time.UnixMilli(r.QueueStartsAt).UTC().Format("15:04")))
}

// stoppedText says who stopped the first of rows that someone stopped: " by @bob" for a
// Mattermost user, or Buildbot's reason when it was stopped elsewhere.
func stoppedText(rows []Row) i18n.Text {
	for _, r := range rows {
		switch {
		case r.StoppedBy != "":
			return i18n.T("post.stopped_by", " by @{{.User}}", "User", r.StoppedBy)
		case r.StopReason != "":
			return i18n.Raw(" (" + markdown.Text(r.StopReason) + ")")
		}
	}
	return i18n.Text{}
}

// ShortRevision is how a revision is shown: its first 12 characters, like a short git hash.
func ShortRevision(rev string) string {
	if len(rev) > 12 {
		return rev[:12]
	}
	return rev
}
