package tracker

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/post"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/subscription"
)

// Builds chat did not start, followed for the channels that subscribed to them. A tick reads the
// builds started since the last one (one read), makes an entry per build and channel, and from
// then on the entry is followed like any other; its post comes at the start or once the result is
// one the channel asked for.

// Subscriptions is what the tracker needs of the channels' subscriptions.
type Subscriptions interface {
	All() ([]subscription.Subscription, error)
	DropChannel(channelID string) error
}

// Users is what the tracker needs of Mattermost's users.
type Users interface {
	// UsernameByEmail finds the user with an e-mail address.
	UsernameByEmail(email string) (string, bool)
}

// Watched is what the catalog knows of a builder: its repo, the repo's default branch, its name,
// and whether a force scheduler serves it, which is what lets chat start builds on it.
type Watched struct {
	Repo, DefaultBranch, Builder string
	Served                       bool
}

// Watch is what a channel's subscriptions covering a build ask of it, merged.
type Watch struct {
	Events []subscription.Event `json:"events"`
	Style  subscription.Style   `json:"style"`
}

// newBuildsPerTick bounds one read of new builds; a longer backlog is read over the next ticks.
const newBuildsPerTick = 200

// setUpWait bounds how long discover waits for a build Buildbot is setting up. Buildbot takes
// moments; one that stays so was wedged by an error Buildbot only logs, and must not hold back
// every build after it.
const setUpWait = time.Minute

// discover looks at the builds started since the last tick and follows those the channels
// subscribed to. Without subscriptions it reads nothing, and forgets where it was, so a
// subscription made later starts from then rather than from history; without Watched (the
// catalog is cold) it waits where it is.
func (t *Tracker) discover(ctx context.Context, bb *buildbot.Client) error {
	if t.Subs == nil || t.opts.Watched == nil {
		return nil
	}
	all, err := t.Subs.All()
	if err != nil {
		return fmt.Errorf("read the subscriptions: %w", err)
	}
	subs := slices.DeleteFunc(all, func(s subscription.Subscription) bool {
		return !subscription.FollowsBuilds(s.Events) || (t.opts.Posts != nil && !t.opts.Posts(s.ChannelID))
	})
	t.noteSubscribed(len(subs) > 0)
	source := bb.Fingerprint()
	cursor, known, err := t.Store.Cursor(source)
	if err != nil {
		return err
	}
	if len(subs) == 0 {
		if known {
			return t.Store.DropCursor(source)
		}
		return nil
	}
	q := buildbot.Query{Order: []string{"buildid"}, Limit: newBuildsPerTick, Properties: []string{"branch", "revision"}}
	if !known {
		// Where to start: the newest build started before the first subscription was made, so
		// one started between it and this tick is not missed, and none older is news. Buildbot
		// keeps whole seconds: a build of the subscription's own second may have started after
		// it (a push right after /build subscribe), so it is news too.
		first := subs[0].CreatedAt
		for _, s := range subs {
			first = min(first, s.CreatedAt)
		}
		q = buildbot.Query{Order: []string{"-buildid"}, Limit: 1, Filters: []buildbot.Filter{buildbot.Where("started_at", "lt", first/1000)}}
	} else {
		q.Filters = []buildbot.Filter{buildbot.Where("buildid", "gt", cursor)}
	}
	builds, err := bb.Builds(ctx, q)
	if err != nil {
		return fmt.Errorf("read new builds: %w", err)
	}
	if !known {
		newest := 0
		if len(builds) > 0 {
			newest = builds[0].BuildID
		}
		return t.Store.SetCursor(source, newest)
	}
	found := newBuildsets(t.Store, source)
	alive := map[string]bool{}
	from := cursor
	for _, b := range builds {
		if t.settingUp(b) {
			break
		}
		if w, ok := t.opts.Watched(b.BuilderID); ok {
			if err = t.follow(ctx, bb, b, w, subs, found, alive); err != nil {
				// The cursor stays before the build, which the next tick follows.
				break
			}
		}
		cursor = b.BuildID
	}
	if cursor != from {
		if err := t.Store.SetCursor(source, cursor); err != nil {
			return err
		}
	}
	return err
}

