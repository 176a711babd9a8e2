package tracker

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbottest"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/markdown"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/markdown/markdowntest"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/post"
)

// A tick that finds nothing new writes nothing: no KV write (which would also push back the
// entry's expiry for ever) and no read or edit of the post.
func TestATickThatChangesNothingWritesNothing(t *testing.T) {
	var requests int64
	bb := fakeBuildbot(t, &requests, runningBuild)
	store, posts := tracking(3)
	tr := &Tracker{Store: store, Posts: posts, ActionURL: "/x"}
	_ = tr.Tick(context.Background(), bb, opts)
	writes, reads, updates := store.writes, posts.reads, posts.updates

	_ = tr.Tick(context.Background(), bb, opts)

	if store.writes != writes || posts.reads != reads || posts.updates != updates {
		t.Fatalf("a tick with nothing new made %d writes, %d post reads, %d edits", store.writes-writes, posts.reads-reads, posts.updates-updates)
	}
}

func TestABuildFollowedForAWeekEndsWithAStateThatSaysSo(t *testing.T) {
	var requests int64
	bb := fakeBuildbot(t, &requests, `{"builds":[]}`)
	store, posts := tracking(1)
	store.m["post000"].CreatedAt = time.Now().Add(-forgetAfter - time.Minute).UnixMilli()
	tr := &Tracker{Store: store, Posts: posts, ActionURL: "/x"}

	_ = tr.Tick(context.Background(), bb, opts)

	if len(store.m) != 0 {
		t.Fatal("a week-old build is still followed")
	}
	p := posts.posts["post000"]
	props, _ := post.Decode(p)
	if !props.Expired || props.Rows[0].State != post.StateExpired || !strings.Contains(p.Message, "No longer followed: not finished after 7 days") {
		t.Fatalf("props %+v, message %q", props, p.Message)
	}
	if actions := p.Attachments()[0].Actions; len(actions) != 0 {
		t.Fatalf("buttons on a build no longer followed: %+v", actions)
	}
}

const failedBuild = `{"builds":[{"buildid":7,"number":4,"builderid":1,"buildrequestid":1,"complete":true,"results":2,"started_at":100,"complete_at":130}]}`

// Mattermost refuses a reply to a reply: a Rebuild's post and a /build in a thread are replies,
// so their failure replies go to the thread's root.
func TestTheFailureReplyOfAPostInAThreadGoesToTheThreadsRoot(t *testing.T) {
	var requests int64
	bb := fakeBuildbot(t, &requests, failedBuild)
	store, posts := tracking(1)
	store.m["post000"].RootID = "root1"
	tr := &Tracker{Store: store, Posts: posts, ActionURL: "/x", BotID: "bot"}

	_ = tr.Tick(context.Background(), bb, opts)

	if len(posts.replies) != 1 || posts.replies[0].RootId != "root1" {
		t.Fatalf("replies %+v", posts.replies)
	}
}

// Names come from Buildbot's config: a step named "@channel deploy" must not notify the channel
// from a reply, which is a new post, and a name cannot make a link.
func TestBuildbotsNamesInAFailureReplyAreInert(t *testing.T) {
	var requests int64
	bb := buildbottest.NewClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		atomic.AddInt64(&requests, 1)
		switch r.URL.Path {
		case "/api/v2/buildrequests":
			_, _ = fmt.Fprint(w, `{"buildrequests":[{"buildrequestid":1,"complete":true,"results":2}]}`)
		case "/api/v2/builds":
			_, _ = fmt.Fprint(w, failedBuild)
		case "/api/v2/builds/7/steps":
			_, _ = fmt.Fprint(w, `{"steps":[{"number":1,"name":"@channel deploy [x](https://evil.example)","results":2}]}`)
		default:
			_, _ = fmt.Fprint(w, `{"logs":[]}`)
		}
	}))
	store, posts := tracking(1)
	store.m["post000"].Props.Rows[0].Builder = "@here builder"
	tr := &Tracker{Store: store, Posts: posts, ActionURL: "/x", BotID: "bot"}

	_ = tr.Tick(context.Background(), bb, opts)

	if len(posts.replies) != 1 {
		t.Fatalf("replies %+v", posts.replies)
	}
	for _, message := range []string{posts.replies[0].Message, posts.posts["post000"].Message} {
		read := markdowntest.Read(message)
		if len(read.Mentions) != 1 || read.Mentions[0] != "@alice" {
			t.Fatalf("%q mentions %v", message, read.Mentions)
		}
		for _, link := range read.Links {
			if !strings.HasPrefix(link, "https://ci/") {
				t.Fatalf("%q links to %s", message, link)
			}
		}
		if !strings.Contains(message, markdown.Text("@channel deploy [x](https://evil.example)")) {
			t.Fatalf("the step is not named in %q", message)
		}
	}
}

