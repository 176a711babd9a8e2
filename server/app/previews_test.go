package app_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/access"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/app"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbottest"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/catalog"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/config"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/post"
)

// A build of tools (builder 3, which the force scheduler serves) that is running, and one of
// deploy-prod (builder 4, which no force scheduler serves).
const previewBuilds = `{"builds":[
 {"buildid":90,"number":12,"builderid":3,"buildrequestid":41,"complete":false,"results":null,"started_at":100,"state_string":"building",
  "properties":{"branch":["main","Force"],"revision":["0123456789abcdef","Force"]}},
 {"buildid":91,"number":8,"builderid":4,"buildrequestid":42,"complete":true,"results":0,"started_at":100,"complete_at":160,
  "properties":{"branch":["main","Force"]}}]}`

type watched struct {
	channel  string
	builders []int
}

// previewsFor is the previews' app over the fake Buildbot at url, with a warm catalog.
func previewsFor(t *testing.T, cfg *config.Configuration, mm *fakeMM) (*app.Previews, *[]watched) {
	t.Helper()
	snap := config.NewSnapshot(cfg)
	cat := catalog.New(func() catalog.Setup { return catalog.SetupFor(snap) }, nil)
	if _, err := cat.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	a := &app.App{Snapshot: func() *config.Snapshot { return snap }, Catalog: cat, MM: mm, BotID: "bot", Gate: &access.Gate{MM: mm}}
	var watches []watched
	return &app.Previews{App: a, Watch: func(channel string, builders []int) error {
		watches = append(watches, watched{channel, builders})
		return nil
	}}, &watches
}

func pasted(message string) *model.Post {
	return &model.Post{Id: model.NewId(), UserId: "alice", ChannelId: "builds", RootId: "root", FileIds: []string{"file"}, Message: message}
}

func fields(a *model.SlackAttachment) map[string]string {
	out := map[string]string{}
	for _, f := range a.Fields {
		out[f.Title] = f.Value.(string)
	}
	return out
}

func TestAPastedLinkToARunningBuildGetsAPreviewAndTheChannelWatchesItsBuilder(t *testing.T) {
	bb := &buildbottest.Server{Builds: previewBuilds}
	url := bb.Start(t)
	pv, watches := previewsFor(t, &config.Configuration{BuildbotURL: url}, newMM())
	message := "it hangs: " + url + "/#/builders/3/builds/12, see"

	out := pv.Add(context.Background(), pasted(message), nil)

	if out == nil {
		t.Fatal("no preview")
	}
	if out.Message != message || out.RootId != "root" || len(out.FileIds) != 1 || out.UserId != "alice" || out.Type != "" {
		t.Fatalf("the message changed: %+v", out)
	}
	attachments := out.Attachments()
	if len(attachments) != 1 {
		t.Fatalf("attachments %+v", attachments)
	}
	a := attachments[0]
	f := fields(a)
	if a.Title != "tools #12" || a.TitleLink != url+"/#/builders/3/builds/12" || f["State"] != ":arrows_counterclockwise: building" ||
		f["Branch"] != "`main`" || f["Revision"] != "`0123456789ab`" {
		t.Errorf("attachment %+v, fields %v", a, f)
	}
	if links, ok := post.PreviewedLinks(out); !ok || len(links) != 1 || links[0] != url+"/#/builders/3/builds/12" {
		t.Errorf("marker %v", out.GetProp(post.PreviewsKey))
	}
	if len(*watches) != 1 || (*watches)[0].channel != "builds" || len((*watches)[0].builders) != 1 || (*watches)[0].builders[0] != 3 {
		t.Errorf("watches %+v", *watches)
	}
}

func TestAFinishedBuildIsPreviewedButNotWatched(t *testing.T) {
	bb := &buildbottest.Server{Builds: strings.Replace(previewBuilds, `"complete":false,"results":null`, `"complete":true,"results":2`, 1)}
	url := bb.Start(t)
	pv, watches := previewsFor(t, &config.Configuration{BuildbotURL: url}, newMM())

	out := pv.Add(context.Background(), pasted(url+"/#/builders/3/builds/12"), nil)

	if out == nil || fields(out.Attachments()[0])["State"] != ":x: failure" || out.Attachments()[0].Color != "danger" {
		t.Fatalf("preview %+v", out)
	}
	if len(*watches) != 0 {
		t.Errorf("a finished build was watched: %+v", *watches)
	}
}

