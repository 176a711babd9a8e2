package tracker

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildlog"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/post"
)

// Posts is what the tracker needs of Mattermost's posts.
type Posts interface {
	GetPost(postID string) (*model.Post, error)
	UpdatePost(p *model.Post) error
	CreatePost(p *model.Post) error
	DeletePost(postID string) error
	// ChannelGone says whether a channel was deleted or archived.
	ChannelGone(channelID string) bool
	// PostsSince lists a channel's posts made since an epoch-milliseconds time.
	PostsSince(channelID string, since int64) ([]*model.Post, error)
}

// ErrPostGone is what GetPost returns for a deleted post: its tracking ends quietly.
var ErrPostGone = errors.New("the post is gone")

// unreachableAfter is how many failed ticks in a row it takes before posts say Buildbot is
// unreachable: one blip is not worth an edit of every post.
const unreachableAfter = 3

// maxPerTick bounds what one tick reads from Buildbot.
const maxPerTick = 1000

// changeWait is how long a change may go without a build before its post says none came.
const changeWait = 10 * time.Minute

// Logger hears what the tracker could not do, with the ids to find it by.
type Logger interface {
	LogWarn(msg string, keyValuePairs ...any)
}

// Tracker brings tracked status posts up to date.
type Tracker struct {
	Store Store
	Posts Posts
	// ActionURL is the plugin route the posts' buttons call.
	ActionURL string
	// BotID authors failure replies.
	BotID string
	// Log may be nil.
	Log Logger
	// Subs are the channels' subscriptions; nil follows only the builds chat started.
	Subs Subscriptions
	// Users finds change authors on Mattermost; nil mentions nobody.
	Users Users
	// Words word the posts in the server's language: a channel has none of its own.
	Words *i18n.Bundle
	// Notify tells people of builds in direct messages; nil tells no one.
	Notify Notifier
	// PostsChanged is told after a tick in which a status post was made or came to show another
	// state (the Builds panel lists people's own builds from their posts); nil tells no one.
	PostsChanged func()

	mu          sync.Mutex
	failures    int
	failedSince time.Time
	opts        Options
	steps       stepProgress
	interest    interest
	// queue is where queued requests stand, for the tick that runs.
	queue Queue
	// postsChanged says the tick running made a status post or changed the state one shows.
	postsChanged bool
	// setUp is the build discover waits for while Buildbot sets it up, and since when.
	setUp struct {
		buildID int
		since   time.Time
	}
}

// Options are the settings a tick follows, read anew each tick.
type Options struct {
	// LinkBase is the Buildbot address for links people open.
	LinkBase string
	// Reply says whether failures get a reply; LogLines is how much log it quotes.
	Reply    bool
	LogLines int
	// MentionAuthors says whether a subscribed build's failure mentions the authors of its changes.
	MentionAuthors bool
	// InUse gives the Fingerprint of the Buildbot the settings name now. A tick whose client is
	// not that one (the settings changed while it waited) lets nothing go. Nil: the tick's client.
	InUse func() string
	// Watched names a builder's repo, as the catalog knows it, for subscriptions.
	Watched func(builderID int) (Watched, bool)
	// Posts says whether the settings let subscribed builds be posted in a channel. Nil: all.
	Posts func(channelID string) bool
	// Queue reads where queued requests stand, once a tick that follows queued builds; nil, or
	// a nil answer, shows no place or estimate.
	Queue func(ctx context.Context) Queue
}

// Queue says where a queued request stands: its place in its builder's line and when it should
// start, in epoch ms rounded to the minute so a post changes only when the estimate does; zero
// when unknown.
type Queue func(requestID int) (place int, startsAt int64)

// queueOf reads where queued requests stand when a followed build has one.
func (t *Tracker) queueOf(ctx context.Context, here []*Tracked) Queue {
	if t.opts.Queue == nil {
		return nil
	}
	for _, tr := range here {
		for _, row := range tr.Props.Rows {
			if row.State == post.StateQueued {
				return t.opts.Queue(ctx)
			}
		}
	}
	return nil
}

