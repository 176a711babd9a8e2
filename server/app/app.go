// Package app does what users ask of Buildbot from chat: start, stop and rebuild builds, submit
// build forms, manage channels' subscriptions and read what Buildbot builds. The slash command
// and the HTTP routes call it; each operation asks the gate (package access) first, so a new
// surface that calls it is as safe as the others. Answers are i18n texts, worded here once and
// shown in the language of whoever reads them.
package app

import (
	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/access"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/catalog"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/config"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/notify"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/panel"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/subscription"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/tracker"
)

// App holds what the operations need from the plugin.
type App struct {
	// Snapshot returns the settings in force.
	Snapshot func() *config.Snapshot
	Catalog  *catalog.Catalog
	MM       Mattermost
	// BotID authors the status posts.
	BotID string
	// Tracker follows the builds started here; ActionURL is where their buttons point.
	Tracker   Tracker
	ActionURL string
	Once      Once
	// Log keeps the audit of button clicks and form submissions; it may be nil.
	Log Auditor
	// Subs keeps the channels' subscriptions.
	Subs subscription.Store
	// Dialogs opens the build form, whose submissions go to FormURL; without it builds take
	// parameters only as name=value words.
	Dialogs Dialogs
	FormURL string
	// Words are the translations: answers in the user's language, posts in the server's.
	Words *i18n.Bundle
	// Gate decides who may do what, where.
	Gate *access.Gate
	// Authors links users to the address their commits carry.
	Authors Authors
	// Notify keeps who waits for which build's end, and each user's settings and recent builds.
	Notify *notify.Store
	// SiteURL is Mattermost's address, for links to posts.
	SiteURL func() string
	// Board reads what the Builds panel shows of Buildbot; ChatPosts finds the status posts of
	// builds started from chat. Publish tells webapps what changed (PublishWebSocketEvent); it
	// may be nil.
	Board     *panel.Reader
	ChatPosts ChatPosts
	Publish   func(event string, payload map[string]any, broadcast *model.WebsocketBroadcast)
	// PostsChanged is told when a status post joins someone's own builds, which the Builds panel
	// lists; it may be nil.
	PostsChanged func()

	misses    misses
	chatPosts chatPostCache
}

// Actor is who asks and from where. The user is Mattermost's word; the channel and team are the
// request's, and the gate checks the user may use them.
type Actor struct {
	UserID, ChannelID, TeamID string
	// RootID is the thread the answer and any status post go to.
	RootID string
	// TriggerID lets the answer open a dialog (the build form).
	TriggerID string
	// CallerTeam says TeamID comes from the caller alone (the webapp's Builds panel), not from
	// Mattermost: the gate then checks the user is in it.
	CallerTeam bool
}

// request is who asks to do action, for the gate.
func (who Actor) request(action access.Action) access.Request {
	r := access.Request{Action: action, UserID: who.UserID, ChannelID: who.ChannelID, TeamID: who.TeamID}
	if who.CallerTeam {
		r.TeamID, r.CallerTeamID = "", who.TeamID
	}
	return r
}

// Mattermost is what the app asks the server: the gate's questions, and posts.
type Mattermost interface {
	access.Mattermost
	GetPost(postID string) (*model.Post, error)
	UpdatePost(p *model.Post) error
}

// Tracker takes over a started build's status post, and hears who stops one.
type Tracker interface {
	Announce(p *model.Post, tr *tracker.Tracked) error
	NoteStopper(trackID, username string) error
}

// Once guards an action against double clicks: it returns false when the same key was taken
// within the last few seconds.
type Once interface {
	First(key string) (bool, error)
}

// Auditor keeps a line per button click and form submission, whatever came of it.
type Auditor interface {
	LogInfo(msg string, keyValuePairs ...any)
}

// Dialogs opens Mattermost's interactive dialogs and tells a user what a dialog's submission did.
type Dialogs interface {
	OpenInteractiveDialog(request model.OpenDialogRequest) error
	SendEphemeral(userID string, p *model.Post)
}

// Authors keeps which users linked their address, so builds whose changes name it mention them.
type Authors interface {
	Link(u *model.User) error
	Unlink(u *model.User) error
	Linked(u *model.User) (bool, error)
	// AddressesShown says whether every address is matched, Mattermost showing them anyway.
	AddressesShown() bool
}

// check asks the gate whether who may do action from where they ask; a refusal comes back worded.
func (a *App) check(snap *config.Snapshot, who Actor, action access.Action) (access.Grant, i18n.Text, bool) {
	grant, err := a.Gate.Check(snap, who.request(action))
	if refusal, ok := access.TextOf(err); ok {
		return grant, refusal, false
	}
	return grant, i18n.Text{}, true
}

// MayView says whether this user may see what /build offers in this channel: autocomplete shows
// nothing where /build would refuse. The channel and team come from a request anyone can send to
// the plugin's route, so the gate checks the user may read the one and is in the other.
func (a *App) MayView(userID, channelID, teamID string) bool {
	_, err := a.Gate.Check(a.Snapshot(), access.Request{Action: access.View, UserID: userID, ChannelID: channelID, CallerTeamID: teamID})
	return err == nil
}
