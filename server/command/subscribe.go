package command

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/catalog"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/config"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/form"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/markdown"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/subscription"
)

// subscribe adds or replaces this channel's subscription to a repo and branch glob.
func (h *Handler) subscribe(ctx context.Context, cfg *config.Configuration, userID string, where place, inv Invocation) string {
	if refusal := h.subscribeRefusal(cfg, userID, where); refusal != "" {
		return refusal
	}
	repo := subscription.AnyRepo
	if inv.Repo != subscription.AnyRepo {
		found, answer := h.findWatched(ctx, inv.Repo)
		if found == nil {
			return answer
		}
		repo = found.Name
	}
	sub := subscription.Subscription{ChannelID: where.channel.Id, Repo: repo, Branch: inv.Branch, Events: inv.Events, Style: inv.Style,
		CreatorID: userID, CreatedAt: time.Now().UnixMilli()}
	if len(sub.Events) == 0 {
		sub.Events = subscription.DefaultEvents
	}
	if sub.Style == "" {
		sub.Style = subscription.StyleCard
	}
	replaced, err := h.Subs.Put(sub)
	if err != nil {
		return "The subscription was not saved: " + err.Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "This channel now hears about %s: %s.", subject(sub), eventsText(sub))
	if replaced {
		b.WriteString(" It replaces the channel's earlier subscription to the same branches.")
	}
	if !subscription.Wants(sub.Events, subscription.Started) && len(sub.Events) == 1 && sub.Events[0] == subscription.Finished {
		fmt.Fprintf(&b, "\nFor only what needs someone, subscribe with `--events %s`.", joinEvents(subscription.QuietEvents))
	}
	return b.String()
}

// unsubscribe drops one of this channel's subscriptions. Without a glob, a repo's only
// subscription goes; with several, the user picks.
func (h *Handler) unsubscribe(cfg *config.Configuration, userID string, where place, inv Invocation) string {
	if refusal := h.subscribeRefusal(cfg, userID, where); refusal != "" {
		return refusal
	}
	subs, err := h.Subs.Channel(where.channel.Id)
	if err != nil {
		return "The subscriptions could not be read: " + err.Error()
	}
	var ofRepo []subscription.Subscription
	for _, s := range subs {
		if strings.EqualFold(s.Repo, inv.Repo) && (inv.Branch == "" || s.Branch == inv.Branch) {
			ofRepo = append(ofRepo, s)
		}
	}
	switch {
	case len(ofRepo) == 0:
		return fmt.Sprintf("This channel has no subscription to `%s`%s. `/build subscriptions` lists its subscriptions.",
			markdown.Code(inv.Repo), globText(inv.Branch))
	case len(ofRepo) > 1:
		var globs []string
		for _, s := range ofRepo {
			globs = append(globs, "`/build unsubscribe "+markdown.Code(s.Repo)+" "+markdown.Code(globOrDefault(s.Branch))+"`")
		}
		return "This channel has several subscriptions to `" + markdown.Code(inv.Repo) + "`; name one:\n- " + strings.Join(globs, "\n- ")
	}
	branch := ofRepo[0].Branch
	if _, err := h.Subs.Remove(where.channel.Id, ofRepo[0].Repo, branch); err != nil {
		return "The subscription was not removed: " + err.Error()
	}
	return fmt.Sprintf("This channel no longer hears about %s.", subject(ofRepo[0]))
}

// subscriptions lists this channel's subscriptions, or every channel's for a system admin.
func (h *Handler) subscriptions(userID string, where place, all bool) string {
	var subs []subscription.Subscription
	var err error
	if all {
		if !h.MM.IsSystemAdmin(userID) {
			return "Only system admins may list every channel's subscriptions. `/build subscriptions` lists this channel's."
		}
		subs, err = h.Subs.All()
	} else {
		subs, err = h.Subs.Channel(where.channel.Id)
	}
	if err != nil {
		return "The subscriptions could not be read: " + err.Error()
	}
	if len(subs) == 0 {
		if all {
			return "No channel has subscriptions."
		}
		return "This channel has no subscriptions. Add one with `/build subscribe <repo|*> [branch-glob] [--events e1,e2] [--style card|line]`."
	}
	sort.SliceStable(subs, func(i, j int) bool { return subs[i].ChannelID < subs[j].ChannelID })
	var b strings.Builder
	if all {
		b.WriteString("#### Every channel's subscriptions\n| Channel | Repo | Branches | Events | Style | By | Since |\n|---|---|---|---|---|---|---|")
	} else {
		b.WriteString("#### This channel's subscriptions\n| Repo | Branches | Events | Style | By | Since |\n|---|---|---|---|---|---|")
	}
	for _, s := range subs {
		b.WriteString("\n|")
		if all {
			b.WriteString(" " + h.channelName(s.ChannelID) + " |")
		}
		fmt.Fprintf(&b, " %s | %s | %s | %s | %s | %s |", markdown.Text(s.Repo), markdown.Text(globOrDefault(s.Branch)), joinEvents(s.Events), s.Style,
			h.userName(s.CreatorID), time.UnixMilli(s.CreatedAt).UTC().Format("2006-01-02 15:04 UTC"))
	}
	return b.String()
}

