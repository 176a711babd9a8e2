// Package panel reads what the Builds panel shows of Buildbot: every running and queued build,
// when each queued one should start, and which builders are red. One read of Buildbot serves
// every viewer on this server: it is read again when Buildbot's events say something changed or
// when the copy is a few seconds old, never once per viewer.
package panel

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/queue"
)

// Board is Buildbot's state as one read saw it. It is never changed after it is read.
type Board struct {
	ReadAt time.Time
	// Source is the Fingerprint of the Buildbot read: the settings may name another since.
	Source string
	// Running are the builds that run now, oldest first; Steps names the step each runs, when
	// it was read.
	Running []buildbot.Build
	Steps   map[int]string
	// Waiting are the build requests no worker took yet, each builder's in the order Buildbot
	// picks them.
	Waiting []Waiting
	// Streaks are, for each builder and branch that finished a build lately, how its last
	// builds ended.
	Streaks []Streak
	// Names names the builders of the running, queued and red builds.
	Names map[int]string
}

// Waiting is a queued build request, with what its buildset says and when it should start.
type Waiting struct {
	Request buildbot.BuildRequest
	// Branch and Reason are its buildset's: what it builds, and who or what asked.
	Branch, Reason string
	Estimate       queue.Estimate
}

// Estimate is a queued request's place and start, as the board read it.
func (b *Board) Estimate(requestID int) (queue.Estimate, bool) {
	for _, w := range b.Waiting {
		if w.Request.BuildRequestID == requestID {
			return w.Estimate, true
		}
	}
	return queue.Estimate{}, false
}

// Reader keeps the newest board and reads Buildbot again when it is asked for a newer one.
type Reader struct {
	// Client is the Buildbot to read; nil while the settings name none that works.
	Client func() *buildbot.Client
	// Timeout bounds one read of the board. Lifetime ends the reads in flight; it is the
	// plugin's, not a viewer's, since viewers share a read and one may go while others wait.
	Timeout  func() time.Duration
	Lifetime context.Context

	mu    sync.Mutex
	board *Board
	// reading is closed when the read in flight ends; nil when none is.
	reading chan struct{}
	err     error
	// changes keeps the first change of each red streak's first build, which never changes.
	changes readOnce[*buildbot.Change]
	// byPriority remembers, per Buildbot, whether it picks the queue by priority (3.9 and later).
	byPriority map[string]bool
	// buildsets keeps what each queued request's buildset builds and why, which never changes.
	buildsets  readOnce[buildsetSummary]
	steps      stepsRead
	properties propertyCache
	// names keeps the builders' names, of the Buildbot namesOf names: read again only when a
	// builder appears that it does not name.
	names   map[int]string
	namesOf string
}

// MaxAge is how old a board may be and still answer without reading Buildbot: the events make
// the webapps ask for a newer one as soon as something changes, and without events (polling
// only) a panel is that far behind at most.
const MaxAge = 5 * time.Second

// finishedFields are what the board reads of finished builds: a third less for Buildbot to send.
var finishedFields = []string{"buildid", "builderid", "number", "buildrequestid", "complete", "results", "started_at", "complete_at"}

// waitingWindow is how many queued requests one read looks at, oldest first: the line of a
// builder with thousands parked shows its head.
const waitingWindow = 1000

// finishedWindow is how many of the newest finished builds one read looks at, for the builders'
// durations and red streaks: one request, whatever the number of builders.
const finishedWindow = 1000

