// Package access decides who may do what, where. /build, its autocomplete, the buttons, the build
// form and subscriptions all ask the Gate before they act, and each refusal is worded here once:
// a new surface that asks the gate is as safe as the old ones.
package access

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/config"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/markdown"
)

// Action is what a user asks to do.
type Action string

const (
	// View is seeing what /build offers: autocomplete, /build list and /build status.
	View Action = "view"
	// Build starts builds: /build, the build form, Rebuild and Rebuild with….
	Build Action = "build"
	// Stop stops a build, or cancels a request still waiting for one.
	Stop Action = "stop"
	// Subscribe changes a channel's subscriptions.
	Subscribe Action = "subscribe"
	// ListSubscriptions reads a channel's subscriptions.
	ListSubscriptions Action = "list_subscriptions"
	// ListEverySubscription reads every channel's subscriptions.
	ListEverySubscription Action = "list_every_subscription"
	// Personal is about the user alone (/build me): the allowed teams and channels do not limit it.
	Personal Action = "personal"
)

// Mattermost is what the gate asks the server.
type Mattermost interface {
	GetUser(userID string) (*model.User, error)
	GetChannel(channelID string) (*model.Channel, error)
	GetTeam(teamID string) (*model.Team, error)
	IsSystemAdmin(userID string) bool
	// CanReadChannel says whether the user may read the channel's posts.
	CanReadChannel(userID, channelID string) bool
	// CanViewTeam says whether the user is in the team.
	CanViewTeam(userID, teamID string) bool
	// CanManageChannel and CanManageTeam say whether the user is an admin of the channel or team.
	CanManageChannel(userID, channelID string) bool
	CanManageTeam(userID, teamID string) bool
}

// Request is one user asking to do an action in a channel.
type Request struct {
	Action Action
	// UserID is Mattermost's word for who asks: a session's user, never a request body's.
	UserID    string
	ChannelID string
	// A direct or group message has no team; it is judged by the team /build was typed in.
	// TeamID is that team when Mattermost or the plugin's own post says it; CallerTeamID when only
	// the caller does, and then the user must be in it.
	TeamID       string
	CallerTeamID string
	// Builders are the builders a Build or Stop acts on, when they are known (a status post's
	// rows); /build names its builders through the catalog, which offers only those chat may start.
	Builders []Builder
}

// Builder is a builder an action touches, and whether a force scheduler serves it, which is what
// makes it one chat may start.
type Builder struct {
	Name   string
	Served bool
}

// Place is where a request was made.
type Place struct {
	// Team is nil for a direct or group message judged by no team.
	Team    *model.Team
	Channel *model.Channel
}

// Grant is an allowed request: who asked, and where.
type Grant struct {
	User  *model.User
	Place Place
}

// Reason names why a request was refused, for code and logs; Refusal.Text is for the user.
type Reason string

// The reasons, one per rule of Check.
const (
	NotReady          Reason = "settings_not_ready"
	NoUser            Reason = "no_user"
	ChannelUnreadable Reason = "channel_unreadable"
	NoPlace           Reason = "no_place"
	TeamNotJoined     Reason = "team_not_joined"
	TeamNotAllowed    Reason = "team_not_allowed"
	ChannelNotAllowed Reason = "channel_not_allowed"
	NotBuilder        Reason = "may_not_build"
	BuilderNotServed  Reason = "builder_not_served"
	NotSubscriber     Reason = "may_not_subscribe"
	NotSystemAdmin    Reason = "not_system_admin"
)

// Refusal is why a request may not go on, worded for the user.
type Refusal struct {
	Reason Reason
	Text   i18n.Text
}

func (r *Refusal) Error() string { return fmt.Sprintf("refused (%s): %s", r.Reason, r.Text.English()) }

func refuse(reason Reason, text i18n.Text) *Refusal { return &Refusal{Reason: reason, Text: text} }

// Gate decides requests against the settings in force.
type Gate struct {
	MM Mattermost
}

