package main

import (
	"errors"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin/plugintest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/app"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/command"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/config"
)

func pluginWithSettings(t *testing.T, load func(*config.Configuration) error) (*Plugin, *plugintest.API) {
	api := &plugintest.API{}
	api.On("LoadPluginConfiguration", mock.AnythingOfType("*config.Configuration")).
		Return(func(dest any) error { return load(dest.(*config.Configuration)) })
	api.On("LogWarn", mock.Anything, mock.Anything, mock.Anything, mock.Anything, mock.Anything).Maybe()
	api.On("LogError", mock.Anything, mock.Anything, mock.Anything).Maybe()
	t.Cleanup(func() { api.AssertExpectations(t) })
	p := &Plugin{}
	p.SetAPI(api)
	p.command = &command.Handler{App: &app.App{Snapshot: p.currentSnapshot}}
	return p, api
}

func TestBadSettingsKeepThePluginRunningAndAreExplainedToTheUser(t *testing.T) {
	p, api := pluginWithSettings(t, func(c *config.Configuration) error {
		c.BuildbotURL = "ci.example.com"
		return nil
	})

	require.NoError(t, p.OnConfigurationChange())
	resp, appErr := p.ExecuteCommand(nil, &model.CommandArgs{Command: "/build list"})

	require.Nil(t, appErr)
	assert.Equal(t, model.CommandResponseTypeEphemeral, resp.ResponseType)
	assert.Contains(t, resp.Text, "**Buildbot URL** `ci.example.com` has no scheme")
	api.AssertCalled(t, "LogWarn", "Buildbot plugin setting needs attention", "setting", "Buildbot URL", "problem", mock.Anything)
}

func TestUnreadableSettingsAreLoggedAndTreatedAsEmpty(t *testing.T) {
	p, api := pluginWithSettings(t, func(*config.Configuration) error { return errors.New("json: cannot unmarshal") })

	require.NoError(t, p.OnConfigurationChange())
	resp, _ := p.ExecuteCommand(nil, &model.CommandArgs{Command: "/build list"})

	assert.Contains(t, resp.Text, "**Buildbot URL** is empty")
	api.AssertCalled(t, "LogError", "The Buildbot plugin could not read its settings", "error", "json: cannot unmarshal")
}

func TestNewSettingsReplaceTheOldOnesWhole(t *testing.T) {
	url := "ci.example.com"
	p, _ := pluginWithSettings(t, func(c *config.Configuration) error {
		c.BuildbotURL = url
		return nil
	})
	require.NoError(t, p.OnConfigurationChange())
	before := p.currentSnapshot()

	url = "https://ci.example.com/"
	require.NoError(t, p.OnConfigurationChange())

	assert.False(t, before.Ready(), "the old snapshot must not change")
	assert.True(t, p.currentSnapshot().Ready())
}

func TestTheBotsUsernameHeldByAPersonStopsActivationNamingTheFix(t *testing.T) {
	api := &plugintest.API{}
	api.On("GetUser", "person-id").Return(&model.User{Id: "person-id", Username: botUsername}, nil)
	api.On("GetUser", "bot-id").Return(&model.User{Id: "bot-id", Username: botUsername, IsBot: true}, nil)
	p := &Plugin{}
	p.SetAPI(api)

	err := p.checkBotAccount("person-id")

	require.Error(t, err)
	assert.Contains(t, err.Error(), "@buildbot belongs to a person's account")
	assert.Contains(t, err.Error(), "mattermost user convert buildbot --bot")
	assert.NoError(t, p.checkBotAccount("bot-id"))
}
