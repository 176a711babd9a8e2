package main

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mattermost/mattermost/server/public/pluginapi/cluster"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/api"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/catalog"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/config"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/health"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/subscription"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/tracker"
)

// The plugin's background work: the poller, polls on demand, and the push consumer.

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

// leaderLock is held by the node of the cluster that does the background work.
const leaderLock = "buildbot-leader"

// lead does the cluster's background work on one node at a time: the node that holds the leader
// lock follows Buildbot's events, polls at the poll interval and refreshes the catalog. With every
// tick on one node, a tick takes no cluster lock of its own: a lock per tick, and scheduled jobs
// waking on each node to ask whose turn it was, cost the KV store a dozen queries a tick. The
// other nodes look at the lock every leaderPeek and take over once it expires (15 s) when the
// leader dies; a node being disabled lets it go at once.
func (p *Plugin) lead(ctx context.Context) {
	defer p.done.Done()
	defer p.recoverPanic("lead")
	mutex, err := cluster.NewMutex(p.API, leaderLock)
	if err != nil {
		p.API.LogError("The Buildbot plugin's background work is off on this server", "error", err.Error())
		return
	}
	lockFree := func() bool {
		value, appErr := p.API.KVGet(leaderLockKey)
		return appErr != nil || value == nil
	}
	if err := awaitLead(ctx, mutex, lockFree, leaderPeek); err != nil {
		return
	}
	defer mutex.Unlock()
	var work sync.WaitGroup
	work.Add(3)
	go func() {
		defer work.Done()
		p.followPush(ctx)
	}()
	go func() {
		defer work.Done()
		// A node taking over polls at once: the builds may have waited out the old leader's end.
		p.scheduledPoll()
		every(ctx, func() time.Duration { return p.currentSnapshot().Config.PollInterval() }, p.scheduledPoll)
	}()
	go func() {
		defer work.Done()
		every(ctx, func() time.Duration { return p.currentSnapshot().Config.CatalogRefresh() }, p.refreshCatalog)
	}()
	work.Wait()
}

// leaderLockKey is the KV key cluster.Mutex keeps leaderLock under. Were pluginapi to name it
// otherwise, the lock would only look free, and every peek would try it.
const leaderLockKey = "mutex_" + leaderLock

// leaderPeek is how often a node that does not lead looks whether the leader lock is free. With
// the lock's 15 s expiry, a node takes over at most 18 s after the leader died.
const leaderPeek = 3 * time.Second

// awaitLead takes the leader lock once it is free. Trying the lock is a write on Mattermost's
// database (two statements), and cluster.Mutex tries every second: a second server doing so
// cost the database half again what the leader's ticks do. Looking is one read, every peek.
func awaitLead(ctx context.Context, mutex *cluster.Mutex, lockFree func() bool, peek time.Duration) error {
	for {
		if lockFree() {
			// One try, and a retry if another node took the lock first.
			try, cancel := context.WithTimeout(ctx, peek)
			err := mutex.LockWithContext(try)
			cancel()
			if err == nil {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(peek):
		}
	}
}

// every runs do each interval, counted from the end of the last run, until ctx ends. The interval
// is read every second, so a new setting applies without waiting out the old one.
func every(ctx context.Context, interval func() time.Duration, do func()) {
	for {
		ended := time.Now()
		for time.Since(ended) < interval() {
			select {
			case <-ctx.Done():
				return
			case <-time.After(min(time.Second, interval()-time.Since(ended))):
			}
		}
		do()
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

// followPush consumes Buildbot's WebSocket while this node leads.
func (p *Plugin) followPush(ctx context.Context) {
	defer p.recoverPanic("event-follow")
	p.followingEvents.Store(true)
	defer p.followingEvents.Store(false)
	p.push.Run(ctx)
}

// eventsKey holds whether the server that follows Buildbot's events is subscribed, for the status
// route on every server: only the leader follows them.
const eventsKey = "events_state"

// noteEvents records the event follower's state as it changes. Why a subscription ended is worded
// in the server's language, as the log is.
func (p *Plugin) noteEvents(connected bool, err error) {
	state := api.EventsStatus{Connected: connected, Since: time.Now().UnixMilli()}
	if err != nil && !errors.Is(err, context.Canceled) {
		state.Error = p.words.Server().String(buildbot.UserMessage(err))
	}
	if _, kvErr := p.client.KV.Set(eventsKey, state); kvErr != nil {
		p.API.LogDebug("Could not record whether Buildbot's events are followed", "error", kvErr.Error())
	}
}

// eventsStatus reads what the event follower last recorded.
func (p *Plugin) eventsStatus() api.EventsStatus {
	var state api.EventsStatus
	if err := p.client.KV.Get(eventsKey, &state); err != nil {
		p.API.LogDebug("Could not read whether Buildbot's events are followed", "error", err.Error())
	}
	return state
}

// scheduledPoll is the leader's poll at the poll interval.
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

// poll runs one tick. Ticks run on the leading node only (lead), the scheduled ones and those
// Buildbot's events ask for, one at a time: two overlapping could reply twice to one failure.
func (p *Plugin) poll() {
	defer p.recoverPanic("poll")
	snap := p.currentSnapshot()
	if !snap.Ready() {
		return
	}
	ctx, cancel := context.WithTimeout(p.lifetime, 4*snap.Config.RequestTimeout())
	defer cancel()
	p.ticking.Lock()
	defer p.ticking.Unlock()
	// The settings may have changed while another tick ran.
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
		},
		Queue: p.queueOf}
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