// Tick polls Buildbot once for every tracked build. Its cost in Buildbot requests is the same
// for one tracked build or five hundred: build requests and builds from the oldest request still
// followed, in two reads. Only followed requests further apart than a page cost two reads more
// per gap (a request stuck in a queue for days while thousands run after it).
func (t *Tracker) Tick(ctx context.Context, bb *buildbot.Client, opts Options) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	defer t.tellPostsChanged()
	t.opts = opts
	t.Store.Hold()
	defer func() {
		if err := t.Store.Release(); err != nil {
			t.warnf("Could not journal a tick's changes of followed builds; other servers read them later", "error", err.Error())
		}
	}()
	arrived := t.takeArrived()
	if shown, err := t.showArrived(ctx, bb, arrived); shown || err != nil {
		if err == nil {
			// A build that finished moments after it started may not be followed for its
			// channels yet: found now, once its chat posts show it, it takes its result from
			// the same events.
			err = t.discover(ctx, bb)
		}
		if err == nil {
			_, err = t.showArrived(ctx, bb, arrived)
		}
		return err
	}
	if err := t.discover(ctx, bb); err != nil && buildbot.KindOf(err) == 0 {
		// Buildbot's failures show in the read below; the store's would go unseen.
		t.warnf("Could not look for subscribed builds", "error", err.Error())
	}
	all, err := t.Store.List()
	if err != nil {
		return err
	}
	all = t.expire(t.posted(all))
	here, elsewhere := bySource(all, bb.Fingerprint())
	var ids []int
	// A change's builds have requests after the one it waits from, so its window is open-ended.
	openFrom := map[int]bool{}
	for _, tr := range here {
		if tr.waiting() {
			ids = append(ids, tr.AfterRequest+1)
			openFrom[tr.AfterRequest+1] = true
		}
		for _, row := range tr.Props.Rows {
			if !row.State.Done() {
				ids = append(ids, row.RequestID)
			}
		}
	}
	if len(ids) == 0 {
		for _, tr := range here {
			t.forget(tr)
		}
		t.noteInterest(nil)
		if len(elsewhere) == 0 {
			return nil
		}
		// Builds from another Buildbot are let go only once this one answers: settings with a
		// mistyped address must not end them.
		_, err = bb.BuildRequests(ctx, buildbot.Query{Limit: 1})
	} else {
		var requests []buildbot.BuildRequest
		var builds []buildbot.Build
		if requests, builds, err = read(ctx, bb, windows(ids, openFrom), len(openFrom) > 0); err == nil {
			t.queue = t.queueOf(ctx, here)
			changing, now := mayChange(here, requests, t.queue)
			t.apply(ctx, bb, changing, withQueued(requests, changing), builds)
			t.queue = nil
			t.noteInterest(now)
		}
	}
	if err == nil {
		t.failures = 0
		if opts.InUse == nil || opts.InUse() == bb.Fingerprint() {
			t.letGo(elsewhere)
		}
		return nil
	}
	t.failures++
	if t.failures == 1 {
		t.failedSince = time.Now()
	}
	if t.failures >= unreachableAfter {
		for _, tr := range all {
			if tr.Props.UnreachableSince == 0 && !tr.Pending {
				tr = tr.copy()
				tr.Props.UnreachableSince = t.failedSince.UnixMilli()
				t.publish(tr, nil)
			}
		}
	}
	return fmt.Errorf("poll Buildbot: %w", err)
}

// tellPostsChanged tells PostsChanged what the tick did, once.
func (t *Tracker) tellPostsChanged() {
	if t.postsChanged && t.PostsChanged != nil {
		t.PostsChanged()
	}
	t.postsChanged = false
}