func TestAStoppedBuildNamesWhoStoppedIt(t *testing.T) {
	for _, tc := range []struct {
		name, builds, noted, wantBy, wantReason, wantText string
	}{
		{"a build stopped from Mattermost, by the user the plugin recorded and Buildbot's state text names",
			`{"builds":[{"buildid":7,"number":4,"builderid":1,"buildrequestid":1,"complete":true,"results":6,"state_string":"cancelled (Stopped by @bob from Mattermost) 'sh -c ...' (cancelled)"}]}`,
			"bob", "bob", "", "cancelled by @bob · requested by @alice"},
		{"the plugin's reason written in Buildbot's UI naming a channel mention, as Buildbot's text",
			`{"builds":[{"buildid":7,"number":4,"builderid":1,"buildrequestid":1,"complete":true,"results":6,"state_string":"cancelled (Stopped by @channel from Mattermost) 'sh -c ...' (cancelled)"}]}`,
			"", "", "Stopped by @channel from Mattermost", "cancelled (" + markdown.Text("Stopped by @channel from Mattermost") + ") · requested by @alice"},
		{"the plugin's reason naming someone other than who clicked Stop, as Buildbot's text",
			`{"builds":[{"buildid":7,"number":4,"builderid":1,"buildrequestid":1,"complete":true,"results":6,"state_string":"cancelled (Stopped by @bob from Mattermost) 'sh -c ...' (cancelled)"}]}`,
			"carol", "", "Stopped by @bob from Mattermost", "cancelled (" + markdown.Text("Stopped by @bob from Mattermost") + ") · requested by @alice"},
		{"a build stopped in Buildbot's UI, by its reason",
			`{"builds":[{"buildid":7,"number":4,"builderid":1,"buildrequestid":1,"complete":true,"results":6,"state_string":"cancelled (@all look) 'sh -c ...' (cancelled)"}]}`,
			"", "", "@all look", "cancelled (" + markdown.Text("@all look") + ") · requested by @alice"},
		{"a request cancelled before it ran, by who clicked Stop",
			`{"builds":[]}`, "carol", "carol", "", "cancelled by @carol · requested by @alice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var requests int64
			bb := fakeBuildbotWith(t, &requests, `{"buildrequests":[{"buildrequestid":1,"complete":true,"results":6}]}`, tc.builds)
			store, posts := tracking(1)
			if tc.noted != "" {
				_ = store.NoteStopper("post000", tc.noted)
			}
			tr := &Tracker{Store: store, Posts: posts, ActionURL: "/x"}

			_ = tr.Tick(context.Background(), bb, opts)

			props, _ := post.Decode(posts.posts["post000"])
			if row := props.Rows[0]; row.State != post.StateCancelled || row.StoppedBy != tc.wantBy || row.StopReason != tc.wantReason {
				t.Fatalf("row %+v", row)
			}
			if msg := posts.posts["post000"].Message; !strings.Contains(msg, tc.wantText) {
				t.Fatalf("message %q", msg)
			}
		})
	}
}

type logged []string

func (l *logged) LogWarn(msg string, keyValuePairs ...any) {
	*l = append(*l, fmt.Sprint(append([]any{msg}, keyValuePairs...)...))
}

type refusingPosts struct{ *memPosts }

func (refusingPosts) UpdatePost(*model.Post) error { return errors.New("the post is archived") }

func TestEditsAndRepliesMattermostRefusesAreLoggedWithTheirIds(t *testing.T) {
	var requests int64
	bb := fakeBuildbot(t, &requests, failedBuild)
	store, posts := tracking(1)
	var log logged
	tr := &Tracker{Store: store, Posts: refusingPosts{posts}, ActionURL: "/x", Log: &log}
	posts.refuse = func(*model.Post) error { return errors.New("replies are off") }

	_ = tr.Tick(context.Background(), bb, opts)

	all := strings.Join(log, "\n")
	if !strings.Contains(all, "Could not update a status post") || !strings.Contains(all, "post000") || !strings.Contains(all, "the post is archived") || !strings.Contains(all, "1/7") {
		t.Fatalf("log %s", all)
	}
	if store.m["post000"] == nil {
		t.Fatal("a build whose post could not show its result was let go")
	}
}

// Builds' properties are only worth reading while a change waits for its builds to be found by
// the tag they carry.
func TestTicksReadPropertiesOnlyWhileAChangeWaitsForItsBuilds(t *testing.T) {
	var asked []string
	bb := buildbottest.NewClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v2/builds" {
			asked = append(asked, r.URL.Query().Get("property"))
			_, _ = fmt.Fprint(w, `{"builds":[]}`)
			return
		}
		_, _ = fmt.Fprint(w, `{"buildrequests":[]}`)
	}))
	store, posts := tracking(1)
	tr := &Tracker{Store: store, Posts: posts, ActionURL: "/x"}
	_ = tr.Tick(context.Background(), bb, opts)
	store.m["change"] = &Tracked{ID: "change", PostID: "post000", Tag: "tag-1", CreatedAt: time.Now().UnixMilli(), Props: post.Props{Repo: "app", ChangeID: 3}}
	_ = tr.Tick(context.Background(), bb, opts)

	if len(asked) != 2 || asked[0] != "" || asked[1] != RequestProperty {
		t.Fatalf("properties asked for: %q", asked)
	}
}
