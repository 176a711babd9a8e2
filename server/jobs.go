package main

import (
	"context"
	"time"

	"github.com/mattermost/mattermost/server/public/pluginapi/cluster"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/tracker"
)

// The plugin's background work: the poller, polls on demand, and the push consumer.

// pollerWake bounds how long the poller sleeps between looks at the settings.
const pollerWake = 5 * time.Second

// kick asks for a poll soon; kicks that arrive while one is pending merge into it.
func (p *Plugin) kick() {
	select {
	case p.kicks <- struct{}{}:
	default:
	}
}

func (p *Plugin) pollOnKick(ctx context.Context) {
	defer p.done.Done()
	for {
		select {
		case <-ctx.Done():
			return
		case <-p.kicks:
			p.poll()
		}
	}
}

// followPush consumes Buildbot's WebSocket on one node of the cluster at a time.
func (p *Plugin) followPush(ctx context.Context) {
	defer p.done.Done()
	mutex, err := cluster.NewMutex(p.API, "buildbot-push")
	if err != nil {
		p.API.LogError("Following Buildbot's events is off", "error", err.Error())
		return
	}
	if err := mutex.LockWithContext(ctx); err != nil {
		return
	}
	defer mutex.Unlock()
	p.push.Run(ctx)
}

// poll runs one tick. The poller and the push consumer may run on different nodes of a cluster;
// the lock keeps their ticks from overlapping, which could reply twice to one failure.
func (p *Plugin) poll() {
	snap := p.currentSnapshot()
	if !snap.Ready() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*snap.Config.RequestTimeout())
	defer cancel()
	if err := p.ticking.LockWithContext(ctx); err != nil {
		return
	}
	defer p.ticking.Unlock()
	// The settings may have changed while the lock was held by another tick.
	if snap = p.currentSnapshot(); !snap.Ready() {
		return
	}
	opts := tracker.Options{LinkBase: snap.Config.LinkBaseURL(), Reply: snap.Config.FailureReplyEnabled(), LogLines: snap.Config.FailureLines(),
		InUse: func() string {
			if now := p.currentSnapshot(); now.Ready() {
				return now.Buildbot.Fingerprint()
			}
			return ""
		}}
	if err := p.tracker.Tick(ctx, snap.Buildbot, opts); err != nil {
		p.API.LogDebug("Polling Buildbot failed", "error", err.Error())
	}
}
