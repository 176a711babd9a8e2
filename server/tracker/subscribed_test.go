package tracker

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbottest"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/post"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/subscription"
)

// busyBuildbot is a Buildbot whose builds a test starts and ends, each with its own request,
// answering the filters, orders and limits the tracker uses as Buildbot does.
type busyBuildbot struct {
	mu     sync.Mutex
	builds []fakeBuild
	reads  int
	// setReads counts the reads of a buildset's requests.
	setReads int
}

type fakeBuild struct {
	id, builder int
	// buildset is the build's buildset; 0 is one of its own, numbered as the build.
	buildset int
	// queued is a request no build has started for yet.
	queued bool
	branch string
	result *buildbot.Result
	// settingUp is a build Buildbot has made and not yet given its properties, as between
	// addBuild and setBuildProperties.
	settingUp bool
}

func (f *busyBuildbot) start(builder int, branch string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.builds = append(f.builds, fakeBuild{id: len(f.builds) + 1, builder: builder, branch: branch})
	return len(f.builds)
}

func (b fakeBuild) set() int {
	if b.buildset == 0 {
		return b.id
	}
	return b.buildset
}

// push adds a buildset with a request for each builder, on one branch, none started yet, and
// returns their request ids; start runs them.
func (f *busyBuildbot) push(branch string, builders ...int) []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	set := len(f.builds) + 1
	var ids []int
	for _, builder := range builders {
		f.builds = append(f.builds, fakeBuild{id: len(f.builds) + 1, builder: builder, buildset: set, queued: true, branch: branch})
		ids = append(ids, len(f.builds))
	}
	return ids
}

// run starts the build of a pushed request.
func (f *busyBuildbot) run(id int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.builds[id-1].queued = false
}

// setUp starts a build that Buildbot has not yet given its properties.
func (f *busyBuildbot) setUp(builder int, branch string) int {
	id := f.start(builder, branch)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.builds[id-1].settingUp = true
	return id
}

// setUpDone writes a build's properties and says it is starting, as Buildbot then does.
func (f *busyBuildbot) setUpDone(id int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.builds[id-1].settingUp = false
}

func (f *busyBuildbot) end(id int, r buildbot.Result) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.builds[id-1].result = &r
}

func (f *busyBuildbot) client(t *testing.T) *buildbot.Client {
	return buildbottest.NewClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.reads++
		q := r.URL.Query()
		atLeast := func(name string) int { n, _ := strconv.Atoi(q.Get(name)); return n }
		builds := r.URL.Path == "/api/v2/builds"
		if q.Has("buildsetid__eq") {
			f.setReads++
		}
		keep := func(b fakeBuild) bool {
			done := b.result != nil
			return (!b.queued || !builds && q.Get("claimed__eq") != "true") &&
				(q.Get("buildrequestid__eq") == "" || b.id == atLeast("buildrequestid__eq")) &&
				(q.Get("buildsetid__eq") == "" || b.set() == atLeast("buildsetid__eq")) &&
				(q.Get("buildid__gt") == "" || b.id > atLeast("buildid__gt")) &&
				(q.Get("buildid__lt") == "" || b.id < atLeast("buildid__lt")) &&
				// Build n started at second n.
				(q.Get("started_at__lt") == "" || b.id < atLeast("started_at__lt")) &&
				(q.Get("buildrequestid__ge") == "" || b.id >= atLeast("buildrequestid__ge")) &&
				(q.Get("buildrequestid__le") == "" || b.id <= atLeast("buildrequestid__le")) &&
				(q.Get("builderid__eq") == "" || b.builder == atLeast("builderid__eq")) &&
				(q.Get("complete__eq") == "" || done == (q.Get("complete__eq") == "true"))
		}
		var found []fakeBuild
		for _, b := range f.builds {
			if keep(b) {
				found = append(found, b)
			}
		}
		if q.Get("order") == "-buildid" || q.Get("order") == "-buildrequestid" {
			sort.Slice(found, func(i, j int) bool { return found[i].id > found[j].id })
		}
		if limit := atLeast("limit"); limit > 0 && len(found) > limit {
			found = found[:limit]
		}
		var items []map[string]any
		for _, b := range found {
			item := map[string]any{"builderid": b.builder, "buildrequestid": b.id, "complete": b.result != nil, "results": b.result,
				"claimed": !b.queued, "buildsetid": b.set()}
			if builds {
				item["buildid"], item["number"], item["started_at"], item["state_string"] = b.id, b.id, b.id, "starting"
				item["properties"] = map[string]any{"branch": []any{b.branch, "x"}, "revision": []any{"abc" + strconv.Itoa(b.id), "x"}}
				if b.settingUp {
					item["state_string"], item["properties"] = "created", map[string]any{}
				}
			}
			items = append(items, item)
		}
		switch {
		case builds:
			_ = json.NewEncoder(w).Encode(map[string]any{"builds": items})
		case r.URL.Path == "/api/v2/buildrequests":
			_ = json.NewEncoder(w).Encode(map[string]any{"buildrequests": items})
		case strings.HasSuffix(r.URL.Path, "/changes"):
			_, _ = fmt.Fprint(w, `{"changes":[
				{"changeid":7,"author":"Alice Liddell <alice@example.com>","revision":"0123456789abcdef","comments":"fix the widget\n\nlong story"},
				{"changeid":9,"author":"@channel <mallory@example.com>","revision":"fedcba","comments":"[x](https://evil.example)"},
				{"changeid":8,"author":"bob","revision":"b0b"}]}`)
		case strings.HasSuffix(r.URL.Path, "/steps"):
			_, _ = fmt.Fprint(w, `{"steps":[]}`)
		default:
			http.NotFound(w, r)
		}
	}))
}

