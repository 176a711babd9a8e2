package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbottest"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/command"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/config"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/post"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/tracker"
)

func press(h *command.Handler, user, postID, action string) string {
	return h.App.Act(context.Background(), &model.PostActionIntegrationRequest{UserId: user, PostId: postID, TeamId: "t",
		Context: map[string]any{"action": action}})
}

func TestButtonsOfABuildOnAnotherBuildbotAreRefusedAndSendNothing(t *testing.T) {
	before, now := &buildbottest.Server{}, &buildbottest.Server{}
	mm := newMM()
	if got := run(handlerFor(t, &config.Configuration{BuildbotURL: before.Start(t)}, mm), "alice", "builds", "/build tools"); got != "" {
		t.Fatal(got)
	}
	// The build ran and finished there, so both buttons would have something to act on.
	status := mm.posts[0]
	props, _ := post.Decode(status)
	props.Rows[0].BuildID, props.Rows[0].State = 9, post.StateFailure
	post.Apply(status, props, "/x", i18n.English())
	running := &model.Post{Id: model.NewId(), ChannelId: "builds", UserId: "bot"}
	props.Rows[0].State = post.StateBuilding
	post.Apply(running, props, "/x", i18n.English())
	running.AddProp(tracker.TrackKey, "t2")
	mm.posts = append(mm.posts, running)

	h := handlerFor(t, &config.Configuration{BuildbotURL: now.Start(t)}, mm)
	for _, c := range []struct{ postID, action string }{{status.Id, post.ActionRebuild}, {running.Id, post.ActionStop}} {
		if got := press(h, "alice", c.postID, c.action); !strings.Contains(got, "ran on a Buildbot the plugin no longer uses") {
			t.Errorf("%s answered %q", c.action, got)
		}
	}
	if now.Controls != 0 || len(mm.posts) != 2 {
		t.Fatalf("%d control calls to the Buildbot in use, %d posts", now.Controls, len(mm.posts))
	}
}

func TestStopOnABuildOfTheBuildbotInUseReachesIt(t *testing.T) {
	bb := &buildbottest.Server{}
	mm := newMM()
	h := handlerFor(t, &config.Configuration{BuildbotURL: bb.Start(t)}, mm)
	if got := run(h, "alice", "builds", "/build tools"); got != "" {
		t.Fatal(got)
	}
	forced := bb.Controls

	press(h, "alice", mm.posts[0].Id, post.ActionStop)

	if bb.Controls != forced+1 {
		t.Fatalf("Stop made %d control calls", bb.Controls-forced)
	}
}

// runningBuild starts /build tools as alice on a fake Buildbot: its status post shows it queued.
func runningBuild(t *testing.T) (*buildbottest.Server, *fakeMM, *command.Handler, *model.Post) {
	t.Helper()
	bb := &buildbottest.Server{}
	mm := newMM()
	h := handlerFor(t, &config.Configuration{BuildbotURL: bb.Start(t)}, mm)
	if got := run(h, "alice", "builds", "/build tools"); got != "" {
		t.Fatal(got)
	}
	return bb, mm, h, mm.posts[0]
}

type auditLog []string

func (a *auditLog) LogInfo(msg string, keyValuePairs ...any) {
	*a = append(*a, fmt.Sprint(append([]any{msg}, keyValuePairs...)...))
}

// finishedBuild starts /build tools as alice and marks its build finished on builder builderID,
// as a tick would: a post both buttons have something to act on.
func finishedBuild(t *testing.T, h *command.Handler, mm *fakeMM, builderID int) *model.Post {
	t.Helper()
	if got := run(h, "alice", "builds", "/build tools"); got != "" {
		t.Fatal(got)
	}
	status := mm.posts[len(mm.posts)-1]
	props, _ := post.Decode(status)
	props.Rows[0].BuildID, props.Rows[0].BuilderID, props.Rows[0].State = 9, builderID, post.StateFailure
	post.Apply(status, props, "/x", i18n.English())
	return status
}

// Mattermost keeps whatever props a user gives a post, so anyone can post a status post's shape,
// with any build, and send its click to the plugin's route.
func TestButtonsActOnlyOnTheBotsOwnStatusPosts(t *testing.T) {
	bb := &buildbottest.Server{}
	mm := newMM()
	h := handlerFor(t, &config.Configuration{BuildbotURL: bb.Start(t)}, mm)
	genuine := finishedBuild(t, h, mm, 3)
	controls := bb.Controls

	forged := genuine.Clone()
	forged.Id, forged.UserId = model.NewId(), "alice"
	untracked := genuine.Clone()
	untracked.Id = model.NewId()
	untracked.DelProp(tracker.TrackKey)
	mm.posts = append(mm.posts, forged, untracked)

	for _, p := range []*model.Post{forged, untracked} {
		for _, action := range []string{post.ActionRebuild, post.ActionStop} {
			if got := press(h, "alice", p.Id, action); !strings.Contains(got, "not written by the Buildbot plugin") {
				t.Errorf("%s on %s answered %q", action, p.UserId, got)
			}
		}
	}
	if bb.Controls != controls {
		t.Fatalf("%d control calls reached Buildbot", bb.Controls-controls)
	}
	if got := press(h, "alice", genuine.Id, post.ActionRebuild); got != "Rebuilding; the new build is in the thread." {
		t.Fatalf("the bot's own post: %q", got)
	}
}

