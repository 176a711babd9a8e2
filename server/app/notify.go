package app

import (
	"slices"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/access"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/config"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/notify"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/post"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/tracker"
)

// toggleNotify is Notify me: the user hears of the build's end in a direct message, or, asked
// again, no longer does. Whoever may see the build may ask; the post then shows how many wait.
func (a *App) toggleNotify(snap *config.Snapshot, c *click, p *model.Post, trackID string, props post.Props) i18n.Text {
	if _, err := a.Gate.Check(snap, access.Request{Action: access.View, UserID: c.userID, ChannelID: p.ChannelId, TeamID: props.TeamID}); err != nil {
		if refusal, ok := access.TextOf(err); ok {
			return refusal
		}
		return i18n.T("command.notify.not_saved", "That was not saved; try again.")
	}
	if a.Notify == nil {
		return i18n.T("command.notify.unavailable", "Direct messages about builds are not available here.")
	}
	if !props.Running() {
		return i18n.T("command.notify.ended", "This build has ended already.")
	}
	waiting, all, err := a.Notify.ToggleWaiting(trackID, c.userID)
	if err != nil {
		return i18n.T("command.notify.not_saved", "That was not saved; try again.")
	}
	c.noted = true
	a.showWaiting(p.Id, all)
	if waiting {
		return i18n.T("command.notify.on", "You will get a direct message when this build ends. Click **Notify me** again to cancel.")
	}
	return i18n.T("command.notify.off", "You will no longer get a direct message when this build ends.")
}

// showWaiting puts who waits on the post, read anew so an edit by a tick just before is kept.
func (a *App) showWaiting(postID string, userIDs []string) {
	p, err := a.MM.GetPost(postID)
	if err != nil {
		return
	}
	ids := make([]any, len(userIDs))
	for i, id := range slices.Sorted(slices.Values(userIDs)) {
		ids[i] = id
	}
	p.AddProp(post.WaitingKey, ids)
	if err := a.MM.UpdatePost(p); err != nil && a.Log != nil {
		a.Log.LogInfo("Could not show who waits for a build on its post", "post_id", postID, "error", err.Error())
	}
}

// noteMine notes a build someone started from chat among their recent builds, for /build mine.
func (a *App) noteMine(userID string, tr *tracker.Tracked) {
	if a.Notify == nil || tr.PostID == "" {
		return
	}
	if err := a.Notify.AddRecent(userID, notify.Recent{PostID: tr.PostID, ChannelID: tr.ChannelID, At: tr.CreatedAt}); err != nil {
		if a.Log != nil {
			a.Log.LogInfo("Could not note a build among its requester's recent builds", "post_id", tr.PostID, "error", err.Error())
		}
		return
	}
	if a.PostsChanged != nil {
		a.PostsChanged()
	}
}
