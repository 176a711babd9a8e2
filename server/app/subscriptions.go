package app

import (
	"context"
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/access"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/catalog"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/form"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/markdown"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/subscription"
)

// SubscribeRequest is a subscription a user asked for: a repo (or subscription.AnyRepo), a branch
// glob ("" for the repo's default branch), and the events and style, their defaults when empty.
type SubscribeRequest struct {
	Repo, Branch string
	Events       []subscription.Event
	Style        subscription.Style
}

// Subscribe adds or replaces the channel's subscription to a repo and branch glob.
func (a *App) Subscribe(ctx context.Context, who Actor, asked SubscribeRequest) i18n.Text {
	return answerOf(a.PanelSubscribe(ctx, who, asked))
}

// answerOf is what a user is told of an operation's outcome: its answer, or why it failed.
func answerOf(answer i18n.Text, err error) i18n.Text {
	if text, ok := access.TextOf(err); ok {
		return text
	}
	if text, ok := i18n.TextOf(err); ok {
		return text
	}
	if err != nil {
		return i18n.T("command.failed", "That did not work: {{.Error}}", "Error", err.Error())
	}
	return answer
}

// PanelSubscribe is Subscribe for the Builds panel, which tells a refusal (an *access.Refusal)
// and a subscription that was not saved (an *i18n.Error) from one that was.
func (a *App) PanelSubscribe(ctx context.Context, who Actor, asked SubscribeRequest) (i18n.Text, error) {
	snap := a.Snapshot()
	grant, err := a.grant(who, access.Subscribe)
	if err != nil {
		return i18n.Text{}, err
	}
	if asked.Branch != "" {
		if problem := subscription.CheckBranch(asked.Branch); !problem.IsZero() {
			return i18n.Text{}, i18n.NewError(problem)
		}
	}
	if len(asked.Events) > 0 {
		if asked.Events, err = subscription.ParseEvents(subscription.JoinEvents(asked.Events)); err != nil {
			return i18n.Text{}, err
		}
	}
	cfg := snap.Config
	repo := subscription.AnyRepo
	if asked.Repo != subscription.AnyRepo {
		found, answer := a.findWatched(ctx, asked.Repo)
		if found == nil {
			return i18n.Text{}, i18n.NewError(answer)
		}
		repo = found.Name
	}
	sub := subscription.Subscription{ChannelID: grant.Place.Channel.Id, Repo: repo, Branch: asked.Branch, Events: asked.Events, Style: asked.Style,
		CreatorID: grant.User.Id, CreatedAt: time.Now().UnixMilli()}
	if len(sub.Events) == 0 {
		sub.Events = subscription.DefaultEvents
	}
	if sub.Style == "" {
		sub.Style = subscription.StyleCard
	}
	replaced, err := a.Subs.Put(sub, cfg.SubscriptionLimit())
	var limit *subscription.LimitError
	switch {
	case errors.As(err, &limit) && limit.InAll:
		return i18n.Text{}, i18n.NewError(i18n.T("command.subscribe.limit_all", "Nothing was saved: all channels together have {{.Max}} subscriptions, the most the settings allow. "+
			"Drop one with `/build unsubscribe`, or a system admin can allow more in **System Console > Plugins > Buildbot > Most subscriptions in all**.", "Max", limit.Max))
	case errors.As(err, &limit):
		return i18n.Text{}, i18n.NewError(i18n.T("command.subscribe.limit_channel", "Nothing was saved: this channel has {{.Max}} subscriptions, the most one channel may have. "+
			"`/build subscriptions` lists them; drop one with `/build unsubscribe`, or subscribe with a broader glob.", "Max", limit.Max))
	case err != nil:
		return i18n.Text{}, i18n.NewError(i18n.T("command.subscribe.not_saved", "The subscription was not saved: {{.Error}}", "Error", err.Error()))
	}
	a.subscriptionsChanged(sub.ChannelID)
	answer := i18n.T("command.subscribe.done", "This channel now hears about {{.Subject}}: {{.Events}}.", "Subject", subject(sub), "Events", eventsText(sub))
	if replaced {
		answer = i18n.Join(" ", answer, i18n.T("command.subscribe.replaced", "It replaces the channel's earlier subscription to the same branches."))
	}
	if !subscription.Wants(sub.Events, subscription.Started) && len(sub.Events) == 1 && sub.Events[0] == subscription.Finished {
		answer = i18n.Join("\n", answer, i18n.T("command.subscribe.quiet_hint", "For only what needs someone, subscribe with `--events {{.Events}}`.",
			"Events", subscription.JoinEvents(subscription.QuietEvents)))
	}
	return answer, nil
}