// Check decides a request. Every action needs the settings to be ready, a channel the user may
// read, and a team and channel the settings allow; then each action has its own rule (docs/security.md
// has the table). The refusal is a *Refusal.
func (g *Gate) Check(snap *config.Snapshot, req Request) (Grant, error) {
	if !snap.Ready() {
		return Grant{}, refuse(NotReady, snap.ProblemsMessage())
	}
	if req.UserID == "" || req.ChannelID == "" || !g.MM.CanReadChannel(req.UserID, req.ChannelID) {
		return Grant{}, refuse(ChannelUnreadable, i18n.T("access.channel_unreadable", "You cannot start builds in this channel: you cannot read it."))
	}
	place, err := g.placeOf(req)
	if err != nil {
		return Grant{}, err
	}
	cfg := snap.Config
	if refusal := whereRefusal(cfg, place); refusal != nil && req.Action != Personal {
		return Grant{}, refusal
	}
	user, err := g.MM.GetUser(req.UserID)
	if err != nil {
		return Grant{}, refuse(NoUser, i18n.T("command.no_user", "Mattermost could not tell who you are; try again."))
	}
	grant := Grant{User: user, Place: place}
	switch req.Action {
	case Build:
		if refusal := g.builderRefusal(cfg, user); refusal != nil {
			return Grant{}, refusal
		}
		for _, b := range req.Builders {
			if !b.Served {
				return Grant{}, refuse(BuilderNotServed, i18n.T("command.action.builder_not_served",
					"`{{.Builder}}` is not a builder chat may start builds on, so this build cannot be rebuilt from here.", "Builder", markdown.Code(b.Name)))
			}
		}
	case Stop:
		if refusal := g.builderRefusal(cfg, user); refusal != nil {
			return Grant{}, refusal
		}
		for _, b := range req.Builders {
			// A builder only Buildbot's own schedulers run (a deploy a push starts) is not chat's
			// to start, so not any member's to stop either.
			if !b.Served && !g.MM.IsSystemAdmin(user.Id) {
				return Grant{}, refuse(BuilderNotServed, i18n.T("access.stop_not_served",
					"`{{.Builder}}` is not a builder chat may start builds on, so only system admins may stop its builds from here.", "Builder", markdown.Code(b.Name)))
			}
		}
	case Subscribe:
		if refusal := g.subscriberRefusal(cfg, user.Id, place); refusal != nil {
			return Grant{}, refusal
		}
	case ListEverySubscription:
		if !g.MM.IsSystemAdmin(user.Id) {
			return Grant{}, refuse(NotSystemAdmin, i18n.T("command.subscriptions.all_admins_only",
				"Only system admins may list every channel's subscriptions. `/build subscriptions` lists this channel's."))
		}
	}
	return grant, nil
}

// Posts says whether the settings let the plugin post in a channel with nobody asking there: a
// subscription's builds, health news. The allowed teams and channels hold for those as for every
// action, also for a channel subscribed before they were set.
func (g *Gate) Posts(cfg *config.Configuration, channelID string) bool {
	if len(cfg.AllowedTeamList()) == 0 && len(cfg.AllowedChannelList()) == 0 {
		return true
	}
	place, err := g.placeOf(Request{ChannelID: channelID})
	return err == nil && whereRefusal(cfg, place) == nil
}

// placeOf resolves the channel and the team it is judged by.
func (g *Gate) placeOf(req Request) (Place, error) {
	channel, err := g.MM.GetChannel(req.ChannelID)
	if err != nil {
		return Place{}, refuse(NoPlace, i18n.T("command.no_place", "Mattermost could not tell where this command was typed; try again."))
	}
	place := Place{Channel: channel}
	teamID := channel.TeamId
	if teamID == "" {
		teamID = req.TeamID
	}
	if teamID == "" && req.CallerTeamID != "" {
		if !g.MM.CanViewTeam(req.UserID, req.CallerTeamID) {
			return Place{}, refuse(TeamNotJoined, i18n.T("command.form.team_refused", "You cannot start builds in this team."))
		}
		teamID = req.CallerTeamID
	}
	if teamID != "" {
		if place.Team, err = g.MM.GetTeam(teamID); err != nil {
			return Place{}, refuse(NoPlace, i18n.T("command.no_place", "Mattermost could not tell where this command was typed; try again."))
		}
	}
	return place, nil
}