// subs is a channel's subscriptions kept in memory; gone channels are dropped as the tracker asks.
type subs struct{ list []subscription.Subscription }

func (s *subs) All() ([]subscription.Subscription, error) { return s.list, nil }

func (s *subs) DropChannel(channelID string) error {
	var kept []subscription.Subscription
	for _, sub := range s.list {
		if sub.ChannelID != channelID {
			kept = append(kept, sub)
		}
	}
	s.list = kept
	return nil
}

// builders 1 and 2 build webapp (default branch main), through a force scheduler too; 3 builds
// api, started only by pushes.
func watched(builderID int) (Watched, bool) {
	switch builderID {
	case 1, 2:
		return Watched{Repo: "webapp", DefaultBranch: "main", Builder: fmt.Sprintf("webapp-%d", builderID), Served: true}, true
	case 3:
		return Watched{Repo: "api", DefaultBranch: "main", Builder: "api"}, true
	}
	return Watched{}, false
}

var subOpts = Options{LinkBase: "https://ci/", Watched: watched}

type pipeline struct {
	bb      *busyBuildbot
	client  *buildbot.Client
	store   *memStore
	posts   *memPosts
	subs    *subs
	tracker *Tracker
}

func newPipeline(t *testing.T, list ...subscription.Subscription) *pipeline {
	p := &pipeline{bb: &busyBuildbot{}, store: newMemStore(), posts: &memPosts{posts: map[string]*model.Post{}, gone: map[string]bool{}},
		subs: &subs{list: list}}
	p.client = p.bb.client(t)
	p.tracker = &Tracker{Store: p.store, Posts: p.posts, ActionURL: "/x", BotID: "bot", Subs: p.subs}
	// The first tick finds the cursor unset and starts from the newest build: history is not news.
	p.bb.start(1, "main")
	p.bb.end(1, buildbot.Success)
	p.tick(t)
	if len(p.posts.posts) != 0 {
		t.Fatal("a build from before the subscriptions was posted")
	}
	return p
}

func (p *pipeline) tick(t *testing.T) {
	t.Helper()
	if err := p.tracker.Tick(context.Background(), p.client, subOpts); err != nil {
		t.Fatal(err)
	}
}

// postsIn lists a channel's root posts' messages, oldest first.
func (p *pipeline) postsIn(channelID string) []*model.Post {
	var out []*model.Post
	for _, x := range p.posts.posts {
		if x.ChannelId == channelID && x.RootId == "" {
			out = append(out, x)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CreateAt < out[j].CreateAt || out[i].Message < out[j].Message })
	return out
}

// sub is a subscription made at second 1.5, after build 1 and before any other.
func sub(channel, repo, branch string, events ...subscription.Event) subscription.Subscription {
	// Made at 2.5 s: the pipeline's history build (build 1, started at second 1) is older.
	return subscription.Subscription{ChannelID: channel, Repo: repo, Branch: branch, Events: events, Style: subscription.StyleCard, CreatedAt: 2500}
}

// A build that starts after the subscription, before any tick has looked, is news too, also one
// of the subscription's own second, which Buildbot's whole seconds cannot tell from one just before.
func TestABuildStartedBetweenTheSubscriptionAndTheFirstTickIsPosted(t *testing.T) {
	bb := &busyBuildbot{}
	store, posts := newMemStore(), &memPosts{posts: map[string]*model.Post{}}
	// Made at 2.5 s; build n starts at second n.
	tr := &Tracker{Store: store, Posts: posts, ActionURL: "/x", BotID: "bot", Subs: &subs{list: []subscription.Subscription{sub("c", "webapp", "*", subscription.Started)}}}
	client := bb.client(t)
	bb.start(1, "before")
	bb.start(1, "same-second")
	bb.start(1, "after")

	for range 2 {
		if err := tr.Tick(context.Background(), client, subOpts); err != nil {
			t.Fatal(err)
		}
	}

	var branches []string
	for _, p := range posts.posts {
		props, _ := post.Decode(p)
		branches = append(branches, props.Branch)
	}
	sort.Strings(branches)
	if !reflect.DeepEqual(branches, []string{"after", "same-second"}) {
		t.Fatalf("posts for %v", branches)
	}
}

