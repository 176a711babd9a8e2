package app_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/access"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/app"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbottest"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/command"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/config"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/panel"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/post"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/subscription"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/websockettest"
)

// panelBuildbot is the fake Buildbot with builder 5, "retired", on no master, so no repo claims it.
// Build 9 of tools and build 91 of deploy-prod run; request 6 of tools and 45 of retired wait.
// tools failed twice in a row on main (88, 89) after a success, and failed last on feature/x and on
// dev; app-docs failed on main.
func panelBuildbot() *buildbottest.Server {
	return &buildbottest.Server{
		Builders: `{"builders":[{"builderid":1,"name":"app-compile","masterids":[1]},{"builderid":2,"name":"app-docs","masterids":[1]},
			{"builderid":3,"name":"tools","masterids":[1]},{"builderid":4,"name":"deploy-prod","masterids":[1]},{"builderid":5,"name":"retired","masterids":[]}]}`,
		Builds: `{"builds":[
 {"buildid":9,"number":12,"builderid":3,"buildrequestid":41,"complete":false,"results":null,"started_at":1700000000,
  "properties":{"branch":["main","Force"],"owner":["Ann <ann@example.com>","Force"]}},
 {"buildid":91,"number":7,"builderid":4,"buildrequestid":42,"complete":false,"results":null,"started_at":1700000100,
  "properties":{"branch":["main","Scheduler"],"scheduler":["deploys","Scheduler"]}},
 {"buildid":89,"number":11,"builderid":3,"complete":true,"results":2,"started_at":1699990000,"complete_at":1699990600,"properties":{"branch":["main","x"]}},
 {"buildid":88,"number":10,"builderid":3,"complete":true,"results":2,"started_at":1699980000,"complete_at":1699980600,
  "properties":{"branch":["main","x"],"got_revision":["0123456789abcdef0123","x"]}},
 {"buildid":87,"number":9,"builderid":3,"complete":true,"results":0,"started_at":1699970000,"complete_at":1699970600,"properties":{"branch":["main","x"]}},
 {"buildid":86,"number":8,"builderid":3,"complete":true,"results":2,"started_at":1699960000,"complete_at":1699960600,"properties":{"branch":["feature/x","x"]}},
 {"buildid":85,"number":7,"builderid":3,"complete":true,"results":2,"started_at":1699950000,"complete_at":1699950600,"properties":{"branch":["dev","x"]}},
 {"buildid":84,"number":3,"builderid":2,"complete":true,"results":2,"started_at":1699940000,"complete_at":1699940600,"properties":{"branch":["main","x"]}}]}`,
		BuildRequests: `{"buildrequests":[
 {"buildrequestid":6,"buildsetid":7,"builderid":3,"claimed":false,"complete":false,"submitted_at":1700000200},
 {"buildrequestid":45,"buildsetid":8,"builderid":5,"claimed":false,"complete":false,"submitted_at":1700000300},
 {"buildrequestid":46,"buildsetid":8,"builderid":3,"claimed":true,"complete":false,"submitted_at":1700000300}]}`,
		Buildsets: `{"buildsets":[{"bsid":7,"reason":"Requested by @alice in dev/~builds (Mattermost)","sourcestamps":[{"branch":"feature/y"}]},
			{"bsid":8,"reason":"The Nightly scheduler named 'nightly' triggered this build","sourcestamps":[{"branch":"main"}]}]}`,
		BuildChanges: `{"changes":[{"changeid":8,"author":"Bob Builder <bob@example.com>","revision":"fedcba","comments":"Break the tools\n\nLong story."}]}`,
	}
}

// chatPosts are the status posts of builds started from chat, by request.
type chatPosts map[int][2]string

func (c chatPosts) ChatPost(_ string, requestID int) (string, string, error) {
	p := c[requestID]
	return p[0], p[1], nil
}

