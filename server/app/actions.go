package app

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/access"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/markdown"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/post"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/tracker"
)

// click is one button click and what came of it, for the audit line.
type click struct {
	userID, action, postID string
	// triggerID lets the click open a dialog (Rebuild with…).
	triggerID string
	rows      []post.Row
	// tried says the plugin called Buildbot; otherwise the click was refused before it. noted says
	// a Notify me was taken, which calls nobody.
	tried, noted bool
}

// Act runs a status post's button (Rebuild or Stop) for the user who clicked it, with the same
// rules as /build. It returns the text shown to that user alone. Mattermost vouches only for who
// clicked: the post, the action and the team come from the request, which anyone can send to the
// plugin's route, so each is checked against what Mattermost holds.
func (a *App) Act(ctx context.Context, req *model.PostActionIntegrationRequest) string {
	action, _ := req.Context["action"].(string)
	c := &click{userID: req.UserId, action: action, postID: req.PostId, triggerID: req.TriggerId}
	text := a.act(ctx, c)
	a.audit(c, text)
	return a.Words.User(req.UserId).String(text)
}

func (a *App) act(ctx context.Context, c *click) i18n.Text {
	if c.action != post.ActionStop && c.action != post.ActionRebuild && c.action != post.ActionRebuildWith && c.action != post.ActionNotify {
		return i18n.T("command.action.unknown", "Unknown action.")
	}
	snap := a.Snapshot()
	if !snap.Ready() {
		return snap.ProblemsMessage()
	}
	p, err := a.MM.GetPost(c.postID)
	if err != nil || !a.MM.CanReadChannel(c.userID, p.ChannelId) {
		return i18n.T("command.action.post_gone", "That build post is gone, or in a channel you cannot read.")
	}
	trackID, _ := p.GetProp(tracker.TrackKey).(string)
	props, ok := post.Decode(p)
	if p.UserId != a.BotID || trackID == "" || !ok {
		return i18n.T("command.action.not_ours", "This post was not written by the Buildbot plugin, so it cannot act on it.")
	}
	c.rows = props.Rows
	if c.action == post.ActionNotify {
		return a.toggleNotify(snap, c, p, trackID, props)
	}
	if !props.From(snap.Buildbot.Fingerprint()) {
		return i18n.T("command.action.other_buildbot", "This build ran on a Buildbot the plugin no longer uses, so it cannot act on it from here. Its links still open that Buildbot.")
	}
	builders, answer := a.buildersOf(ctx, props.Rows)
	if !answer.IsZero() {
		return answer
	}
	action := access.Build
	if c.action == post.ActionStop {
		action = access.Stop
	}
	// A direct or group message has no team; the team /build was typed in is on the bot's post.
	grant, err := a.Gate.Check(snap, access.Request{Action: action, UserID: c.userID, ChannelID: p.ChannelId, TeamID: props.TeamID, Builders: builders})
	if refusal, ok := access.TextOf(err); ok {
		return refusal
	}
	user := grant.User

	if c.action == post.ActionStop {
		c.tried = true
		return a.stop(ctx, snap.Buildbot, trackID, props, user)
	}
	if c.action == post.ActionRebuildWith {
		return a.rebuildWith(ctx, snap, c.triggerID, p, props, request{branch: props.Branch, revision: props.Revision, user: user, place: grant.Place})
	}
	first, err := a.Once.First("rebuild_" + p.Id)
	if err != nil {
		return i18n.T("command.action.no_double_click_check", "The plugin could not check for a double click; try again.")
	}
	if !first {
		return i18n.T("command.action.double_click", "A rebuild of this build was just started.")
	}
	c.tried = true
	return a.rebuild(ctx, snap.Buildbot, p, props, user)
}

// buildersOf are a post's builders as the gate judges them: whether chat may start builds on each
// is the catalog's word, whatever the post says.
func (a *App) buildersOf(ctx context.Context, rows []post.Row) ([]access.Builder, i18n.Text) {
	ix, err := a.repos(ctx, "")
	if err != nil {
		return nil, buildbot.UserMessage(err)
	}
	builders := make([]access.Builder, len(rows))
	for i, row := range rows {
		builders[i] = access.Builder{Name: row.Builder, Served: ix.Serves(row.BuilderID)}
	}
	return builders, i18n.Text{}
}

// audit logs who clicked what on which build, and what came of it, allowed or refused.
func (a *App) audit(c *click, text i18n.Text) {
	if a.Log == nil {
		return
	}
	var requests, builds []string
	for _, r := range c.rows {
		requests = append(requests, strconv.Itoa(r.RequestID))
		builds = append(builds, strconv.Itoa(r.BuildID))
	}
	outcome := "refused"
	switch {
	case c.tried:
		outcome = "sent to Buildbot" //i18n:verbatim the audit log is English
	case c.action == post.ActionRebuildWith && text.IsZero():
		outcome = "form opened" //i18n:verbatim the audit log is English
	case c.noted:
		outcome = "noted" //i18n:verbatim the audit log is English
	}
	answer, _, _ := strings.Cut(text.English(), "\n")
	a.Log.LogInfo("Buildbot button clicked", "user_id", c.userID, "action", c.action, "post_id", c.postID,
		"request_ids", strings.Join(requests, ","), "build_ids", strings.Join(builds, ","), "outcome", outcome, "answer", answer)
}