// Buildbot makes a build, then writes its properties one by one, and only then says it is
// starting: a tick that reads the build in between sees no branch. Such a build is read again once
// set up, and the builds after it wait for it, however a subscription's branch matches.
func TestABuildReadWhileBuildbotSetsItUpIsPostedOnceSetUp(t *testing.T) {
	for _, branch := range []string{"", "main", "*"} {
		p := newPipeline(t, sub("c", "webapp", branch, subscription.Started))
		first := p.bb.setUp(1, "main")
		second := p.bb.start(2, "main")
		p.tick(t)
		if n := len(p.postsIn("c")); n != 0 {
			t.Fatalf("%q: %d posts while the first build was set up", branch, n)
		}
		p.bb.setUpDone(first)
		p.tick(t)

		posts := p.postsIn("c")
		if len(posts) != 2 || !strings.Contains(posts[0].Message, fmt.Sprintf("webapp-1 #%d", first)) ||
			!strings.Contains(posts[1].Message, fmt.Sprintf("webapp-2 #%d", second)) {
			t.Fatalf("%q: posts %+v", branch, p.postsIn("c"))
		}
	}
}

// A build whose set-up Buildbot never finishes (an error it only logs) holds back the builds after
// it for setUpWait, not for good.
func TestABuildBuildbotNeverSetsUpHoldsBackTheOthersForALimitedTime(t *testing.T) {
	p := newPipeline(t, sub("c", "webapp", "main", subscription.Started))
	p.bb.setUp(1, "main")
	second := p.bb.start(2, "main")
	p.tick(t)
	p.tracker.setUp.since = time.Now().Add(-setUpWait)
	p.tick(t)

	posts := p.postsIn("c")
	if len(posts) != 1 || !strings.Contains(posts[0].Message, fmt.Sprintf("webapp-2 #%d", second)) {
		t.Fatalf("posts %+v", posts)
	}
}

// A channel that hears only of health follows no builds: it costs neither a read of new builds
// nor an entry per build.
func TestASubscriptionToHealthAloneFollowsNoBuilds(t *testing.T) {
	p := newPipeline(t, sub("health", "*", "*", subscription.Health))
	id := p.bb.start(1, "main")
	p.tick(t)
	p.bb.end(id, buildbot.Failure)
	p.tick(t)

	if reads := p.bb.reads; reads != 0 {
		t.Fatalf("%d reads of Buildbot", reads)
	}
	if len(p.postsIn("health")) != 0 || len(p.store.m) != 0 {
		t.Fatalf("posts %v, entries %v", p.postsIn("health"), p.store.m)
	}
}

func TestAPushBuildIsPostedInTheChannelsThatSubscribedToItsRepoAndBranch(t *testing.T) {
	p := newPipeline(t,
		sub("live", "webapp", "", subscription.Started),
		sub("releases", "webapp", "release/*", subscription.Finished),
		sub("other-repo", "api", "*", subscription.Finished),
	)
	id := p.bb.start(2, "main")
	p.tick(t)

	live := p.postsIn("live")
	if len(live) != 1 || !strings.Contains(live[0].Message, ":arrows_counterclockwise: **webapp** on `main` at `abc2`: building") ||
		strings.Contains(live[0].Message, "requested by") || live[0].Type != post.Type {
		t.Fatalf("live: %+v", live)
	}
	p.bb.end(id, buildbot.Failure)
	p.tick(t)

	live = p.postsIn("live")
	if len(live) != 1 || !strings.Contains(live[0].Message, ":x: **webapp** on `main` at `abc2`: failure") {
		t.Fatalf("live after the result: %+v", live)
	}
	if n := len(p.postsIn("releases")) + len(p.postsIn("other-repo")); n != 0 {
		t.Fatalf("%d posts in channels whose glob or repo does not match", n)
	}
	if len(p.posts.replies) != 0 {
		t.Fatal("a build nobody requested from chat got a failure reply")
	}
	if len(p.store.m) != 0 {
		t.Fatalf("still followed: %v", p.store.m)
	}
}

