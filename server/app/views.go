package app

import (
	"context"
	"fmt"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/access"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/markdown"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/post"
)

// List is what Buildbot can build from chat, with each builder's last result.
func (a *App) List(ctx context.Context, who Actor) i18n.Text {
	snap := a.Snapshot()
	if _, denied, ok := a.check(snap, who, access.View); !ok {
		return denied
	}
	ix, err := a.repos(ctx, "")
	if err != nil {
		return buildbot.UserMessage(err)
	}
	if len(ix.Names()) == 0 {
		return i18n.T("command.list.empty", "Buildbot has nothing that can be built from chat: no active builder is served by a force scheduler.")
	}
	builds, err := snap.Buildbot.Builds(ctx, buildbot.Query{Order: []string{"-buildid"}, Limit: 200})
	if err != nil {
		return buildbot.UserMessage(err)
	}
	last := map[int]buildbot.Build{}
	for _, b := range builds {
		if _, seen := last[b.BuilderID]; !seen {
			last[b.BuilderID] = b
		}
	}
	link := snap.Config.LinkBaseURL()
	rows := []i18n.Text{i18n.T("command.list.title", "#### What Buildbot can build\n| Repo | Default branch | Builder | Last build |\n|---|---|---|---|")}
	for _, name := range ix.Names() {
		repo := ix.Repos[name]
		for _, t := range repo.Targets {
			lastBuild := i18n.T("command.list.never_built", "never built")
			if build, ok := last[t.BuilderID]; ok {
				lastBuild = i18n.Join(" ", resultText(build), i18n.Raw(fmt.Sprintf("[#%d](%s)", build.Number, buildbot.BuildURL(link, t.BuilderID, build.Number))))
			}
			rows = append(rows, tableRow(i18n.Raw(markdown.Text(repo.Name)), i18n.Raw(orDash(repo.DefaultBranch)), i18n.Raw(markdown.Text(t.Builder)), lastBuild))
		}
	}
	return i18n.Join("\n", rows...)
}

// tableRow is a row of a markdown table.
func tableRow(cells ...i18n.Text) i18n.Text {
	return i18n.Join("", i18n.Raw("| "), i18n.Join(" | ", cells...), i18n.Raw(" |"))
}

// statusReach is how many recent builds /build status reads when it must filter them itself:
// Buildbot cannot filter on properties, and chat sees only the builders of its repos.
const statusReach = 200

// StatusRequest narrows the recent builds to a repo, and a branch of it; empty means every one.
type StatusRequest struct{ Repo, Branch string }

// Status is the recent builds of the builders chat may see, with links.
func (a *App) Status(ctx context.Context, who Actor, asked StatusRequest) i18n.Text {
	snap := a.Snapshot()
	if _, denied, ok := a.check(snap, who, access.View); !ok {
		return denied
	}
	ix, err := a.repos(ctx, asked.Repo)
	if err != nil {
		return buildbot.UserMessage(err)
	}
	q := buildbot.Query{Order: []string{"-buildid"}, Limit: statusReach, Properties: []string{"branch", "revision"}}
	title := i18n.T("command.status.title", "Recent builds")
	if asked.Repo != "" {
		repo, answer := a.findRepo(ctx, asked.Repo)
		if repo == nil {
			return answer
		}
		for _, t := range repo.Targets {
			q.Filters = append(q.Filters, buildbot.Where("builderid", "eq", t.BuilderID))
		}
		title = i18n.T("command.status.title_repo", "Recent builds of {{.Repo}}", "Repo", markdown.Text(repo.Name))
		if asked.Branch != "" {
			title = i18n.T("command.status.title_branch", "Recent builds of {{.Repo}} on {{.Branch}}", "Repo", markdown.Text(repo.Name), "Branch", markdown.Text(asked.Branch))
		} else {
			q.Limit = 10
		}
	}
	builds, err := snap.Buildbot.Builds(ctx, q)
	if err != nil {
		return buildbot.UserMessage(err)
	}
	builders, err := snap.Buildbot.Builders(ctx)
	if err != nil {
		return buildbot.UserMessage(err)
	}
	names := map[int]string{}
	for _, b := range builders {
		names[b.BuilderID] = b.Name
	}
	link := snap.Config.LinkBaseURL()
	rows := []i18n.Text{i18n.T("command.status.table", "#### {{.Title}}\n| Build | Builder | Branch | Revision | Result |\n|---|---|---|---|---|", "Title", title)}
	for _, build := range builds {
		branch := build.Properties.Get("branch")
		if (asked.Branch != "" && branch != asked.Branch) || !ix.Serves(build.BuilderID) {
			continue
		}
		rows = append(rows, tableRow(i18n.Raw(fmt.Sprintf("[#%d](%s)", build.Number, buildbot.BuildURL(link, build.BuilderID, build.Number))),
			i18n.Raw(markdown.Text(names[build.BuilderID])), i18n.Raw(orDash(branch)), i18n.Raw(orDash(post.ShortRevision(build.Properties.Get("revision")))),
			resultText(build)))
		if len(rows) == 11 {
			break
		}
	}
	if len(rows) == 1 {
		return i18n.T("command.status.none", "{{.Title}}: none yet.", "Title", title)
	}
	return i18n.Join("\n", rows...)
}

// resultText is a build's state as the status post words it.
func resultText(b buildbot.Build) i18n.Text {
	state := post.StateOf(buildbot.BuildRequest{}, &b)
	return i18n.Join(" ", i18n.Raw(state.Emoji()), state.Label())
}

// orDash is a table cell of Buildbot's text, or a dash when there is none.
func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return markdown.Text(s)
}
