package app_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbottest"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/command"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/config"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/post"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/route"
)

type fakeDialogs struct {
	opened     []model.OpenDialogRequest
	ephemerals []*model.Post
}

func (f *fakeDialogs) OpenInteractiveDialog(r model.OpenDialogRequest) error {
	f.opened = append(f.opened, r)
	return nil
}

func (f *fakeDialogs) SendEphemeral(_ string, p *model.Post) { f.ephemerals = append(f.ephemerals, p) }

func paramsHandler(t *testing.T) (*command.Handler, *buildbottest.Server, *fakeMM, *fakeDialogs) {
	bb := &buildbottest.Server{Schedulers: buildbottest.ParamsSchedulers}
	mm := newMM()
	h := handlerFor(t, &config.Configuration{BuildbotURL: bb.Start(t)}, mm)
	dialogs := &fakeDialogs{}
	h.App.Dialogs, h.App.FormURL = dialogs, "/plugins/buildbot/"+route.BuildForm
	return h, bb, mm, dialogs
}

func runWithTrigger(h *command.Handler, text string) string {
	return h.Execute(context.Background(), &model.CommandArgs{UserId: "alice", ChannelId: "builds", TeamId: "t", Command: text, TriggerId: "trigger"})
}

func TestNameValueWordsStartABuildWithThemAndThePostShowsThem(t *testing.T) {
	h, bb, mm, _ := paramsHandler(t)

	got := run(h, "alice", "builds", `/build deploy-prod main deploy=true environment=production ticket=OPS-1`)

	if got != "" || len(bb.Forced) != 1 || len(mm.posts) != 1 {
		t.Fatalf("answer %q, forced %v, posts %d", got, bb.Forced, len(mm.posts))
	}
	sent := bb.Forced[0]
	if sent["deploy"] != true || sent["environment"] != "production" || sent["ticket"] != "OPS-1" || sent["branch"] != "main" ||
		!strings.HasPrefix(sent["reason"].(string), "Requested by @alice") {
		t.Fatalf("sent %v", sent)
	}
	if !strings.Contains(mm.posts[0].Message, "With `deploy=true`, `environment=production`, `ticket=OPS-1`") {
		t.Fatalf("message %q", mm.posts[0].Message)
	}
}

// Buildbot's default codebase offers the repository as free text; the plugin sends its own, so a
// parameter can neither point the build at other code nor blank the repository out.
func TestParametersCannotRetargetTheBuildsRepository(t *testing.T) {
	h, bb, _, _ := paramsHandler(t)
	cfg := *h.App.Snapshot().Config
	cfg.RepositoryBaseURL = "https://git.example.com/team/"
	snap := config.NewSnapshot(&cfg)
	h.App.Snapshot = func() *config.Snapshot { return snap }

	got := runWithTrigger(h, "/build deploy-prod main ticket=OPS-1 repository=https://evil.example/x.git")
	if !strings.Contains(got, "`repository` is not set from chat") || len(bb.Forced) != 0 {
		t.Fatalf("answered %q, forced %v", got, bb.Forced)
	}

	if got := runWithTrigger(h, "/build deploy-prod main ticket=OPS-1 deploy=true"); got != "" {
		t.Fatal(got)
	}
	// A form's submission comes from the user's client, which may add any field.
	dialogs := &fakeDialogs{}
	h.App.Dialogs = dialogs
	runWithTrigger(h, "/build deploy-prod main --form")
	if resp := h.App.SubmitForm(context.Background(), "alice", submission(t, dialogs, map[string]any{"ticket": "OPS-2", "repository": "https://evil.example/x.git"})); resp.Error != "" || len(resp.Errors) > 0 {
		t.Fatalf("the form: %+v", resp)
	}
	if len(bb.Forced) != 2 {
		t.Fatalf("forced %v", bb.Forced)
	}
	for _, sent := range bb.Forced {
		if sent["repository"] != "https://git.example.com/team/deploy-prod" || sent["project"] != "deploy-prod" {
			t.Fatalf("sent repository %v, project %v", sent["repository"], sent["project"])
		}
	}
}