// A build of a builder only pushes start is not chat's to rebuild: its card offers no Rebuild, and
// Stop stays for the system admins the gate lets stop it.
func TestASubscribedBuildOfABuilderChatMayNotStartOffersNoRebuild(t *testing.T) {
	p := newPipeline(t, sub("c", "*", "*", subscription.Started))
	api := p.bb.start(3, "main")
	webapp := p.bb.start(1, "main")
	p.tick(t)
	p.bb.end(api, buildbot.Success)
	p.bb.end(webapp, buildbot.Success)
	p.tick(t)

	buttons := map[string][]string{}
	for _, pp := range p.postsIn("c") {
		props, _ := post.Decode(pp)
		for _, a := range pp.Attachments()[0].Actions {
			buttons[props.Repo] = append(buttons[props.Repo], a.Id)
		}
		if props.Rows[0].Unserved != (props.Repo == "api") {
			t.Errorf("%s: unserved %v", props.Repo, props.Rows[0].Unserved)
		}
	}
	if len(buttons["api"]) != 0 || !slices.Contains(buttons["webapp"], post.ActionRebuild) {
		t.Fatalf("buttons %v", buttons)
	}
}

// An admin who limits the allowed channels after a channel subscribed stops its posts there, and
// only there.
func TestAChannelTheSettingsNoLongerAllowGetsNoSubscribedPosts(t *testing.T) {
	p := newPipeline(t, sub("allowed", "webapp", "*", subscription.Started), sub("left-out", "webapp", "*", subscription.Started))
	opts := subOpts
	opts.Posts = func(channelID string) bool { return channelID != "left-out" }
	p.bb.start(2, "main")

	if err := p.tracker.Tick(context.Background(), p.client, opts); err != nil {
		t.Fatal(err)
	}

	if allowed, leftOut := len(p.postsIn("allowed")), len(p.postsIn("left-out")); allowed != 1 || leftOut != 0 {
		t.Fatalf("%d posts in the allowed channel, %d in the one left out", allowed, leftOut)
	}
}

func TestAChannelWithFailureOnlyHearsNothingOfAPassingBuildAndOnePostOfAFailingOne(t *testing.T) {
	p := newPipeline(t, sub("quiet", "webapp", "*", subscription.Failure))
	ok := p.bb.start(1, "feature/x")
	bad := p.bb.start(2, "feature/y")
	p.tick(t)
	if len(p.postsIn("quiet")) != 0 {
		t.Fatal("a build was posted before its result")
	}
	p.bb.end(ok, buildbot.Success)
	p.bb.end(bad, buildbot.Failure)
	p.tick(t)
	p.tick(t)

	quiet := p.postsIn("quiet")
	if len(quiet) != 1 || !strings.Contains(quiet[0].Message, "**webapp** on `feature/y` at `abc3`: failure") {
		t.Fatalf("quiet: %+v", quiet)
	}
}

// problem and recovery compare with the previous finished build of the same builder and branch:
// a feature branch's failures do not make main's next success a recovery.
func TestProblemAndRecoveryFireOnTheirTransitionsAndNotAcrossBranches(t *testing.T) {
	p := newPipeline(t, sub("watch", "webapp", "*", subscription.Problem, subscription.Recovery))
	run := func(branch string, r buildbot.Result) {
		id := p.bb.start(1, branch)
		p.tick(t)
		p.bb.end(id, r)
		p.tick(t)
	}
	var seen []string
	count := func() int { return len(p.postsIn("watch")) }
	for _, step := range []struct {
		branch string
		result buildbot.Result
		posts  int
	}{
		{"main", buildbot.Failure, 1},      // after the success before the subscription: a problem
		{"main", buildbot.Failure, 1},      // still failing: nothing
		{"feature/z", buildbot.Failure, 1}, // no previous on this branch (main's do not count): nothing
		{"feature/z", buildbot.Success, 2}, // the branch recovers
		{"main", buildbot.Success, 3},      // main recovers
		{"main", buildbot.Success, 3},
	} {
		run(step.branch, step.result)
		seen = append(seen, fmt.Sprintf("%s %s: %d", step.branch, step.result, count()))
		if count() != step.posts {
			t.Fatalf("after %v", seen)
		}
	}
}

// A build started from chat in one channel is announced in another that subscribed, but the
// channel that started it does not get it twice.
func TestAChatBuildIsAnnouncedElsewhereButNotTwiceWhereItWasStarted(t *testing.T) {
	p := newPipeline(t, sub("chat", "webapp", "main", subscription.Started), sub("elsewhere", "webapp", "main", subscription.Started))
	id := p.bb.start(1, "main")
	chatPost := &model.Post{ChannelId: "chat"}
	props := post.Props{Repo: "webapp", Branch: "main", RequestedBy: "alice", Source: p.client.Fingerprint(),
		Rows: []post.Row{{Builder: "webapp-1", BuilderID: 1, RequestID: id, State: post.StateQueued}}}
	post.Apply(chatPost, props, "/x", i18n.English())
	if err := p.tracker.Announce(chatPost, &Tracked{Props: props}); err != nil {
		t.Fatal(err)
	}

	p.tick(t)

	if n := len(p.postsIn("chat")); n != 1 {
		t.Fatalf("%d posts where the build was started", n)
	}
	if n := len(p.postsIn("elsewhere")); n != 1 {
		t.Fatalf("%d posts in the subscribed channel", n)
	}
}