func TestRebuildRefusesABuilderChatMayNotStartWhateverThePostSays(t *testing.T) {
	bb := &buildbottest.Server{}
	mm := newMM()
	h := handlerFor(t, &config.Configuration{BuildbotURL: bb.Start(t)}, mm)
	// deploy-prod (builder 4) runs on Buildbot, but no force scheduler offers it to chat.
	status := finishedBuild(t, h, mm, 4)
	controls := bb.Controls

	got := press(h, "alice", status.Id, post.ActionRebuild)

	if !strings.Contains(got, "not a builder chat may start builds on") || bb.Controls != controls {
		t.Fatalf("answered %q after %d control calls", got, bb.Controls-controls)
	}
}

// A subscribed card shows builds of builders only Buildbot's own schedulers run, such as a deploy a
// push starts: chat may not start them, so a member may not stop them either; a system admin may.
func TestStopOnABuilderChatMayNotStartIsForSystemAdminsOnly(t *testing.T) {
	bb := &buildbottest.Server{}
	mm := newMM()
	h := handlerFor(t, &config.Configuration{BuildbotURL: bb.Start(t)}, mm)
	// deploy-prod (builder 4) runs on Buildbot, but no force scheduler offers it to chat.
	status := finishedBuild(t, h, mm, 4)
	props, _ := post.Decode(status)
	props.Rows[0].State = post.StateBuilding
	post.Apply(status, props, "/x", i18n.English())
	controls := bb.Controls

	if got := press(h, "alice", status.Id, post.ActionStop); !strings.Contains(got, "only system admins may stop its builds") || bb.Controls != controls {
		t.Fatalf("a member's Stop answered %q after %d control calls", got, bb.Controls-controls)
	}
	if got := press(h, "root", status.Id, post.ActionStop); !strings.Contains(got, "Stopping") || bb.Controls != controls+1 {
		t.Fatalf("a system admin's Stop answered %q after %d control calls", got, bb.Controls-controls)
	}
}

// Mattermost checks that the clicker can read the channel only on its own post-action route; the
// plugin's route is reachable directly.
func TestAUserWhoCannotReadTheChannelCannotPressItsButtons(t *testing.T) {
	bb := &buildbottest.Server{}
	mm := newMM()
	h := handlerFor(t, &config.Configuration{BuildbotURL: bb.Start(t)}, mm)
	status := finishedBuild(t, h, mm, 3)
	mm.members = map[string][]string{"builds": {"alice"}}
	mm.users["mallory"] = &model.User{Id: "mallory", Username: "mallory"}
	controls := bb.Controls

	for _, action := range []string{post.ActionRebuild, post.ActionStop} {
		if got := press(h, "mallory", status.Id, action); !strings.Contains(got, "in a channel you cannot read") {
			t.Errorf("%s answered %q", action, got)
		}
	}
	if bb.Controls != controls {
		t.Fatalf("%d control calls reached Buildbot", bb.Controls-controls)
	}
}

// A direct message has no team. The team a button is judged by is the one /build was typed in,
// which the bot wrote on its post, never the one a request names.
func TestButtonsInADirectMessageAreJudgedByTheTeamOnTheBotsPost(t *testing.T) {
	bb := &buildbottest.Server{}
	mm := newMM()
	mm.channels["dm"] = &model.Channel{Id: "dm", Name: "alice__bob", Type: model.ChannelTypeDirect}
	mm.teams["ops"] = &model.Team{Id: "ops", Name: "ops"}
	h := handlerFor(t, &config.Configuration{BuildbotURL: bb.Start(t), AllowedTeams: "ops"}, mm)
	if got := h.Execute(context.Background(), &model.CommandArgs{UserId: "alice", ChannelId: "dm", TeamId: "ops", Command: "/build tools"}); got != "" {
		t.Fatal(got)
	}
	fromOps := mm.posts[0]
	if props, _ := post.Decode(fromOps); props.TeamID != "ops" {
		t.Fatalf("the post does not name its team: %+v", props)
	}
	fromDev := fromOps.Clone()
	fromDev.Id = model.NewId()
	props, _ := post.Decode(fromDev)
	props.TeamID = "t"
	post.Apply(fromDev, props, "/x", i18n.English())
	mm.posts = append(mm.posts, fromDev)

	// The request names the allowed team for both; only the post's own team counts.
	stop := func(postID string) string {
		return h.App.Act(context.Background(), &model.PostActionIntegrationRequest{UserId: "alice", PostId: postID, TeamId: "ops",
			Context: map[string]any{"action": post.ActionStop}})
	}
	if got := stop(fromDev.Id); !strings.Contains(got, "cannot be started from this team") {
		t.Fatalf("a DM build from another team: %q", got)
	}
	if got := stop(fromOps.Id); !strings.Contains(got, "Stopping") {
		t.Fatalf("a DM build from the allowed team: %q", got)
	}
}

