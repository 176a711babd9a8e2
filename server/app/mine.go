package app

import (
	"fmt"
	"time"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/access"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/markdown"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/post"
)

// Mine answers /build mine: the builds the user started from chat and those their changes were
// in, newest first, each as its status post shows it now, with a link to the post. A build in a
// channel the user may not see builds in (one they left, one the settings no longer allow) is
// left out.
func (a *App) Mine(who Actor) i18n.Text {
	grant, denied, ok := a.check(a.Snapshot(), who, access.Personal)
	if !ok {
		return denied
	}
	if a.Notify == nil {
		return i18n.T("command.mine.unavailable", "The plugin keeps no list of your builds here.")
	}
	recent, err := a.Notify.Recent(grant.User.Id)
	if err != nil {
		return i18n.T("command.mine.not_read", "The plugin could not read your builds; try again.")
	}
	var lines []i18n.Text
	for _, r := range recent {
		p, props, ok := a.visibleStatusPost(grant.User.Id, r.PostID)
		if !ok {
			continue
		}
		lines = append(lines, mineLine(props, post.Permalink(a.SiteURL(), p.Id), time.UnixMilli(r.At)))
	}
	if len(lines) == 0 {
		return i18n.T("command.mine.none", "No builds of yours yet: the builds you start with `/build`, and the builds a channel follows that hold your changes, once they end, are listed here.")
	}
	return i18n.Join("\n", append([]i18n.Text{i18n.T("command.mine.title", "#### Your builds")}, lines...)...)
}

// mineLine is one build of /build mine: its state, repo and branch, its builders, and when.
func mineLine(props post.Props, link string, at time.Time) i18n.Text {
	head := fmt.Sprintf("- %s [**%s**](%s)", props.State.Emoji(), markdown.Text(props.Repo), link)
	if props.Branch != "" {
		head += fmt.Sprintf(" `%s`", markdown.Code(props.Branch))
	}
	var builders []i18n.Text
	for _, r := range props.Rows {
		name := markdown.Text(r.Builder)
		if r.Number != 0 {
			name = fmt.Sprintf("%s #%d", name, r.Number)
		}
		builders = append(builders, i18n.Join(" ", i18n.Raw(name), r.State.Label()))
	}
	return i18n.Join(" · ", i18n.Raw(head), i18n.Join(", ", builders...), i18n.Raw(at.UTC().Format("2006-01-02 15:04 UTC")))
}