// apply folds what Buildbot said into each tracked build and publishes the ones that changed.
func (t *Tracker) apply(ctx context.Context, bb *buildbot.Client, all []*Tracked, requests []buildbot.BuildRequest, builds []buildbot.Build) {
	byRequest := map[int]buildbot.BuildRequest{}
	for _, r := range requests {
		byRequest[r.BuildRequestID] = r
	}
	newestBuild := map[int]buildbot.Build{}
	for _, b := range builds {
		// Builds come oldest first, so a retried request ends with its newest build.
		newestBuild[b.BuildRequestID] = b
	}
	var builderNames map[int]string
	newlyFailed, newlyDone := map[*Tracked][]int{}, map[*Tracked][]int{}
	finished := newResults(t.Store)
	for _, tr := range all {
		tr.Props.UnreachableSince = 0
		if tr.waiting() {
			builderNames = t.adoptChangeBuilds(ctx, bb, tr, builds, builderNames)
		}
		for i := range tr.Props.Rows {
			row := &tr.Props.Rows[i]
			req, known := byRequest[row.RequestID]
			if row.State.Done() || !known {
				continue
			}
			var build *buildbot.Build
			if b, ok := newestBuild[row.RequestID]; ok {
				build = &b
				row.BuildID, row.Number, row.StateString = b.BuildID, b.Number, b.StateString
				row.StartedAt, row.CompleteAt = int64(b.StartedAt), int64(b.CompleteAt)
				row.URL = buildbot.BuildURL(t.opts.LinkBase, row.BuilderID, b.Number)
			}
			row.State = post.StateOf(req, build)
			if row.State.Done() {
				row.Step = ""
			}
			switch {
			case row.State != post.StateQueued || t.queue == nil:
				row.QueuePlace, row.QueueStartsAt = 0, 0
			default:
				if place, startsAt := t.queue(row.RequestID); !sameQueue(*row, place, startsAt) {
					row.QueuePlace, row.QueueStartsAt = place, startsAt
				}
			}
			if row.State == post.StateCancelled {
				t.noteStopper(tr, row)
			}
			if row.State.Done() {
				finished.record(bb.Fingerprint(), *row, tr.Props.Branch)
				newlyDone[tr] = append(newlyDone[tr], i)
			}
			if row.State == post.StateFailure || row.State == post.StateException {
				newlyFailed[tr] = append(newlyFailed[tr], i)
			}
		}
	}
	t.readSteps(ctx, bb, all)
	for _, tr := range all {
		t.decide(ctx, bb, tr, newlyDone[tr], finished)
	}
	// Before the flush, which makes these results the previous ones.
	for tr, rows := range newlyDone {
		t.notePreviousFailures(ctx, bb, tr, rows, finished)
	}
	broke := t.breaks(ctx, bb, newlyFailed, finished)
	finished.flush(t)
	for _, tr := range all {
		// A subscribed build its channel will not see costs no more reads.
		shown := !tr.Pending || tr.announce
		if len(newlyFailed[tr]) > 0 && tr.Watch != nil && shown {
			t.blame(ctx, bb, tr, tr.Props.Rows[newlyFailed[tr][0]], finished)
		}
		// Who to mention in a reply: the requester of a chat build, the authors of the changes
		// of a subscribed one whose post an edit updates (a post made now mentions them itself).
		mentions := tr.Props.Mentions
		switch {
		case tr.Props.RequestedBy != "":
			mentions = []string{tr.Props.RequestedBy}
		case tr.Pending:
			mentions = nil
		}
		var replies []failure
		for _, i := range newlyFailed[tr] {
			if !shown {
				continue
			}
			row := &tr.Props.Rows[i]
			var lines []string
			row.FailedStep, row.LogURL, lines = t.failedStep(ctx, bb, *row)
			report := buildlog.Analyze(strings.Join(lines, "\n"))
			row.Tests = t.failedTests(ctx, bb, finished, *row, tr.Props.Branch, report)
			if t.opts.Reply && len(mentions) > 0 {
				log := post.FailureLog{Tail: logTail(lines, t.opts.LogLines)}
				// An error the quoted end of the log holds is not quoted twice; one whose block runs
				// into that end is quoted up to it.
				if tailStart := len(lines) - min(len(lines), t.opts.LogLines); report.FirstError != nil && report.ErrorLine < tailStart {
					log.FirstError = report.FirstError[:min(len(report.FirstError), tailStart-report.FirstErrorLine)]
				}
				replies = append(replies, failure{row: *row, log: log, mentions: mentions})
			}
		}
		t.publish(tr, replies)
	}
	// Once every post shows this tick's results: a message, and a read of who to tell, must not
	// hold back another post.
	t.tell(ctx, bb, all, newlyDone, broke, finished)
}

