package main

import (
	"context"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mattermost/mattermost/server/public/pluginapi/cluster"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/api"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/catalog"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/config"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/health"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/subscription"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/tracker"
)

// The plugin's background work: the poller, polls on demand, and the push consumer.

// jobWake bounds how long a scheduled job sleeps between looks at the settings.
const jobWake = 5 * time.Second

// every runs a cluster job at the interval the settings give, waking at least every jobWake so a
// new interval applies without a restart. (A job whose wait is never 0 never runs.)
func every(interval func() time.Duration) cluster.NextWaitInterval {
	return func(now time.Time, metadata cluster.JobMetadata) time.Duration {
		return min(cluster.MakeWaitForInterval(interval())(now, metadata), jobWake)
	}
}

// kickGap is the least time between ticks that Buildbot's events start: a running build sends
// several events a second (steps, logs), and one tick reads them all.
const kickGap = 250 * time.Millisecond

// kick asks for a poll as soon as need says; kicks that arrive while one is pending merge into it.
func (p *Plugin) kick(need tracker.Need) {
	to := p.kicks
	if need == tracker.TickNow {
		to = p.urgent
	}
	select {
	case to <- struct{}{}:
	default:
	}
}

func (p *Plugin) pollOnKick(ctx context.Context) {
	defer p.done.Done()
	defer p.recoverPanic("poll-on-event")
	coalesce(ctx, p.kicks, p.urgent, kickGap, p.poll)
}

// coalesce runs tick for kicks, at most once per gap: the first kick after a quiet spell ticks
// at once, and the kicks of a burst merge into one tick at the end of the gap. An urgent kick (a
// result) ends the wait: the last step's events come moments before the build's end, and a gap
// begun by them must not hold the result back.
func coalesce(ctx context.Context, kicks, urgent <-chan struct{}, gap time.Duration, tick func()) {
	var last time.Time
	for {
		hurry := false
		select {
		case <-ctx.Done():
			return
		case <-kicks:
		case <-urgent:
			hurry = true
		}
		if wait := gap - time.Since(last); wait > 0 && !hurry {
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			case <-urgent:
			}
		}
		// Kicks that came meanwhile are answered by this tick.
		for _, ch := range []<-chan struct{}{kicks, urgent} {
			select {
			case <-ch:
			default:
			}
		}
		last = time.Now()
		tick()
	}
}

// refreshCatalog reads what Buildbot can build, for every node of the cluster.
func (p *Plugin) refreshCatalog() {
	defer p.recoverPanic("catalog-refresh")
	ctx, cancel := context.WithTimeout(p.lifetime, 4*p.currentSnapshot().Config.RequestTimeout())
	defer cancel()
	if _, err := p.catalog.Refresh(ctx); err != nil {
		p.API.LogDebug("Refreshing what Buildbot can build failed", "error", err.Error())
	}
}

// followPush consumes Buildbot's WebSocket on one node of the cluster at a time.
func (p *Plugin) followPush(ctx context.Context) {
	defer p.done.Done()
	defer p.recoverPanic("event-follow")
	mutex, err := cluster.NewMutex(p.API, "buildbot-push")
	if err != nil {
		p.API.LogError("Following Buildbot's events is off", "error", err.Error())
		return
	}
	if err := mutex.LockWithContext(ctx); err != nil {
		return
	}
	defer mutex.Unlock()
	p.followingEvents.Store(true)
	defer p.followingEvents.Store(false)
	p.push.Run(ctx)
}

// scheduledPoll is the poller's run on whichever node took the job this time.
func (p *Plugin) scheduledPoll() {
	p.lastScheduledPoll.Store(time.Now().UnixMilli())
	p.poll()
}

// nodeStatus tells the status route what this node does and what it holds.
func (p *Plugin) nodeStatus() api.NodeStatus {
	var mem runtime.MemStats
	runtime.ReadMemStats(&mem)
	return api.NodeStatus{
		FollowsEvents:     p.followingEvents.Load(),
		LastScheduledPoll: p.lastScheduledPoll.Load(),
		Goroutines:        runtime.NumGoroutine(),
		HeapBytes:         mem.HeapAlloc,
	}
}

