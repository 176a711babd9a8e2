package tracker

import (
	"context"
	"runtime/debug"
	"sync"
	"time"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
)

// pushPaths are the events that can change a status post, and the workers' comings and goings,
// for the channels subscribed to health.
var pushPaths = []string{"builds/*/*", "buildrequests/*/*", "steps/*/*", "workers/*/*"}

// Need is how soon an event calls for a tick.
type Need int

const (
	// NoTick is for an event about nothing followed.
	NoTick Need = iota
	// TickSoon is for a change worth showing, merged with the events around it into one tick.
	TickSoon
	// TickNow is for a followed build's result, which the tick takes from the event without reading
	// Buildbot, so it waits on nothing.
	TickNow
)

// Push follows Buildbot's WebSocket and asks for a tick whenever a tracked build changes, so
// a post follows within moments instead of a poll interval. Polling goes on regardless: it is
// the fallback while the socket is down, and Buildbot replays nothing after a reconnect.
type Push struct {
	// Source returns the client to subscribe with, or nil while push is off or not configured.
	Source func() *buildbot.Client
	// Kick asks for a tick as soon as need says; it must not block.
	Kick func(Need)
	// Notice says how soon an event calls for a tick.
	Notice func(buildbot.Event) Need
	// OnError hears why a subscription ended.
	OnError func(error)
	// OnState hears when a subscription starts (Buildbot sends events) and ends, with why; nil
	// hears nothing.
	OnState func(connected bool, err error)
	// OnPanic hears of a subscription that panicked, with the stack where it did; Run then
	// reconnects as after an error.
	OnPanic func(value any, stack []byte)

	mu     sync.Mutex
	cancel context.CancelFunc
	// restarted wakes a Run that waits for settings, or to try again, when they change.
	restarted chan struct{}
}

// Restart drops the current subscription, so the next one uses the settings in force, and ends
// any wait: push starts as soon as an admin saves settings that allow it.
func (p *Push) Restart() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cancel != nil {
		p.cancel()
	}
	select {
	case p.wake() <- struct{}{}:
	default:
	}
}

// wake is the channel Restart signals on; the caller holds mu.
func (p *Push) wake() chan struct{} {
	if p.restarted == nil {
		p.restarted = make(chan struct{}, 1)
	}
	return p.restarted
}

// wait waits for d, for ctx to end, or for new settings.
func (p *Push) wait(ctx context.Context, d time.Duration) {
	p.mu.Lock()
	restarted := p.wake()
	p.mu.Unlock()
	select {
	case <-ctx.Done():
	case <-restarted:
	case <-time.After(d):
	}
}

// Run subscribes until ctx ends, reconnecting with a growing backoff.
func (p *Push) Run(ctx context.Context) {
	for attempt := 0; ctx.Err() == nil; {
		client := p.Source()
		if client == nil {
			p.wait(ctx, 5*time.Second)
			continue
		}
		started := time.Now()
		attemptCtx, cancel := context.WithCancel(ctx)
		p.mu.Lock()
		p.cancel = cancel
		p.mu.Unlock()
		err := p.consume(attemptCtx, client)
		restarted := attemptCtx.Err() != nil
		cancel()
		if p.OnState != nil {
			p.OnState(false, err)
		}
		if ctx.Err() != nil {
			return
		}
		if restarted {
			attempt = 0
			continue
		}
		if err != nil && p.OnError != nil {
			p.OnError(err)
		}
		if time.Since(started) > time.Minute {
			attempt = 0
		}
		p.wait(ctx, buildbot.Backoff(attempt))
		attempt++
	}
}

// consume is one subscription. A panic in it, on an event nobody foresaw, ends it as an error does:
// the follower runs on a goroutine of its own, where a panic would end the plugin.
func (p *Push) consume(ctx context.Context, client *buildbot.Client) error {
	defer func() {
		if v := recover(); v != nil && p.OnPanic != nil {
			p.OnPanic(v, debug.Stack())
		}
	}()
	// Events missed while disconnected are not replayed: re-read everything once, when
	// Buildbot sends events again, so none falls between the re-read and the subscription.
	return client.Consume(ctx, pushPaths, func() {
		if p.OnState != nil {
			p.OnState(true, nil)
		}
		p.Kick(TickSoon)
	}, func(e buildbot.Event) {
		if need := p.Notice(e); need != NoTick {
			p.Kick(need)
		}
	})
}