// settingUp says whether discover should wait for a build until Buildbot has set it up. Buildbot
// makes a build ("created"), writes its properties one at a time, and only then calls it
// "starting" and announces it: a build read in between may have no branch yet, so no subscription
// would cover it, and the cursor would pass it for good. The cursor stays before it instead, and
// the builds after it wait with it, so none is followed twice. Its "new" event ticks again once
// it is set up, so with push on the wait costs no poll interval.
func (t *Tracker) settingUp(b buildbot.Build) bool {
	if b.Complete || b.StateString != "created" {
		return false
	}
	if t.setUp.buildID != b.BuildID {
		t.setUp.buildID, t.setUp.since = b.BuildID, time.Now()
	}
	return time.Since(t.setUp.since) < setUpWait
}

// follow makes, for each channel whose subscriptions cover the build, an entry for the build's
// buildset: a push that runs five builders is one post with a row for each builder the channel
// follows, as a chat build is. The entry's id names the Buildbot, channel and buildset, and is
// created only if it does not exist, so two nodes, or a tick that reads the same build twice, make
// one; the buildset's later builds are rows it has already. alive keeps, for a tick, which
// channels were found deleted or archived (false) or not (true).
func (t *Tracker) follow(ctx context.Context, bb *buildbot.Client, b buildbot.Build, w Watched, subs []subscription.Subscription, found *buildsets, alive map[string]bool) error {
	branch := b.Properties.Get("branch")
	for _, channelID := range coveringChannels(subs, w, branch) {
		if !t.channelAlive(channelID, alive) || found.followed(channelID, b.BuildRequestID) {
			continue
		}
		if chat, err := t.Store.ChatChannel(found.source, b.BuildRequestID); err == nil && chat == channelID {
			continue // the channel has this build's chat post already
		}
		set, err := found.of(ctx, bb, b.BuildRequestID)
		switch {
		case errors.Is(err, errNoBuildset):
			t.warnf("Buildbot lists a subscribed build in no buildset; it is posted on its own", "build_id", b.BuildID, "error", err.Error())
			set = buildset{requests: []buildbot.BuildRequest{{BuildRequestID: b.BuildRequestID, BuilderID: b.BuilderID}}}
		case err != nil:
			return err
		}
		tr := t.buildsetEntry(b, w, set, channelID, subs, found.source)
		found.follow(channelID, tr)
		created, err := t.Store.Claim(tr)
		if err != nil {
			t.warn("Could not store a subscribed build", tr, "error", err.Error())
		}
		if !created || tr.Pending {
			continue
		}
		if err := t.postEntry(tr); err != nil {
			t.warn("Could not post a subscribed build", tr, "error", err.Error())
			t.forget(tr)
			continue
		}
		t.saved(tr)
	}
	return nil
}

// coveringChannels lists, once each, the channels with a subscription covering a builder's branch.
func coveringChannels(subs []subscription.Subscription, w Watched, branch string) []string {
	var channels []string
	for _, s := range subs {
		if s.Covers(w.Repo, branch, w.DefaultBranch) && !slices.Contains(channels, s.ChannelID) {
			channels = append(channels, s.ChannelID)
		}
	}
	return channels
}