// panelFor is the app as the Builds panel drives it, over the fake Buildbot, with a warm catalog.
// Build 9's status post is in ~builds, request 6's in ~secret, which only root may read.
func panelFor(t *testing.T, cfg *config.Configuration, mm *fakeMM) (*app.App, *websockettest.Recorder) {
	t.Helper()
	a := handlerFor(t, cfg, mm).App
	if _, err := a.Catalog.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	a.Board = &panel.Reader{Client: func() *buildbot.Client { return a.Snapshot().Buildbot }, Timeout: func() time.Duration { return 5 * time.Second }}
	mm.channels["secret"] = &model.Channel{Id: "secret", Name: "secret", TeamId: "t"}
	if mm.members == nil {
		mm.members = map[string][]string{}
	}
	mm.members["secret"] = []string{"root"}
	a.ChatPosts = chatPosts{41: {"builds", "post-of-9"}, 6: {"secret", "post-of-6"}}
	events := &websockettest.Recorder{}
	a.Publish = events.Publish
	return a, events
}

// in is a user of the panel in a channel of team t, which the webapp names.
func in(user, channel string) app.Actor {
	return app.Actor{UserID: user, ChannelID: channel, TeamID: "t", CallerTeam: true}
}

func refusal(t *testing.T, err error) *access.Refusal {
	t.Helper()
	var r *access.Refusal
	if !errors.As(err, &r) {
		t.Fatalf("error %v, want a refusal", err)
	}
	return r
}

func TestThePanelShowsNothingToAUserBuildWouldRefuseThere(t *testing.T) {
	bb := panelBuildbot()
	url := bb.Start(t)
	mm := newMM()
	mm.channels["dm"] = &model.Channel{Id: "dm", Name: "alice__bob", Type: model.ChannelTypeDirect}
	mm.teams["ops"] = &model.Team{Id: "ops", Name: "ops"}
	mm.teamMembers = map[string][]string{"ops": {"root"}}
	open, _ := panelFor(t, &config.Configuration{BuildbotURL: url}, mm)
	mm.members["builds"] = []string{"root"}
	opsOnly, _ := panelFor(t, &config.Configuration{BuildbotURL: url, AllowedTeams: "ops"}, mm)
	asked := bb.Requests.Load()

	for _, tc := range []struct {
		name string
		a    *app.App
		who  app.Actor
		want access.Reason
	}{
		{"a user who cannot read the channel", open, in("alice", "builds"), access.ChannelUnreadable},
		{"a user in a team the settings do not allow", opsOnly, in("alice", "random"), access.TeamNotAllowed},
		{"a direct message judged by a team the user says but is not in", open, app.Actor{UserID: "alice", ChannelID: "dm", TeamID: "ops", CallerTeam: true}, access.TeamNotJoined},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.a.Panel(context.Background(), tc.who, time.Time{})
			if r := refusal(t, err); r.Reason != tc.want {
				t.Errorf("refused for %s, want %s", r.Reason, tc.want)
			}
			if _, err := tc.a.PanelRedCount(context.Background(), tc.who); refusal(t, err).Reason != tc.want {
				t.Errorf("the badge: %v", err)
			}
			if _, err := tc.a.PanelBranches(tc.who, "tools"); refusal(t, err).Reason != tc.want {
				t.Errorf("the branches: %v", err)
			}
		})
	}
	if n := bb.Requests.Load() - asked; n != 0 {
		t.Errorf("refused panels read Buildbot %d times", n)
	}
	if _, err := open.Panel(context.Background(), in("root", "builds"), time.Time{}); err != nil {
		t.Fatalf("a member: %v", err)
	}
}

// shown is a panel build as the tests compare it.
type shown struct {
	builder string
	state   post.State
	id      int
}

func builds(repo app.PanelRepo) []shown {
	out := []shown{}
	for _, b := range repo.Builds {
		id := b.BuildID
		if b.State == post.StateQueued {
			id = b.RequestID
		}
		out = append(out, shown{b.Builder, b.State, id})
	}
	return out
}

