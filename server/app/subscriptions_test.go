package app_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbottest"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/config"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/subscription"
)

func TestWhoMaySubscribeFollowsTheSetting(t *testing.T) {
	bb := &buildbottest.Server{}
	url := bb.Start(t)
	mm := newMM()
	mm.users["chan-admin"] = &model.User{Id: "chan-admin", Username: "chan-admin"}
	mm.users["team-admin"] = &model.User{Id: "team-admin", Username: "team-admin"}
	mm.channelAdmins = map[string][]string{"builds": {"chan-admin"}}
	mm.teamAdmins = map[string][]string{"t": {"team-admin"}}

	for _, tc := range []struct {
		setting string
		allowed []string
		refusal string
	}{
		{"", []string{"chan-admin", "team-admin", "root"}, "Only the channel's admins"},
		{config.SubscribeTeamAdmins, []string{"team-admin", "root"}, "Only team admins"},
		{config.SubscribeSystemAdmins, []string{"root"}, "Only system admins"},
		{config.SubscribeEveryone, []string{"alice", "chan-admin", "team-admin", "root"}, ""},
	} {
		h := handlerFor(t, &config.Configuration{BuildbotURL: url, SubscribePermission: tc.setting}, mm)
		for _, user := range []string{"alice", "chan-admin", "team-admin", "root"} {
			got := run(h, user, "builds", "/build subscribe tools")
			allowed := strings.Contains(got, "This channel now hears about **tools** on its default branch")
			if want := strings.Contains(strings.Join(tc.allowed, ","), user); allowed != want {
				t.Errorf("setting %q, %s: %q", tc.setting, user, got)
			}
			if !allowed && !strings.Contains(got, tc.refusal) {
				t.Errorf("setting %q, %s: %q", tc.setting, user, got)
			}
		}
	}
}

func TestSubscribeTakesEveryBuildersRepoAndSuggestsForATypo(t *testing.T) {
	bb := &buildbottest.Server{}
	h := handlerFor(t, &config.Configuration{BuildbotURL: bb.Start(t), SubscribePermission: config.SubscribeEveryone}, newMM())

	// No force scheduler serves deploy-prod, so /build cannot start it; its pushes are still news.
	if got := run(h, "alice", "builds", "/build subscribe deploy-prod * --events failure,problem"); !strings.Contains(got,
		"This channel now hears about **deploy-prod** on every branch: `failure,problem` (a card per build, edited in place).") {
		t.Fatal(got)
	}
	if got := run(h, "alice", "builds", "/build subscribe deploy-prd"); !strings.Contains(got, "Did you mean `deploy-prod`?") {
		t.Fatal(got)
	}
	if got := run(h, "alice", "builds", "/build subscribe * release/* --style line"); !strings.Contains(got, "**every repo** on `release/*`: `finished` (a line per build)") ||
		!strings.Contains(got, "--events failure,problem,recovery") {
		t.Fatal(got)
	}
	if got := run(h, "alice", "builds", "/build subscribe * --events health"); !strings.Contains(got,
		"This channel now hears about **every repo**: `health` (a post when a worker goes missing or comes back, and when Buildbot stops answering or answers again).") {
		t.Fatal(got)
	}
	subs, _ := h.App.Subs.Channel("builds")
	if len(subs) != 3 || subs[0].Repo != "deploy-prod" || subs[0].CreatorID != "alice" || subs[1].Style != subscription.StyleLine ||
		subs[2].Events[0] != subscription.Health {
		t.Fatalf("stored %+v", subs)
	}
}

func TestUnsubscribeAndTheLists(t *testing.T) {
	bb := &buildbottest.Server{}
	mm := newMM()
	h := handlerFor(t, &config.Configuration{BuildbotURL: bb.Start(t), SubscribePermission: config.SubscribeEveryone}, mm)
	run(h, "alice", "builds", "/build subscribe tools")
	run(h, "alice", "builds", "/build subscribe tools release/*")
	run(h, "alice", "builds", "/build subscribe tools release/* --events failure")
	run(h, "root", "random", "/build subscribe *")

	if got := run(h, "alice", "builds", "/build subscriptions"); !strings.Contains(got, "| tools | default | finished | card | @alice |") ||
		!strings.Contains(got, "| tools | release/\\* | failure | card | @alice |") || strings.Contains(got, "| \\* |") {
		t.Fatalf("this channel's: %q", got)
	}
	if got := run(h, "alice", "builds", "/build subscriptions --all"); !strings.Contains(got, "Only system admins") {
		t.Fatalf("--all for a user: %q", got)
	}
	if got := run(h, "root", "builds", "/build subscriptions --all"); !strings.Contains(got, "| dev/\\~random | \\* | default | finished | card | @root |") {
		t.Fatalf("--all for an admin: %q", got)
	}
	if got := run(h, "alice", "builds", "/build unsubscribe tools"); !strings.Contains(got, "several subscriptions") || !strings.Contains(got, "`/build unsubscribe tools release/*`") {
		t.Fatalf("ambiguous: %q", got)
	}
	if got := run(h, "alice", "builds", "/build unsubscribe tools release/*"); got != "This channel no longer hears about **tools** on `release/*`." {
		t.Fatalf("unsubscribe: %q", got)
	}
	if got := run(h, "alice", "builds", "/build unsubscribe tools"); got != "This channel no longer hears about **tools** on its default branch." {
		t.Fatalf("the only one left: %q", got)
	}
	if got := run(h, "alice", "builds", "/build unsubscribe tools"); !strings.Contains(got, "no subscription to `tools`") {
		t.Fatalf("none left: %q", got)
	}
}

func TestSubscribingFollowsTheChannelRulesOfBuild(t *testing.T) {
	bb := &buildbottest.Server{}
	h := handlerFor(t, &config.Configuration{BuildbotURL: bb.Start(t), SubscribePermission: config.SubscribeEveryone, AllowedChannels: "builds"}, newMM())

	if got := run(h, "alice", "random", "/build subscribe tools"); !strings.Contains(got, "cannot be started from this channel") {
		t.Fatal(got)
	}
}

// Subscriptions cost every poll a look: a channel has at most fifty, all channels the setting's
// total, and past either /build subscribe says so and saves nothing.
func TestSubscribingPastALimitSaysWhichAndSavesNothing(t *testing.T) {
	bb := &buildbottest.Server{}
	url := bb.Start(t)
	h := handlerFor(t, &config.Configuration{BuildbotURL: url, SubscribePermission: config.SubscribeEveryone}, newMM())
	for i := range subscription.PerChannel {
		if got := run(h, "alice", "builds", fmt.Sprintf("/build subscribe tools release-%d", i)); !strings.Contains(got, "now hears about") {
			t.Fatalf("subscription %d: %q", i, got)
		}
	}

	if got := run(h, "alice", "builds", "/build subscribe tools one-more"); !strings.Contains(got, "Nothing was saved: this channel has 50 subscriptions") {
		t.Fatalf("past the channel's limit: %q", got)
	}
	h.App.Snapshot = func() *config.Snapshot {
		return config.NewSnapshot(&config.Configuration{BuildbotURL: url, SubscribePermission: config.SubscribeEveryone,
			MaxSubscriptions: config.Number{Value: 50, Set: true, Raw: "50"}})
	}
	if got := run(h, "alice", "random", "/build subscribe tools"); !strings.Contains(got, "all channels together have 50 subscriptions") {
		t.Fatalf("past the total: %q", got)
	}
	if all, _ := h.App.Subs.All(); len(all) != subscription.PerChannel {
		t.Fatalf("%d saved", len(all))
	}
}