// SubscriptionsEvent is the WebSocket event that tells a channel's webapps its subscriptions
// changed; Mattermost sends it as custom_<plugin id>_panel_subscriptions.
const SubscriptionsEvent = "panel_subscriptions"

// subscriptionsChanged tells the channel's open Builds panels to read its subscriptions again.
func (a *App) subscriptionsChanged(channelID string) {
	if a.Publish != nil {
		a.Publish(SubscriptionsEvent, map[string]any{"channel_id": channelID}, &model.WebsocketBroadcast{ChannelId: channelID})
	}
}

// Unsubscribe drops one of the channel's subscriptions to repo. Without a glob, a repo's only
// subscription goes; with several, the user picks.
func (a *App) Unsubscribe(who Actor, repo, glob string) i18n.Text {
	return answerOf(a.PanelUnsubscribe(who, repo, glob))
}

// PanelUnsubscribe is Unsubscribe for the Builds panel, which tells a refusal (an
// *access.Refusal) and a subscription that was not removed (an *i18n.Error) from one that was.
func (a *App) PanelUnsubscribe(who Actor, repo, glob string) (i18n.Text, error) {
	grant, err := a.grant(who, access.Subscribe)
	if err != nil {
		return i18n.Text{}, err
	}
	asked := SubscribeRequest{Repo: repo, Branch: glob}
	subs, err := a.Subs.Channel(grant.Place.Channel.Id)
	if err != nil {
		return i18n.Text{}, i18n.NewError(notRead(err))
	}
	var ofRepo []subscription.Subscription
	for _, s := range subs {
		if strings.EqualFold(s.Repo, asked.Repo) && (asked.Branch == "" || s.Branch == asked.Branch) {
			ofRepo = append(ofRepo, s)
		}
	}
	switch {
	case len(ofRepo) == 0:
		return i18n.Text{}, i18n.NewError(i18n.T("command.unsubscribe.none", "This channel has no subscription to `{{.Repo}}`{{.Branches}}. `/build subscriptions` lists its subscriptions.",
			"Repo", markdown.Code(asked.Repo), "Branches", globText(asked.Branch)))
	case len(ofRepo) > 1:
		var globs []string
		for _, s := range ofRepo {
			globs = append(globs, "`/build unsubscribe "+markdown.Code(s.Repo)+" "+markdown.Code(globOrDefault(s.Branch))+"`") //i18n:verbatim a command
		}
		return i18n.Text{}, i18n.NewError(i18n.T("command.unsubscribe.several", "This channel has several subscriptions to `{{.Repo}}`; name one:\n- {{.Commands}}",
			"Repo", markdown.Code(asked.Repo), "Commands", strings.Join(globs, "\n- ")))
	}
	branch := ofRepo[0].Branch
	if _, err := a.Subs.Remove(grant.Place.Channel.Id, ofRepo[0].Repo, branch); err != nil {
		return i18n.Text{}, i18n.NewError(i18n.T("command.unsubscribe.not_removed", "The subscription was not removed: {{.Error}}", "Error", err.Error()))
	}
	a.subscriptionsChanged(grant.Place.Channel.Id)
	return i18n.T("command.unsubscribe.done", "This channel no longer hears about {{.Subject}}.", "Subject", subject(ofRepo[0])), nil
}

func notRead(err error) i18n.Text {
	return i18n.T("command.subscriptions.not_read", "The subscriptions could not be read: {{.Error}}", "Error", err.Error())
}

// Subscriptions lists the channel's subscriptions, or with all every channel's, which the gate
// leaves to system admins.
func (a *App) Subscriptions(who Actor, all bool) i18n.Text {
	action := access.ListSubscriptions
	if all {
		action = access.ListEverySubscription
	}
	grant, denied, ok := a.check(a.Snapshot(), who, action)
	if !ok {
		return denied
	}
	var subs []subscription.Subscription
	var err error
	if all {
		subs, err = a.Subs.All()
	} else {
		subs, err = a.Subs.Channel(grant.Place.Channel.Id)
	}
	if err != nil {
		return notRead(err)
	}
	if len(subs) == 0 {
		if all {
			return i18n.T("command.subscriptions.none_anywhere", "No channel has subscriptions.")
		}
		return i18n.T("command.subscriptions.none", "This channel has no subscriptions. Add one with `/build subscribe <repo|*> [branch-glob] [--events e1,e2] [--style card|line]`.")
	}
	sort.SliceStable(subs, func(i, j int) bool { return subs[i].ChannelID < subs[j].ChannelID })
	rows := []i18n.Text{i18n.T("command.subscriptions.table", "#### This channel's subscriptions\n| Repo | Branches | Events | Style | By | Since |\n|---|---|---|---|---|---|")}
	if all {
		rows[0] = i18n.T("command.subscriptions.table_all", "#### Every channel's subscriptions\n| Channel | Repo | Branches | Events | Style | By | Since |\n|---|---|---|---|---|---|---|")
	}
	for _, s := range subs {
		var cells []i18n.Text
		if all {
			cells = append(cells, i18n.Raw(a.channelName(s.ChannelID)))
		}
		cells = append(cells, i18n.Raw(markdown.Text(s.Repo)), globCell(s.Branch), i18n.Raw(subscription.JoinEvents(s.Events)), i18n.Raw(string(s.Style)),
			a.userName(s.CreatorID), i18n.Raw(time.UnixMilli(s.CreatedAt).UTC().Format("2006-01-02 15:04 UTC")))
		rows = append(rows, tableRow(cells...))
	}
	return i18n.Join("\n", rows...)
}