func TestAPastedBuildRequestAndBuilderArePreviewed(t *testing.T) {
	bb := &buildbottest.Server{Builds: previewBuilds, BuildRequests: `{"buildrequests":[{"buildrequestid":43,"builderid":3,"claimed":false,"complete":false}]}`,
		RequestBuilds: `{"builds":[]}`}
	url := bb.Start(t)
	pv, watches := previewsFor(t, &config.Configuration{BuildbotURL: url}, newMM())

	out := pv.Add(context.Background(), pasted(url+"/#/buildrequests/43 and "+url+"/#/builders/3"), nil)

	if out == nil || len(out.Attachments()) != 2 {
		t.Fatalf("previews %+v", out)
	}
	request, builder := out.Attachments()[0], out.Attachments()[1]
	if request.Title != "tools" || request.TitleLink != url+"/#/buildrequests/43" || fields(request)["State"] != ":hourglass_flowing_sand: queued" {
		t.Errorf("request %+v %v", request, fields(request))
	}
	if builder.Title != "tools #12" || builder.TitleLink != url+"/#/builders/3" {
		t.Errorf("builder %+v", builder)
	}
	if len(*watches) != 1 || len((*watches)[0].builders) != 1 {
		t.Errorf("watches %+v", *watches)
	}
}

func TestNoPreview(t *testing.T) {
	bb := &buildbottest.Server{Builds: previewBuilds}
	url := bb.Start(t)
	link := url + "/#/builders/3/builds/12"
	off := false
	tests := []struct {
		name string
		cfg  config.Configuration
		post func() *model.Post
		mm   func(*fakeMM)
	}{
		{name: "in a channel where /build is refused", cfg: config.Configuration{AllowedChannels: "dev/random"}, post: func() *model.Post { return pasted(link) }},
		{name: "in a team where /build is refused", cfg: config.Configuration{AllowedTeams: "ops"}, post: func() *model.Post { return pasted(link) }},
		{name: "for someone who cannot read the channel", post: func() *model.Post { return pasted(link) },
			mm: func(mm *fakeMM) { mm.members = map[string][]string{"builds": {"root"}} }},
		{name: "when the setting turns previews off", cfg: config.Configuration{LinkPreviews: &off}, post: func() *model.Post { return pasted(link) }},
		{name: "for the bot's own posts", post: func() *model.Post {
			p := pasted(link)
			p.UserId = "bot"
			return p
		}},
		{name: "for a webhook's post", post: func() *model.Post {
			p := pasted(link)
			p.AddProp(model.PostPropsFromWebhook, "true")
			return p
		}},
		{name: "for another plugin's post type", post: func() *model.Post {
			p := pasted(link)
			p.Type = "custom_other"
			return p
		}},
		{name: "for a message with an integration's attachments", post: func() *model.Post {
			p := pasted(link)
			p.AddProp(model.PostPropsAttachments, []*model.SlackAttachment{{Title: "theirs"}})
			return p
		}},
		{name: "for a builder /build does not offer", post: func() *model.Post { return pasted(url + "/#/builders/4/builds/8") }},
		{name: "for a link in a code span", post: func() *model.Post { return pasted("`" + link + "`") }},
		{name: "for a link to another server", post: func() *model.Post { return pasted("https://ci.other.example/#/builders/3/builds/12") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mm := newMM()
			if tt.mm != nil {
				tt.mm(mm)
			}
			tt.cfg.BuildbotURL = url
			pv, watches := previewsFor(t, &tt.cfg, mm)
			bb.Mu.Lock()
			before := bb.Reads["/api/v2/builds"]
			bb.Mu.Unlock()

			if out := pv.Add(context.Background(), tt.post(), nil); out != nil {
				t.Errorf("previews %+v", out.Attachments())
			}
			bb.Mu.Lock()
			read := bb.Reads["/api/v2/builds"] - before
			bb.Mu.Unlock()
			if read != 0 || len(*watches) != 0 {
				t.Errorf("Buildbot read %d times, watches %+v", read, *watches)
			}
		})
	}
}