// showArrived shows the results that Buildbot's finished events carried, without reading
// Buildbot again: the event holds the whole build. It says whether a followed build took one; the
// next tick (the request's completion follows at once) reads everything as usual. A build that
// still waits for a change's builds or for its post is left to that tick, as is a result older
// than the build a row shows (the request was retried meanwhile). A subscribed build takes its
// result too (a pending one is posted now), unless an older followed build of its builder and
// branch is still running: transitions compare each result with the one before it, so results
// must be taken in the order of their builds, and the tick's read orders them.
func (t *Tracker) showArrived(ctx context.Context, bb *buildbot.Client, arrived []buildbot.Build) (bool, error) {
	if len(arrived) == 0 {
		return false, nil
	}
	all, err := t.Store.List()
	if err != nil {
		return false, err
	}
	newest := map[int]buildbot.Build{}
	for _, b := range arrived {
		newest[b.BuildRequestID] = b
	}
	var taking []*Tracked
	var requests []buildbot.BuildRequest
	for _, tr := range all {
		if !tr.Props.From(bb.Fingerprint()) || tr.waiting() || (tr.PostID == "" && !tr.Pending) {
			continue
		}
		takes := false
		for _, row := range tr.Props.Rows {
			if b, ok := newest[row.RequestID]; ok && !row.State.Done() && b.BuildID >= row.BuildID && (tr.Watch == nil || !olderRunning(tr, row, all)) {
				requests = append(requests, buildbot.BuildRequest{BuildRequestID: row.RequestID})
				takes = true
			}
		}
		if takes {
			taking = append(taking, tr.copy())
		}
	}
	if len(taking) == 0 {
		return false, nil
	}
	t.apply(ctx, bb, taking, requests, arrived)
	return true, nil
}

// olderRunning says whether a followed build of the builder and branch of a subscribed entry's
// row, older than the row's, has yet to finish.
func olderRunning(tr *Tracked, own post.Row, all []*Tracked) bool {
	for _, other := range all {
		if other.Props.Branch != tr.Props.Branch || !other.Props.From(tr.Props.Source) {
			continue
		}
		for _, row := range other.Props.Rows {
			if row.BuilderID == own.BuilderID && row.RequestID < own.RequestID && !row.State.Done() {
				return true
			}
		}
	}
	return false
}

// read fetches the build requests Buildbot has claimed and their builds, oldest first, a window
// at a time and a page at a time. A queued request is left out, so a thousand builds waiting for a
// worker cost an empty reply; what is read grows with the builds that started, not with what the
// plugin follows. An open-ended window may reach into the next, so a build two windows both hold
// is kept once: a change would otherwise adopt it twice. A request read twice only sets its entry
// in apply's map again. Builds' properties are read only while a change waits for its builds: its
// tag is one.
func read(ctx context.Context, bb *buildbot.Client, ws []window, tags bool) ([]buildbot.BuildRequest, []buildbot.Build, error) {
	var requests []buildbot.BuildRequest
	var builds []buildbot.Build
	var properties []string
	if tags {
		properties = []string{RequestProperty}
	}
	seen := map[int]bool{}
	for _, w := range ws {
		rs, err := pages(func(after int) ([]buildbot.BuildRequest, int, error) {
			filters := append(w.filters(max(w.from, after+1)), buildbot.Claimed)
			page, err := bb.BuildRequests(ctx, buildbot.Query{Filters: filters, Fields: buildbot.BuildRequestFields, Order: []string{"buildrequestid"}, Limit: maxPerTick})
			if len(page) == 0 {
				return page, 0, err
			}
			return page, page[len(page)-1].BuildRequestID, err
		})
		if err != nil {
			return nil, nil, err
		}
		bs, err := pages(func(after int) ([]buildbot.Build, int, error) {
			filters := w.filters(w.from)
			if after > 0 {
				filters = append(filters, buildbot.Where("buildid", "gt", after))
			}
			page, err := bb.Builds(ctx, buildbot.Query{Filters: filters, Order: []string{"buildid"}, Limit: maxPerTick, Properties: properties})
			if len(page) == 0 {
				return page, 0, err
			}
			return page, page[len(page)-1].BuildID, err
		})
		if err != nil {
			return nil, nil, err
		}
		requests = append(requests, rs...)
		for _, b := range bs {
			if !seen[b.BuildID] {
				seen[b.BuildID] = true
				builds = append(builds, b)
			}
		}
	}
	// Builds of a request in a later window may have come first; apply wants them oldest first.
	slices.SortFunc(builds, func(a, b buildbot.Build) int { return a.BuildID - b.BuildID })
	return requests, builds, nil
}