// poll runs one tick. The poller and the push consumer may run on different nodes of a cluster;
// the lock keeps their ticks from overlapping, which could reply twice to one failure. Ticks of
// one node first wait for each other in memory: the cluster lock retries only every second, and a
// result would wait that second whenever the poller happened to be ticking.
func (p *Plugin) poll() {
	defer p.recoverPanic("poll")
	snap := p.currentSnapshot()
	if !snap.Ready() {
		return
	}
	ctx, cancel := context.WithTimeout(p.lifetime, 4*snap.Config.RequestTimeout())
	defer cancel()
	p.tickingHere.Lock()
	defer p.tickingHere.Unlock()
	if err := p.ticking.LockWithContext(ctx); err != nil {
		return
	}
	defer p.ticking.Unlock()
	// The settings may have changed while the lock was held by another tick.
	if snap = p.currentSnapshot(); !snap.Ready() {
		return
	}
	p.checkHealth(ctx, snap)
	opts := tracker.Options{LinkBase: snap.Config.LinkBaseURL(), Reply: snap.Config.FailureReplyEnabled(), LogLines: snap.Config.FailureLines(),
		MentionAuthors: snap.Config.MentionAuthorsEnabled(),
		Posts:          p.postsIn(snap),
		InUse: func() string {
			if now := p.currentSnapshot(); now.Ready() {
				return now.Buildbot.Fingerprint()
			}
			return ""
		}}
	// Subscriptions wait for the catalog: while it is cold, no build's repo is known.
	if ix := p.catalog.Current(); p.catalog.Warm() {
		opts.Watched = func(builderID int) (tracker.Watched, bool) { return watchedOf(ix, builderID) }
	}
	started := time.Now()
	if err := p.tracker.Tick(ctx, snap.Buildbot, opts); err != nil {
		p.API.LogDebug("Polling Buildbot failed", "error", err.Error())
		return
	}
	p.API.LogDebug("Polled Buildbot", "took_ms", time.Since(started).Milliseconds())
}

// postsAllowed remembers, for a minute and under one set of settings, which channels the gate lets
// the plugin post in on its own: a tick asks for every subscribed channel, and each answer costs
// Mattermost a read of the channel and its team.
type postsAllowed struct {
	mu    sync.Mutex
	cfg   *config.Configuration
	since time.Time
	known map[string]bool
}

// postsIn is the gate's answer for the subscriptions of a tick under these settings.
func (p *Plugin) postsIn(snap *config.Snapshot) func(channelID string) bool {
	return func(channelID string) bool {
		a := &p.postsAllowed
		a.mu.Lock()
		defer a.mu.Unlock()
		if a.cfg != snap.Config || time.Since(a.since) > time.Minute {
			a.cfg, a.since, a.known = snap.Config, time.Now(), map[string]bool{}
		}
		ok, seen := a.known[channelID]
		if !seen {
			ok = p.app.Gate.Posts(snap.Config, channelID)
			a.known[channelID] = ok
		}
		return ok
	}
}

// checkHealth looks at Buildbot and its workers for the channels subscribed to health, with a
// request's timeout of its own, so a tick that Buildbot holds up does not hold up the news.
func (p *Plugin) checkHealth(ctx context.Context, snap *config.Snapshot) {
	ctx, cancel := context.WithTimeout(ctx, snap.Config.RequestTimeout())
	defer cancel()
	latent := snap.Config.LatentWorkerList()
	opts := health.Options{After: snap.Config.HealthAlert(), Every: snap.Config.PollInterval(), LinkBase: snap.Config.LinkBaseURL(),
		Latent: func(name string) bool {
			return slices.ContainsFunc(latent, func(glob string) bool { return subscription.MatchBranch(glob, strings.ToLower(name)) })
		},
		Posts: p.postsIn(snap)}
	if ix := p.catalog.Current(); p.catalog.Warm() {
		opts.RepoOf = ix.RepoOf
	}
	p.health.Check(ctx, snap.Buildbot, opts)
}

// watchedOf is what the catalog knows of a builder, for subscriptions.
func watchedOf(ix *catalog.Index, builderID int) (tracker.Watched, bool) {
	repo, ok := ix.RepoOf(builderID)
	if !ok {
		return tracker.Watched{}, false
	}
	r, _ := ix.LookupWatched(repo)
	w := tracker.Watched{Repo: repo, DefaultBranch: r.DefaultBranch, Served: ix.Serves(builderID)}
	for _, t := range r.Targets {
		if t.BuilderID == builderID {
			w.Builder = t.Builder
		}
	}
	return w, true
}