func TestBadNameValueWordsAreRefusedBeforeBuildbotIsAsked(t *testing.T) {
	for text, want := range map[string]string{
		"/build deploy-prod main environment=moon ticket=OPS-1": "staging",
		"/build deploy-prod main colour=red ticket=OPS-1":       "colour",
		"/build deploy-prod main deploy=maybe ticket=OPS-1":     "deploy",
	} {
		h, bb, mm, _ := paramsHandler(t)
		got := run(h, "alice", "builds", text)
		if !strings.Contains(got, want) || len(bb.Forced) != 0 || bb.Controls != 0 || len(mm.posts) != 0 {
			t.Errorf("%s: answer %q, forced %v", text, got, bb.Forced)
		}
	}
}

func TestAFormWithARequiredFieldOpensByItselfFilledWithWhatBuildWasGiven(t *testing.T) {
	h, bb, _, dialogs := paramsHandler(t)

	got := runWithTrigger(h, "/build deploy-prod release-2")

	if got != "" || len(dialogs.opened) != 1 || len(bb.Forced) != 0 {
		t.Fatalf("answer %q, dialogs %d, forced %v", got, len(dialogs.opened), bb.Forced)
	}
	d := dialogs.opened[0]
	if d.TriggerId != "trigger" || d.URL != "/plugins/buildbot/"+route.BuildForm || d.Dialog.Title != "Build deploy-prod" {
		t.Fatalf("dialog %+v", d)
	}
	defaults := map[string]string{}
	for _, e := range d.Dialog.Elements {
		defaults[e.Name] = e.Default
	}
	if defaults["branch"] != "release-2" || defaults["environment"] != "staging" || defaults["deploy"] != "false" {
		t.Fatalf("defaults %v", defaults)
	}
	if err := d.Dialog.IsValid(); err != nil {
		t.Fatal(err)
	}
	if got := run(h, "alice", "builds", "/build deploy-prod release-2"); !strings.Contains(got, "name=value") {
		t.Fatalf("without a trigger id: %q", got)
	}
}

func submission(t *testing.T, dialogs *fakeDialogs, values map[string]any) *model.SubmitDialogRequest {
	t.Helper()
	if len(dialogs.opened) == 0 {
		t.Fatal("no dialog was opened")
	}
	return &model.SubmitDialogRequest{UserId: "alice", ChannelId: "builds", TeamId: "t", CallbackId: "build",
		State: dialogs.opened[0].Dialog.State, Submission: values}
}

func TestASubmittedFormStartsTheBuildOrPutsEachProblemBesideItsField(t *testing.T) {
	h, bb, mm, dialogs := paramsHandler(t)
	runWithTrigger(h, "/build deploy-prod main --form")

	resp := h.App.SubmitForm(context.Background(), "alice", submission(t, dialogs, map[string]any{"environment": "moon", "ticket": ""}))
	if resp.Errors["environment"] == "" || resp.Errors["ticket"] == "" || len(bb.Forced) != 0 {
		t.Fatalf("response %+v, forced %v", resp, bb.Forced)
	}

	bb.ForceResult = `{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":{"ticket":"Ticket:'ops' does not match pattern '^[A-Z]+-[0-9]+$'"}}}`
	resp = h.App.SubmitForm(context.Background(), "alice", submission(t, dialogs, map[string]any{"ticket": "ops"}))
	if !strings.Contains(resp.Errors["ticket"], "does not match") || len(mm.posts) != 0 {
		t.Fatalf("Buildbot's refusal: %+v", resp)
	}

	bb.ForceResult = ""
	resp = h.App.SubmitForm(context.Background(), "alice", submission(t, dialogs, map[string]any{"ticket": "OPS-2", "branch": "hotfix;rm"}))
	if !strings.Contains(resp.Errors["branch"], "not a branch name") || len(mm.posts) != 0 {
		t.Fatalf("a branch Buildbot would refuse: %+v", resp)
	}
	resp = h.App.SubmitForm(context.Background(), "alice", submission(t, dialogs, map[string]any{"ticket": "OPS-2", "deploy": true, "branch": "hotfix", "revision": "abc123"}))
	if resp.Error != "" || len(resp.Errors) != 0 || len(mm.posts) != 1 {
		t.Fatalf("response %+v, posts %d", resp, len(mm.posts))
	}
	last := bb.Forced[len(bb.Forced)-1]
	if last["ticket"] != "OPS-2" || last["deploy"] != true || last["branch"] != "hotfix" {
		t.Fatalf("sent %v", last)
	}
	var props map[string]any
	raw, _ := json.Marshal(mm.posts[0].GetProp("buildbot_build"))
	_ = json.Unmarshal(raw, &props)
	if props["branch"] != "hotfix" || props["revision"] != "abc123" {
		t.Fatalf("the post shows branch %v, revision %v", props["branch"], props["revision"])
	}
}