// meeting holds two nodes' ticks at points of their path through the store until both have come
// to it, as two Mattermost servers ticking at once would be. Between the points one node runs at
// a time (it holds turn), so the fakes need no locks of their own.
type meeting struct {
	turn sync.Mutex
	// points are where both nodes must be before either goes on; met notes the points both came to.
	points map[string]*atomic.Int32
	met    sync.Map
}

func newMeeting(points ...string) *meeting {
	m := &meeting{points: map[string]*atomic.Int32{}}
	for _, p := range points {
		m.points[p] = &atomic.Int32{}
	}
	return m
}

// at is a node coming to a point: it gives up its turn until the other node is there too. Only
// the first two comings meet (a node's later writes go straight on); should the other node never
// come, the first goes on after a while, and the test says the nodes did not meet.
func (m *meeting) at(point string) {
	arrived := m.points[point]
	if arrived.Add(1) > 2 {
		return
	}
	m.turn.Unlock()
	defer m.turn.Lock()
	deadline := time.Now().Add(2 * time.Second)
	for arrived.Load() < 2 {
		if time.Now().After(deadline) {
			return
		}
		time.Sleep(time.Millisecond)
	}
	m.met.Store(point, true)
}

// tick runs a node's tick, in turn with the other's.
func (m *meeting) tick(t *testing.T, tr *Tracker, client *buildbot.Client, done *sync.WaitGroup) {
	defer done.Done()
	m.turn.Lock()
	defer m.turn.Unlock()
	if err := tr.Tick(context.Background(), client, subOpts); err != nil {
		t.Error(err)
	}
}

// meetingStore is the KV store two nodes share, where they meet: each reads the subscriptions'
// cursor before either moves it, so both read the same new builds, and each writes its first
// entry only once both are about to, whatever each looked up before.
type meetingStore struct {
	*memStore
	meet *meeting
}

func (s meetingStore) Cursor(source string) (int, bool, error) {
	id, ok, err := s.memStore.Cursor(source)
	s.meet.at("cursor")
	return id, ok, err
}

func (s meetingStore) Claim(t *Tracked) (bool, error) {
	s.meet.at("write")
	return s.memStore.Claim(t)
}

func (s meetingStore) Save(t *Tracked) error {
	s.meet.at("write")
	return s.memStore.Save(t)
}

// Two Mattermost servers share the KV store and tick at once: both read the same new build, and
// both go to store its entry for the channel before either has; the channel gets one post.
func TestTwoNodesPostABuildOncePerChannel(t *testing.T) {
	p := newPipeline(t, sub("c", "webapp", "*", subscription.Started))
	meet := newMeeting("cursor", "write")
	store := meetingStore{memStore: p.store, meet: meet}
	nodes := []*Tracker{
		{Store: store, Posts: p.posts, ActionURL: "/x", BotID: "bot", Subs: p.subs},
		{Store: store, Posts: p.posts, ActionURL: "/x", BotID: "bot", Subs: p.subs},
	}
	p.bb.start(1, "main")

	var done sync.WaitGroup
	for _, node := range nodes {
		done.Add(1)
		go meet.tick(t, node, p.client, &done)
	}
	done.Wait()

	for _, point := range []string{"cursor", "write"} {
		if _, ok := meet.met.Load(point); !ok {
			t.Errorf("the nodes never met at the %s: nothing raced there", point)
		}
	}
	if n := len(p.postsIn("c")); n != 1 {
		t.Fatalf("%d posts of one build", n)
	}
}

func TestADeletedChannelDropsItsSubscriptions(t *testing.T) {
	p := newPipeline(t, sub("gone", "webapp", "*", subscription.Started), sub("here", "webapp", "*", subscription.Started))
	p.posts.gone["gone"] = true
	p.bb.start(1, "main")

	p.tick(t)

	if len(p.subs.list) != 1 || p.subs.list[0].ChannelID != "here" || len(p.postsIn("here")) != 1 {
		t.Fatalf("subscriptions %+v", p.subs.list)
	}
}

