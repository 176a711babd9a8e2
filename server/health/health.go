// Package health tells the channels subscribed to the `health` event when a worker that builds
// their repos goes missing or comes back, and when Buildbot stops answering or answers again:
// one post per incident and channel, whichever Mattermost server of a cluster looks.
package health

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/subscription"
)

// Subscriptions is what the monitor needs of the channels' subscriptions.
type Subscriptions interface {
	All() ([]subscription.Subscription, error)
	DropChannel(channelID string) error
}

// Posts is what the monitor needs of Mattermost.
type Posts interface {
	CreatePost(p *model.Post) error
	// ChannelGone says whether a channel was deleted or archived.
	ChannelGone(channelID string) bool
}

// Logger hears what the monitor could not do.
type Logger interface {
	LogWarn(msg string, keyValuePairs ...any)
}

// PropKind marks the monitor's posts with what they are about, for clients and tests.
const PropKind = "buildbot_health"

// Monitor looks at Buildbot's workers once every Options.Every, and at once when Buildbot says a
// worker connected, disconnected or went missing. Buildbot itself counts as not answering when
// that look fails.
type Monitor struct {
	Store Store
	Subs  Subscriptions
	Posts Posts
	BotID string
	// Log may be nil.
	Log Logger
	// Words word the posts in the server's language: a channel has none of its own.
	Words *i18n.Bundle

	mu   sync.Mutex
	last time.Time
	due  bool
	// reported are the workers Buildbot declared missing (after their own missing_timeout, or a
	// latent worker that failed to start) since the last look: they count as missing then.
	reported map[int]bool
	// idle says the state was dropped since the last look that had someone to tell: news from
	// before a channel listened again is history, not an incident to announce.
	idle bool
}

// Options are the settings a look follows, read anew each time.
type Options struct {
	// After is how long Buildbot may go without answering, or a worker stay disconnected, before
	// the channels hear of it.
	After time.Duration
	// Every is how often to look when no event asks sooner.
	Every time.Duration
	// RepoOf names a builder's repo; nil while the catalog is cold, when only `*` subscriptions
	// hear about workers.
	RepoOf func(builderID int) (string, bool)
	// LinkBase is the Buildbot address for links people open.
	LinkBase string
	// Latent says whether a worker is one Buildbot starts and stops on demand: disconnected is
	// its rest, and only Buildbot's own report makes it missing. Nil: none is.
	Latent func(name string) bool
	// Posts says whether the settings let health news be posted in a channel. Nil: all.
	Posts func(channelID string) bool
}

// Notice reads an event from Buildbot and says whether it calls for a look.
func (m *Monitor) Notice(e buildbot.Event) bool {
	id, what, ok := e.WorkerChange()
	if !ok {
		return false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.due = true
	if what == "missing" {
		if m.reported == nil {
			m.reported = map[int]bool{}
		}
		m.reported[id] = true
	}
	return true
}

// Check looks at Buildbot once if it is time to, and posts what changed. It costs nothing while
// no channel subscribed to health, and one read of Buildbot's workers when one did.
func (m *Monitor) Check(ctx context.Context, bb *buildbot.Client, opts Options) {
	now := time.Now()
	if !m.timeToLook(now, opts.Every) {
		return
	}
	all, err := m.Subs.All()
	if err != nil {
		m.warn("Could not read the subscriptions to health", "error", err.Error())
		return
	}
	subs := slices.DeleteFunc(all, func(s subscription.Subscription) bool {
		return !subscription.Wants(s.Events, subscription.Health) || (opts.Posts != nil && !opts.Posts(s.ChannelID))
	})
	source := bb.Fingerprint()
	if len(subs) == 0 {
		m.forget(source)
		return
	}
	m.mu.Lock()
	m.idle = false
	m.mu.Unlock()
	workers, probe := bb.Workers(ctx)
	if probe != nil && errors.Is(ctx.Err(), context.Canceled) {
		return // the plugin is stopping: that says nothing about Buildbot
	}
	// Buildbot's reports wait for a look that can judge the workers, one Buildbot answers.
	var reported map[int]bool
	if probe == nil {
		reported = m.takeReported()
	}
	audience := func(news incident) []string { return audienceOf(news, subs, opts.RepoOf) }
	latent := opts.Latent
	if latent == nil {
		latent = func(string) bool { return false }
	}
	var told []incident
	written, err := m.Store.Update(source, func(s *State) bool {
		told = judge(s, look{now: now, after: opts.After, workers: workers, probe: probe, reported: reported, latent: latent}, audience)
		return true
	})
	if err != nil {
		m.warn("Could not record Buildbot's health", "error", err.Error())
		m.giveBack(reported)
		return
	}
	if !written {
		// Another server looked at the same moment and posts what it found; only the server
		// that follows Buildbot's events has its reports, so they wait for this one's next look.
		m.giveBack(reported)
		return
	}
	gone := map[string]bool{}
	for _, news := range told {
		m.post(news, opts, gone)
	}
}

// forget drops the state once no channel listens, so a channel that subscribes later is told of
// what happens from then on, and Buildbot's reports meanwhile are dropped with it.
func (m *Monitor) forget(source string) {
	m.mu.Lock()
	idle := m.idle
	m.idle, m.reported = true, nil
	m.mu.Unlock()
	if idle {
		return
	}
	if err := m.Store.Drop(source); err != nil {
		m.warn("Could not forget Buildbot's health", "error", err.Error())
		// The next look tries again: a state left behind would be news to whoever subscribes next.
		m.mu.Lock()
		m.idle = false
		m.mu.Unlock()
	}
}

// timeToLook says whether a look is due: an event asked for one, or Every has passed.
func (m *Monitor) timeToLook(now time.Time, every time.Duration) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.due && now.Sub(m.last) < every {
		return false
	}
	m.due, m.last = false, now
	return true
}