func TestASubmissionIsJudgedByWhoSentItAndItsStateIsNotTrusted(t *testing.T) {
	h, bb, mm, dialogs := paramsHandler(t)
	runWithTrigger(h, "/build deploy-prod main --form")
	mm.members = map[string][]string{"builds": {"root"}}

	if resp := h.App.SubmitForm(context.Background(), "alice", submission(t, dialogs, map[string]any{"ticket": "OPS-1"})); resp.Error == "" {
		t.Fatalf("a user who cannot read the channel: %+v", resp)
	}
	mm.members = nil
	for _, state := range []string{`{"repo":"tools","branch":"main"}`, `{"repo":"deploy-prod","branch":"main;rm"}`, `not json`,
		`{"repo":"deploy-prod","branch":"main","root_id":"elsewhere"}`} {
		sub := submission(t, dialogs, map[string]any{"ticket": "OPS-1"})
		sub.State = state
		resp := h.App.SubmitForm(context.Background(), "alice", sub)
		if state == `{"repo":"tools","branch":"main"}` {
			// Another repo's form is checked against that repo's own scheduler, which has no ticket.
			if resp.Error != "" {
				t.Fatalf("%s: %+v", state, resp)
			}
			continue
		}
		if resp.Error == "" {
			t.Errorf("%s: accepted", state)
		}
	}
	for _, sent := range bb.Forced {
		if sent["ticket"] != nil && sent["builderid"] != float64(4) {
			t.Fatalf("a ticket went to another builder: %v", sent)
		}
	}
}

func TestParametersInChangeHookModeAreRefusedRatherThanDropped(t *testing.T) {
	bb := &buildbottest.Server{Schedulers: buildbottest.ParamsSchedulers}
	mm := newMM()
	h := handlerFor(t, &config.Configuration{BuildbotURL: bb.Start(t), TriggerMode: config.TriggerChangeHook}, mm)

	got := run(h, "alice", "builds", "/build deploy-prod main deploy=true")

	if !strings.Contains(got, "change hook, which takes none") || len(bb.Changes) != 0 || len(bb.Forced) != 0 {
		t.Fatalf("answer %q, changes %v", got, bb.Changes)
	}
}

// A form's submission acts on Buildbot as a click does, so it is audited as one: who, where, what,
// and what came of it, refused or sent.
func TestEverySubmittedFormIsAuditedRefusedOrSent(t *testing.T) {
	h, _, mm, dialogs := paramsHandler(t)
	var log auditLog
	h.App.Log = &log
	runWithTrigger(h, "/build deploy-prod main --form")

	h.App.SubmitForm(context.Background(), "alice", submission(t, dialogs, map[string]any{"environment": "moon"}))
	mm.members = map[string][]string{"builds": {"root"}}
	h.App.SubmitForm(context.Background(), "alice", submission(t, dialogs, map[string]any{"ticket": "OPS-1"}))
	mm.members = nil
	h.App.SubmitForm(context.Background(), "alice", submission(t, dialogs, map[string]any{"ticket": "OPS-1"}))

	want := []string{
		"user_idalicechannel_idbuildsrepodeploy-prodbranchmainoutcomerefusedanswerfields: environment, ticket",
		"user_idalicechannel_idbuildsrepodeploy-prodbranchmainoutcomerefusedanswerYou cannot start builds in this channel",
		"user_idalicechannel_idbuildsrepodeploy-prodbranchmainoutcomesent to Buildbotanswer",
	}
	if len(log) != len(want) {
		t.Fatalf("audit %q", log)
	}
	for i, w := range want {
		if !strings.HasPrefix(log[i], "Buildbot build form submitted") || !strings.Contains(log[i], w) {
			t.Errorf("line %d: %q lacks %q", i, log[i], w)
		}
	}
}

