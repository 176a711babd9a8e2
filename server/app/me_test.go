package app_test

import (
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbottest"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/config"
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
		{"/build me links", "Use `/build me`, `/build me link` or `/build me unlink`."},
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
