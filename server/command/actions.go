package command

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/post"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/tracker"
)

// Once guards an action against double clicks: it returns false when the same key was taken
// within the last few seconds.
type Once interface {
	First(key string) (bool, error)
}

// Act runs a status post's button (Rebuild or Stop) for the user who clicked it, with the same
// rules as /build. It returns the text shown to that user alone.
func (h *Handler) Act(ctx context.Context, req *model.PostActionIntegrationRequest) string {
	snap := h.Snapshot()
	if !snap.Ready() {
		return snap.ProblemsMessage()
	}
	action, _ := req.Context["action"].(string)
	p, err := h.MM.GetPost(req.PostId)
	if err != nil {
		return "That build post is gone."
	}
	props, ok := post.Decode(p)
	if !ok {
		return "This post does not describe a build the plugin can act on."
	}
	if !props.From(snap.Buildbot.Fingerprint()) {
		return "This build ran on a Buildbot the plugin no longer uses, so it cannot act on it from here. Its links still open that Buildbot."
	}
	where, err := h.resolvePlace(&model.CommandArgs{ChannelId: p.ChannelId, TeamId: req.TeamId})
	if err != nil {
		return "Mattermost could not tell where this post is; try again."
	}
	if refusal := whereRefusal(snap.Config, where); refusal != "" {
		return refusal
	}
	user, err := h.MM.GetUser(req.UserId)
	if err != nil {
		return "Mattermost could not tell who you are; try again."
	}
	if refusal := h.whoRefusal(snap.Config, user); refusal != "" {
		return refusal
	}

	switch action {
	case post.ActionStop:
		return stop(ctx, snap.Buildbot, props, user)
	case post.ActionRebuild:
		first, err := h.Once.First("rebuild_" + p.Id)
		if err != nil {
			return "The plugin could not check for a double click; try again."
		}
		if !first {
			return "A rebuild of this build was just started."
		}
		return h.rebuild(ctx, snap.Buildbot, p, props, user)
	}
	return "Unknown action."
}

func stop(ctx context.Context, bb *buildbot.Client, props post.Props, user *model.User) string {
	reason := "Stopped by @" + user.Username + " from Mattermost"
	var stopped, failed []string
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
			failed = append(failed, fmt.Sprintf("%s: %s", row.Builder, buildbot.UserMessage(err)))
			continue
		}
		stopped = append(stopped, row.Builder)
	}
	switch {
	case len(stopped) == 0 && len(failed) == 0:
		return "Nothing to stop: the build has finished."
	case len(failed) > 0:
		return "Not stopped:\n- " + strings.Join(failed, "\n- ")
	}
	return "Stopping " + strings.Join(stopped, ", ") + "; the post shows when Buildbot is done."
}

// rebuild starts each finished build again and posts the new one in the original's thread,
// leaving the original as it was.
func (h *Handler) rebuild(ctx context.Context, bb *buildbot.Client, original *model.Post, props post.Props, user *model.User) string {
	snap := h.Snapshot()
	again := post.Props{Repo: props.Repo, Branch: props.Branch, Revision: props.Revision, RequestedBy: user.Username,
		BuildbotURL: snap.Config.LinkBaseURL(), Source: bb.Fingerprint()}
	var failed []string
	for _, row := range props.Rows {
		if row.BuildID == 0 || !row.State.Done() {
			continue
		}
		res, err := bb.Rebuild(ctx, row.BuildID)
		if err != nil {
			failed = append(failed, fmt.Sprintf("%s: %s", row.Builder, buildbot.UserMessage(err)))
			continue
		}
		brid := res.BuildRequests[row.BuilderID]
		again.Rows = append(again.Rows, post.Row{Builder: row.Builder, BuilderID: row.BuilderID, RequestID: brid, State: post.StateQueued,
			URL: buildbot.BuildRequestURL(snap.Config.LinkBaseURL(), brid)})
	}
	if len(again.Rows) == 0 {
		if len(failed) > 0 {
			return "Not rebuilt:\n- " + strings.Join(failed, "\n- ")
		}
		return "Nothing to rebuild yet: wait until the build has run."
	}
	root := original.RootId
	if root == "" {
		root = original.Id
	}
	p := &model.Post{UserId: h.BotID, ChannelId: original.ChannelId, RootId: root}
	post.Apply(p, again, h.ActionURL)
	if err := h.Tracker.Announce(p, &tracker.Tracked{Props: again}); errors.Is(err, tracker.ErrNotPosted) {
		return "Buildbot started the rebuild, but Mattermost could not post about it."
	} else if err != nil {
		return "Buildbot started the rebuild, but the plugin could not store it to follow it, so it did not post about it."
	}
	if len(failed) > 0 {
		return "Some builders were not rebuilt:\n- " + strings.Join(failed, "\n- ")
	}
	return "Rebuilding; the new build is in the thread."
}
