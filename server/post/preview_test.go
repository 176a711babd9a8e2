package post

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
)

const previewBase = "https://ci.example.com/"

func runningBuild() *buildbot.Build {
	var b buildbot.Build
	if err := json.Unmarshal([]byte(`{"buildid":90,"number":12,"builderid":3,"buildrequestid":41,"started_at":100,"state_string":"building",
		"properties":{"branch":["feature/`+"`x`"+`","Force"],"revision":["0123456789abcdef","Force"]}}`), &b); err != nil {
		panic(err)
	}
	return &b
}

func TestPreviewProps(t *testing.T) {
	done := runningBuild()
	done.Complete, done.CompleteAt, done.Results = true, 160, result(buildbot.Failure)
	tests := []struct {
		name  string
		shown Previewed
		want  Row
	}{
		{name: "a running build shows its step and links to itself",
			shown: Previewed{Build: runningBuild(), Steps: []buildbot.Step{{Name: "setup", Complete: true}, {Name: "hidden", Hidden: true}, {Name: "compile"}, {Name: "test"}}},
			want: Row{Builder: "tools", BuilderID: 3, RequestID: 41, BuildID: 90, Number: 12, State: StateBuilding, StateString: "building",
				URL: previewBase + "#/builders/3/builds/12", StartedAt: 100, Step: "compile", StepsDone: 1}},
		{name: "a finished build shows its result and how long it took",
			shown: Previewed{Build: done},
			want: Row{Builder: "tools", BuilderID: 3, RequestID: 41, BuildID: 90, Number: 12, State: StateFailure, StateString: "building",
				URL: previewBase + "#/builders/3/builds/12", StartedAt: 100, CompleteAt: 160}},
		{name: "a request no build has started for is queued and links to the request",
			shown: Previewed{Request: &buildbot.BuildRequest{BuildRequestID: 41, BuilderID: 3}},
			want:  Row{Builder: "tools", BuilderID: 3, RequestID: 41, State: StateQueued, URL: previewBase + "#/buildrequests/41"}},
		{name: "a request cancelled before it started says so",
			shown: Previewed{Request: &buildbot.BuildRequest{BuildRequestID: 41, BuilderID: 3, Complete: true, Results: result(buildbot.Cancelled)}},
			want:  Row{Builder: "tools", BuilderID: 3, RequestID: 41, State: StateCancelled, URL: previewBase + "#/buildrequests/41"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.shown.Link, tt.shown.LinkBase, tt.shown.Repo, tt.shown.Builder, tt.shown.BuilderID = "https://ci.example.com/#/x", previewBase, "tools", "tools", 3
			got := PreviewProps(tt.shown)
			if len(got.Rows) != 1 || got.Rows[0] != tt.want {
				t.Fatalf("rows %+v, want %+v", got.Rows, tt.want)
			}
			if got.Version != PropsVersion || got.State != tt.want.State || got.Repo != "tools" || got.BuildbotURL != "https://ci.example.com/#/x" || got.RequestedBy != "" {
				t.Errorf("props %+v", got)
			}
		})
	}
}

func TestApplyPreviewsKeepsTheMessageAndAddsAnAttachmentPerLink(t *testing.T) {
	p := &model.Post{Message: "see https://ci.example.com/#/builders/3/builds/12", RootId: "root", FileIds: []string{"f"}}
	p.AddProp("keep", "me")
	running := PreviewProps(Previewed{Link: previewBase + "#/builders/3/builds/12", LinkBase: previewBase, Repo: "tools", Builder: "@channel tools", BuilderID: 3,
		Build: runningBuild()})
	queued := PreviewProps(Previewed{Link: previewBase + "#/buildrequests/42", LinkBase: previewBase, Repo: "tools", Builder: "tools", BuilderID: 3,
		Request: &buildbot.BuildRequest{BuildRequestID: 42, BuilderID: 3}})

	ApplyPreviews(p, []Props{running, queued}, i18n.English())

	if p.Message != "see https://ci.example.com/#/builders/3/builds/12" || p.RootId != "root" || len(p.FileIds) != 1 || p.GetProp("keep") != "me" || p.Type != "" {
		t.Fatalf("the message changed: %+v", p)
	}
	attachments := p.Attachments()
	if len(attachments) != 2 {
		t.Fatalf("attachments %+v", attachments)
	}
	a := attachments[0]
	fields := map[string]string{}
	for _, f := range a.Fields {
		fields[f.Title] = f.Value.(string)
	}
	if a.Title != "@channel tools #12" || a.TitleLink != previewBase+"#/builders/3/builds/12" || a.Fallback != "@channel tools #12: building" ||
		fields["State"] != ":arrows_counterclockwise: building" || fields["Branch"] != "`feature/'x'`" || fields["Revision"] != "`0123456789ab`" ||
		!strings.Contains(a.Footer, "when the message was posted") || len(a.Actions) != 0 {
		t.Errorf("attachment %+v, fields %v", a, fields)
	}
	if q := attachments[1]; q.Title != "tools" || q.TitleLink != previewBase+"#/buildrequests/42" || len(q.Fields) != 1 {
		t.Errorf("queued attachment %+v", q)
	}
	links, ok := PreviewedLinks(p)
	if !ok || strings.Join(links, " ") != previewBase+"#/builders/3/builds/12 "+previewBase+"#/buildrequests/42" {
		t.Errorf("marker %v %v", links, ok)
	}
	// What Mattermost stores and hands back is JSON: the marker reads the same from it.
	raw, _ := json.Marshal(p)
	var back model.Post
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if !SamePreviews(links, &back) {
		t.Errorf("the stored marker reads %v", back.GetProp(PreviewsKey))
	}

	if !RemovePreviews(p) || p.GetProp(PreviewsKey) != nil || p.GetProp(model.PostPropsAttachments) != nil || p.GetProp("keep") != "me" {
		t.Errorf("after removal %+v", p.GetProps())
	}
	if RemovePreviews(p) {
		t.Error("a message without previews had some removed")
	}
}

func TestAMessageWithoutTheMarkerHasNoPreviews(t *testing.T) {
	p := &model.Post{}
	p.AddProp(model.PostPropsAttachments, []*model.SlackAttachment{{Title: "an integration's"}})
	if _, ok := PreviewedLinks(p); ok || RemovePreviews(p) || len(p.Attachments()) != 1 {
		t.Errorf("an integration's attachment was taken for previews")
	}
	p.AddProp(PreviewsKey, map[string]any{"version": 99, "links": []any{"x"}})
	if _, ok := PreviewedLinks(p); ok {
		t.Error("a marker of another version was read")
	}
}

func TestPreviewsAreWordedInTheServersLanguage(t *testing.T) {
	german, err := i18n.Files("../../assets/i18n", "de")
	if err != nil {
		t.Fatal(err)
	}
	p := &model.Post{}
	ApplyPreviews(p, []Props{PreviewProps(Previewed{Link: previewBase + "#/builders/3/builds/12", LinkBase: previewBase, Builder: "tools", BuilderID: 3,
		Build: runningBuild()})}, german)
	a := p.Attachments()[0]
	if a.Fields[0].Title != "Status" || a.Fields[0].Value != ":arrows_counterclockwise: läuft" || !strings.Contains(a.Footer, "Buildbot") || a.Footer == "As Buildbot showed it when the message was posted" {
		t.Errorf("attachment %+v %+v", a, a.Fields[0])
	}
}
