package main

import (
	"errors"
	"net/http"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/pluginapi"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/tracker"
)

// mattermost adapts the plugin API to the small interfaces the packages declare.
type mattermost struct{ client *pluginapi.Client }

func (m mattermost) IsSystemAdmin(userID string) bool {
	return m.client.User.HasPermissionTo(userID, model.PermissionManageSystem)
}

func (m mattermost) CanReadChannel(userID, channelID string) bool {
	return m.client.User.HasPermissionToChannel(userID, channelID, model.PermissionReadChannelContent)
}

func (m mattermost) CanViewTeam(userID, teamID string) bool {
	return m.client.User.HasPermissionToTeam(userID, teamID, model.PermissionViewTeam)
}

func (m mattermost) CanManageChannel(userID, channelID string) bool {
	return m.client.User.HasPermissionToChannel(userID, channelID, model.PermissionManageChannelRoles)
}

func (m mattermost) CanManageTeam(userID, teamID string) bool {
	return m.client.User.HasPermissionToTeam(userID, teamID, model.PermissionManageTeam)
}

func (m mattermost) GetUser(userID string) (*model.User, error) { return m.client.User.Get(userID) }

func (m mattermost) GetUserByUsername(username string) (*model.User, error) {
	return m.client.User.GetByUsername(username)
}

func (m mattermost) GetDirectChannel(userID1, userID2 string) (*model.Channel, error) {
	return m.client.Channel.GetDirect(userID1, userID2)
}

func (m mattermost) GetChannel(channelID string) (*model.Channel, error) {
	return m.client.Channel.Get(channelID)
}

func (m mattermost) GetTeam(teamID string) (*model.Team, error) { return m.client.Team.Get(teamID) }

func (m mattermost) CreatePost(post *model.Post) error { return m.client.Post.CreatePost(post) }

// GetPost returns tracker.ErrPostGone for a deleted post, so its tracking ends quietly.
func (m mattermost) GetPost(postID string) (*model.Post, error) {
	p, err := m.client.Post.GetPost(postID)
	if err != nil {
		var appErr *model.AppError
		if errors.As(err, &appErr) && appErr.StatusCode == http.StatusNotFound {
			return nil, tracker.ErrPostGone
		}
		return nil, err
	}
	if p.DeleteAt != 0 {
		return nil, tracker.ErrPostGone
	}
	return p, nil
}

func (m mattermost) UpdatePost(p *model.Post) error { return m.client.Post.UpdatePost(p) }

func (m mattermost) DeletePost(postID string) error { return m.client.Post.DeletePost(postID) }

// ChannelGone says whether a channel was deleted or archived; a channel Mattermost cannot read
// for another reason is not taken for gone.
func (m mattermost) ChannelGone(channelID string) bool {
	c, err := m.client.Channel.Get(channelID)
	var appErr *model.AppError
	if errors.As(err, &appErr) && appErr.StatusCode == http.StatusNotFound {
		return true
	}
	return err == nil && c.DeleteAt != 0
}

func (m mattermost) PostsSince(channelID string, since int64) ([]*model.Post, error) {
	list, err := m.client.Post.GetPostsSince(channelID, since)
	if err != nil {
		return nil, err
	}
	return list.ToSlice(), nil
}

// onceWindow is how long a click's key is held: long enough to swallow a double click.
const onceWindow = 5 * time.Second

// First takes a key in the KV store unless it is taken; the key expires on its own.
func (m mattermost) First(key string) (bool, error) {
	return m.client.KV.Set("once_"+key, true, pluginapi.SetAtomic(nil), pluginapi.SetExpiry(onceWindow))
}

func (m mattermost) OpenInteractiveDialog(request model.OpenDialogRequest) error {
	return m.client.Frontend.OpenInteractiveDialog(request)
}

// SendEphemeral shows one user a post that no one else sees.
func (m mattermost) SendEphemeral(userID string, p *model.Post) {
	m.client.Post.SendEphemeralPost(userID, p)
}