// whereRefusal says why nothing of /build may be used here: a team or channel the settings leave out.
func whereRefusal(cfg *config.Configuration, p Place) *Refusal {
	teamName := ""
	if p.Team != nil {
		teamName = strings.ToLower(p.Team.Name)
	}
	if teams := cfg.AllowedTeamList(); len(teams) > 0 && !slices.Contains(teams, teamName) {
		return refuse(TeamNotAllowed, i18n.T("command.rules.team",
			"Builds cannot be started from this team. A system admin can allow it in **System Console > Plugins > Buildbot > Allowed teams**."))
	}
	channels := cfg.AllowedChannelList()
	if len(channels) == 0 {
		return nil
	}
	name := strings.ToLower(p.Channel.Name)
	if slices.Contains(channels, name) || slices.Contains(channels, teamName+"/"+name) {
		return nil
	}
	return refuse(ChannelNotAllowed, i18n.T("command.rules.channel",
		"Builds cannot be started from this channel. Try {{.Channels}}, or ask a system admin to allow this one in **System Console > Plugins > Buildbot > Allowed channels**.",
		"Channels", channelList(channels)))
}

func channelList(channels []string) string {
	named := make([]string, len(channels))
	for i, c := range channels {
		if _, name, ok := strings.Cut(c, "/"); ok {
			c = name
		}
		named[i] = "~" + c
	}
	return strings.Join(named, ", ")
}

// builderRefusal says why this user may not start or stop builds.
func (g *Gate) builderRefusal(cfg *config.Configuration, user *model.User) *Refusal {
	switch cfg.BuildPermission {
	case config.PermissionAdmins:
		if !g.MM.IsSystemAdmin(user.Id) {
			return refuse(NotBuilder, i18n.T("command.rules.admins", "Only system admins may start or stop builds here."))
		}
	case config.PermissionUsers:
		if !slices.Contains(cfg.AllowedUserList(), strings.ToLower(user.Username)) {
			return refuse(NotBuilder, i18n.T("command.rules.users",
				"You are not on the list of users who may start or stop builds. A system admin can add you in **System Console > Plugins > Buildbot > Listed users**."))
		}
	}
	return nil
}

// subscriberRefusal says why this user may not change this channel's subscriptions.
func (g *Gate) subscriberRefusal(cfg *config.Configuration, userID string, where Place) *Refusal {
	teamAdmin := func() bool { return where.Team != nil && g.MM.CanManageTeam(userID, where.Team.Id) }
	var who i18n.Text
	switch cfg.SubscribePermission {
	case config.SubscribeEveryone:
		return nil
	case config.SubscribeSystemAdmins:
		if g.MM.IsSystemAdmin(userID) {
			return nil
		}
		who = i18n.T("command.subscribe.who.system_admins", "system admins")
	case config.SubscribeTeamAdmins:
		if g.MM.IsSystemAdmin(userID) || teamAdmin() {
			return nil
		}
		who = i18n.T("command.subscribe.who.team_admins", "team admins")
	default:
		if g.MM.IsSystemAdmin(userID) || teamAdmin() || g.MM.CanManageChannel(userID, where.Channel.Id) {
			return nil
		}
		who = i18n.T("command.subscribe.who.channel_admins", "the channel's admins")
	}
	return refuse(NotSubscriber, i18n.T("command.subscribe.refused",
		"Only {{.Who}} may change this channel's subscriptions. A system admin can change that in **System Console > Plugins > Buildbot > Who may subscribe channels**.",
		"Who", who))
}

// TextOf is the user's words of a refusal, or nothing when err is not one.
func TextOf(err error) (i18n.Text, bool) {
	var r *Refusal
	if errors.As(err, &r) {
		return r.Text, true
	}
	return i18n.Text{}, false
}
