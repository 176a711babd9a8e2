package command

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/config"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
)

// Mattermost is what the command needs from the server.
type Mattermost interface {
	GetUser(userID string) (*model.User, error)
	GetChannel(channelID string) (*model.Channel, error)
	GetTeam(teamID string) (*model.Team, error)
	IsSystemAdmin(userID string) bool
	GetPost(postID string) (*model.Post, error)
	// CanReadChannel says whether the user may read the channel's posts.
	CanReadChannel(userID, channelID string) bool
	// CanViewTeam says whether the user is in the team.
	CanViewTeam(userID, teamID string) bool
	// CanManageChannel and CanManageTeam say whether the user is an admin of the channel or team.
	CanManageChannel(userID, channelID string) bool
	CanManageTeam(userID, teamID string) bool
}

// place is where a command was typed, resolved to names the settings use.
type place struct {
	team    *model.Team
	channel *model.Channel
}

// placeOf resolves a channel and its team. A direct or group message has none: teamID is the
// team to judge it by, which the caller must have from Mattermost, not from a request body.
func (h *Handler) placeOf(channelID, teamID string) (place, error) {
	channel, err := h.MM.GetChannel(channelID)
	if err != nil {
		return place{}, fmt.Errorf("get channel %s: %w", channelID, err)
	}
	if channel.TeamId != "" {
		teamID = channel.TeamId
	}
	p := place{channel: channel}
	if teamID != "" {
		if p.team, err = h.MM.GetTeam(teamID); err != nil {
			return place{}, fmt.Errorf("get team %s: %w", teamID, err)
		}
	}
	return p, nil
}

// whereRefusal explains why /build may not be used here, or returns "".
func whereRefusal(cfg *config.Configuration, p place) i18n.Text {
	teamName := ""
	if p.team != nil {
		teamName = strings.ToLower(p.team.Name)
	}
	if teams := cfg.AllowedTeamList(); len(teams) > 0 && !slices.Contains(teams, teamName) {
		return i18n.T("command.rules.team", "Builds cannot be started from this team. A system admin can allow it in **System Console > Plugins > Buildbot > Allowed teams**.")
	}
	channels := cfg.AllowedChannelList()
	if len(channels) == 0 {
		return i18n.Text{}
	}
	name := strings.ToLower(p.channel.Name)
	if slices.Contains(channels, name) || slices.Contains(channels, teamName+"/"+name) {
		return i18n.Text{}
	}
	return i18n.T("command.rules.channel", "Builds cannot be started from this channel. Try {{.Channels}}, or ask a system admin to allow this one in **System Console > Plugins > Buildbot > Allowed channels**.",
		"Channels", channelList(channels))
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

// whoRefusal explains why this user may not start or stop builds, or returns "".
func (h *Handler) whoRefusal(cfg *config.Configuration, user *model.User) i18n.Text {
	switch cfg.BuildPermission {
	case config.PermissionAdmins:
		if !h.MM.IsSystemAdmin(user.Id) {
			return i18n.T("command.rules.admins", "Only system admins may start or stop builds here.")
		}
	case config.PermissionUsers:
		if !slices.Contains(cfg.AllowedUserList(), strings.ToLower(user.Username)) {
			return i18n.T("command.rules.users", "You are not on the list of users who may start or stop builds. A system admin can add you in **System Console > Plugins > Buildbot > Listed users**.")
		}
	}
	return i18n.Text{}
}