func TestALineSubscriptionPostsOneLineWithoutACard(t *testing.T) {
	line := sub("lines", "api", "*", subscription.Finished)
	line.Style = subscription.StyleLine
	p := newPipeline(t, line)
	id := p.bb.start(3, "dev")
	p.tick(t)
	p.bb.end(id, buildbot.Success)
	p.tick(t)

	posts := p.postsIn("lines")
	if len(posts) != 1 || posts[0].Type != model.PostTypeDefault || len(posts[0].Attachments()) != 0 ||
		posts[0].Message != ":white_check_mark: **api** `dev`: [api #2](https://ci/#/builders/3/builds/2) success" {
		t.Fatalf("posts %+v", posts)
	}
}

type people map[string]string

func (p people) UsernameByEmail(email string) (string, bool) {
	name, ok := p[email]
	return name, ok
}

// A failed build's post lists what changed since its builder's last success on the branch, and
// mentions the authors who are on Mattermost: in the post when it is made at the result, in a
// reply when an edit shows the result (an edit notifies no one).
func TestAFailedSubscribedBuildNamesItsChangesAndMentionsTheirAuthors(t *testing.T) {
	for _, started := range []bool{false, true} {
		events := []subscription.Event{subscription.Failure}
		if started {
			events = append(events, subscription.Started)
		}
		p := newPipeline(t, sub("c", "webapp", "*", events...))
		p.tracker.Users = people{"alice@example.com": "alice", "mallory@example.com": "mallory"}
		opts := subOpts
		opts.MentionAuthors, opts.Reply = true, true
		id := p.bb.start(1, "main")
		_ = p.tracker.Tick(context.Background(), p.client, opts)
		p.bb.end(id, buildbot.Failure)
		_ = p.tracker.Tick(context.Background(), p.client, opts)

		posts := p.postsIn("c")
		if len(posts) != 1 {
			t.Fatalf("started=%v: %d posts", started, len(posts))
		}
		msg := posts[0].Message
		if !strings.Contains(msg, "Changes since the last success:\n- `fedcba` @\u2060channel \\<mallory@\u2060example.com\\>: \\[x\\](https:\u2060//evil.example)\n- `b0b` bob\n- `0123456789ab` Alice Liddell \\<alice@\u2060example.com\\>: fix the widget") {
			t.Fatalf("started=%v: %q", started, msg)
		}
		wantReply := started
		if !strings.Contains(msg, "cc @mallory @alice") {
			t.Errorf("started=%v: no mentions in the post", started)
		}
		if got := len(p.posts.replies) == 1 && strings.HasPrefix(p.posts.replies[0].Message, "@mallory @alice [webapp-1 #2]"); got != wantReply {
			t.Errorf("started=%v: replies %+v", started, p.posts.replies)
		}
	}
}

// finished is Buildbot's finished event of a busyBuildbot build on builder 1.
func finished(id int, r buildbot.Result) buildbot.Event {
	return buildbot.Event{Key: fmt.Sprintf("builds/%d/finished", id),
		Message: []byte(fmt.Sprintf(`{"buildid":%d,"number":%d,"builderid":1,"buildrequestid":%d,"complete":true,"results":%d}`, id, id, id, r))}
}

// A subscribed build's finished event posts its result at once, taken from the event: the build
// here still runs as far as a read of Buildbot could tell.
func TestASubscribedBuildsResultIsPostedFromItsFinishedEvent(t *testing.T) {
	p := newPipeline(t, sub("watch", "webapp", "main", subscription.Failure))
	id := p.bb.start(1, "main")
	p.tick(t)

	if need := p.tracker.Notice(finished(id, buildbot.Failure)); need != TickNow {
		t.Fatalf("the finished event asks for %v", need)
	}
	p.tick(t)

	posts := p.postsIn("watch")
	if len(posts) != 1 {
		t.Fatalf("%d posts in the channel", len(posts))
	}
	if !strings.Contains(posts[0].Message, ": failure") {
		t.Fatalf("the post reads %q", posts[0].Message)
	}
	if len(p.store.m) != 0 {
		t.Fatal("the posted build is still followed")
	}
}

// Results are taken in the order of their builds: while an older build of the builder and branch
// runs, a newer one's event waits for the tick that reads both, so a recovery compares with the
// right build.
func TestASubscribedResultWaitsForAnOlderBuildOfItsBranch(t *testing.T) {
	p := newPipeline(t, sub("watch", "webapp", "main", subscription.Problem, subscription.Recovery))
	older, newer := p.bb.start(1, "main"), p.bb.start(1, "main")
	p.tick(t)

	p.tracker.Notice(finished(newer, buildbot.Success))
	p.tick(t)
	if len(p.store.m) != 2 {
		t.Fatalf("%d builds followed; the newer build's result was taken before the older one's", len(p.store.m))
	}

	// The older fails (a problem), the newer passed (a recovery): both are posted, in order.
	p.bb.end(older, buildbot.Failure)
	p.bb.end(newer, buildbot.Success)
	p.tick(t)
	if n := len(p.postsIn("watch")); n != 2 {
		t.Fatalf("%d posts, want the problem and the recovery", n)
	}
}