func (m *Monitor) takeReported() map[int]bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := m.reported
	m.reported = nil
	return out
}

// giveBack keeps reports a failed look could not record, for the next one.
func (m *Monitor) giveBack(reported map[int]bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for id := range reported {
		if m.reported == nil {
			m.reported = map[int]bool{}
		}
		m.reported[id] = true
	}
	m.due = true
}

// kind is what an incident post says happened.
type kind string

const (
	workerMissing kind = "worker_missing"
	workerBack    kind = "worker_back"
	buildbotDown  kind = "buildbot_down"
	buildbotBack  kind = "buildbot_back"
)

// incident is one post's worth of news, and the channels it goes to.
type incident struct {
	kind kind
	// For worker news: which worker, and the builders it serves.
	workerID int
	worker   string
	builders []int
	// reported says Buildbot declared the worker missing.
	reported bool
	// away is how long the worker or Buildbot has been away.
	away time.Duration
	// reason is why Buildbot did not answer.
	reason   error
	channels []string
}

// look is what one look at Buildbot found.
type look struct {
	now      time.Time
	after    time.Duration
	workers  []buildbot.Worker
	probe    error
	reported map[int]bool
	latent   func(name string) bool
}

// judge brings the state up to date with one look and lists the news to post, each with the
// channels to tell: those audience names for it that have not heard of it yet, and, once it is
// over, those that did.
//
// A worker is missing when it has been disconnected for After after a look saw it connected, or
// when Buildbot declares it missing; a worker never seen connected (retired, never set up, or
// latent and idle) is not news until Buildbot says so. While Buildbot does not answer, nothing is
// known of its workers, and nothing changes for them.
func judge(s *State, l look, audience func(incident) []string) []incident {
	var out []incident
	at := l.now.UnixMilli()
	since := func(ms int64) time.Duration { return time.Duration(at-ms) * time.Millisecond }
	tell := func(inc *Incident, news incident) {
		for _, channel := range audience(news) {
			if !slices.Contains(inc.Told, channel) {
				inc.Told = append(inc.Told, channel)
				news.channels = append(news.channels, channel)
			}
		}
		if len(news.channels) > 0 {
			out = append(out, news)
		}
	}
	over := func(inc *Incident, news incident) {
		listening := audience(news)
		for _, channel := range inc.Told {
			if slices.Contains(listening, channel) {
				news.channels = append(news.channels, channel)
			}
		}
		if len(news.channels) > 0 {
			out = append(out, news)
		}
	}

	if l.probe != nil {
		if s.Down == nil {
			s.Down = &Incident{Since: at}
		}
		s.Down.Declared = s.Down.Declared || since(s.Down.Since) >= l.after
		if s.Down.Declared {
			tell(s.Down, incident{kind: buildbotDown, away: since(s.Down.Since), reason: l.probe})
		}
		return out
	}
	if s.Down != nil {
		over(s.Down, incident{kind: buildbotBack, away: since(s.Down.Since)})
		s.Down = nil
	}

	if s.Workers == nil {
		s.Workers = map[int]*Worker{}
	}
	configured := map[int]bool{}
	for _, w := range l.workers {
		// A worker of an earlier configuration is listed with no builders: it is not expected.
		if len(w.ConfiguredOn) == 0 {
			continue
		}
		configured[w.WorkerID] = true
		news := incident{workerID: w.WorkerID, worker: w.Name}
		for _, c := range w.ConfiguredOn {
			if !slices.Contains(news.builders, c.BuilderID) {
				news.builders = append(news.builders, c.BuilderID)
			}
		}
		known := s.Workers[w.WorkerID]
		if len(w.ConnectedTo) > 0 {
			if known != nil && known.Away != nil {
				news.kind, news.away = workerBack, since(known.Away.Since)
				over(known.Away, news)
			}
			s.Workers[w.WorkerID] = &Worker{Name: w.Name}
			continue
		}
		reported := l.reported[w.WorkerID]
		if known == nil {
			if !reported {
				continue
			}
			known = &Worker{Name: w.Name}
			s.Workers[w.WorkerID] = known
		}
		if known.Away == nil {
			known.Away = &Incident{Since: at}
		}
		known.Away.Declared = known.Away.Declared || reported || (!l.latent(w.Name) && since(known.Away.Since) >= l.after)
		if known.Away.Declared {
			news.kind, news.away, news.reported = workerMissing, since(known.Away.Since), reported
			tell(known.Away, news)
		}
	}
	for id := range s.Workers {
		if !configured[id] {
			delete(s.Workers, id)
		}
	}
	return out
}

