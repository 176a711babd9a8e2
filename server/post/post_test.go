package post

import (
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/markdown"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/markdown/markdowntest"
)

func result(r buildbot.Result) *buildbot.Result { return &r }

func TestStateOf(t *testing.T) {
	tests := []struct {
		name  string
		req   buildbot.BuildRequest
		build *buildbot.Build
		want  State
	}{
		{"a request no build has started for is queued", buildbot.BuildRequest{}, nil, StateQueued},
		{"a claimed request without a build yet is still queued", buildbot.BuildRequest{Claimed: true}, nil, StateQueued},
		{"a running build is building", buildbot.BuildRequest{Claimed: true}, &buildbot.Build{}, StateBuilding},
		{"result 0 is success", buildbot.BuildRequest{}, &buildbot.Build{Complete: true, Results: result(buildbot.Success)}, StateSuccess},
		{"result 1 is warnings", buildbot.BuildRequest{}, &buildbot.Build{Complete: true, Results: result(buildbot.Warnings)}, StateWarnings},
		{"result 2 is failure", buildbot.BuildRequest{}, &buildbot.Build{Complete: true, Results: result(buildbot.Failure)}, StateFailure},
		{"result 3 is skipped", buildbot.BuildRequest{}, &buildbot.Build{Complete: true, Results: result(buildbot.Skipped)}, StateSkipped},
		{"result 4 is exception", buildbot.BuildRequest{}, &buildbot.Build{Complete: true, Results: result(buildbot.Exception)}, StateException},
		{"result 5 is retry", buildbot.BuildRequest{}, &buildbot.Build{Complete: true, Results: result(buildbot.Retry)}, StateRetry},
		{"result 6 is cancelled", buildbot.BuildRequest{}, &buildbot.Build{Complete: true, Results: result(buildbot.Cancelled)}, StateCancelled},
		{"an unknown result is an exception", buildbot.BuildRequest{}, &buildbot.Build{Complete: true, Results: result(42)}, StateException},
		{"a request skipped without a build was superseded by a newer one", buildbot.BuildRequest{Complete: true, Results: result(buildbot.Skipped)}, nil, StateSuperseded},
		{"a request cancelled before it started is cancelled", buildbot.BuildRequest{Complete: true, Results: result(buildbot.Cancelled)}, nil, StateCancelled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := StateOf(tt.req, tt.build); got != tt.want {
				t.Fatalf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestOverall(t *testing.T) {
	tests := []struct {
		states []State
		want   State
	}{
		{[]State{StateQueued, StateQueued}, StateQueued},
		{[]State{StateQueued, StateSuccess}, StateBuilding},
		{[]State{StateSuccess, StateFailure}, StateFailure},
		{[]State{StateSuccess, StateWarnings}, StateWarnings},
		{[]State{StateSuccess, StateSuccess}, StateSuccess},
		{[]State{StateCancelled, StateSuccess}, StateCancelled},
		{[]State{StateSuccess, StateUnfollowed}, StateUnfollowed},
	}
	for _, tt := range tests {
		if got := Overall(tt.states); got != tt.want {
			t.Errorf("%v: got %s, want %s", tt.states, got, tt.want)
		}
	}
}

func props(states ...State) Props {
	p := Props{Repo: "app", Branch: "main", Revision: "0123456789abcdef", RequestedBy: "alice"}
	for i, s := range states {
		row := Row{Builder: "b" + string(rune('1'+i)), RequestID: 10 + i, State: s, URL: "https://ci/#/buildrequests/1"}
		if s != StateQueued {
			row.BuildID, row.Number, row.StartedAt, row.CompleteAt = 5+i, 7, 100, 160
		}
		p.Rows = append(p.Rows, row)
	}
	return p
}

func actionIDs(p *model.Post) []string {
	var ids []string
	for _, a := range p.Attachments() {
		for _, action := range a.Actions {
			ids = append(ids, action.Id)
		}
	}
	return ids
}

func TestApply(t *testing.T) {
	t.Run("a queued build offers Notify me and Stop only", func(t *testing.T) {
		p := &model.Post{}
		Apply(p, props(StateQueued), "/plugins/buildbot/api/v1/actions", i18n.English())
		if got := strings.Join(actionIDs(p), ","); got != "notify,stop" {
			t.Fatalf("actions %q", got)
		}
		if p.Type != Type || !strings.Contains(p.Message, ":hourglass_flowing_sand: **app** on `main` at `0123456789ab`: queued · requested by @alice") {
			t.Fatalf("post %q %q", p.Type, p.Message)
		}
	})
	t.Run("a finished build offers Rebuild and Rebuild with… only and says how long it took", func(t *testing.T) {
		p := &model.Post{}
		Apply(p, props(StateFailure), "/x", i18n.English())
		if got := strings.Join(actionIDs(p), ","); got != "rebuild,rebuildwith" {
			t.Fatalf("actions %q", got)
		}
		if !strings.Contains(p.Message, ":x: [b1 #7](https://ci/#/buildrequests/1): failure in 1m0s") {
			t.Fatalf("message %q", p.Message)
		}
		stored, ok := Decode(p)
		if !ok || stored.Version != PropsVersion || stored.State != StateFailure {
			t.Fatalf("props %+v", stored)
		}
	})
	t.Run("the buttons call the plugin with the action in a context clients never see", func(t *testing.T) {
		p := &model.Post{}
		Apply(p, props(StateBuilding), "/plugins/buildbot/api/v1/actions", i18n.English())
		action := p.Attachments()[0].Actions[1]
		if action.Integration.URL != "/plugins/buildbot/api/v1/actions" || action.Integration.Context["action"] != "stop" {
			t.Fatalf("action %+v", action.Integration)
		}
	})
	t.Run("a building row names its step and how far it is", func(t *testing.T) {
		for _, tc := range []struct {
			row  Row
			want string
		}{
			{Row{Step: "test", StepsDone: 2, StepsTotal: 4}, "building (step 3/4: test)"},
			{Row{Step: "test", StepsDone: 4, StepsTotal: 4}, "building (step 4/4: test)"},
			{Row{Step: "test"}, "building (test)"},
			{Row{StateString: "starting"}, "building (starting)"},
		} {
			pr := props(StateBuilding)
			tc.row.Builder, tc.row.URL, tc.row.State = "b1", "https://ci/#/builders/1/builds/7", StateBuilding
			pr.Rows = []Row{tc.row}
			p := &model.Post{}
			Apply(p, pr, "/x", i18n.English())
			if !strings.Contains(p.Message, "[b1](https://ci/#/builders/1/builds/7): "+tc.want) {
				t.Errorf("message %q, want %q", p.Message, tc.want)
			}
		}
	})
	t.Run("a failed row links the failed step's log", func(t *testing.T) {
		pr := props(StateFailure)
		pr.Rows[0].FailedStep, pr.Rows[0].LogURL = "compile", "https://ci/#/builders/1/builds/7/steps/2/logs/stdio"
		p := &model.Post{}
		Apply(p, pr, "/x", i18n.English())
		if !strings.Contains(p.Message, "failure in 1m0s · failed step [compile](https://ci/#/builders/1/builds/7/steps/2/logs/stdio)") {
			t.Fatalf("message %q", p.Message)
		}
	})
	t.Run("names from Buildbot cannot break the message's links", func(t *testing.T) {
		pr := props(StateFailure)
		pr.Rows[0].Builder, pr.Rows[0].FailedStep, pr.Rows[0].LogURL = "b[1]", "make [all]", "https://ci/log"
		p := &model.Post{}
		Apply(p, pr, "/x", i18n.English())
		if !strings.Contains(p.Message, `[b\[1\] #7](https://ci/#/buildrequests/1)`) || !strings.Contains(p.Message, `failed step [make \[all\]](https://ci/log)`) {
			t.Fatalf("message %q", p.Message)
		}
	})
	t.Run("every client gets a link to Buildbot with the buttons", func(t *testing.T) {
		p := &model.Post{}
		Apply(p, props(StateSuccess), "/x", i18n.English())
		if a := p.Attachments()[0]; a.Title != "Open in Buildbot" || a.TitleLink != "https://ci/#/buildrequests/1" {
			t.Fatalf("attachment %+v", a)
		}
	})
	t.Run("an unreachable Buildbot is said in the message", func(t *testing.T) {
		pr := props(StateBuilding)
		pr.UnreachableSince = 1700000000000
		p := &model.Post{}
		Apply(p, pr, "/x", i18n.English())
		if !strings.Contains(p.Message, "Buildbot unreachable since 22:13:20 UTC, retrying.") {
			t.Fatalf("message %q", p.Message)
		}
	})
}

func TestAChangeWaitingForBuildsSaysSo(t *testing.T) {
	p := &model.Post{}
	Apply(p, Props{Repo: "app", Branch: "main", RequestedBy: "alice", BuildbotURL: "https://ci/", ChangeID: 5}, "/x", i18n.English())
	if !strings.Contains(p.Message, ":hourglass_flowing_sand: **app** on `main`: queued · requested by @alice\n- Buildbot recorded [change 5](https://ci/#/changes/5); waiting") ||
		len(actionIDs(p)) != 0 {
		t.Fatalf("message %q actions %v", p.Message, actionIDs(p))
	}

	Apply(p, Props{Repo: "app", RequestedBy: "alice", BuildbotURL: "https://ci/", ChangeID: 5, NothingStarted: true}, "/x", i18n.English())
	if !strings.Contains(p.Message, "nothing built · requested by @alice") || !strings.Contains(p.Message, "started no build for [change 5]") {
		t.Fatalf("message %q", p.Message)
	}
}

func TestABuildLetGoSaysWhyAndOffersNoButtons(t *testing.T) {
	p := &model.Post{}
	finished := props(StateSuccess, StateUnfollowed)
	finished.Unfollowed = true
	Apply(p, finished, "/x", i18n.English())
	if !strings.Contains(p.Message, ":grey_question: **app** on `main` at `0123456789ab`: no longer followed · requested by @alice\n"+
		":grey_question: No longer followed: the plugin now uses another Buildbot.") || len(actionIDs(p)) != 0 {
		t.Fatalf("message %q actions %v", p.Message, actionIDs(p))
	}

	Apply(p, Props{Repo: "app", RequestedBy: "alice", BuildbotURL: "https://ci/", ChangeID: 5, Unfollowed: true}, "/x", i18n.English())
	if !strings.Contains(p.Message, ": no longer followed · requested by @alice") || strings.Contains(p.Message, "waiting") {
		t.Fatalf("message %q", p.Message)
	}
}

// Builder, step and state names come from Buildbot's config; the status post shows them without
// letting them mention, link or format anything.
func TestBuildbotsNamesInTheMessageAreInert(t *testing.T) {
	p := props(StateBuilding, StateFailure)
	p.Repo = "@channel repo"
	p.Branch = "x`@here"
	p.Rows[0].Builder, p.Rows[0].Step = "[b](https://evil.example)", "@all # step"
	p.Rows[1].FailedStep, p.Rows[1].LogURL = "www.evil.example | x", "https://ci/log"

	msg := Message(settled(p)).English()

	read := markdowntest.Read(msg)
	// The one mention is the requester; the blocks are the list of rows and its two items.
	if len(read.Mentions) != 1 || read.Mentions[0] != "@alice" || len(read.Blocks) != 3 {
		t.Errorf("%q: %+v", msg, read)
	}
	for _, link := range read.Links {
		if !strings.HasPrefix(link, "https://ci/") {
			t.Errorf("%q links to %s", msg, link)
		}
	}
	for _, shown := range []string{markdown.Text("@channel repo"), "on `x'@here`", markdown.Text("[b](https://evil.example)"), markdown.Text("@all # step")} {
		if !strings.Contains(msg, shown) {
			t.Errorf("%q lacks %q", msg, shown)
		}
	}
}

func TestAStoppedBuildSaysWhoStoppedIt(t *testing.T) {
	p := props(StateCancelled)
	p.Rows[0].StoppedBy = "bob"
	if msg := Message(settled(p)).English(); !strings.Contains(msg, ": cancelled by @bob · requested by @alice") || !strings.Contains(msg, "): cancelled by @bob in 1m0s") {
		t.Fatalf("message %q", msg)
	}
	p.Rows[0].StoppedBy, p.Rows[0].StopReason = "", "nightly cleanup @all"
	if msg := Message(settled(p)).English(); !strings.Contains(msg, ": cancelled ("+markdown.Text("nightly cleanup @all")+") · requested by @alice") {
		t.Fatalf("message %q", msg)
	}
}

func TestStopped(t *testing.T) {
	for state, want := range map[string][2]string{
		"cancelled (" + StopReason("bob.smith") + ") 'sh -c ...' (cancelled)": {"bob.smith", StopReason("bob.smith")},
		"cancelled (Stopped by admin) 'sh -c ...' (cancelled)":                {"", "Stopped by admin"},
		"cancelled (Stopped by @bob from Mattermost but not really)":          {"", "Stopped by @bob from Mattermost but not really"},
		"failed 'make' (failure)":                                             {"", ""},
	} {
		if user, reason := Stopped(state); user != want[0] || reason != want[1] {
			t.Errorf("%q: %q, %q", state, user, reason)
		}
	}
}

func TestAnExpiredBuildSaysItIsNoLongerFollowedAndOffersNoButtons(t *testing.T) {
	p := props(StateExpired)
	p.Expired = true
	post := &model.Post{}
	Apply(post, p, "/x", i18n.English())
	if !strings.Contains(post.Message, "No longer followed: not finished after 7 days") || len(actionIDs(post)) != 0 {
		t.Fatalf("message %q, actions %v", post.Message, actionIDs(post))
	}
}

func TestTheDigestChangesWithWhatThePostShows(t *testing.T) {
	a := props(StateBuilding)
	b := props(StateBuilding)
	b.Rows[0].StepsTotal = 5
	if Digest(a) != Digest(props(StateBuilding)) || Digest(a) == Digest(b) {
		t.Fatal("the digest does not follow the props")
	}
}

// The post is worded by the localizer it is given, in every part the plugin writes: its message,
// its state, its buttons and its link. Buildbot's names stay as they are.
func TestApplyWordsThePostInTheServersLanguage(t *testing.T) {
	german, err := i18n.Files("../../assets/i18n", "de")
	if err != nil {
		t.Fatal(err)
	}
	p := &model.Post{}
	failed := props(StateFailure)
	failed.RequestedBy = "alice"

	Apply(p, failed, "/x", german)

	for _, want := range []string{"**app** auf `main`", ": fehlgeschlagen", "angefordert von @alice"} {
		if !strings.Contains(p.Message, want) {
			t.Errorf("%q does not say %q", p.Message, want)
		}
	}
	attachment := p.Attachments()[0]
	var names []string
	for _, a := range attachment.Actions {
		names = append(names, a.Name)
	}
	if attachment.Title != "In Buildbot öffnen" || strings.Join(names, ",") != "Neu bauen,Neu bauen mit…" {
		t.Errorf("title %q, buttons %v", attachment.Title, names)
	}
	if id := StateFailure.Label().ID(); id != "post.state.failure" {
		t.Errorf("a state is worded by %q", id)
	}
}
