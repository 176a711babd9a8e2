package main

import (
	"runtime/debug"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/app"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/preview"
)

// previewing is the previews of pasted Buildbot links: the app's operation, which the hooks and
// the route call, and what tells channels when their previews change.
type previewing struct {
	app  *app.Previews
	live *preview.Live
}

// startPreviews wires the previews to the app and the KV store, and starts telling channels of
// changes, which happens only on the node that follows Buildbot's events (the others hear none).
func (p *Plugin) startPreviews() previewing {
	watches := &preview.Watches{KV: &p.client.KV}
	live := &preview.Live{Watches: watches, Publish: p.API.PublishWebSocketEvent,
		OnError: func(err error) { p.API.LogDebug("Could not tell channels of their previews", "error", err.Error()) }}
	p.done.Add(1)
	go func() {
		defer p.done.Done()
		defer p.recoverPanic("preview-live")
		live.Run(p.lifetime)
	}()
	return previewing{app: &app.Previews{App: p.app, Watch: watches.Add}, live: live}
}

// MessageWillBePosted gives a message that pastes links to Buildbot their previews. It never
// holds a message back: a panic, or anything else that goes wrong, posts it as written.
func (p *Plugin) MessageWillBePosted(_ *plugin.Context, post *model.Post) (*model.Post, string) {
	return p.withPreviews(post, nil), ""
}

// MessageWillBeUpdated makes an edited message's previews follow its links. Mattermost takes a nil
// post from this hook for a refusal, so the edit comes back as it came when nothing changes.
//
//nolint:unparam // Mattermost's hook signature: a reason would refuse the edit.
func (p *Plugin) MessageWillBeUpdated(_ *plugin.Context, newPost, oldPost *model.Post) (*model.Post, string) {
	if out := p.withPreviews(newPost, oldPost); out != nil {
		return out, ""
	}
	return newPost, ""
}

// withPreviews is the post with previews, or nil to keep it as it is.
func (p *Plugin) withPreviews(post, old *model.Post) (out *model.Post) {
	if p.previews.app == nil {
		return nil
	}
	defer func() {
		if v := recover(); v != nil {
			p.logPanic(v, debug.Stack(), "hook", "previews", "post_id", post.Id, "user_id", post.UserId)
			out = nil
		}
	}()
	return p.previews.app.Add(p.lifetime, post, old)
}