// buildsetEntry is a channel's entry for the buildset of build b: a row for each of its requests
// whose builder the channel's subscriptions cover, the one of b building and the others as the
// tick will find them, and what those subscriptions ask, merged.
func (t *Tracker) buildsetEntry(b buildbot.Build, w Watched, set buildset, channelID string, subs []subscription.Subscription, source string) *Tracked {
	branch := b.Properties.Get("branch")
	watch := &Watch{Style: subscription.StyleLine}
	var rows []post.Row
	for _, r := range set.requests {
		rw, ok := w, r.BuilderID == b.BuilderID
		if !ok && t.opts.Watched != nil {
			rw, ok = t.opts.Watched(r.BuilderID)
		}
		covered := false
		for _, s := range subs {
			if !ok || s.ChannelID != channelID || !s.Covers(rw.Repo, branch, rw.DefaultBranch) {
				continue
			}
			covered = true
			for _, e := range s.Events {
				if !slices.Contains(watch.Events, e) {
					watch.Events = append(watch.Events, e)
				}
			}
			// One channel, one post: a card when any subscription wants one.
			if s.Style != subscription.StyleLine {
				watch.Style = subscription.StyleCard
			}
		}
		if !covered {
			continue
		}
		row := post.Row{Builder: rw.Builder, BuilderID: r.BuilderID, RequestID: r.BuildRequestID, State: post.StateQueued,
			URL: buildbot.BuildRequestURL(t.opts.LinkBase, r.BuildRequestID), Unserved: !rw.Served}
		if r.BuildRequestID == b.BuildRequestID {
			row.BuildID, row.Number, row.State, row.StartedAt = b.BuildID, b.Number, post.StateBuilding, int64(b.StartedAt)
			row.URL = buildbot.BuildURL(t.opts.LinkBase, b.BuilderID, b.Number)
		}
		rows = append(rows, row)
	}
	id := subscribedID(source, channelID, b.BuildRequestID)
	if set.id != 0 {
		id = buildsetID(source, channelID, set.id)
	}
	return &Tracked{
		ID: id, ChannelID: channelID, CreatedAt: time.Now().UnixMilli(),
		Watch: watch, Pending: !subscription.Wants(watch.Events, subscription.Started),
		Props: post.Props{Repo: w.Repo, Branch: branch, Revision: b.Properties.Get("revision"), BuildbotURL: t.opts.LinkBase,
			Source: source, Line: watch.Style == subscription.StyleLine, Rows: rows},
	}
}

// channelAlive says whether a subscribed channel can still be posted in, and drops the
// subscriptions of one deleted or archived; each channel is looked at once a tick.
func (t *Tracker) channelAlive(channelID string, alive map[string]bool) bool {
	if ok, seen := alive[channelID]; seen {
		return ok
	}
	alive[channelID] = !t.Posts.ChannelGone(channelID)
	if !alive[channelID] {
		if err := t.Subs.DropChannel(channelID); err != nil {
			t.warnf("Could not drop the subscriptions of a deleted or archived channel", "channel_id", channelID, "error", err.Error())
		}
	}
	return alive[channelID]
}

// subscribedID names the entry of a build request followed for a channel, when its buildset could
// not be read (and of every subscribed build a version before buildsets made).
func subscribedID(source, channelID string, requestID int) string {
	return fmt.Sprintf("sub_%s_%s_%d", source, channelID, requestID)
}

// buildsetID names the entry of a buildset followed for a channel.
func buildsetID(source, channelID string, bsid int) string {
	return fmt.Sprintf("sub_%s_%s_bs%d", source, channelID, bsid)
}

// results are the finished results per builder and branch: the newest before a tick, read once,
// and the tick's own, of which the newest is written after it. A build is judged against the
// newest result before its own, the tick's included, so every channel judges it against the same
// previous one, and two builds of a branch finishing in one tick are each judged against the right one.
type results struct {
	store    Store
	read     map[string]*buildbot.Result
	finished map[string][]finishedBuild
	// before holds, by build id, the builds read before it on its builder: the previous result,
	// a failure's previous tests and its run of failures are all found among the same builds.
	before map[int][]buildbot.Build
	// changesOf holds, by build id, the changes read: a failure's authors are wanted by its post
	// and by the messages to them.
	changesOf map[int][]buildbot.Change
}

// finishedBuild is a build's result, with its id, which orders results.
type finishedBuild struct {
	buildID int
	result  buildbot.Result
}

