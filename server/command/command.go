// Package command is the /build slash command: it parses what was typed, hands it to the app
// layer, which acts, and words the help; its autocomplete lists are in this package too.
package command

import (
	"context"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/app"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
)

// Trigger is the slash command's name.
const Trigger = "build"

// Handler answers /build.
type Handler struct {
	App *app.App
	// Words are the translations the answers are shown in.
	Words *i18n.Bundle
}

// Execute runs one /build invocation. It returns the text to show the caller alone, in their
// language, or "" when the answer went to the channel.
func (h *Handler) Execute(ctx context.Context, args *model.CommandArgs) string {
	return h.Words.User(args.UserId).String(h.execute(ctx, args))
}

func (h *Handler) execute(ctx context.Context, args *model.CommandArgs) i18n.Text {
	inv, err := Parse(args.Command)
	if err != nil {
		problem, _ := i18n.TextOf(err)
		return i18n.Join("\n\n", problem, usage())
	}
	// Mattermost vouches for the user, the channel and the team of a slash command.
	who := app.Actor{UserID: args.UserId, ChannelID: args.ChannelId, TeamID: args.TeamId, RootID: args.RootId, TriggerID: args.TriggerId}
	switch inv.Sub {
	case SubHelp:
		return usage()
	case SubList:
		return h.App.List(ctx, who)
	case SubStatus:
		return h.App.Status(ctx, who, app.StatusRequest{Repo: inv.Repo, Branch: inv.Branch})
	case SubSubscribe:
		return h.App.Subscribe(ctx, who, app.SubscribeRequest{Repo: inv.Repo, Branch: inv.Branch, Events: inv.Events, Style: inv.Style})
	case SubUnsubscribe:
		return h.App.Unsubscribe(who, inv.Repo, inv.Branch)
	case SubSubscriptions:
		return h.App.Subscriptions(who, inv.All)
	case SubMe:
		return h.App.Me(who, inv.Me)
	case SubMine:
		return h.App.Mine(who)
	}
	return h.App.Build(ctx, who, app.BuildRequest{Repo: inv.Repo, Branch: inv.Branch, Revision: inv.Revision, Params: inv.Params, Form: inv.Form})
}

func usage() i18n.Text {
	return i18n.T("command.usage", "#### /build\n"+
		"- `/build <repo> [branch] [revision]`: start a build; the branch defaults to the repo's default branch\n"+
		"- `/build <repo> [branch] name=value ...`: start it with the force scheduler's parameters, e.g. `deploy=true environment=staging`; "+
		"`--form` opens the scheduler's form instead (it opens by itself when a parameter must be filled)\n"+
		"- `/build list`: what Buildbot can build, with each builder's last result\n"+
		"- `/build status [repo] [branch]`: recent builds, with links\n"+
		"- `/build subscribe <repo|*> [branch-glob] [--events e1,e2] [--style card|line]`: post this channel the builds of a repo, "+
		"also those chat did not start; the glob defaults to the repo's default branch, the events to `finished`. "+
		"For only what needs someone: `--events failure,problem,recovery`\n"+
		"- `/build unsubscribe <repo|*> [branch-glob]` and `/build subscriptions [--all]`\n"+
		"- `/build me [link|unlink]`: whether a failed build whose changes carry your address mentions you\n"+
		"- `/build me builds off|failures|always`: a direct message when a build you started ends; "+
		"`/build me breaks on|off`: one when your change breaks a build\n"+
		"- `/build mine`: your recent and running builds\n"+
		"- `/build help`: this text")
}
