package app

import (
	"context"
	"errors"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/access"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/config"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/markdown"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/post"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/tracker"
)

// BuildRequest is a build a user asked for by name. The branch defaults to the repo's default
// branch; Params are the force scheduler's parameters as name=value words, and Form asks for the
// scheduler's form instead.
type BuildRequest struct {
	Repo, Branch, Revision string
	Params                 []string
	Form                   bool
}

// Build starts a build of a repo on each of its builders and posts its status where who asked,
// or opens the build form when it takes parameters. It returns what to tell the user alone, or
// nothing when the post says it all.
func (a *App) Build(ctx context.Context, who Actor, asked BuildRequest) i18n.Text {
	snap := a.Snapshot()
	grant, denied, ok := a.check(snap, who, access.Build)
	if !ok {
		return denied
	}
	repo, answer := a.findRepo(ctx, asked.Repo)
	if repo == nil {
		return answer
	}
	req := request{repo: repo, branch: asked.Branch, revision: asked.Revision, user: grant.User, place: grant.Place}
	if req.branch == "" {
		req.branch = repo.DefaultBranch
	}
	changeHook := snap.Config.TriggerMode == config.TriggerChangeHook
	if changeHook && (asked.Form || len(asked.Params) > 0) {
		return noParamsByChangeHook()
	}
	if !changeHook && (asked.Form || len(asked.Params) > 0 || repo.NeedsInput(req.branch)) {
		if answer, done := a.withParams(ctx, snap, who, &req, asked); done {
			return answer
		}
	}

	var s started
	var err error
	if changeHook {
		s, err = postChange(ctx, snap.Buildbot, snap.Config, req)
	} else {
		s, err = forceAll(ctx, snap.Buildbot, snap.Config, req)
	}
	var own *refusal
	if errors.As(err, &own) {
		return own.text
	}
	if unconfirmed(err) {
		return i18n.T("command.build.unconfirmed", "Buildbot at {{.URL}} did not confirm the build of **{{.Repo}}** within {{.Timeout}}. It may start anyway: look at {{.Link}} before you try again.",
			"URL", snap.Config.LinkBaseURL(), "Repo", markdown.Text(repo.Name), "Timeout", snap.Config.RequestTimeout().String(), "Link", snap.Config.LinkBaseURL())
	}
	if err != nil {
		return notStarted(repo.Name, err)
	}
	return a.announce(snap.Config, who, req, s, snap.Buildbot.Fingerprint())
}

// unconfirmed says whether a failed trigger may have reached Buildbot anyway: the request went out
// and its answer did not come in time. Buildbot busy with a burst of forces answers each late.
func unconfirmed(err error) bool {
	var e *buildbot.Error
	return errors.As(err, &e) && e.Kind == buildbot.KindTimeout && (e.Op == buildbot.OpForce || e.Op == buildbot.OpChangeHook)
}

// notStarted says a build did not start, and what Buildbot did wrong.
func notStarted(repo string, err error) i18n.Text {
	return i18n.T("command.build.not_started", "The build of **{{.Repo}}** was not started. {{.Why}}", "Repo", markdown.Text(repo), "Why", buildbot.UserMessage(err))
}

func noParamsByChangeHook() i18n.Text {
	return i18n.T("command.build.no_params_by_change_hook", "Parameters go to a force scheduler, and this plugin starts builds through Buildbot's change hook, which takes none. "+
		"An admin can set *Start builds with* to the force scheduler.")
}

// announce posts the build's status in the channel and hands it to the tracker, which keeps the
// post up to date. In change-hook mode its rows appear as Buildbot's schedulers start builds.
func (a *App) announce(cfg *config.Configuration, who Actor, req request, s started, source string) i18n.Text {
	p := &model.Post{UserId: a.BotID, ChannelId: who.ChannelID, RootId: who.RootID}
	props := statusProps(cfg, req, s)
	props.Source = source
	post.Apply(p, props, a.ActionURL, a.Words.Server())
	tracked := &tracker.Tracked{Props: props, Tag: s.tag, AfterRequest: s.afterRequest}
	if err := a.Tracker.Announce(p, tracked); errors.Is(err, tracker.ErrNotPosted) {
		// The build runs anyway; say so rather than pretend nothing happened.
		return i18n.T("command.build.not_posted", "Buildbot started the build, but Mattermost could not post about it here:\n\n{{.Post}}", "Post", i18n.Raw(p.Message))
	} else if err != nil {
		return i18n.T("command.build.not_stored", "Buildbot started the build, but the plugin could not store it to follow it, so it did not post about it:\n\n{{.Post}}",
			"Post", i18n.Raw(p.Message))
	}
	a.noteMine(who.UserID, tracked)
	if len(s.failed) > 0 {
		return i18n.T("command.build.some_failed", "Some builders did not start:\n- {{.List}}", "List", i18n.Join("\n- ", s.failed...))
	}
	return i18n.Text{}
}

func statusProps(cfg *config.Configuration, req request, s started) post.Props {
	props := post.Props{Repo: req.repo.Name, Branch: req.branch, Revision: req.revision, RequestedBy: req.user.Username,
		BuildbotURL: cfg.LinkBaseURL(), ChangeID: s.changeID, Params: req.shown}
	if req.place.Channel.TeamId == "" && req.place.Team != nil {
		props.TeamID = req.place.Team.Id
	}
	for _, b := range s.builds {
		props.Rows = append(props.Rows, post.Row{
			Builder: b.target.Builder, BuilderID: b.target.BuilderID, RequestID: b.requestID, State: post.StateQueued,
			URL: buildbot.BuildRequestURL(cfg.LinkBaseURL(), b.requestID),
		})
	}
	return props
}