// A build that starts and ends between two ticks is followed for its channels by the tick its
// finished event starts, which shows the result in its chat post and posts it where it is
// subscribed at once, instead of leaving the subscribed post to a later tick.
func TestABuildThatEndsBeforeAnyTickSawItReachesItsSubscribersWithItsChatPost(t *testing.T) {
	p := newPipeline(t, sub("watch", "webapp", "main", subscription.Finished))
	id := p.bb.start(1, "main")
	chat := &Tracked{ID: "chat", PostID: "chat-post", ChannelID: "chat",
		Props: post.Props{Repo: "webapp", Branch: "main", Rows: []post.Row{{Builder: "webapp-1", BuilderID: 1, RequestID: id, State: post.StateQueued}}}}
	p.store.m[chat.ID] = copyOf(chat)
	p.posts.posts["chat-post"] = &model.Post{Id: "chat-post", ChannelId: "chat"}
	p.tracker.expect(chat)
	p.bb.end(id, buildbot.Success)

	p.tracker.Notice(finished(id, buildbot.Success))
	p.tick(t)

	if props, _ := post.Decode(p.posts.posts["chat-post"]); props.Rows[0].State != post.StateSuccess {
		t.Fatalf("the chat post shows %s", props.Rows[0].State)
	}
	posts := p.postsIn("watch")
	if len(posts) != 1 {
		t.Fatalf("%d posts where the build is subscribed", len(posts))
	}
	if props, _ := post.Decode(posts[0]); props.Rows[0].State != post.StateSuccess {
		t.Fatalf("the subscribed post shows %s", props.Rows[0].State)
	}
}

// A push that runs two builders of a repo is one card with a row for each, as a chat build is:
// the first build of the buildset reads it, and the second is a row the card has already.
func TestAPushThatRunsTwoBuildersIsOneCardWithTwoRows(t *testing.T) {
	p := newPipeline(t, sub("live", "webapp", "*", subscription.Started))
	ids := p.bb.push("main", 1, 2)
	p.bb.run(ids[0])
	p.tick(t)

	live := p.postsIn("live")
	if len(live) != 1 {
		t.Fatalf("%d posts for one push", len(live))
	}
	rows := func() []post.Row {
		props, ok := post.Decode(p.postsIn("live")[0])
		if !ok {
			t.Fatal("the post holds no build")
		}
		return props.Rows
	}
	if r := rows(); len(r) != 2 || r[0].State != post.StateBuilding || r[1].State != post.StateQueued || r[1].Builder != "webapp-2" {
		t.Fatalf("rows %+v", r)
	}

	setReads := p.bb.setReads
	p.bb.run(ids[1])
	p.tick(t)
	if p.bb.setReads != setReads {
		t.Fatal("the buildset was read again for its second build")
	}
	p.bb.end(ids[0], buildbot.Success)
	p.bb.end(ids[1], buildbot.Failure)
	p.tick(t)

	live = p.postsIn("live")
	if r := rows(); len(live) != 1 || len(r) != 2 || r[0].State != post.StateSuccess || r[1].State != post.StateFailure {
		t.Fatalf("%d posts, rows %+v", len(live), r)
	}
	if len(p.store.m) != 0 {
		t.Fatal("a finished push is still followed")
	}
}

// A failure subscription gets the push's card as soon as one row fails, with the others still
// running; the card then follows them to the end. A push that passes says nothing.
func TestAFailureSubscriptionGetsThePushesCardWhenAnyRowFails(t *testing.T) {
	p := newPipeline(t, sub("quiet", "webapp", "*", subscription.Failure))
	passing := p.bb.push("main", 1, 2)
	p.bb.run(passing[0])
	p.bb.run(passing[1])
	p.tick(t)
	p.bb.end(passing[0], buildbot.Success)
	p.bb.end(passing[1], buildbot.Success)
	p.tick(t)
	if n := len(p.postsIn("quiet")); n != 0 || len(p.store.m) != 0 {
		t.Fatalf("%d posts of a passing push, %d entries", n, len(p.store.m))
	}

	failing := p.bb.push("main", 1, 2)
	p.bb.run(failing[0])
	p.bb.run(failing[1])
	p.tick(t)
	p.bb.end(failing[1], buildbot.Failure)
	p.tick(t)
	quiet := p.postsIn("quiet")
	props, ok := post.Decode(quiet[0])
	if len(quiet) != 1 || !ok || props.Rows[0].State != post.StateBuilding || props.Rows[1].State != post.StateFailure {
		t.Fatalf("posts %+v", quiet)
	}

	p.bb.end(failing[0], buildbot.Success)
	p.tick(t)
	quiet = p.postsIn("quiet")
	props, _ = post.Decode(quiet[0])
	if len(quiet) != 1 || props.Rows[0].State != post.StateSuccess {
		t.Fatalf("posts %+v", quiet)
	}
}