// subscribeRefusal explains why this user may not change this channel's subscriptions, or "".
func (h *Handler) subscribeRefusal(cfg *config.Configuration, userID string, where place) string {
	teamAdmin := func() bool { return where.team != nil && h.MM.CanManageTeam(userID, where.team.Id) }
	var who string
	switch cfg.SubscribePermission {
	case config.SubscribeEveryone:
		return ""
	case config.SubscribeSystemAdmins:
		if h.MM.IsSystemAdmin(userID) {
			return ""
		}
		who = "system admins"
	case config.SubscribeTeamAdmins:
		if h.MM.IsSystemAdmin(userID) || teamAdmin() {
			return ""
		}
		who = "team admins"
	default:
		if h.MM.IsSystemAdmin(userID) || teamAdmin() || h.MM.CanManageChannel(userID, where.channel.Id) {
			return ""
		}
		who = "the channel's admins"
	}
	return fmt.Sprintf("Only %s may change this channel's subscriptions. A system admin can change that in **System Console > Plugins > Buildbot > Who may subscribe channels**.", who)
}

// findWatched looks up a repo among every builder's, refreshing the catalog for a name it does
// not know, as /build does.
func (h *Handler) findWatched(ctx context.Context, name string) (*catalog.Repo, string) {
	ix, err := h.index(ctx, name, (*catalog.Index).LookupWatched)
	if err != nil {
		return nil, buildbot.UserMessage(err)
	}
	if repo, ok := ix.LookupWatched(name); ok {
		return repo, ""
	}
	if near := nearNames(name, ix.WatchedNames()); near != "" {
		return nil, fmt.Sprintf("Buildbot has nothing called `%s`. Did you mean %s? Or `*` for every repo.", form.Shorten(name), near)
	}
	return nil, fmt.Sprintf("Buildbot has nothing called `%s`. `/build list` shows what it builds; `*` subscribes to every repo.", form.Shorten(name))
}

func (h *Handler) channelName(channelID string) string {
	channel, err := h.MM.GetChannel(channelID)
	if err != nil {
		return markdown.Text(channelID)
	}
	if team, err := h.MM.GetTeam(channel.TeamId); err == nil && team != nil {
		return markdown.Text(team.Name) + "/\\~" + markdown.Text(channel.Name)
	}
	return "\\~" + markdown.Text(channel.Name)
}

func (h *Handler) userName(userID string) string {
	if user, err := h.MM.GetUser(userID); err == nil {
		return "@" + user.Username
	}
	return "someone no longer here"
}

// subject names a subscription's repo and branches in a sentence; branches mean nothing to one
// that follows no builds.
func subject(s subscription.Subscription) string {
	repo := "**every repo**"
	if s.Repo != subscription.AnyRepo {
		repo = "**" + markdown.Text(s.Repo) + "**"
	}
	if !subscription.FollowsBuilds(s.Events) {
		return repo
	}
	return repo + globText(s.Branch)
}

func globText(glob string) string {
	switch glob {
	case "":
		return " on its default branch"
	case "*":
		return " on every branch"
	}
	return " on `" + markdown.Code(glob) + "`"
}

func globOrDefault(glob string) string {
	if glob == "" {
		return "default"
	}
	return glob
}

func eventsText(s subscription.Subscription) string {
	if !subscription.FollowsBuilds(s.Events) {
		return "`" + joinEvents(s.Events) + "` (a post when a worker goes missing or comes back, and when Buildbot stops answering or answers again)"
	}
	style := "a card per build, edited in place"
	if s.Style == subscription.StyleLine {
		style = "a line per build"
	}
	return "`" + joinEvents(s.Events) + "` (" + style + ")"
}

func joinEvents(events []subscription.Event) string {
	names := make([]string, len(events))
	for i, e := range events {
		names[i] = string(e)
	}
	return strings.Join(names, ",")
}