// pages reads page after page while they come full: next gets the last id of the page before
// (0 for the first) and gives a page and its last id. A Buildbot that ignored the filter and
// gave the same page again ends the reading rather than looping.
func pages[T any](next func(after int) ([]T, int, error)) ([]T, error) {
	var all []T
	after := 0
	for {
		page, last, err := next(after)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if len(page) < maxPerTick || last <= after {
			return all, nil
		}
		after = last
	}
}

// withQueued adds the unfinished requests of the changing builds that read left out, which are
// queued: every one read covered. A row that showed a build may go back to queued, when its build
// was retried.
func withQueued(claimed []buildbot.BuildRequest, changing []*Tracked) []buildbot.BuildRequest {
	read := make(map[int]bool, len(claimed))
	for _, r := range claimed {
		read[r.BuildRequestID] = true
	}
	for _, tr := range changing {
		for _, row := range tr.Props.Rows {
			if !row.State.Done() && !read[row.RequestID] {
				claimed = append(claimed, buildbot.BuildRequest{BuildRequestID: row.RequestID})
				read[row.RequestID] = true
			}
		}
	}
	return claimed
}

// mayChange copies the followed builds a tick may change, given the requests Buildbot claimed,
// and returns the copies, and here with the copies in their places. The others wait for a worker
// as their posts show, and stay as this node holds them: at ten thousand followed builds, a copy
// of each made most of the plugin's memory.
func mayChange(here []*Tracked, claimed []buildbot.BuildRequest, where Queue) (changing, now []*Tracked) {
	started := make(map[int]bool, len(claimed))
	for _, r := range claimed {
		started[r.BuildRequestID] = true
	}
	now = make([]*Tracked, len(here))
	for i, tr := range here {
		now[i] = tr
		if waitsAsShown(tr, started, where) {
			continue
		}
		now[i] = tr.copy()
		changing = append(changing, now[i])
	}
	return changing, now
}

// waitsAsShown says whether a followed build is shown (or, pending, stored) as it is, with its
// unfinished rows queued, none of their requests claimed, and each where its post says in the
// queue: nothing in a tick changes it.
func waitsAsShown(tr *Tracked, claimed map[int]bool, where Queue) bool {
	if tr.Props.UnreachableSince != 0 || tr.waiting() || tr.Done() || (tr.Shown == "" && !tr.Pending) {
		return false
	}
	for _, row := range tr.Props.Rows {
		if !row.State.Done() && (row.State != post.StateQueued || claimed[row.RequestID]) {
			return false
		}
		if row.State == post.StateQueued && where != nil {
			if place, startsAt := where(row.RequestID); !sameQueue(row, place, startsAt) {
				return false
			}
		}
	}
	return true
}

// queueDrift is how far an estimated start may move before a queued build's post says so: behind
// a build that runs longer than usual, the estimate moves with the clock, and its post need not.
const queueDrift = 2 * time.Minute

// sameQueue says whether a queued row shows where its request stands: the same place, and a start
// known as before and within queueDrift of it.
func sameQueue(row post.Row, place int, startsAt int64) bool {
	if place != row.QueuePlace || (startsAt == 0) != (row.QueueStartsAt == 0) {
		return false
	}
	return time.Duration(abs(startsAt-row.QueueStartsAt))*time.Millisecond < queueDrift
}

func abs(d int64) int64 {
	if d < 0 {
		return -d
	}
	return d
}

// window is a range of followed request ids; to is 0 when it is open-ended.
type window struct{ from, to int }

// filters selects the requests, or the builds of the requests, of the window from an id on.
func (w window) filters(from int) []buildbot.Filter {
	filters := []buildbot.Filter{buildbot.Where("buildrequestid", "ge", from)}
	if w.to != 0 {
		filters = append(filters, buildbot.Where("buildrequestid", "le", w.to))
	}
	return filters
}

