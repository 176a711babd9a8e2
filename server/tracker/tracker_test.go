package tracker

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/post"
)

type memStore map[string]*Tracked

func (m memStore) Save(t *Tracked) error           { m[t.PostID] = t; return nil }
func (m memStore) Get(id string) (*Tracked, error) { return m[id], nil }
func (m memStore) Delete(id string) error          { delete(m, id); return nil }
func (m memStore) List() ([]*Tracked, error) {
	var out []*Tracked
	for _, t := range m {
		out = append(out, t)
	}
	return out, nil
}

type memPosts struct {
	posts   map[string]*model.Post
	updates int
	replies []*model.Post
}

func (m *memPosts) GetPost(id string) (*model.Post, error) {
	p, ok := m.posts[id]
	if !ok {
		return nil, ErrPostGone
	}
	return p.Clone(), nil
}

func (m *memPosts) UpdatePost(p *model.Post) error {
	m.updates++
	m.posts[p.Id] = p
	return nil
}

func (m *memPosts) CreatePost(p *model.Post) error {
	m.replies = append(m.replies, p)
	return nil
}

// fakeBuildbot answers every tracked request with a running build, and counts requests.
func fakeBuildbot(t *testing.T, requests *int64, builds string) *buildbot.Client {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		atomic.AddInt64(requests, 1)
		switch r.URL.Path {
		case "/api/v2/buildrequests":
			_, _ = io.WriteString(w, `{"buildrequests":[{"buildrequestid":1,"claimed":true},{"buildrequestid":2,"complete":true,"results":2}]}`)
		case "/api/v2/builds":
			_, _ = io.WriteString(w, builds)
		case "/api/v2/builds/7/steps":
			_, _ = io.WriteString(w, `{"steps":[{"number":0,"name":"checkout","results":0},{"number":1,"name":"compile","results":2}]}`)
		case "/api/v2/builds/7/steps/1/logs":
			_, _ = io.WriteString(w, `{"logs":[{"logid":70,"name":"stdio"}]}`)
		case "/api/v2/logs/70/raw":
			_, _ = io.WriteString(w, "compile line 1\ncompile line 2\nerror: broken\n")
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	c, err := buildbot.New(buildbot.Options{BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var opts = Options{LinkBase: "https://ci/", Reply: true, LogLines: 20}

const runningBuild = `{"builds":[{"buildid":5,"number":3,"builderid":1,"buildrequestid":1,"state_string":"compile","started_at":100}]}`

func tracking(n int) (memStore, *memPosts) {
	store, posts := memStore{}, &memPosts{posts: map[string]*model.Post{}}
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("post%03d", i)
		props := post.Props{Repo: "app", RequestedBy: "alice", Rows: []post.Row{{Builder: "b", BuilderID: 1, RequestID: 1, State: post.StateQueued}}}
		store[id] = &Tracked{PostID: id, ChannelID: "c", Props: props}
		posts.posts[id] = &model.Post{Id: id}
	}
	return store, posts
}

func TestATickCostsTheSameRequestsForOneOrFiveHundredBuilds(t *testing.T) {
	counts := map[int]int64{}
	for _, n := range []int{1, 500} {
		var requests int64
		bb := fakeBuildbot(t, &requests, runningBuild)
		store, posts := tracking(n)
		tr := &Tracker{Store: store, Posts: posts, ActionURL: "/x"}

		if err := tr.Tick(context.Background(), bb, opts); err != nil {
			t.Fatal(err)
		}
		counts[n] = requests
		if posts.updates != n {
			t.Errorf("%d tracked: %d posts updated", n, posts.updates)
		}
	}
	if counts[1] != counts[500] || counts[1] != 2 {
		t.Fatalf("requests per tick: %v", counts)
	}
}

func TestATickMovesQueuedToBuildingAndOnlyEditsPostsThatChange(t *testing.T) {
	var requests int64
	bb := fakeBuildbot(t, &requests, runningBuild)
	store, posts := tracking(1)
	tr := &Tracker{Store: store, Posts: posts, ActionURL: "/x"}

	_ = tr.Tick(context.Background(), bb, opts)
	_ = tr.Tick(context.Background(), bb, opts)

	p := posts.posts["post000"]
	if posts.updates != 1 || !strings.Contains(p.Message, "[b #3](https://ci/#/builders/1/builds/3): building (compile)") {
		t.Fatalf("%d updates, message %q", posts.updates, p.Message)
	}
	if store["post000"] == nil {
		t.Fatal("a running build stopped being tracked")
	}
}

func TestAFailedBuildEndsTrackingAndRepliesWithTheLogTail(t *testing.T) {
	var requests int64
	bb := fakeBuildbot(t, &requests, `{"builds":[{"buildid":7,"number":4,"builderid":1,"buildrequestid":1,"complete":true,"results":2,"started_at":100,"complete_at":130}]}`)
	store, posts := tracking(1)
	tr := &Tracker{Store: store, Posts: posts, ActionURL: "/x", BotID: "bot"}

	_ = tr.Tick(context.Background(), bb, Options{LinkBase: "https://ci/", Reply: true, LogLines: 2})

	if len(store) != 0 {
		t.Fatal("a finished build is still tracked")
	}
	if !strings.Contains(posts.posts["post000"].Message, ":x: **app**: failure") {
		t.Fatalf("message %q", posts.posts["post000"].Message)
	}
	if len(posts.replies) != 1 {
		t.Fatalf("replies %v", posts.replies)
	}
	reply := posts.replies[0]
	want := "@alice [b #4](https://ci/#/builders/1/builds/4) failure in step **compile**:\n```\ncompile line 2\nerror: broken\n```\n[Full log](https://ci/api/v2/logs/70/raw)"
	if reply.RootId != "post000" || reply.UserId != "bot" || reply.Message != want {
		t.Fatalf("reply %q", reply.Message)
	}
}

func TestADeletedPostEndsItsTrackingQuietly(t *testing.T) {
	var requests int64
	bb := fakeBuildbot(t, &requests, runningBuild)
	store, posts := tracking(1)
	delete(posts.posts, "post000")
	tr := &Tracker{Store: store, Posts: posts, ActionURL: "/x"}

	_ = tr.Tick(context.Background(), bb, opts)

	if len(store) != 0 || posts.updates != 0 {
		t.Fatalf("store %v, updates %d", store, posts.updates)
	}
}

func TestAnUnreachableBuildbotIsSaidAfterRepeatedFailuresAndClearedAfter(t *testing.T) {
	down, err := buildbot.New(buildbot.Options{BaseURL: "http://127.0.0.1:9/"})
	if err != nil {
		t.Fatal(err)
	}
	store, posts := tracking(1)
	tr := &Tracker{Store: store, Posts: posts, ActionURL: "/x"}

	for i := 0; i < unreachableAfter; i++ {
		if err := tr.Tick(context.Background(), down, opts); err == nil {
			t.Fatal("a tick against a stopped Buildbot succeeded")
		}
	}
	if !strings.Contains(posts.posts["post000"].Message, "Buildbot unreachable since") {
		t.Fatalf("message %q", posts.posts["post000"].Message)
	}

	var requests int64
	_ = tr.Tick(context.Background(), fakeBuildbot(t, &requests, runningBuild), opts)
	if strings.Contains(posts.posts["post000"].Message, "unreachable") {
		t.Fatalf("message %q", posts.posts["post000"].Message)
	}
}

func TestNoFailureReplyWhenTheAdminTurnedItOff(t *testing.T) {
	var requests int64
	bb := fakeBuildbot(t, &requests, `{"builds":[{"buildid":7,"number":4,"builderid":1,"buildrequestid":1,"complete":true,"results":2}]}`)
	store, posts := tracking(1)
	tr := &Tracker{Store: store, Posts: posts, ActionURL: "/x", BotID: "bot"}

	_ = tr.Tick(context.Background(), bb, Options{LinkBase: "https://ci/", Reply: false, LogLines: 20})

	if len(posts.replies) != 0 || requests != 2 {
		t.Fatalf("replies %v after %d requests", posts.replies, requests)
	}
}

func TestAChangesBuildsAreFoundByItsTag(t *testing.T) {
	var requests int64
	bb := fakeBuildbot(t, &requests, `{"builds":[
		{"buildid":5,"number":3,"builderid":1,"buildrequestid":1,"properties":{"mattermost_request":["other","Change"]}},
		{"buildid":6,"number":4,"builderid":1,"buildrequestid":2,"complete":true,"results":0,"properties":{"mattermost_request":["tag-1","Change"]}}]}`)
	store, posts := memStore{}, &memPosts{posts: map[string]*model.Post{"p": {Id: "p"}}}
	tr := &Tracker{Store: store, Posts: posts, ActionURL: "/x"}
	_ = tr.Track(&Tracked{PostID: "p", ChannelID: "c", Tag: "tag-1", AfterRequest: 0,
		Props: post.Props{Repo: "app", RequestedBy: "alice", BuildbotURL: "https://ci/", ChangeID: 9}})

	_ = tr.Tick(context.Background(), bb, opts)

	msg := posts.posts["p"].Message
	if !strings.Contains(msg, ":white_check_mark: **app**: success · requested by @alice · from [change 9](https://ci/#/changes/9)") || !strings.Contains(msg, "[builder 1 #4](https://ci/#/builders/1/builds/4): success") {
		t.Fatalf("message %q", msg)
	}
	if len(store) != 0 {
		t.Fatal("a finished change is still tracked")
	}
}

func TestAChangeThatStartsNothingIsGivenUpOn(t *testing.T) {
	var requests int64
	bb := fakeBuildbot(t, &requests, `{"builds":[]}`)
	store, posts := memStore{}, &memPosts{posts: map[string]*model.Post{"p": {Id: "p"}}}
	tr := &Tracker{Store: store, Posts: posts, ActionURL: "/x"}
	store["p"] = &Tracked{PostID: "p", Tag: "tag-1", CreatedAt: time.Now().Add(-time.Hour).UnixMilli(),
		Props: post.Props{Repo: "app", RequestedBy: "alice", ChangeID: 9}}

	_ = tr.Tick(context.Background(), bb, opts)

	if !strings.Contains(posts.posts["p"].Message, "nothing built") || len(store) != 0 {
		t.Fatalf("message %q, store %v", posts.posts["p"].Message, store)
	}
}