func TestThePanelGroupsRunningThenQueuedBuildsByRepoWithUnclaimedBuildersLast(t *testing.T) {
	bb := panelBuildbot()
	a, _ := panelFor(t, &config.Configuration{BuildbotURL: bb.Start(t), PublicURL: "https://ci.example.com"}, newMM())

	view, err := a.Panel(context.Background(), in("alice", "builds"), time.Time{})
	if err != nil {
		t.Fatal(err)
	}

	var repos []string
	for _, r := range view.Repos {
		repos = append(repos, r.Repo)
	}
	if strings.Join(repos, ",") != "deploy-prod,tools," {
		t.Fatalf("repos %q", repos)
	}
	want := map[string][]shown{
		"deploy-prod": {{"deploy-prod", post.StateBuilding, 91}},
		"tools":       {{"tools", post.StateBuilding, 9}, {"tools", post.StateQueued, 6}},
		"":            {{"retired", post.StateQueued, 45}},
	}
	for _, r := range view.Repos {
		if got := builds(r); !slices.Equal(got, want[r.Repo]) {
			t.Errorf("repo %q: %+v, want %+v", r.Repo, got, want[r.Repo])
		}
	}
	running, queued := view.Repos[1].Builds[0], view.Repos[1].Builds[1]
	if running.Number != 12 || running.RequestID != 41 || running.Branch != "main" || running.StartedBy != "Ann" || running.StartedAt != 1700000000000 ||
		running.URL != "https://ci.example.com/#/builders/3/builds/12" || running.Place != 0 {
		t.Errorf("running build %+v", running)
	}
	if queued.Number != 0 || queued.Branch != "feature/y" || queued.StartedBy != "@alice" || queued.StartedAt != 1700000200000 ||
		queued.URL != "https://ci.example.com/#/buildrequests/6" || queued.Place != 1 || queued.StartsAt != 0 {
		t.Errorf("queued request %+v", queued)
	}
	if other := view.Repos[2].Builds[0]; other.StartedBy != "The Nightly scheduler named 'nightly' triggered this build" || other.Branch != "main" {
		t.Errorf("a scheduler's request %+v", other)
	}
	if view.ReadAt <= 0 {
		t.Errorf("read at %d", view.ReadAt)
	}
}

// reds is the red builders of a view as "builder branch subscribed".
func reds(view app.PanelBuilds) string {
	var out []string
	for _, r := range view.Red {
		s := r.Builder + " " + r.Branch
		if r.Subscribed {
			s += " subscribed"
		}
		out = append(out, s)
	}
	return strings.Join(out, ", ")
}