// Get returns a board read no earlier than after and at most MaxAge ago, reading Buildbot if the
// one held is older. Viewers asking at once share one read.
func (r *Reader) Get(ctx context.Context, after time.Time) (*Board, error) {
	bb := r.Client()
	if bb == nil {
		return nil, ErrNoBuildbot
	}
	for {
		r.mu.Lock()
		b := r.board
		if b != nil && b.Source == bb.Fingerprint() && !b.ReadAt.Before(after) && time.Since(b.ReadAt) < MaxAge {
			r.mu.Unlock()
			return b, nil
		}
		if r.reading != nil {
			wait := r.reading
			r.mu.Unlock()
			select {
			case <-wait:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			r.mu.Lock()
			b, err := r.board, r.err
			r.mu.Unlock()
			if err != nil {
				return nil, err
			}
			if b != nil && b.Source == bb.Fingerprint() && !b.ReadAt.Before(after) {
				return b, nil
			}
			continue
		}
		done := make(chan struct{})
		r.reading = done
		r.mu.Unlock()
		b, err := r.read(r.lifetime(), bb)
		r.mu.Lock()
		r.reading, r.err = nil, err
		if err == nil {
			r.board = b
		}
		r.mu.Unlock()
		close(done)
		return b, err
	}
}

func (r *Reader) lifetime() context.Context {
	if r.Lifetime != nil {
		return r.Lifetime
	}
	return context.Background()
}

// ErrNoBuildbot says the settings name no Buildbot the plugin can read.
var ErrNoBuildbot = fmt.Errorf("no Buildbot is set up")

// read reads the board: four requests whatever the number of builders or builds, and a few for
// the properties and steps of running builds and the first changes of red builders.
func (r *Reader) read(ctx context.Context, bb *buildbot.Client) (*Board, error) {
	ctx, cancel := context.WithTimeout(ctx, r.Timeout())
	defer cancel()
	readAt := time.Now()
	var (
		wg                 sync.WaitGroup
		running, finished  []buildbot.Build
		requests           []buildbot.BuildRequest
		workers            []buildbot.Worker
		errs               [4]error
		byPriority, probed = r.knownOrder(bb)
	)
	wg.Add(4)
	go func() {
		defer wg.Done()
		running, errs[0] = bb.Builds(ctx, buildbot.Query{Filters: []buildbot.Filter{buildbot.Where("complete", "eq", false)},
			Order: []string{"buildid"}})
	}()
	go func() {
		defer wg.Done()
		requests, errs[1] = bb.BuildRequests(ctx, buildbot.Query{
			Filters: []buildbot.Filter{buildbot.Where("claimed", "eq", false), buildbot.Where("complete", "eq", false)},
			Fields:  append(slices.Clone(buildbot.BuildRequestFields), "priority"), Order: []string{"buildrequestid"}, Limit: waitingWindow})
	}()
	go func() {
		defer wg.Done()
		finished, errs[2] = bb.Builds(ctx, buildbot.Query{Filters: []buildbot.Filter{buildbot.Where("complete", "eq", true)},
			Fields: finishedFields, Order: []string{"-buildid"}, Limit: finishedWindow})
	}()
	go func() {
		defer wg.Done()
		workers, errs[3] = bb.Workers(ctx)
		if !probed {
			byPriority = r.probeOrder(ctx, bb)
		}
	}()
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("read the builds panel's %s from Buildbot: %w", []string{"running builds", "queue", "finished builds", "workers"}[i], err)
		}
	}
	r.withProperties(ctx, bb, running, finished)
	b := &Board{ReadAt: readAt, Source: bb.Fingerprint(), Running: running, Steps: r.readSteps(ctx, bb, running)}
	b.Waiting = waiting(requests, running, finished, workers, byPriority, readAt)
	r.describe(ctx, bb, b.Waiting)
	b.Streaks = streaks(finished)
	r.firstChanges(ctx, bb, b.Streaks)
	b.Names = r.builderNames(ctx, bb, b)
	return b, nil
}

// knownOrder says whether this Buildbot picks its queue by priority, if a read already told.
func (r *Reader) knownOrder(bb *buildbot.Client) (byPriority, known bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	byPriority, known = r.byPriority[bb.Fingerprint()]
	return byPriority, known
}

// probeOrder reads Buildbot's version once: 3.9 and later pick the highest priority first.
func (r *Reader) probeOrder(ctx context.Context, bb *buildbot.Client) bool {
	version, err := bb.Version(ctx)
	if err != nil {
		return true
	}
	byPriority := !olderThan(version, 3, 9)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byPriority == nil {
		r.byPriority = map[string]bool{}
	}
	r.byPriority[bb.Fingerprint()] = byPriority
	return byPriority
}

// olderThan says whether a version such as "3.7.0" is older than major.minor.
func olderThan(version string, major, minor int) bool {
	var ma, mi int
	if _, err := fmt.Sscanf(version, "%d.%d", &ma, &mi); err != nil {
		return false
	}
	return ma < major || (ma == major && mi < minor)
}

// recentDurations is how many of a builder's newest finished builds its typical duration is
// taken from.
const recentDurations = 10

