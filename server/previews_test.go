package main

import (
	"context"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin/plugintest"
	"github.com/stretchr/testify/mock"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/app"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/config"
)

// Mattermost takes a nil post from MessageWillBeUpdated for a refusal: every edit the previews
// leave alone must come back as it came, or nobody could edit a message.
func TestAnEditThePreviewsLeaveAloneGoesThrough(t *testing.T) {
	edited := &model.Post{Id: "p", UserId: "alice", Message: "no links"}
	snap := config.NewSnapshot(&config.Configuration{BuildbotURL: "https://ci.example.com"})
	for name, p := range map[string]*Plugin{
		"before the plugin is active": {},
		"when the message has no link": {previews: previewing{app: &app.Previews{App: &app.App{BotID: "bot",
			Snapshot: func() *config.Snapshot { return snap }}}}},
	} {
		t.Run(name, func(t *testing.T) {
			p.lifetime = context.Background()
			if got, reason := p.MessageWillBeUpdated(nil, edited, edited); got != edited || reason != "" {
				t.Errorf("edit came back as %+v, %q", got, reason)
			}
			if got, reason := p.MessageWillBePosted(nil, edited); got != nil || reason != "" {
				t.Errorf("post came back as %+v, %q", got, reason)
			}
		})
	}
}

func TestAPanicInThePreviewsPostsTheMessageAsWritten(t *testing.T) {
	api := &plugintest.API{}
	logged := []any{"The Buildbot plugin recovered from a panic", "hook", "previews", "post_id", "p", "user_id", "alice", "panic", "settings gone",
		"stack", mock.Anything}
	api.On("LogError", logged...).Twice()
	t.Cleanup(func() { api.AssertExpectations(t) })
	p := &Plugin{lifetime: context.Background()}
	p.SetAPI(api)
	p.previews.app = &app.Previews{App: &app.App{BotID: "bot", Snapshot: func() *config.Snapshot { panic("settings gone") }}}
	message := &model.Post{Id: "p", UserId: "alice", Message: "https://ci.example.com/#/builders/3"}

	if got, reason := p.MessageWillBePosted(nil, message); got != nil || reason != "" {
		t.Errorf("post came back as %+v, %q", got, reason)
	}
	if got, reason := p.MessageWillBeUpdated(nil, message, message); got != message || reason != "" {
		t.Errorf("edit came back as %+v, %q", got, reason)
	}
}