func newResults(store Store) *results {
	return &results{store: store, read: map[string]*buildbot.Result{}, finished: map[string][]finishedBuild{}, before: map[int][]buildbot.Build{},
		changesOf: map[int][]buildbot.Change{}}
}

// resultKey names a builder's branch on one Buildbot.
func resultKey(source string, builderID int, branch string) string {
	sum := sha256.Sum256([]byte(branch))
	return fmt.Sprintf("%s_%d_%s", source, builderID, hex.EncodeToString(sum[:8]))
}

// previous is the result before the row's build on its builder and branch: the newest of this
// tick's before it, else the store's, else Buildbot's newest finished build there that is not a
// retry.
func (r *results) previous(ctx context.Context, bb *buildbot.Client, row post.Row, branch string) *buildbot.Result {
	if last, known := r.known(bb.Fingerprint(), row, branch); known {
		return last
	}
	var last *buildbot.Result
	if b := r.previousBuild(ctx, bb, row, branch); b != nil {
		last = b.Results
	}
	r.read[resultKey(bb.Fingerprint(), row.BuilderID, branch)] = last
	return last
}

// known is the result before the row's build as this tick and the store know it, without
// asking Buildbot; false when neither knows one.
func (r *results) known(source string, row post.Row, branch string) (*buildbot.Result, bool) {
	key := resultKey(source, row.BuilderID, branch)
	var before finishedBuild
	for _, f := range r.finished[key] {
		if f.buildID < row.BuildID && f.buildID > before.buildID && f.result != buildbot.Retry {
			before = f
		}
	}
	if before.buildID != 0 {
		return &before.result, true
	}
	if last, ok := r.read[key]; ok {
		return last, true
	}
	last, err := r.store.LastResult(key)
	if err != nil || last == nil {
		return nil, false
	}
	r.read[key] = last
	return last, true
}

// maxBefore bounds the builds read before one on its builder: a branch broken for longer says
// "since" its oldest failure among them.
const maxBefore = 50

// buildsBefore is Buildbot's finished builds before the row's on its builder, newest first,
// read once a tick for everything that asks; nil when Buildbot did not answer.
func (r *results) buildsBefore(ctx context.Context, bb *buildbot.Client, row post.Row) []buildbot.Build {
	if builds, ok := r.before[row.BuildID]; ok {
		return builds
	}
	builds, err := bb.Builds(ctx, buildbot.Query{
		Filters: []buildbot.Filter{buildbot.Where("builderid", "eq", row.BuilderID), buildbot.Where("buildid", "lt", row.BuildID),
			buildbot.Where("complete", "eq", true)},
		Order: []string{"-buildid"}, Limit: maxBefore, Properties: []string{"branch", "revision", "got_revision"},
	})
	if err != nil {
		builds = nil
	}
	r.before[row.BuildID] = builds
	return builds
}

// changes is what a build brought, read once a tick for everything that asks.
func (r *results) changes(ctx context.Context, bb *buildbot.Client, buildID int) ([]buildbot.Change, error) {
	if changes, ok := r.changesOf[buildID]; ok {
		return changes, nil
	}
	changes, err := bb.BuildChanges(ctx, buildID)
	if err != nil {
		return nil, err
	}
	r.changesOf[buildID] = changes
	return changes, nil
}

// previousBuild is Buildbot's newest finished build before the row's on its builder and branch
// that is not a retry, among the maxBefore before it; nil when there is none or Buildbot did not
// answer.
func (r *results) previousBuild(ctx context.Context, bb *buildbot.Client, row post.Row, branch string) *buildbot.Build {
	builds := r.buildsBefore(ctx, bb, row)
	for i, b := range builds {
		if b.Results != nil && *b.Results != buildbot.Retry && b.Properties.Get("branch") == branch {
			return &builds[i]
		}
	}
	return nil
}

