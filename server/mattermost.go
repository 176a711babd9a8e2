package main

import (
	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/pluginapi"
)

// mattermost adapts the plugin API to the small interfaces the packages declare.
type mattermost struct{ client *pluginapi.Client }

func (m mattermost) IsSystemAdmin(userID string) bool {
	return m.client.User.HasPermissionTo(userID, model.PermissionManageSystem)
}

func (m mattermost) GetUser(userID string) (*model.User, error) { return m.client.User.Get(userID) }

func (m mattermost) GetChannel(channelID string) (*model.Channel, error) {
	return m.client.Channel.Get(channelID)
}

func (m mattermost) GetTeam(teamID string) (*model.Team, error) { return m.client.Team.Get(teamID) }

func (m mattermost) CreatePost(post *model.Post) error { return m.client.Post.CreatePost(post) }