// A form goes to a force scheduler: opened before an admin switched to the change hook, or sent
// straight to the plugin's route, it starts nothing once builds start through the change hook.
func TestAFormSubmittedInChangeHookModeStartsNothing(t *testing.T) {
	h, bb, mm, dialogs := paramsHandler(t)
	runWithTrigger(h, "/build deploy-prod main --form")
	cfg := *h.App.Snapshot().Config
	cfg.TriggerMode = config.TriggerChangeHook
	changeHook := config.NewSnapshot(&cfg)
	h.App.Snapshot = func() *config.Snapshot { return changeHook }

	resp := h.App.SubmitForm(context.Background(), "alice", submission(t, dialogs, map[string]any{"ticket": "OPS-1"}))

	if !strings.Contains(resp.Error, "change hook, which takes none") || len(bb.Forced) != 0 || len(bb.Changes) != 0 || len(mm.posts) != 0 {
		t.Fatalf("response %+v; forced %v, changes %v, posts %d", resp, bb.Forced, bb.Changes, len(mm.posts))
	}
}

func TestRebuildWithOpensTheFormFilledWithWhatTheBuildWasStartedWith(t *testing.T) {
	h, bb, mm, dialogs := paramsHandler(t)
	if got := run(h, "alice", "builds", "/build deploy-prod rel ticket=OPS-3 deploy=true environment=production"); got != "" {
		t.Fatal(got)
	}
	status := mm.posts[len(mm.posts)-1]
	props, _ := post.Decode(status)
	props.Rows[0].BuildID, props.Rows[0].State = 10, post.StateSuccess
	post.Apply(status, props, "/x", i18n.English())
	bb.Builds = `{"builds":[{"buildid":10,"number":8,"builderid":4,"complete":true,"results":0,"properties":{
		"branch":["rel","Build"],"deploy":[true,"Force Build Form"],"environment":["production","Force Build Form"],
		"ticket":["OPS-3","Force Build Form"],"reason":["Requested by @bob in dev/~builds (Mattermost)","Force Build Form"]}}]}`

	got := h.App.Act(context.Background(), &model.PostActionIntegrationRequest{UserId: "alice", PostId: status.Id, TeamId: "t", TriggerId: "click",
		Context: map[string]any{"action": post.ActionRebuildWith}})

	if got != "" || len(dialogs.opened) != 1 || len(bb.Forced) != 1 {
		t.Fatalf("answer %q, dialogs %d, forced %d", got, len(dialogs.opened), len(bb.Forced))
	}
	filled := map[string]string{}
	for _, e := range dialogs.opened[0].Dialog.Elements {
		filled[e.Name] = e.Default
	}
	if filled["ticket"] != "OPS-3" || filled["deploy"] != "true" || filled["environment"] != "production" || filled["branch"] != "rel" ||
		!strings.Contains(filled["reason"], "@alice") {
		t.Fatalf("filled %v", filled)
	}
	var state struct {
		RootID string `json:"root_id"`
	}
	_ = json.Unmarshal([]byte(dialogs.opened[0].Dialog.State), &state)
	if dialogs.opened[0].TriggerId != "click" || state.RootID != status.Id {
		t.Fatalf("trigger %q, state %+v", dialogs.opened[0].TriggerId, state)
	}
}