// record notes a finished row's result, for the builds after it on its builder and branch.
func (r *results) record(source string, row post.Row, branch string) {
	result, ok := row.State.Result()
	if !ok || row.BuildID == 0 {
		return
	}
	key := resultKey(source, row.BuilderID, branch)
	r.finished[key] = append(r.finished[key], finishedBuild{buildID: row.BuildID, result: result})
}

// flush writes the newest of the tick's results per builder and branch.
func (r *results) flush(t *Tracker) {
	for key, all := range r.finished {
		newest := slices.MaxFunc(all, func(a, b finishedBuild) int { return a.buildID - b.buildID })
		if err := r.store.SetLastResult(key, newest.result); err != nil {
			t.warnf("Could not record a build's result for the next one's", "key", key, "error", err.Error())
		}
	}
}

// decide says, for a subscribed entry whose rows just finished, whether one of their results is
// one its subscriptions ask for, against the previous result on that row's builder and branch:
// then the whole card is posted, and shows the other rows as they end. A push that breaks one of
// five builders reaches a failure subscription with that row, not once all five are done.
// "finished" asks for the buildset's end.
func (t *Tracker) decide(ctx context.Context, bb *buildbot.Client, tr *Tracked, rows []int, r *results) {
	if tr.Watch == nil || !tr.Pending || tr.announce {
		return
	}
	if subscription.Wants(tr.Watch.Events, subscription.Finished) && tr.Done() {
		tr.announce = true
		return
	}
	events := slices.DeleteFunc(slices.Clone(tr.Watch.Events), func(e subscription.Event) bool { return e == subscription.Finished })
	for _, i := range rows {
		row := tr.Props.Rows[i]
		result, ok := row.State.Result()
		if !ok {
			continue
		}
		var previous *buildbot.Result
		if subscription.Transitional(events) {
			previous = r.previous(ctx, bb, row, tr.Props.Branch)
		}
		if subscription.Announces(events, result, previous) {
			tr.announce = true
			return
		}
	}
}

// maxChanges bounds the changes a post lists; a long-broken branch can have hundreds.
const maxChanges = 10

// blame lists what a failed subscribed build brought since its builder's last success on the
// branch (one read of the failed row's build: the builds of a buildset build the same changes),
// and finds the Mattermost users among the authors by their e-mail.
func (t *Tracker) blame(ctx context.Context, bb *buildbot.Client, tr *Tracked, row post.Row, r *results) {
	changes, err := r.changes(ctx, bb, row.BuildID)
	if err != nil {
		return
	}
	tr.Props.Changes, tr.Props.Mentions = nil, nil
	// The newest say most. The changes are the tick's, which others read too: sorted in a copy.
	changes = slices.Clone(changes)
	sort.Slice(changes, func(i, j int) bool { return changes[i].ChangeID > changes[j].ChangeID })
	for _, c := range changes[:min(len(changes), maxChanges)] {
		comment, _, _ := strings.Cut(strings.TrimSpace(c.Comments), "\n")
		tr.Props.Changes = append(tr.Props.Changes, post.Change{Author: c.Author, Revision: c.Revision, Comment: comment})
		if !t.opts.MentionAuthors || t.Users == nil {
			continue
		}
		if email := emailOf(c.Author); email != "" {
			if username, ok := t.Users.UsernameByEmail(email); ok && !slices.Contains(tr.Props.Mentions, username) {
				tr.Props.Mentions = append(tr.Props.Mentions, username)
			}
		}
	}
}

// emailOf reads the address in a change's free-text author: "Name <email>" or an address alone,
// and a name mail's grammar refuses ("@team <a@b>") still gives its address.
func emailOf(author string) string {
	if address, err := mail.ParseAddress(author); err == nil {
		return address.Address
	}
	start, end := strings.LastIndex(author, "<"), strings.LastIndex(author, ">")
	if start >= 0 && end > start {
		if address, err := mail.ParseAddress(author[start : end+1]); err == nil {
			return address.Address
		}
	}
	return ""
}
