package subscription

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/kvtest"
)

func TestMatchBranch(t *testing.T) {
	for _, tc := range []struct {
		glob, branch string
		want         bool
	}{
		{"main", "main", true},
		{"main", "main2", false},
		{"main", "feature/main", false},
		{"*", "feature/x/y", true},
		{"*", "", true},
		{"release/*", "release/1.0", true},
		{"release/*", "release/1.0/hotfix", true},
		{"release/*", "release", false},
		{"release-?.0", "release-2.0", true},
		{"release-?.0", "release-10.0", false},
		{"v1.+", "v1.+", true},
		{"v1.+", "v1x+", false},
		{"fix/straße-*", "fix/straße-1", true},
	} {
		if got := MatchBranch(tc.glob, tc.branch); got != tc.want {
			t.Errorf("MatchBranch(%q, %q) = %v", tc.glob, tc.branch, got)
		}
	}
}

func TestCoversIgnoresTheRepoNamesCaseTakesAnyRepoForAStarAndEachDefaultBranchForNoGlob(t *testing.T) {
	sub := Subscription{Repo: "WebApp", Branch: "main"}
	if !sub.Covers("webapp", "main", "dev") || sub.Covers("webapp", "dev", "dev") || sub.Covers("api", "main", "main") {
		t.Fatal("a repo subscription covers the wrong builds")
	}
	if all := (Subscription{Repo: AnyRepo, Branch: "*"}); !all.Covers("api", "dev", "main") {
		t.Fatal("* does not cover every repo")
	}
	defaults := Subscription{Repo: AnyRepo}
	if !defaults.Covers("api", "trunk", "trunk") || defaults.Covers("api", "feature", "trunk") || defaults.Covers("api", "", "") {
		t.Fatal("no glob does not mean each repo's default branch")
	}
}

func TestCheckBranch(t *testing.T) {
	for glob, ok := range map[string]bool{"main": true, "release/*": true, "*": true, "fix?": true, "a b": false, "x;rm": false, "": false} {
		if got := CheckBranch(glob).IsZero(); got != ok {
			t.Errorf("%q: %v", glob, got)
		}
	}
}

func TestParseEvents(t *testing.T) {
	events, err := ParseEvents(" Failure, problem,,recovery,failure ")
	if err != nil || fmt.Sprint(events) != "[failure problem recovery]" {
		t.Fatalf("%v, %v", events, err)
	}
	if _, err := ParseEvents("failure,everything"); err == nil || err.Error() != "`everything` is not an event" {
		t.Fatalf("%v", err)
	}
	if _, err := ParseEvents(" , "); err == nil {
		t.Fatal("no events were accepted")
	}
	if events, err := ParseEvents("health"); err != nil || FollowsBuilds(events) {
		t.Fatalf("health: %v, %v, follows builds %v", events, err, FollowsBuilds(events))
	}
	if events, _ := ParseEvents("health,failure"); !FollowsBuilds(events) || Announces(events, buildbot.Success, nil) {
		t.Fatalf("health with failure: %v", events)
	}
}

func result(r buildbot.Result) *buildbot.Result { return &r }

// Buildbot's bots' meanings, row by row: what a build's result, after the previous one on the same
// builder and branch, announces.
func TestAnnounces(t *testing.T) {
	var (
		ok, warn, fail, exc, cancel = buildbot.Success, buildbot.Warnings, buildbot.Failure, buildbot.Exception, buildbot.Cancelled
		none                        *buildbot.Result
	)
	for _, tc := range []struct {
		event    Event
		previous *buildbot.Result
		now      buildbot.Result
		want     bool
	}{
		{Finished, none, ok, true},
		{Finished, result(fail), cancel, true},
		{Success, none, ok, true},
		{Success, none, warn, false},
		{Warnings, none, warn, true},
		{Failure, none, fail, true},
		{Failure, none, exc, false},
		{Exception, none, exc, true},
		{Cancelled, none, cancel, true},
		{Cancelled, none, fail, false},
		{Problem, result(ok), fail, true},
		{Problem, result(warn), exc, true},
		{Problem, result(fail), fail, false},
		{Problem, result(ok), cancel, false},
		{Problem, none, fail, false},
		{Recovery, result(fail), ok, true},
		{Recovery, result(exc), warn, true},
		{Recovery, result(ok), ok, false},
		{Recovery, result(cancel), ok, false},
		{Recovery, none, ok, false},
		{Worse, result(ok), warn, true},
		{Worse, result(fail), cancel, true},
		{Worse, result(fail), fail, false},
		{Worse, result(exc), fail, false},
		{Better, result(fail), ok, true},
		{Better, result(ok), ok, false},
		{Better, result(buildbot.Retry), ok, false},
	} {
		if got := Announces([]Event{tc.event}, tc.now, tc.previous); got != tc.want {
			prev := "none"
			if tc.previous != nil {
				prev = tc.previous.String()
			}
			t.Errorf("%s after %s, now %s: %v", tc.event, prev, tc.now, got)
		}
	}
	if !Announces(QuietEvents, buildbot.Failure, result(buildbot.Failure)) || Announces(QuietEvents, buildbot.Success, result(buildbot.Success)) {
		t.Fatal("the quiet recipe")
	}
}