// windows covers ids with as few ranges as it can without reading long runs of requests the
// plugin does not follow: a gap of a page or more between two followed requests (one stuck in a
// queue for days while thousands ran after it) starts a new window. A window holding an id of
// openFrom is open-ended.
func windows(ids []int, openFrom map[int]bool) []window {
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	var out []window
	w, open := window{from: sorted[0], to: sorted[0]}, false
	for _, id := range sorted {
		if id-w.to >= maxPerTick {
			if open {
				w.to = 0
			}
			out = append(out, w)
			w, open = window{from: id}, false
		}
		w.to, open = id, open || openFrom[id]
	}
	if open {
		w.to = 0
	}
	return append(out, w)
}

// bySource parts tracked builds into those started on the Buildbot of this fingerprint and those
// started on another, whose ids would name other builds here.
func bySource(all []*Tracked, fingerprint string) (here, elsewhere []*Tracked) {
	for _, tr := range all {
		if tr.Props.From(fingerprint) {
			here = append(here, tr)
		} else {
			elsewhere = append(elsewhere, tr)
		}
	}
	return here, elsewhere
}

// letGo ends the tracking of builds started on a Buildbot the plugin no longer uses: their
// unfinished rows say so, and their posts keep the links to that Buildbot. Publishing finishes
// them, or leaves them for the next tick when Mattermost did not take the edit.
func (t *Tracker) letGo(elsewhere []*Tracked) {
	for _, tr := range elsewhere {
		if tr.Pending {
			t.forget(tr)
			continue
		}
		tr = tr.copy()
		tr.Props.UnreachableSince, tr.Props.Unfollowed = 0, true
		for i := range tr.Props.Rows {
			if row := &tr.Props.Rows[i]; !row.State.Done() {
				row.State, row.Step = post.StateUnfollowed, ""
			}
		}
		t.publish(tr, nil)
	}
}

// adoptChangeBuilds gives a change's status post a row for each build its tag shows up on, and
// gives up on the change after changeWait. Builder names are read once a tick, when needed.
func (t *Tracker) adoptChangeBuilds(ctx context.Context, bb *buildbot.Client, tr *Tracked, builds []buildbot.Build, names map[int]string) map[int]string {
	for _, b := range builds {
		if b.Properties.Get(RequestProperty) != tr.Tag {
			continue
		}
		if names == nil {
			names = map[int]string{}
			if builders, err := bb.Builders(ctx); err == nil {
				for _, builder := range builders {
					names[builder.BuilderID] = builder.Name
				}
			}
		}
		name := names[b.BuilderID]
		if name == "" {
			name = fmt.Sprintf("builder %d", b.BuilderID)
		}
		tr.Props.Rows = append(tr.Props.Rows, post.Row{Builder: name, BuilderID: b.BuilderID, RequestID: b.BuildRequestID, State: post.StateQueued,
			URL: buildbot.BuildRequestURL(t.opts.LinkBase, b.BuildRequestID)})
		t.markChat(tr, tr.PostID)
	}
	if len(tr.Props.Rows) == 0 && time.Since(time.UnixMilli(tr.CreatedAt)) > changeWait {
		tr.Props.NothingStarted = true
	}
	return names
}

// failure is a failed row and what its failed step's log says, for the reply, and who to mention.
type failure struct {
	row      post.Row
	log      post.FailureLog
	mentions []string
}

// publish writes a tracked build's status into its post when what the post shows changed,
// replies about failures, and stores or forgets the build. A deleted post is noticed when its
// build next changes, and ends the tracking quietly.
func (t *Tracker) publish(tr *Tracked, failures []failure) {
	// An entry the tick left as it was stored shows in its post already: at a thousand followed
	// builds, working out what each post would show cost most of a tick.
	if len(failures) == 0 && !tr.Pending && tr.Shown != "" && !tr.Done() && tr.unchanged() {
		return
	}
	if tr.Pending {
		t.settlePending(tr)
		return
	}
	if digest := post.Digest(tr.Props); digest != tr.Shown {
		p, err := t.Posts.GetPost(tr.PostID)
		if errors.Is(err, ErrPostGone) {
			t.forget(tr)
			return
		}
		if err != nil {
			t.warn("Could not read a status post to update it", tr, "error", err.Error())
			return
		}
		before, _ := post.Decode(p)
		post.Apply(p, tr.Props, t.ActionURL, t.Words.Server())
		if err := t.Posts.UpdatePost(p); err != nil {
			t.warn("Could not update a status post", tr, "error", err.Error())
			return
		}
		tr.Shown = digest
		t.postsChanged = t.postsChanged || !post.SameStates(before, tr.Props)
	}
	for _, f := range failures {
		t.replyFailure(tr, f)
	}
	if tr.Done() {
		t.forget(tr)
		return
	}
	if err := t.Store.Save(tr); err != nil {
		t.warn("Could not store a followed build", tr, "error", err.Error())
	}
}