func (a *App) stop(ctx context.Context, bb *buildbot.Client, trackID string, props post.Props, user *model.User) i18n.Text {
	reason := post.StopReason(user.Username)
	// A request cancelled before it ran keeps no reason on Buildbot: the post learns who from here.
	if err := a.Tracker.NoteStopper(trackID, user.Username); err != nil {
		return i18n.T("command.stop.not_noted", "The plugin could not note who is stopping the build; try again.")
	}
	var stopped []string
	var failed []i18n.Text
	for _, row := range props.Rows {
		if row.State.Done() {
			continue
		}
		var err error
		if row.BuildID != 0 {
			err = bb.StopBuild(ctx, row.BuildID, reason)
		} else {
			err = bb.CancelBuildRequest(ctx, row.RequestID, reason)
		}
		if err != nil {
			failed = append(failed, builderProblem(row.Builder, buildbot.UserMessage(err)))
			continue
		}
		stopped = append(stopped, markdown.Code(row.Builder))
	}
	switch {
	case len(stopped) == 0 && len(failed) == 0:
		return i18n.T("command.stop.nothing", "Nothing to stop: the build has finished.")
	case len(failed) > 0:
		return i18n.T("command.stop.failed", "Not stopped:\n- {{.List}}", "List", i18n.Join("\n- ", failed...))
	}
	return i18n.T("command.stop.stopping", "Stopping `{{.Builders}}`; the post shows when Buildbot is done.", "Builders", strings.Join(stopped, "`, `"))
}

// builderProblem is one line of a list of builders and what went wrong with each.
func builderProblem(builder string, problem i18n.Text) i18n.Text {
	return i18n.Join(": ", i18n.Raw(markdown.Text(builder)), problem)
}

// rebuild starts each finished build again and posts the new one in the original's thread,
// leaving the original as it was.
func (a *App) rebuild(ctx context.Context, bb *buildbot.Client, original *model.Post, props post.Props, user *model.User) i18n.Text {
	snap := a.Snapshot()
	// Buildbot's rebuild takes the original's properties, so the parameters it shows hold.
	again := post.Props{Repo: props.Repo, Branch: props.Branch, Revision: props.Revision, RequestedBy: user.Username,
		BuildbotURL: snap.Config.LinkBaseURL(), Source: bb.Fingerprint(), TeamID: props.TeamID, Params: props.Params}
	var failed []i18n.Text
	for _, row := range props.Rows {
		if row.BuildID == 0 || !row.State.Done() {
			continue
		}
		res, err := bb.Rebuild(ctx, row.BuildID)
		if err != nil {
			failed = append(failed, builderProblem(row.Builder, buildbot.UserMessage(err)))
			continue
		}
		brid, ok := res.BuildRequests[row.BuilderID]
		if !ok {
			failed = append(failed, builderProblem(row.Builder, noRequestFor()))
			continue
		}
		again.Rows = append(again.Rows, post.Row{Builder: row.Builder, BuilderID: row.BuilderID, RequestID: brid, State: post.StateQueued,
			URL: buildbot.BuildRequestURL(snap.Config.LinkBaseURL(), brid)})
	}
	if len(again.Rows) == 0 {
		if len(failed) > 0 {
			return i18n.T("command.rebuild.failed", "Not rebuilt:\n- {{.List}}", "List", i18n.Join("\n- ", failed...))
		}
		return i18n.T("command.rebuild.nothing", "Nothing to rebuild yet: wait until the build has run.")
	}
	root := original.RootId
	if root == "" {
		root = original.Id
	}
	p := &model.Post{UserId: a.BotID, ChannelId: original.ChannelId, RootId: root}
	post.Apply(p, again, a.ActionURL, a.Words.Server())
	tracked := &tracker.Tracked{Props: again}
	if err := a.Tracker.Announce(p, tracked); errors.Is(err, tracker.ErrNotPosted) {
		return i18n.T("command.rebuild.not_posted", "Buildbot started the rebuild, but Mattermost could not post about it.")
	} else if err != nil {
		return i18n.T("command.rebuild.not_stored", "Buildbot started the rebuild, but the plugin could not store it to follow it, so it did not post about it.")
	}
	a.noteMine(user.Id, tracked)
	if len(failed) > 0 {
		return i18n.T("command.rebuild.some_failed", "Some builders were not rebuilt:\n- {{.List}}", "List", i18n.Join("\n- ", failed...))
	}
	return i18n.T("command.rebuild.started", "Rebuilding; the new build is in the thread.")
}

// noRequestFor is what a builder gets when Buildbot's answer queued nothing for it.
func noRequestFor() i18n.Text {
	return i18n.T("command.no_request_for_builder", "Buildbot's answer named no build request for this builder, so nothing can be followed; check Buildbot for it.")
}