// --style line is one line per push too.
func TestALineSubscriptionPostsOneLinePerPush(t *testing.T) {
	line := sub("lines", "webapp", "*", subscription.Finished)
	line.Style = subscription.StyleLine
	p := newPipeline(t, line)
	ids := p.bb.push("dev", 1, 2)
	p.bb.run(ids[0])
	p.bb.run(ids[1])
	p.tick(t)
	p.bb.end(ids[0], buildbot.Success)
	p.tick(t)
	if n := len(p.postsIn("lines")); n != 0 {
		t.Fatalf("%d posts before the push finished", n)
	}
	p.bb.end(ids[1], buildbot.Failure)
	p.tick(t)

	const want = ":x: **webapp** `dev`: [webapp-1 #2](https://ci/#/builders/1/builds/2) success; [webapp-2 #3](https://ci/#/builders/2/builds/3) failure"
	if posts := p.postsIn("lines"); len(posts) != 1 || posts[0].Message != want {
		t.Fatalf("posts %+v", posts)
	}
}

// A subscribed post Mattermost refuses is made by a later tick, once, and the build is then let go.
func TestASubscribedPostMattermostRefusedIsMadeByALaterTick(t *testing.T) {
	p := newPipeline(t, sub("quiet", "webapp", "*", subscription.Failure))
	id := p.bb.start(1, "main")
	p.tick(t)
	p.bb.end(id, buildbot.Failure)
	p.posts.refuse = func(*model.Post) error { return fmt.Errorf("the channel is read-only") }
	p.tick(t)
	if len(p.postsIn("quiet")) != 0 || len(p.store.m) != 1 {
		t.Fatalf("posts %v, entries %d", p.postsIn("quiet"), len(p.store.m))
	}

	p.posts.refuse = nil
	// The tick after announceGrace: the refused post may be one a crash interrupted.
	past := time.Now().Add(-announceGrace).UnixMilli()
	for _, tr := range p.store.m {
		tr.CreatedAt, tr.ClaimedAt = past, past
	}
	p.tick(t)
	p.tick(t)
	if posts := p.postsIn("quiet"); len(posts) != 1 || !strings.Contains(posts[0].Message, "failure") || len(p.store.m) != 0 {
		t.Fatalf("posts %v, entries %d", posts, len(p.store.m))
	}
}

// told records what the tracker handed the notifier, in order.
type told struct {
	ended    []string
	broke    []string
	involved []string
	order    []string
}

func (n *told) Ended(tr *Tracked) {
	n.ended = append(n.ended, fmt.Sprintf("%s %s", tr.PostID, tr.Props.Rows[0].State))
	n.order = append(n.order, "ended")
}

func (n *told) Broke(tr *Tracked, row post.Row, authors []string) {
	n.broke = append(n.broke, fmt.Sprintf("%d %v", row.BuildID, authors))
	n.order = append(n.order, "broke")
}

func (n *told) Involved(tr *Tracked, authors []string) {
	n.involved = append(n.involved, fmt.Sprintf("%s %v", tr.PostID, authors))
	n.order = append(n.order, "involved")
}

// Each build with a post is handed to the notifier once when it ends, with its authors; a failure
// after a success is a break, handed over once, and a failure after a failure is none.
func TestTheNotifierHearsOfEachEndOnceAndOfTheFirstFailureAfterASuccess(t *testing.T) {
	p := newPipeline(t, sub("live", "webapp", "*", subscription.Finished))
	n := &told{}
	p.tracker.Notify = n
	authors := "[alice@example.com mallory@example.com]"
	run := func(r buildbot.Result) int {
		id := p.bb.start(1, "main")
		p.tick(t)
		p.bb.end(id, r)
		p.tick(t)
		p.tick(t)
		return id
	}
	run(buildbot.Success)
	broken := run(buildbot.Failure)
	run(buildbot.Failure)

	require.Len(t, n.ended, 3)
	require.Len(t, n.involved, 3)
	for _, e := range n.involved {
		require.Contains(t, e, authors)
	}
	require.Equal(t, []string{fmt.Sprintf("%d %s", broken, authors)}, n.broke)
	// The messages that need no read of Buildbot go first.
	require.Equal(t, []string{"ended", "involved", "ended", "broke", "involved", "ended", "involved"}, n.order)
}
