package post

import "github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"

// Why a direct message tells someone of a build.
type Why int

const (
	// WhyAsked is someone who clicked Notify me on the running build.
	WhyAsked Why = iota
	// WhyStarted is whoever started it from chat, whose settings ask for its end.
	WhyStarted
	// WhyBroke is an author whose change broke a builder that passed before it.
	WhyBroke
)

// Permalink links to a post in whatever team it is in.
func Permalink(siteURL, postID string) string { return siteURL + "/_redirect/pl/" + postID }

// DirectMessage is the bot's direct message about a build: why it tells, a link to the status
// post, and what the post says, failure summary included.
func DirectMessage(why Why, p Props, permalink string) i18n.Text {
	var head i18n.Text
	switch why {
	case WhyStarted:
		head = i18n.T("post.direct.started", "Your build ended ([status post]({{.Link}})):", "Link", permalink)
	case WhyBroke:
		head = i18n.T("post.direct.broke", "A build that passed before your change fails with it ([status post]({{.Link}})):", "Link", permalink)
	default:
		head = i18n.T("post.direct.asked", "You asked to hear when this build ends ([status post]({{.Link}})):", "Link", permalink)
	}
	p = settled(p)
	if p.Line {
		return i18n.Join("\n", head, LineMessage(p))
	}
	return i18n.Join("\n", head, Message(p))
}