// waiting orders the queued requests of each builder as Buildbot will pick them, and estimates
// when each starts.
func waiting(requests []buildbot.BuildRequest, running, finished []buildbot.Build, workers []buildbot.Worker, byPriority bool, now time.Time) []Waiting {
	builders := map[int]*queue.Builder{}
	var order []int
	builder := func(id int) *queue.Builder {
		b, ok := builders[id]
		if !ok {
			b = &queue.Builder{ByPriority: byPriority}
			builders[id] = b
			order = append(order, id)
		}
		return b
	}
	for _, r := range requests {
		builder(r.BuilderID).Waiting = append(builder(r.BuilderID).Waiting, queue.Request{ID: r.BuildRequestID, Priority: r.Priority})
	}
	for _, b := range running {
		if q, ok := builders[b.BuilderID]; ok {
			q.Running = append(q.Running, b.StartedAt.Time())
		}
	}
	for _, b := range finished {
		q, ok := builders[b.BuilderID]
		if !ok || len(q.Durations) >= recentDurations || b.Results == nil || !counts(*b.Results) || b.CompleteAt < b.StartedAt {
			continue
		}
		q.Durations = append(q.Durations, b.CompleteAt.Time().Sub(b.StartedAt.Time()))
	}
	for _, w := range workers {
		if len(w.ConnectedTo) == 0 || w.Paused {
			continue
		}
		seen := map[int]bool{}
		for _, c := range w.ConfiguredOn {
			if q, ok := builders[c.BuilderID]; ok && !seen[c.BuilderID] {
				seen[c.BuilderID] = true
				q.Workers++
			}
		}
	}
	byID := make(map[int]buildbot.BuildRequest, len(requests))
	for _, r := range requests {
		byID[r.BuildRequestID] = r
	}
	out := make([]Waiting, 0, len(requests))
	for _, id := range order {
		for _, e := range builders[id].Estimates(now) {
			out = append(out, Waiting{Request: byID[e.RequestID], Estimate: e})
		}
	}
	return out
}

// counts says whether a finished build ran as long as a build takes: a build stopped, skipped or
// retried says nothing of that.
func counts(r buildbot.Result) bool {
	return slices.Contains([]buildbot.Result{buildbot.Success, buildbot.Warnings, buildbot.Failure}, r)
}

// buildsetSummary is what the panel shows of a buildset: its branch, and who or what asked.
type buildsetSummary struct{ branch, reason string }

// buildsetReadsPerRead bounds the buildsets one read of the board reads; the requests of the
// others show no branch until a later read.
const buildsetReadsPerRead = 16

// describe gives queued requests their buildset's branch and reason, reading each buildset once.
func (r *Reader) describe(ctx context.Context, bb *buildbot.Client, list []Waiting) {
	ids := make([]int, len(list))
	for i, w := range list {
		ids[i] = w.Request.BuildsetID
	}
	r.buildsets.fill(bb.Fingerprint(), ids, buildsetReadsPerRead, func(id int) (buildsetSummary, error) {
		set, err := bb.Buildset(ctx, id)
		if err != nil {
			return buildsetSummary{}, err
		}
		summary := buildsetSummary{reason: set.Reason}
		if len(set.SourceStamps) > 0 {
			summary.branch = set.SourceStamps[0].Branch
		}
		return summary, nil
	})
	for i := range list {
		if s, ok := r.buildsets.get(list[i].Request.BuildsetID); ok {
			list[i].Branch, list[i].Reason = s.branch, s.reason
		}
	}
}

// builderNames names the builders the board shows, reading Buildbot's builders only when one is
// new to the reader: a builder's name does not change while its id stands.
func (r *Reader) builderNames(ctx context.Context, bb *buildbot.Client, b *Board) map[int]string {
	var ids []int
	for _, run := range b.Running {
		ids = append(ids, run.BuilderID)
	}
	for _, w := range b.Waiting {
		ids = append(ids, w.Request.BuilderID)
	}
	for _, s := range b.Streaks {
		if s.Red() {
			ids = append(ids, s.BuilderID)
		}
	}
	r.mu.Lock()
	known := r.namesOf == bb.Fingerprint()
	for _, id := range ids {
		if _, ok := r.names[id]; !ok {
			known = false
			break
		}
	}
	names := r.names
	r.mu.Unlock()
	if !known {
		builders, err := bb.Builders(ctx)
		if err == nil {
			names = make(map[int]string, len(builders))
			for _, builder := range builders {
				names[builder.BuilderID] = builder.Name
			}
			r.mu.Lock()
			r.names, r.namesOf = names, bb.Fingerprint()
			r.mu.Unlock()
		}
	}
	out := make(map[int]string, len(ids))
	for _, id := range ids {
		out[id] = names[id]
		if out[id] == "" {
			out[id] = fmt.Sprintf("builder %d", id)
		}
	}
	return out
}