func TestEveryClickIsAuditedAllowedOrRefused(t *testing.T) {
	bb := &buildbottest.Server{}
	mm := newMM()
	h := handlerFor(t, &config.Configuration{BuildbotURL: bb.Start(t), BuildPermission: "admins"}, mm)
	var log auditLog
	h.App.Log = &log
	if got := run(h, "root", "builds", "/build tools"); got != "" {
		t.Fatal(got)
	}
	status := mm.posts[0]

	press(h, "alice", status.Id, post.ActionStop)
	press(h, "root", status.Id, post.ActionStop)

	if len(log) != 2 {
		t.Fatalf("audit %q", log)
	}
	for i, want := range []string{"user_idaliceactionstop", "user_idrootactionstop"} {
		if !strings.Contains(log[i], want) || !strings.Contains(log[i], "request_ids6") || !strings.Contains(log[i], "post_id"+status.Id) {
			t.Errorf("audit line %q", log[i])
		}
	}
	if !strings.Contains(log[0], "outcomerefused") || !strings.Contains(log[1], "outcomesent to Buildbot") {
		t.Fatalf("audit %q", log)
	}
}

func TestStopTellsBuildbotAndTheTrackerWhoStoppedIt(t *testing.T) {
	bb, _, h, status := runningBuild(t)

	if got := press(h, "root", status.Id, post.ActionStop); !strings.Contains(got, "Stopping `tools`") {
		t.Fatal(got)
	}

	trackID, _ := status.GetProp(tracker.TrackKey).(string)
	if who := h.App.Tracker.(*fakeTracker).stoppers[trackID]; who != "root" {
		t.Fatalf("the tracker heard %q", who)
	}
	if last := bb.Bodies[len(bb.Bodies)-1]; !strings.Contains(last, `"reason":"Stopped by @root from Mattermost"`) {
		t.Fatalf("Buildbot got %s", last)
	}
}

// Notify me: whoever may see the build asks for a direct message at its end, and asks again to
// cancel; the post shows who waits. A user who cannot read the channel, or a build that ended, is
// refused.
func TestNotifyMeTogglesAndThePostShowsWhoWaits(t *testing.T) {
	bb, mm, h, status := runningBuild(t)
	mm.members = map[string][]string{"builds": {"alice", "bob", "carol"}}
	for _, u := range []string{"bob", "carol", "mallory"} {
		mm.users[u] = &model.User{Id: u, Username: u}
	}
	waiting := func() any {
		p, _ := mm.GetPost(status.Id)
		return p.GetProp(post.WaitingKey)
	}
	controls := bb.Controls
	audit := &auditLog{}
	h.App.Log = audit

	if got := press(h, "bob", status.Id, post.ActionNotify); !strings.Contains(got, "You will get a direct message when this build ends") {
		t.Fatal(got)
	}
	press(h, "carol", status.Id, post.ActionNotify)
	if got := fmt.Sprint(waiting()); got != "[bob carol]" {
		t.Fatalf("waiting %s", got)
	}
	if got := press(h, "bob", status.Id, post.ActionNotify); !strings.Contains(got, "no longer") {
		t.Fatal(got)
	}
	if got := press(h, "mallory", status.Id, post.ActionNotify); !strings.Contains(got, "in a channel you cannot read") {
		t.Fatal(got)
	}
	if got := fmt.Sprint(waiting()); got != "[carol]" {
		t.Fatalf("waiting %s", got)
	}
	if bb.Controls != controls {
		t.Fatal("Notify me called Buildbot")
	}
	// Each click is audited: taken, or refused, never "sent to Buildbot".
	if got := strings.Join(*audit, "\n"); strings.Count(got, "outcomenoted") != 3 || strings.Count(got, "outcomerefused") != 1 {
		t.Fatalf("audit %s", got)
	}

	done := finishedBuild(t, h, mm, 3)
	if got := press(h, "carol", done.Id, post.ActionNotify); !strings.Contains(got, "ended already") {
		t.Fatal(got)
	}
}