// post tells the news to its channels.
func (m *Monitor) post(news incident, opts Options, gone map[string]bool) {
	message := m.Words.Server().String(news.message(opts.LinkBase, reposOf(news.builders, opts.RepoOf)))
	for _, channel := range news.channels {
		if m.channelGone(channel, gone) {
			continue
		}
		props := model.StringInterface{PropKind: string(news.kind)}
		if news.worker != "" {
			props["buildbot_worker"] = news.worker
		}
		if err := m.Posts.CreatePost(&model.Post{ChannelId: channel, UserId: m.BotID, Message: message, Props: props}); err != nil {
			m.warn("Could not post Buildbot's health", "channel_id", channel, "kind", string(news.kind), "error", err.Error())
		}
	}
}

// audienceOf lists, once each, the channels whose subscriptions cover some news.
func audienceOf(news incident, subs []subscription.Subscription, repoOf func(int) (string, bool)) []string {
	repos := reposOf(news.builders, repoOf)
	var out []string
	for _, s := range subs {
		if covers(s, news, repos) && !slices.Contains(out, s.ChannelID) {
			out = append(out, s.ChannelID)
		}
	}
	return out
}

// covers says whether a subscription hears of an incident: Buildbot's own news goes to every
// subscription to health, a worker's to `*` and to those of a repo it builds.
func covers(s subscription.Subscription, news incident, repos []string) bool {
	if news.kind == buildbotDown || news.kind == buildbotBack || s.Repo == subscription.AnyRepo {
		return true
	}
	return slices.ContainsFunc(repos, func(r string) bool { return strings.EqualFold(r, s.Repo) })
}

// channelGone says whether a channel was deleted or archived, and drops its subscriptions if so.
func (m *Monitor) channelGone(channelID string, gone map[string]bool) bool {
	if isGone, seen := gone[channelID]; seen {
		return isGone
	}
	gone[channelID] = m.Posts.ChannelGone(channelID)
	if gone[channelID] {
		if err := m.Subs.DropChannel(channelID); err != nil {
			m.warn("Could not drop the subscriptions of a deleted or archived channel", "channel_id", channelID, "error", err.Error())
		}
	}
	return gone[channelID]
}

// reposOf names the repos of a worker's builders, sorted.
func reposOf(builders []int, repoOf func(int) (string, bool)) []string {
	if repoOf == nil {
		return nil
	}
	var repos []string
	for _, id := range builders {
		if repo, ok := repoOf(id); ok && !slices.Contains(repos, repo) {
			repos = append(repos, repo)
		}
	}
	slices.Sort(repos)
	return repos
}

func (m *Monitor) warn(msg string, keyValuePairs ...any) {
	if m.Log != nil {
		m.Log.LogWarn(msg, keyValuePairs...)
	}
}