// settlePending posts a subscribed build once a result its channel asks for comes, and from then
// on it is followed as any build with a post; one that ends without such a result is forgotten,
// and until either it is only stored.
func (t *Tracker) settlePending(tr *Tracked) {
	switch {
	case tr.announce:
		// From now on the entry is followed as one with a post. A post Mattermost refuses is made
		// by a later tick, as one a crash interrupted (resume).
		tr.Pending, tr.ClaimedAt = false, time.Now().UnixMilli()
		if err := t.postEntry(tr); err != nil {
			t.warn("Could not post a subscribed build; a later tick tries again", tr, "error", err.Error())
			t.saved(tr)
			return
		}
		if tr.Done() {
			t.forget(tr)
			return
		}
		t.saved(tr)
	case tr.Done():
		t.forget(tr)
	default:
		t.saved(tr)
	}
}

// forget ends the tracking of a build.
func (t *Tracker) forget(tr *Tracked) {
	if err := t.Store.Delete(tr.ID); err != nil {
		t.warn("Could not forget a finished build; it will be read again", tr, "error", err.Error())
	}
	t.steps.forget(tr)
}

// expire ends the builds followed for longer than forgetAfter, with a state that says so, and
// returns the others.
func (t *Tracker) expire(all []*Tracked) []*Tracked {
	out := all[:0]
	for _, tr := range all {
		if tr.CreatedAt == 0 || time.Since(time.UnixMilli(tr.CreatedAt)) < forgetAfter {
			out = append(out, tr)
			continue
		}
		if tr.Pending {
			t.forget(tr)
			continue
		}
		tr = tr.copy()
		tr.Props.Expired, tr.Props.UnreachableSince = true, 0
		for i := range tr.Props.Rows {
			if row := &tr.Props.Rows[i]; !row.State.Done() {
				row.State, row.Step = post.StateExpired, ""
			}
		}
		t.publish(tr, nil)
	}
	return out
}

// noteStopper names who stopped a cancelled row. The post mentions a Mattermost user only when the
// plugin recorded that user clicking Stop on it: Buildbot's state text keeps the reason a build was
// stopped with, which anyone with Buildbot's UI can write ("Stopped by @channel from Mattermost"),
// so any other reason is shown as Buildbot's text, escaped. A request cancelled before it ran
// keeps no reason at all.
func (t *Tracker) noteStopper(tr *Tracked, row *post.Row) {
	named, reason := post.Stopped(row.StateString)
	recorded, err := t.Store.Stopper(tr.ID)
	if err != nil {
		t.warn("Could not read who stopped a build", tr, "error", err.Error())
	}
	if recorded != "" && (named == recorded || reason == "") {
		row.StoppedBy, row.StopReason = recorded, ""
		return
	}
	row.StoppedBy, row.StopReason = "", reason
}

// warnf logs what went wrong, with the ids that find it.
func (t *Tracker) warnf(msg string, keyValuePairs ...any) {
	if t.Log != nil {
		t.Log.LogWarn(msg, keyValuePairs...)
	}
}

// warn logs what went wrong with a tracked build, with the ids that find it in Mattermost and
// Buildbot.
func (t *Tracker) warn(msg string, tr *Tracked, keyValuePairs ...any) {
	requests := make([]string, 0, len(tr.Props.Rows))
	for _, r := range tr.Props.Rows {
		requests = append(requests, fmt.Sprintf("%d/%d", r.RequestID, r.BuildID))
	}
	t.warnf(msg, append([]any{"track_id", tr.ID, "post_id", tr.PostID, "requests/builds", strings.Join(requests, ",")}, keyValuePairs...)...)
}