func TestASlowBuildbotMeansNoPreviewRatherThanASlowMessage(t *testing.T) {
	bb := &buildbottest.Server{Builds: previewBuilds}
	target, _ := url.Parse(bb.Start(t))
	proxy := httputil.NewSingleHostReverseProxy(target)
	slow := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-slow:
			if r.URL.Path == "/api/v2/builds" {
				select {
				case <-r.Context().Done():
					return
				case <-time.After(10 * time.Second):
				}
			}
		default:
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	pv, _ := previewsFor(t, &config.Configuration{BuildbotURL: srv.URL}, newMM())
	close(slow)
	p := pasted(srv.URL + "/#/builders/3/builds/12")

	started := time.Now()
	out := pv.Add(context.Background(), p, nil)

	if took := time.Since(started); took > app.PreviewWait+time.Second {
		t.Errorf("the message waited %v", took)
	}
	if out != nil {
		t.Errorf("previews %+v", out.Attachments())
	}
}

func TestEditsFollowTheLinks(t *testing.T) {
	bb := &buildbottest.Server{Builds: previewBuilds}
	url := bb.Start(t)
	link := url + "/#/builders/3/builds/12"
	pv, _ := previewsFor(t, &config.Configuration{BuildbotURL: url}, newMM())
	old := pv.Add(context.Background(), pasted("see "+link), nil)
	if old == nil {
		t.Fatal("no preview")
	}
	reads := func() int {
		bb.Mu.Lock()
		defer bb.Mu.Unlock()
		return bb.Reads["/api/v2/builds"]
	}

	t.Run("an edit that keeps the links keeps their previews, without reading Buildbot", func(t *testing.T) {
		edited := pasted("see " + link + " (typo fixed)")
		before := reads()
		out := pv.Add(context.Background(), edited, old)
		if out == nil || len(out.Attachments()) != 1 || out.Attachments()[0].Title != "tools #12" || reads() != before {
			t.Errorf("edit %+v, %d reads", out, reads()-before)
		}
	})
	t.Run("an edit that drops the links drops their previews", func(t *testing.T) {
		// Mattermost hands the hook the edited message with the props it had.
		edited := old.Clone()
		edited.Message = "never mind"
		out := pv.Add(context.Background(), edited, old)
		if out == nil || out.GetProp(post.PreviewsKey) != nil || out.GetProp(model.PostPropsAttachments) != nil || out.Message != "never mind" {
			t.Errorf("edit %+v", out)
		}
	})
	t.Run("an edit to another build previews that one", func(t *testing.T) {
		edited := old.Clone()
		edited.Message = url + "/#/builders/3"
		out := pv.Add(context.Background(), edited, old)
		if links, _ := post.PreviewedLinks(out); len(links) != 1 || links[0] != url+"/#/builders/3" {
			t.Errorf("edit %+v", out)
		}
	})
	t.Run("a client's imitation of previews on a message without links is taken away", func(t *testing.T) {
		forged := pasted("nothing to see")
		forged.AddProp(post.PreviewsKey, old.GetProp(post.PreviewsKey))
		forged.AddProp(model.PostPropsAttachments, old.GetProp(model.PostPropsAttachments))
		out := pv.Add(context.Background(), forged, nil)
		if out == nil || out.GetProp(post.PreviewsKey) != nil || out.GetProp(model.PostPropsAttachments) != nil {
			t.Errorf("post %+v", out)
		}
	})
}

// previewed is a message the hook previewed, as Mattermost stored it.
func previewed(t *testing.T, pv *app.Previews, mm *fakeMM, message string) *model.Post {
	t.Helper()
	out := pv.Add(context.Background(), pasted(message), nil)
	if out == nil {
		t.Fatal("no preview")
	}
	mm.posts = append(mm.posts, out)
	return out
}