// Two admins subscribing a channel at the same moment both keep their subscription, and the
// channel is listed once.
func TestConcurrentSubscriptionsAreAllKept(t *testing.T) {
	kv, _ := kvtest.New(t)
	store := &KVStore{KV: kv}
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := store.Put(Subscription{ChannelID: "c", Repo: fmt.Sprintf("repo-%d", i), Branch: "main", Events: DefaultEvents}, 1000)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}

	all, err := store.All()
	if err != nil || len(all) != n {
		t.Fatalf("%d subscriptions kept of %d, %v", len(all), n, err)
	}
}

func TestASubscriptionForTheSameRepoAndGlobReplacesTheOldOne(t *testing.T) {
	kv, _ := kvtest.New(t)
	store := &KVStore{KV: kv}
	first, _ := store.Put(Subscription{ChannelID: "c", Repo: "app", Branch: "main", Events: DefaultEvents}, 1000)
	again, _ := store.Put(Subscription{ChannelID: "c", Repo: "APP", Branch: "main", Events: QuietEvents}, 1000)
	other, _ := store.Put(Subscription{ChannelID: "c", Repo: "app", Branch: "release/*", Events: DefaultEvents}, 1000)

	subs, err := store.Channel("c")
	if err != nil || first || !again || other || len(subs) != 2 || subs[0].Events[0] != Failure {
		t.Fatalf("replaced %v %v %v, subscriptions %+v, %v", first, again, other, subs, err)
	}
	if removed, _ := store.Remove("c", "app", "main"); !removed {
		t.Fatal("nothing removed")
	}
	if removed, _ := store.Remove("c", "app", "main"); removed {
		t.Fatal("removed twice")
	}
	if err := store.DropChannel("c"); err != nil {
		t.Fatal(err)
	}
	if all, err := store.All(); err != nil || len(all) != 0 {
		t.Fatalf("after dropping the channel: %+v, %v", all, err)
	}
}

func TestAChannelHoldsAtMostFiftySubscriptionsAndAllChannelsTheTotal(t *testing.T) {
	kv, _ := kvtest.New(t)
	store := &KVStore{KV: kv}
	for i := range PerChannel {
		if _, err := store.Put(Subscription{ChannelID: "c", Repo: fmt.Sprintf("repo-%d", i), Events: DefaultEvents}, 1000); err != nil {
			t.Fatal(err)
		}
	}
	var limit *LimitError
	if _, err := store.Put(Subscription{ChannelID: "c", Repo: "one-more", Events: DefaultEvents}, 1000); !errors.As(err, &limit) || limit.InAll || limit.Max != PerChannel {
		t.Fatalf("the 51st in a channel: %v", err)
	}
	if replaced, err := store.Put(Subscription{ChannelID: "c", Repo: "repo-7", Events: QuietEvents}, 1000); err != nil || !replaced {
		t.Fatalf("replacing one at the limit: %v, %v", replaced, err)
	}
	if _, err := store.Put(Subscription{ChannelID: "d", Repo: "app", Events: DefaultEvents}, PerChannel); !errors.As(err, &limit) || !limit.InAll {
		t.Fatalf("past the total: %v", err)
	}
	if all, _ := store.All(); len(all) != PerChannel {
		t.Fatalf("%d kept", len(all))
	}
}

func TestAChannelLeftWithoutSubscriptionsLeavesTheListOfChannels(t *testing.T) {
	kv, values := kvtest.New(t)
	store := &KVStore{KV: kv}
	_, _ = store.Put(Subscription{ChannelID: "c", Repo: "app", Events: DefaultEvents}, 1000)
	_, _ = store.Put(Subscription{ChannelID: "d", Repo: "app", Events: DefaultEvents}, 1000)

	if removed, err := store.Remove("c", "app", ""); !removed || err != nil {
		t.Fatalf("removed %v, %v", removed, err)
	}

	if got := string(values.Get(channelsKey)); got != `["d"]` {
		t.Fatalf("channels %s", got)
	}
	if values.Get(channelPrefix+"c") != nil {
		t.Fatal("the empty channel's key is kept")
	}
}

// A poll on every node reads the subscriptions: while nobody changes them that is one read of
// their version, however many channels have some; a change on any node is read at the next poll.
func TestReadingEverySubscriptionCostsOneReadWhileNothingChanged(t *testing.T) {
	kv, values := kvtest.New(t)
	store, otherNode := &KVStore{KV: kv}, &KVStore{KV: kv}
	for i := range 200 {
		_, _ = otherNode.Put(Subscription{ChannelID: fmt.Sprintf("channel-%03d", i), Repo: "app", Events: DefaultEvents}, 1000)
	}
	if all, _ := store.All(); len(all) != 200 {
		t.Fatalf("%d read", len(all))
	}

	before := values.Reads()
	for range 5 {
		if all, _ := store.All(); len(all) != 200 {
			t.Fatalf("%d read", len(all))
		}
	}
	if n := values.Reads() - before; n != 5 {
		t.Fatalf("five polls read the KV store %d times", n)
	}

	_, _ = otherNode.Remove("channel-007", "app", "")
	if all, _ := store.All(); len(all) != 199 {
		t.Fatalf("after another node's change, %d read", len(all))
	}
}