func TestRedBuildersAreTheDefaultBranchesAndWhatTheChannelSubscribedTo(t *testing.T) {
	bb := panelBuildbot()
	a, _ := panelFor(t, &config.Configuration{BuildbotURL: bb.Start(t), SubscribePermission: config.SubscribeEveryone}, newMM())
	ctx := context.Background()
	view := func() app.PanelBuilds {
		t.Helper()
		v, err := a.Panel(ctx, in("alice", "builds"), time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}

	// Newest first: tools on main failed last.
	if got := reds(view()); got != "tools main, app-docs main" {
		t.Fatalf("without subscriptions: %q", got)
	}
	if v := view(); v.RedCount != 0 {
		t.Errorf("red count %d without subscriptions", v.RedCount)
	}
	red := view().Red[0]
	if red.Repo != "tools" || red.BuilderID != 3 || red.Failures != 2 || red.Number != 10 || red.Since != 1699980600000 ||
		red.URL != a.Snapshot().Config.LinkBaseURL()+"#/builders/3/builds/10" {
		t.Errorf("red %+v", red)
	}
	if red.FirstBad == nil || *red.FirstBad != (app.PanelChange{Revision: "0123456789ab", Author: "Bob Builder", Comment: "Break the tools"}) {
		t.Errorf("first bad change %+v", red.FirstBad)
	}

	for _, sub := range []app.SubscribeRequest{{Repo: "tools", Branch: "feature/*"}, {Repo: "app-docs"}} {
		if _, err := a.PanelSubscribe(ctx, in("alice", "builds"), sub); err != nil {
			t.Fatal(err)
		}
	}
	// Another channel's subscription covers nothing here.
	if _, err := a.PanelSubscribe(ctx, in("alice", "random"), app.SubscribeRequest{Repo: "tools", Branch: "dev"}); err != nil {
		t.Fatal(err)
	}
	v := view()
	if got := reds(v); got != "tools main, tools feature/x subscribed, app-docs main subscribed" {
		t.Fatalf("with subscriptions: %q", got)
	}
	if v.RedCount != 2 {
		t.Errorf("red count %d, want the 2 subscribed", v.RedCount)
	}
	if n, err := a.PanelRedCount(ctx, in("alice", "builds")); err != nil || n != 2 {
		t.Errorf("the badge %d, %v", n, err)
	}
	if n, err := a.PanelRedCount(ctx, in("alice", "random")); err != nil || n != 1 {
		t.Errorf("the badge of ~random %d, %v: its subscription covers tools on dev", n, err)
	}
}

func TestMayStopFollowsTheStopRulesOfEachBuilder(t *testing.T) {
	bb := panelBuildbot()
	url := bb.Start(t)
	mm := newMM()
	everyone, _ := panelFor(t, &config.Configuration{BuildbotURL: url}, mm)
	admins, _ := panelFor(t, &config.Configuration{BuildbotURL: url, BuildPermission: config.PermissionAdmins}, mm)

	for _, tc := range []struct {
		name string
		a    *app.App
		user string
		// want is may_stop of tools' build, deploy-prod's build (which no force scheduler serves)
		// and retired's request.
		want [3]bool
	}{
		{"a user may stop what chat may start", everyone, "alice", [3]bool{true, false, false}},
		{"a system admin may stop any build", everyone, "root", [3]bool{true, true, true}},
		{"a user the build permission refuses may stop none", admins, "alice", [3]bool{false, false, false}},
		{"a system admin the build permission allows may stop any", admins, "root", [3]bool{true, true, true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			view, err := tc.a.Panel(context.Background(), in(tc.user, "builds"), time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]bool{}
			for _, r := range view.Repos {
				for _, b := range r.Builds {
					got[b.Builder] = got[b.Builder] || b.MayStop
				}
			}
			if [3]bool{got["tools"], got["deploy-prod"], got["retired"]} != tc.want {
				t.Errorf("may stop %v, want tools, deploy-prod, retired %v", got, tc.want)
			}
		})
	}
}

func TestABuildLinksItsStatusPostOnlyForAViewerWhoMayReadItsChannel(t *testing.T) {
	bb := panelBuildbot()
	a, _ := panelFor(t, &config.Configuration{BuildbotURL: bb.Start(t)}, newMM())

	for user, want := range map[string][2]string{
		"alice": {"https://chat.example.com/_redirect/pl/post-of-9", ""},
		"root":  {"https://chat.example.com/_redirect/pl/post-of-9", "https://chat.example.com/_redirect/pl/post-of-6"},
	} {
		view, err := a.Panel(context.Background(), in(user, "builds"), time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		tools := view.Repos[1].Builds
		if got := [2]string{tools[0].PostURL, tools[1].PostURL}; got != want {
			t.Errorf("%s: post links %q, want %q", user, got, want)
		}
		if other := view.Repos[0].Builds[0]; other.PostURL != "" {
			t.Errorf("%s: a build not started from chat links %q", user, other.PostURL)
		}
	}
}

func TestPanelSubscriptionsTellTheChannelsPanelsOnlyWhenTheyChange(t *testing.T) {
	bb := panelBuildbot()
	url := bb.Start(t)
	mm := newMM()
	mm.channelAdmins = map[string][]string{"builds": {"alice"}}
	a, events := panelFor(t, &config.Configuration{BuildbotURL: url}, mm)
	ctx := context.Background()
	told := func(t *testing.T, want bool) {
		t.Helper()
		got := events.Take()
		if !want {
			if len(got) != 0 {
				t.Errorf("told %+v", got)
			}
			return
		}
		if len(got) != 1 || got[0].Event != "panel_subscriptions" ||
			len(got[0].Payload) != 1 || got[0].Payload["channel_id"] != "builds" || !reflect.DeepEqual(*got[0].Broadcast, model.WebsocketBroadcast{ChannelId: "builds"}) {
			t.Errorf("told %+v", got)
		}
	}

	text, err := a.PanelSubscribe(ctx, in("alice", "builds"), app.SubscribeRequest{Repo: "Tools", Branch: "release/*", Events: []subscription.Event{subscription.Failure}})
	if err != nil || !strings.Contains(text.English(), "This channel now hears about **tools** on `release/*`: `failure`") {
		t.Fatalf("subscribe: %q, %v", text.English(), err)
	}
	told(t, true)

	for _, tc := range []struct {
		name  string
		asked app.SubscribeRequest
		want  string
	}{
		{"an unknown repo, with the closest names", app.SubscribeRequest{Repo: "toolz"}, "Did you mean `tools`?"},
		{"a glob that is not one", app.SubscribeRequest{Repo: "tools", Branch: "main;rm"}, "use a branch name or a glob"},
		{"an event that is not one", app.SubscribeRequest{Repo: "tools", Events: []subscription.Event{"sometimes"}}, "`sometimes` is not an event"},
	} {
		t.Run(tc.name+" is an error in the user's words and saves nothing", func(t *testing.T) {
			_, err := a.PanelSubscribe(ctx, in("alice", "builds"), tc.asked)
			var e *i18n.Error
			if !errors.As(err, &e) || !strings.Contains(e.Text.English(), tc.want) {
				t.Fatalf("error %v, want an i18n error saying %q", err, tc.want)
			}
			told(t, false)
		})
	}
	t.Run("a user who may not subscribe the channel is refused by the gate", func(t *testing.T) {
		mm.users["bob"] = &model.User{Id: "bob", Username: "bob"}
		_, err := a.PanelSubscribe(ctx, in("bob", "builds"), app.SubscribeRequest{Repo: "tools"})
		if r := refusal(t, err); r.Reason != access.NotSubscriber {
			t.Errorf("refused for %s", r.Reason)
		}
		_, err = a.PanelUnsubscribe(in("bob", "builds"), "tools", "release/*")
		if r := refusal(t, err); r.Reason != access.NotSubscriber {
			t.Errorf("unsubscribe refused for %s", r.Reason)
		}
		told(t, false)
	})
	t.Run("unsubscribing what the channel does not have is an error and tells nothing", func(t *testing.T) {
		_, err := a.PanelUnsubscribe(in("alice", "builds"), "tools", "main")
		var e *i18n.Error
		if !errors.As(err, &e) || !strings.Contains(e.Text.English(), "no subscription to `tools`") {
			t.Fatalf("error %v", err)
		}
		told(t, false)
	})

	text, err = a.PanelUnsubscribe(in("alice", "builds"), "tools", "release/*")
	if err != nil || text.English() != "This channel no longer hears about **tools** on `release/*`." {
		t.Fatalf("unsubscribe: %q, %v", text.English(), err)
	}
	told(t, true)
	if subs, _ := a.Subs.Channel("builds"); len(subs) != 0 {
		t.Errorf("left %+v", subs)
	}
}

// The webapp sends the events as a list: they are stored as /build subscribe --events stores them,
// or a subscription to "Failure" would never hear of a failure.
func TestThePanelStoresTheEventsItIsSentAsTheCommandDoes(t *testing.T) {
	bb := panelBuildbot()
	a, _ := panelFor(t, &config.Configuration{BuildbotURL: bb.Start(t), SubscribePermission: config.SubscribeEveryone}, newMM())
	asked := app.SubscribeRequest{Repo: "tools", Events: []subscription.Event{"Failure", " problem", "failure"}}
	if _, err := a.PanelSubscribe(context.Background(), in("alice", "builds"), asked); err != nil {
		t.Fatal(err)
	}
	subs, _ := a.Subs.Channel("builds")
	if len(subs) != 1 || !slices.Equal(subs[0].Events, []subscription.Event{subscription.Failure, subscription.Problem}) {
		t.Fatalf("stored %+v", subs)
	}
}

func TestTheSubscriptionListSaysWhetherTheViewerMayEditIt(t *testing.T) {
	bb := panelBuildbot()
	mm := newMM()
	mm.channelAdmins = map[string][]string{"builds": {"alice"}}
	mm.users["bob"] = &model.User{Id: "bob", Username: "bob"}
	a, _ := panelFor(t, &config.Configuration{BuildbotURL: bb.Start(t)}, mm)
	if _, err := a.PanelSubscribe(context.Background(), in("alice", "builds"), app.SubscribeRequest{Repo: "tools"}); err != nil {
		t.Fatal(err)
	}

	list, err := a.PanelSubscriptionList(in("alice", "builds"))
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Subscriptions) != 1 || list.Subscriptions[0].Repo != "tools" || list.Subscriptions[0].Creator != "alice" ||
		!list.MayEdit || list.Refusal != "" || len(list.Repos) == 0 || len(list.Events) != len(subscription.Events) {
		t.Errorf("an editor's list %+v", list)
	}
	list, err = a.PanelSubscriptionList(in("bob", "builds"))
	if err != nil {
		t.Fatal(err)
	}
	if list.MayEdit || !strings.Contains(list.Refusal, "Only the channel's admins") || len(list.Repos) != 0 || len(list.Subscriptions) != 1 {
		t.Errorf("a reader's list %+v", list)
	}
}

func TestStoppingFromThePanelFollowsTheGate(t *testing.T) {
	bb := panelBuildbot()
	url := bb.Start(t)
	mm := newMM()
	everyone, _ := panelFor(t, &config.Configuration{BuildbotURL: url}, mm)
	admins, _ := panelFor(t, &config.Configuration{BuildbotURL: url, BuildPermission: config.PermissionAdmins}, mm)
	ctx := context.Background()
	controls := func() int {
		bb.Mu.Lock()
		defer bb.Mu.Unlock()
		return bb.Controls
	}

	t.Run("a user the build permission refuses is refused before Buildbot is asked", func(t *testing.T) {
		asked := bb.Requests.Load()
		_, err := admins.PanelStop(ctx, in("alice", "builds"), 9, 0)
		if r := refusal(t, err); r.Reason != access.NotBuilder {
			t.Errorf("refused for %s", r.Reason)
		}
		if bb.Requests.Load() != asked {
			t.Error("Buildbot was asked")
		}
	})
	t.Run("a user may not stop a build of a builder chat may not start", func(t *testing.T) {
		_, err := everyone.PanelStop(ctx, in("alice", "builds"), 91, 0)
		if r := refusal(t, err); r.Reason != access.BuilderNotServed {
			t.Errorf("refused for %s", r.Reason)
		}
		if controls() != 0 {
			t.Error("Buildbot was told to stop")
		}
	})
	t.Run("a user who may stops a running build", func(t *testing.T) {
		text, err := everyone.PanelStop(ctx, in("alice", "builds"), 9, 0)
		if err != nil || !strings.Contains(text.English(), "Stopping tools") {
			t.Fatalf("%q, %v", text.English(), err)
		}
		bb.Mu.Lock()
		defer bb.Mu.Unlock()
		if bb.Controls != 1 || !strings.Contains(bb.Bodies[0], `"method":"stop"`) || !strings.Contains(bb.Bodies[0], post.StopReason("alice")) {
			t.Errorf("told Buildbot %q", bb.Bodies)
		}
	})
	t.Run("a user who may cancels a queued request", func(t *testing.T) {
		text, err := everyone.PanelStop(ctx, in("alice", "builds"), 0, 6)
		if err != nil || !strings.Contains(text.English(), "Stopping tools") {
			t.Fatalf("%q, %v", text.English(), err)
		}
		bb.Mu.Lock()
		defer bb.Mu.Unlock()
		if bb.Controls != 2 || !strings.Contains(bb.Bodies[1], `"method":"cancel"`) {
			t.Errorf("told Buildbot %q", bb.Bodies)
		}
	})
	t.Run("a request a worker took already is not cancelled", func(t *testing.T) {
		text, err := everyone.PanelStop(ctx, in("alice", "builds"), 0, 46)
		if err != nil || !strings.Contains(text.English(), "no longer queued") || controls() != 2 {
			t.Fatalf("%q, %v, %d controls", text.English(), err, controls())
		}
	})
	t.Run("a build that finished is not stopped", func(t *testing.T) {
		text, err := everyone.PanelStop(ctx, in("alice", "builds"), 89, 0)
		if err != nil || !strings.Contains(text.English(), "Nothing to stop") || controls() != 2 {
			t.Fatalf("%q, %v, %d controls", text.English(), err, controls())
		}
	})
	for _, tc := range []struct {
		name               string
		buildID, requestID int
	}{
		{"a request Buildbot does not have", 0, 999},
		{"nothing named", 0, 0},
	} {
		t.Run(tc.name+" is an error in the user's words", func(t *testing.T) {
			_, err := everyone.PanelStop(ctx, in("alice", "builds"), tc.buildID, tc.requestID)
			if _, ok := i18n.TextOf(err); !ok {
				t.Fatalf("error %v", err)
			}
		})
	}
}

// The panel lists the user's builds as /build mine does, and leaves out those in a channel they
// can no longer read.
func TestThePanelListsTheUsersBuildsAsTheirPostsShowThem(t *testing.T) {
	bb := panelBuildbot()
	mm := newMM()
	a, _ := panelFor(t, &config.Configuration{BuildbotURL: bb.Start(t)}, mm)
	h := &command.Handler{App: a}
	if mine, err := a.PanelMine(in("alice", "builds")); err != nil || mine == nil || len(mine) != 0 {
		t.Fatalf("before any build: %+v, %v", mine, err)
	}
	run(h, "alice", "builds", "/build tools")
	run(h, "alice", "random", "/build app-docs")
	mm.members["random"] = []string{"bob"}

	mine, err := a.PanelMine(in("alice", "builds"))
	if err != nil || len(mine) != 1 {
		t.Fatalf("%+v, %v", mine, err)
	}
	b := mine[0]
	if b.PostURL != "https://chat.example.com/_redirect/pl/"+mm.posts[0].Id || b.Repo != "tools" || b.Branch != "main" || b.State != post.StateQueued ||
		len(b.Builders) != 1 || b.Builders[0] != (app.PanelMineBuilder{Builder: "tools", State: post.StateQueued}) {
		t.Errorf("build %+v", b)
	}
	if _, err := a.PanelMine(in("alice", "secret")); refusal(t, err).Reason != access.ChannelUnreadable {
		t.Errorf("asked from a channel alice cannot read: %v", err)
	}
}

func TestTheBranchesOfARepoAreWhatItsBuildsAndSchedulersName(t *testing.T) {
	bb := panelBuildbot()
	a, _ := panelFor(t, &config.Configuration{BuildbotURL: bb.Start(t)}, newMM())

	branches, err := a.PanelBranches(in("alice", "builds"), "tools")
	if err != nil || len(branches) == 0 || branches[0] != "main" || !slices.Contains(branches, "feature/x") {
		t.Fatalf("branches %q, %v", branches, err)
	}
	if branches, err := a.PanelBranches(in("alice", "builds"), "nothing-such"); err != nil || branches == nil || len(branches) != 0 {
		t.Fatalf("an unknown repo's branches %q, %v", branches, err)
	}
}
