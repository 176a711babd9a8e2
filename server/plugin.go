package main

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"
	"github.com/mattermost/mattermost/server/public/pluginapi"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/api"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/command"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/config"
)

// Plugin wires Mattermost's hooks to the packages that do the work.
type Plugin struct {
	plugin.MattermostPlugin

	client   *pluginapi.Client
	snapshot atomic.Pointer[config.Snapshot]
	router   http.Handler
	command  *command.Handler
	botID    string
}

// OnActivate runs after OnConfigurationChange has loaded the settings. Bad settings do not stop
// activation: /build and the status route explain them instead.
func (p *Plugin) OnActivate() error {
	p.client = pluginapi.NewClient(p.API, p.Driver)

	botID, err := p.client.Bot.EnsureBot(&model.Bot{
		Username:    "buildbot",
		DisplayName: "Buildbot",
		Description: "Posts the builds started with /build and the ones Buildbot announces.",
	}, pluginapi.ProfileImagePath("assets/icon.png"))
	if err != nil {
		return fmt.Errorf("ensure bot account: %w", err)
	}
	p.botID = botID

	p.command = &command.Handler{Snapshot: p.currentSnapshot}
	if err := p.client.SlashCommand.Register(command.Definition()); err != nil {
		return fmt.Errorf("register /%s: %w", command.Trigger, err)
	}
	p.router = api.NewRouter(api.Deps{
		Snapshot:    p.currentSnapshot,
		Permissions: permissions{p.client},
		PluginID:    manifestID,
		Version:     manifestVersion,
	})
	return nil
}

// OnConfigurationChange swaps in a new snapshot of the settings. It never fails on bad values, so
// the plugin keeps running and can say what is wrong.
func (p *Plugin) OnConfigurationChange() error {
	raw := new(config.Configuration)
	if err := p.API.LoadPluginConfiguration(raw); err != nil {
		p.API.LogError("The Buildbot plugin could not read its settings", "error", err.Error())
		raw = new(config.Configuration)
	}
	snap := config.NewSnapshot(raw)
	for _, problem := range snap.Problems {
		p.API.LogWarn("Buildbot plugin setting needs attention", "setting", problem.Setting, "problem", problem.Message)
	}
	p.snapshot.Store(snap)
	return nil
}

func (p *Plugin) currentSnapshot() *config.Snapshot {
	if snap := p.snapshot.Load(); snap != nil {
		return snap
	}
	return config.NewSnapshot(new(config.Configuration))
}

// ExecuteCommand answers /build.
func (p *Plugin) ExecuteCommand(_ *plugin.Context, args *model.CommandArgs) (*model.CommandResponse, *model.AppError) {
	text := p.command.Execute(context.Background(), args)
	return &model.CommandResponse{ResponseType: model.CommandResponseTypeEphemeral, Text: text, Username: "buildbot"}, nil
}

// ServeHTTP serves the routes of package api.
func (p *Plugin) ServeHTTP(_ *plugin.Context, w http.ResponseWriter, r *http.Request) {
	p.router.ServeHTTP(w, r)
}

type permissions struct{ client *pluginapi.Client }

func (p permissions) IsSystemAdmin(userID string) bool {
	return p.client.User.HasPermissionTo(userID, model.PermissionManageSystem)
}
