package app_test

import (
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbottest"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/config"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/notify"
)

type fakeAuthors struct {
	shown  bool
	linked map[string]bool
}

func (f *fakeAuthors) Link(u *model.User) error   { f.linked[u.Id] = true; return nil }
func (f *fakeAuthors) Unlink(u *model.User) error { delete(f.linked, u.Id); return nil }
func (f *fakeAuthors) Linked(u *model.User) (bool, error) {
	return f.linked[u.Id], nil
}
func (f *fakeAuthors) AddressesShown() bool { return f.shown }

func TestBuildMeLinksAndUnlinksTheUsersAddressWhereAddressesAreHidden(t *testing.T) {
	bb := &buildbottest.Server{}
	// /build me is about the user alone: the allowed channels do not limit it.
	h := handlerFor(t, &config.Configuration{BuildbotURL: bb.Start(t), AllowedChannels: "elsewhere"}, newMM())
	authors := &fakeAuthors{linked: map[string]bool{}}
	h.App.Authors = authors

	for _, step := range []struct{ command, want string }{
		{"/build me", "mentions you only once you link it: `/build me link`"},
		{"/build me link", "mentions you. `/build me unlink` stops that."},
		{"/build me", "mentions you. `/build me unlink` stops that."},
		{"/build me UNLINK", "mentions you only once you link it"},
		{"/build me links", "Use `/build me`, `/build me link|unlink`, `/build me builds off|failures|always` or `/build me breaks on|off`."},
	} {
		if got := run(h, "alice", "builds", step.command); !strings.Contains(got, step.want) {
			t.Fatalf("%s: %q lacks %q", step.command, got, step.want)
		}
	}
	if authors.linked["alice"] {
		t.Fatal("still linked")
	}

	authors.shown = true
	if got := run(h, "alice", "builds", "/build me link"); !strings.Contains(got, "there is nothing to link") || authors.linked["alice"] {
		t.Fatalf("where addresses are shown: %q, linked %v", got, authors.linked)
	}
}

func TestBuildMeSetsWhichDirectMessagesAboutBuildsTheUserGets(t *testing.T) {
	bb := &buildbottest.Server{}
	h := handlerFor(t, &config.Configuration{BuildbotURL: bb.Start(t)}, newMM())
	h.App.Authors = &fakeAuthors{linked: map[string]bool{}}

	for _, step := range []struct{ command, want string }{
		{"/build me", "- A build you started from chat: never (`/build me builds off|failures|always`)\n- A build your change breaks: once, at the first failure after a success"},
		{"/build me builds failures", "- A build you started from chat: when it fails"},
		{"/build me breaks off", "- A build your change breaks: never"},
		{"/build me", "- A build you started from chat: when it fails"},
		{"/build me builds sometimes", "Use `/build me`"},
	} {
		if got := run(h, "alice", "builds", step.command); !strings.Contains(got, step.want) {
			t.Fatalf("%s: %q lacks %q", step.command, got, step.want)
		}
	}
	settings, err := h.App.Notify.Settings("alice")
	if err != nil || settings != (notify.Settings{OwnBuilds: notify.OwnBuildsFailures, Breaks: false}) {
		t.Fatalf("settings %+v, %v", settings, err)
	}
}

// /build mine lists the builds the user started, newest first, as their posts show them now, and
// leaves out those in a channel they can no longer read.
func TestBuildMineListsTheUsersBuildsAsTheirPostsShowThem(t *testing.T) {
	bb := &buildbottest.Server{}
	mm := newMM()
	h := handlerFor(t, &config.Configuration{BuildbotURL: bb.Start(t)}, mm)
	if got := run(h, "alice", "builds", "/build mine"); !strings.Contains(got, "No builds of yours yet") {
		t.Fatal(got)
	}
	told := 0
	h.App.PostsChanged = func() { told++ }
	run(h, "alice", "builds", "/build tools")
	run(h, "alice", "random", "/build app-docs")
	if told != 2 {
		t.Fatalf("the Builds panel was told of %d new builds of alice's, not 2", told)
	}
	mm.members = map[string][]string{"random": {"bob"}}

	got := run(h, "alice", "builds", "/build mine")

	if !strings.Contains(got, "#### Your builds\n- :hourglass_flowing_sand: [**tools**](https://chat.example.com/_redirect/pl/"+mm.posts[0].Id+") `main` · tools queued") {
		t.Fatal(got)
	}
	if strings.Contains(got, "app-docs") {
		t.Fatalf("a build in a channel alice cannot read: %q", got)
	}
}