func TestLiveReadsWhatTheMessageLinksForAReaderOfItsChannel(t *testing.T) {
	bb := &buildbottest.Server{Builds: previewBuilds}
	url := bb.Start(t)
	mm := newMM()
	pv, _ := previewsFor(t, &config.Configuration{BuildbotURL: url}, mm)
	p := previewed(t, pv, mm, "see "+url+"/#/builders/3/builds/12")

	got, err := pv.Live(context.Background(), "root", p.Id, time.Time{})

	if err != nil || len(got) != 1 || got[0].State != post.StateBuilding || got[0].Rows[0].Number != 12 || got[0].Repo != "tools" ||
		got[0].BuildbotURL != url+"/#/builders/3/builds/12" {
		t.Fatalf("live %+v, %v", got, err)
	}

	t.Run("someone who cannot read the channel is refused", func(t *testing.T) {
		mm.members = map[string][]string{"builds": {"alice"}}
		defer func() { mm.members = nil }()
		_, err := pv.Live(context.Background(), "root", p.Id, time.Time{})
		if _, refused := access.TextOf(err); !refused {
			t.Errorf("err %v", err)
		}
	})
	t.Run("a post without previews has none to read", func(t *testing.T) {
		plain := pasted("see " + url + "/#/builders/3/builds/12")
		mm.posts = append(mm.posts, plain)
		if _, err := pv.Live(context.Background(), "alice", plain.Id, time.Time{}); !errors.Is(err, app.ErrNoPreviews) {
			t.Errorf("err %v", err)
		}
	})
	t.Run("the links are the message's, not what the marker says", func(t *testing.T) {
		forged := pasted("no links here")
		forged.AddProp(post.PreviewsKey, p.GetProp(post.PreviewsKey))
		mm.posts = append(mm.posts, forged)
		if _, err := pv.Live(context.Background(), "alice", forged.Id, time.Time{}); !errors.Is(err, app.ErrNoPreviews) {
			t.Errorf("err %v", err)
		}
	})
}

func TestReadersShareReadsOfBuildbotUntilAnEventAsksForNewerState(t *testing.T) {
	bb := &buildbottest.Server{Builds: previewBuilds}
	url := bb.Start(t)
	mm := newMM()
	pv, _ := previewsFor(t, &config.Configuration{BuildbotURL: url}, mm)
	p := previewed(t, pv, mm, url+"/#/builders/3/builds/12")
	reads := func() int {
		bb.Mu.Lock()
		defer bb.Mu.Unlock()
		return bb.Reads["/api/v2/builds"]
	}
	before := reads()

	for _, user := range []string{"alice", "root", "alice"} {
		if _, err := pv.Live(context.Background(), user, p.Id, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	if got := reads() - before; got != 1 {
		t.Errorf("three readers cost %d reads, want 1", got)
	}
	event := time.Now()
	time.Sleep(time.Millisecond)
	if _, err := pv.Live(context.Background(), "alice", p.Id, event); err != nil {
		t.Fatal(err)
	}
	if got := reads() - before; got != 2 {
		t.Errorf("a read after an event cost %d reads in all, want 2", got)
	}
}

func TestAMessageRightAfterNewSettingsWaitsForTheirCatalogWithinItsTime(t *testing.T) {
	bb := &buildbottest.Server{Builds: previewBuilds}
	url := bb.Start(t)
	snap := config.NewSnapshot(&config.Configuration{BuildbotURL: url})
	cat := catalog.New(func() catalog.Setup { return catalog.SetupFor(snap) }, nil)
	pv := &app.Previews{App: &app.App{Snapshot: func() *config.Snapshot { return snap }, Catalog: cat, MM: newMM(), BotID: "bot", Gate: &access.Gate{MM: newMM()}}}
	// New settings start a read of the catalog, as the plugin's OnConfigurationChange does.
	go func() {
		time.Sleep(200 * time.Millisecond)
		_, _ = cat.Refresh(context.Background())
	}()

	if out := pv.Add(context.Background(), pasted(url+"/#/builders/3/builds/12"), nil); out == nil || len(out.Attachments()) != 1 {
		t.Errorf("preview %+v", out)
	}
}