// findWatched looks up a repo among every builder's, refreshing the catalog for a name it does
// not know, as /build does.
func (a *App) findWatched(ctx context.Context, name string) (*catalog.Repo, i18n.Text) {
	ix, err := a.index(ctx, name, (*catalog.Index).LookupWatched)
	if err != nil {
		return nil, buildbot.UserMessage(err)
	}
	if repo, ok := ix.LookupWatched(name); ok {
		return repo, i18n.Text{}
	}
	if near := nearNames(name, ix.WatchedNames()); near != "" {
		return nil, i18n.T("command.subscribe.unknown_repo.near", "Buildbot has nothing called `{{.Name}}`. Did you mean {{.Near}}? Or `*` for every repo.",
			"Name", form.Shorten(name), "Near", near)
	}
	return nil, i18n.T("command.subscribe.unknown_repo", "Buildbot has nothing called `{{.Name}}`. `/build list` shows what it builds; `*` subscribes to every repo.",
		"Name", form.Shorten(name))
}

func (a *App) channelName(channelID string) string {
	channel, err := a.MM.GetChannel(channelID)
	if err != nil {
		return markdown.Text(channelID)
	}
	if team, err := a.MM.GetTeam(channel.TeamId); err == nil && team != nil {
		return markdown.Text(team.Name) + "/\\~" + markdown.Text(channel.Name)
	}
	return "\\~" + markdown.Text(channel.Name)
}

func (a *App) userName(userID string) i18n.Text {
	if user, err := a.MM.GetUser(userID); err == nil {
		return i18n.Raw("@" + user.Username)
	}
	return i18n.T("command.subscriptions.gone_user", "someone no longer here")
}

// subject names a subscription's repo and branches in a sentence; branches mean nothing to one
// that follows no builds.
func subject(s subscription.Subscription) i18n.Text {
	repo := i18n.T("command.subscription.every_repo", "**every repo**")
	if s.Repo != subscription.AnyRepo {
		repo = i18n.Raw("**" + markdown.Text(s.Repo) + "**")
	}
	if !subscription.FollowsBuilds(s.Events) {
		return repo
	}
	return i18n.Join("", repo, globText(s.Branch))
}

// globText is the branches of a subscription, with a leading space, to follow a repo's name.
func globText(glob string) i18n.Text {
	switch glob {
	case "":
		return i18n.T("command.subscription.default_branch", " on its default branch")
	case "*":
		return i18n.T("command.subscription.every_branch", " on every branch")
	}
	return i18n.T("command.subscription.branches", " on `{{.Glob}}`", "Glob", markdown.Code(glob))
}

// globOrDefault is a subscription's glob as /build unsubscribe takes it.
func globOrDefault(glob string) string {
	if glob == "" {
		return "default"
	}
	return glob
}

func globCell(glob string) i18n.Text {
	if glob == "" {
		return i18n.T("command.subscriptions.default_branch", "default")
	}
	return i18n.Raw(markdown.Text(glob))
}

func eventsText(s subscription.Subscription) i18n.Text {
	if !subscription.FollowsBuilds(s.Events) {
		return i18n.T("command.subscribe.events.health", "`{{.Events}}` (a post when a worker goes missing or comes back, and when Buildbot stops answering or answers again)",
			"Events", subscription.JoinEvents(s.Events))
	}
	if s.Style == subscription.StyleLine {
		return i18n.T("command.subscribe.events.line", "`{{.Events}}` (a line per build)", "Events", subscription.JoinEvents(s.Events))
	}
	return i18n.T("command.subscribe.events.card", "`{{.Events}}` (a card per build, edited in place)", "Events", subscription.JoinEvents(s.Events))
}
