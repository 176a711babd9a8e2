package main

import (
	"context"
	"time"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/panel"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/tracker"
)

// startPanel wires the Builds panel's reads of Buildbot, and starts telling the webapps when
// Buildbot's builds change, which happens only on the server that follows Buildbot's events.
func (p *Plugin) startPanel() (*panel.Reader, *panel.Live) {
	reader := &panel.Reader{
		Client: func() *buildbot.Client {
			snap := p.currentSnapshot()
			if !snap.Ready() {
				return nil
			}
			return snap.Buildbot
		},
		Timeout:  func() time.Duration { return p.currentSnapshot().Config.RequestTimeout() },
		Lifetime: p.lifetime,
	}
	relay := &panel.Relay{KV: &p.client.KV, Publish: p.API.PublishWebSocketEvent, Clustered: p.clustered}
	live := &panel.Live{Publish: p.API.PublishWebSocketEvent, Reader: reader, Relay: relay}
	p.done.Add(2)
	go func() {
		defer p.done.Done()
		defer p.recoverPanic("panel-live")
		live.Run(p.lifetime)
	}()
	go func() {
		defer p.done.Done()
		defer p.recoverPanic("panel-relay")
		relay.Run(p.lifetime)
	}()
	return reader, live
}

// queueOf reads where queued requests stand for the status posts, from the panel's board: a read
// of Buildbot every few seconds at most, whatever the number of queued builds followed.
func (p *Plugin) queueOf(ctx context.Context) tracker.Queue {
	board, err := p.app.Board.Get(ctx, time.Time{})
	if err != nil {
		return nil
	}
	return func(requestID int) (int, int64) {
		e, ok := board.Estimate(requestID)
		if !ok {
			return 0, 0
		}
		if !e.Known {
			return e.Place, 0
		}
		return e.Place, e.StartsAt.Round(time.Minute).UnixMilli()
	}
}

// clustered says Mattermost's servers form a cluster, which relays WebSocket events between them.
func (p *Plugin) clustered() bool {
	cfg := p.API.GetConfig()
	return cfg != nil && cfg.ClusterSettings.Enable != nil && *cfg.ClusterSettings.Enable
}