// replyFailure answers in the post's thread, naming the requester (an edited post notifies no
// one) with the failed step and the end of its log. A status post may itself be a reply (a
// Rebuild, or /build in a thread): Mattermost takes replies to a thread's root only.
func (t *Tracker) replyFailure(tr *Tracked, f failure) {
	root := tr.RootID
	if root == "" {
		root = tr.PostID
	}
	reply := &model.Post{UserId: t.BotID, ChannelId: tr.ChannelID, RootId: root, Message: post.FailureReply(f.row, f.mentions, f.log, t.Words.Server())}
	if err := t.Posts.CreatePost(reply); err != nil {
		t.warn("Could not reply about a failed build", tr, "root_id", root, "error", err.Error())
	}
}

// maxLogRead bounds the lines of a failed step's log read for its failed tests and first error:
// the whole log up to it, else its first and last halves (a long log's cause is near its start,
// its test runner's summary at its end).
const maxLogRead = 4000

// failedStep finds the first failed step of a build, a link to its log, and the lines of the log
// it read (see maxLogRead).
func (t *Tracker) failedStep(ctx context.Context, bb *buildbot.Client, row post.Row) (name, logURL string, lines []string) {
	steps, err := bb.Steps(ctx, row.BuildID, buildbot.Query{})
	if err != nil {
		return "", "", nil
	}
	for _, s := range steps {
		if s.Results == nil || (*s.Results != buildbot.Failure && *s.Results != buildbot.Exception) {
			continue
		}
		logs, err := bb.Logs(ctx, row.BuildID, s.Number)
		if err != nil || len(logs) == 0 {
			return s.Name, "", nil
		}
		logURL = buildbot.LogURL(t.opts.LinkBase, row.BuilderID, row.Number, s.Number, logs[0].Slug)
		return s.Name, logURL, readLog(ctx, bb, logs[0])
	}
	return "", "", nil
}

// readLog reads a log's lines within maxLogRead; what it could not read is left out.
func readLog(ctx context.Context, bb *buildbot.Client, log buildbot.Log) []string {
	if log.NumLines <= maxLogRead {
		lines, _ := bb.LogLines(ctx, log, 0, maxLogRead)
		return lines
	}
	head, _ := bb.LogLines(ctx, log, 0, maxLogRead/2)
	tail, _ := bb.LogLines(ctx, log, log.NumLines-maxLogRead/2, maxLogRead/2)
	return append(head, tail...)
}

// logTail is the last n lines, as the reply quotes them: a ``` in the log would end its block.
func logTail(lines []string, n int) string {
	if n <= 0 {
		return ""
	}
	return strings.ReplaceAll(strings.Join(lines[max(0, len(lines)-n):], "\n"), "```", "'''")
}

// failedTests are what a failed build's tests said: the test results Buildbot holds, else what
// the failed step's log printed. Each failed test it names is marked new or already failing
// against the build before on the same builder and branch.
func (t *Tracker) failedTests(ctx context.Context, bb *buildbot.Client, r *results, row post.Row, branch string, report buildlog.Report) *post.Tests {
	found, ok, err := buildbotTests(ctx, bb, row.BuildID, post.MaxFailingShown)
	if err != nil || !ok {
		found, ok = logTests(report)
	}
	if !ok {
		return nil
	}
	return found.shown(t.failedBefore(ctx, bb, r, row, branch, found.tests.From))
}

// failedBefore are the tests that failed in the build before row's on its builder and branch,
// read the way row's were: empty when that build passed, nil when it is unknown.
func (t *Tracker) failedBefore(ctx context.Context, bb *buildbot.Client, r *results, row post.Row, branch, from string) map[string]bool {
	previous := r.previousBuild(ctx, bb, row, branch)
	if previous == nil || previous.Results == nil {
		return nil
	}
	switch *previous.Results {
	case buildbot.Success, buildbot.Warnings:
		return map[string]bool{}
	case buildbot.Failure:
	default:
		return nil
	}
	var found testsFound
	var ok bool
	if from == post.TestsFromBuildbot {
		found, ok, _ = buildbotTests(ctx, bb, previous.BuildID, maxFailingCompared)
	} else {
		before := row
		before.BuildID, before.Number = previous.BuildID, previous.Number
		_, _, lines := t.failedStep(ctx, bb, before)
		found, ok = logTests(buildlog.Analyze(strings.Join(lines, "\n")))
	}
	if !ok {
		return nil
	}
	names := make(map[string]bool, len(found.failing))
	for _, name := range found.failing {
		names[name] = true
	}
	return names
}
