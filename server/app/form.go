package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/access"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/config"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/form"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/markdown"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/post"
)

// formState is what the dialog carries from /build to its submission. The user's client holds
// it, so the submission checks all of it again.
type formState struct {
	Repo     string `json:"repo"`
	Branch   string `json:"branch"`
	Revision string `json:"revision,omitempty"`
	RootID   string `json:"root_id,omitempty"`
}

// formOf reads the form of the force scheduler that serves the request's builders for its branch.
// One form serves one scheduler, so a repo whose builders take the branch through different
// schedulers is refused rather than half started.
func formOf(ctx context.Context, bb *buildbot.Client, r request) (form.Form, error) {
	names := r.repo.Schedulers(r.branch)
	switch {
	case len(names) == 0:
		return form.Form{}, &refusal{text: i18n.T("command.form.no_scheduler", "No force scheduler of **{{.Repo}}** accepts the branch `{{.Branch}}`.",
			"Repo", markdown.Text(r.repo.Name), "Branch", markdown.Code(r.branch))}
	case len(names) > 1:
		quoted := make([]string, len(names))
		for i, n := range names {
			quoted[i] = markdown.Code(n)
		}
		return form.Form{}, &refusal{text: i18n.T("command.form.several_schedulers", "The builders of **{{.Repo}}** take parameters through different force schedulers ({{.Schedulers}}), and a form serves one. "+
			"Start it without parameters, or ask an admin to map its builders to separate repos.", "Repo", markdown.Text(r.repo.Name), "Schedulers", strings.Join(quoted, ", "))}
	}
	spec, err := bb.ForceScheduler(ctx, names[0])
	if err != nil {
		return form.Form{}, fmt.Errorf("read force scheduler %s: %w", names[0], err)
	}
	f, err := form.Flatten(spec)
	if err != nil {
		return form.Form{}, &refusal{text: i18n.T("command.form.unreadable", "The form of force scheduler `{{.Scheduler}}` cannot be read: {{.Error}}",
			"Scheduler", markdown.Code(names[0]), "Error", markdown.Text(err.Error()))}
	}
	return f, nil
}

// given is what /build knows for a form's own fields: the branch, revision and reason it was
// given or makes up, by full name.
func given(f form.Form, r request) map[string]any {
	out := map[string]any{}
	set := func(role form.Role, value string) {
		if p, ok := f.Lookup(role, ""); ok && value != "" {
			out[p.FullName] = value
		}
	}
	set(form.RoleBranch, r.branch)
	set(form.RoleRevision, r.revision)
	set(form.RoleReason, r.reason())
	return out
}

// withParams runs /build with its name=value words or its form. It returns what to tell the user
// and whether it answered; when it did not, the request carries the checked values.
func (a *App) withParams(ctx context.Context, snap *config.Snapshot, who Actor, r *request, asked BuildRequest) (i18n.Text, bool) {
	f, err := formOf(ctx, snap.Buildbot, *r)
	var own *refusal
	if errors.As(err, &own) {
		return own.text, true
	}
	if err != nil {
		return notStarted(r.repo.Name, err), true
	}
	have := given(f, *r)
	if asked.Form || (len(asked.Params) == 0 && len(f.Unfilled(have)) > 0) {
		return a.openForm(who, *r, f, have), true
	}
	values, err := f.FromWords(asked.Params, have)
	if err != nil {
		return userText(err), true
	}
	r.values, r.shown = values, nonDefault(f, values)
	return i18n.Text{}, false
}

// userText is the words for the user an error carries, or, for one that has none, its own text.
func userText(err error) i18n.Text {
	if text, ok := i18n.TextOf(err); ok {
		return text
	}
	return i18n.Raw(markdown.Text(err.Error()))
}

// openForm shows the user the scheduler's form, filled with what /build was given.
func (a *App) openForm(who Actor, r request, f form.Form, values map[string]any) i18n.Text {
	if a.Dialogs == nil || who.TriggerID == "" {
		return i18n.T("command.form.cannot_open", "This Mattermost client cannot open a form: give the parameters as `name=value` after the branch.")
	}
	state, err := json.Marshal(formState{Repo: r.repo.Name, Branch: r.branch, Revision: r.revision, RootID: who.RootID})
	if err != nil {
		return i18n.T("command.form.not_made", "The form could not be made; try again.")
	}
	words := a.Words.User(who.UserID)
	intro := i18n.T("command.form.intro", "A build of **{{.Repo}}** on Buildbot's force scheduler `{{.Scheduler}}`.",
		"Repo", markdown.Text(r.repo.Name), "Scheduler", markdown.Code(f.Scheduler))
	notes := make([]i18n.Text, len(f.Notes))
	for i, n := range f.Notes {
		notes[i] = n.Text()
	}
	intro = i18n.Join("\n\n", intro, i18n.Join(" ", notes...))
	err = a.Dialogs.OpenInteractiveDialog(model.OpenDialogRequest{
		TriggerId: who.TriggerID,
		URL:       a.FormURL,
		Dialog: model.Dialog{
			CallbackId:       "build",
			Title:            dialogTitle(words.String(i18n.T("command.form.title", "Build {{.Repo}}", "Repo", r.repo.Name))),
			IntroductionText: words.String(intro),
			Elements:         f.Elements(values, words),
			SubmitLabel:      words.String(i18n.T("command.form.submit", "Build")),
			State:            string(state),
		},
	})
	if err != nil {
		return i18n.T("command.form.not_opened", "Mattermost did not open the form ({{.Error}}): give the parameters as `name=value` after the branch.",
			"Error", markdown.Text(err.Error()))
	}
	return i18n.Text{}
}

// rebuildWith opens the build's form filled with what the build was started with, for a new build
// in the original's thread. r has the original's branch and revision, the user and the place.
func (a *App) rebuildWith(ctx context.Context, snap *config.Snapshot, triggerID string, original *model.Post, props post.Props, r request) i18n.Text {
	if snap.Config.TriggerMode == config.TriggerChangeHook {
		return noParamsByChangeHook()
	}
	repo, answer := a.findRepo(ctx, props.Repo)
	if repo == nil {
		return answer
	}
	r.repo = repo
	f, err := formOf(ctx, snap.Buildbot, r)
	var own *refusal
	if errors.As(err, &own) {
		return own.text
	}
	if err != nil {
		return buildbot.UserMessage(err)
	}
	values := map[string]any{}
	if id := lastBuildID(props.Rows); id != 0 {
		builds, err := snap.Buildbot.Builds(ctx, buildbot.Query{Filters: []buildbot.Filter{buildbot.Where("buildid", "eq", id)}, Properties: []string{"*"}})
		if err != nil {
			return buildbot.UserMessage(err)
		}
		if len(builds) > 0 {
			values = f.FromBuild(builds[0].Properties, nil)
		}
	}
	// The new build is this user's: the reason names them, not who asked the first time.
	for name, v := range given(f, r) {
		if _, set := values[name]; !set || name == reasonName(f) {
			values[name] = v
		}
	}
	root := original.RootId
	if root == "" {
		root = original.Id
	}
	return a.openForm(Actor{UserID: r.user.Id, ChannelID: original.ChannelId, RootID: root, TriggerID: triggerID}, r, f, values)
}

func reasonName(f form.Form) string {
	p, _ := f.Lookup(form.RoleReason, "")
	return p.FullName
}

// lastBuildID is the newest build among a post's rows, whose properties a rebuild starts from.
func lastBuildID(rows []post.Row) int {
	last := 0
	for _, r := range rows {
		last = max(last, r.BuildID)
	}
	return last
}

// dialogTitle fits a title into Mattermost's 24 bytes for a dialog's; the repo it names is also
// in the introduction, whole.
func dialogTitle(title string) string {
	if len(title) <= model.DialogTitleMaxLength {
		return title
	}
	cut := model.DialogTitleMaxLength - len("…")
	for cut > 0 && !utf8.RuneStart(title[cut]) {
		cut--
	}
	return title[:cut] + "…"
}

// nonDefault is what the status post shows of the parameters: the build's own properties the user
// set to something other than Buildbot's default, in the form's order.
func nonDefault(f form.Form, values map[string]any) []post.Param {
	var out []post.Param
	for _, p := range f.Params {
		v, ok := values[p.FullName]
		if !ok || !p.Shown() || p.Role != form.RoleProperty || fmt.Sprint(v) == fmt.Sprint(p.Default) {
			continue
		}
		out = append(out, post.Param{Name: p.FullName, Value: form.ValueText(v)})
	}
	return out
}

// SubmitForm runs a submitted build form for the user. Everything in the submission came from the
// user's client, the repo and branch in its state too, so /build's rules and checks run again:
// where, who, the repo, the branch, and each value against the scheduler's form as it is now.
// Values the form or Buildbot refuse come back beside their fields, and nothing is started.
func (a *App) SubmitForm(ctx context.Context, userID string, sub *model.SubmitDialogRequest) (resp *model.SubmitDialogResponse) {
	words := a.Words.User(userID)
	var refused i18n.Text
	fail := func(text i18n.Text) *model.SubmitDialogResponse {
		refused = text
		return &model.SubmitDialogResponse{Error: words.String(text)}
	}
	defer func() { a.auditForm(userID, sub, refused, resp) }()
	notOurs := i18n.T("command.form.not_ours", "This form is not one the plugin made.")
	snap := a.Snapshot()
	// The team is the client's word: the gate takes it only from a member of it.
	grant, err := a.Gate.Check(snap, access.Request{Action: access.Build, UserID: userID, ChannelID: sub.ChannelId, CallerTeamID: sub.TeamId})
	if refusal, ok := access.TextOf(err); ok {
		return fail(refusal)
	}
	user, where := grant.User, grant.Place
	// The dialog may have been opened before an admin switched to the change hook.
	if snap.Config.TriggerMode == config.TriggerChangeHook {
		return fail(noParamsByChangeHook())
	}
	var state formState
	if err := json.Unmarshal([]byte(sub.State), &state); err != nil {
		return fail(notOurs)
	}
	if err := CheckNames(state.Repo, state.Branch, state.Revision); err != nil || state.Repo == "" {
		return fail(notOurs)
	}
	if state.RootID != "" {
		if root, err := a.MM.GetPost(state.RootID); err != nil || root.ChannelId != sub.ChannelId || root.RootId != "" {
			return fail(notOurs)
		}
	}
	repo, answer := a.findRepo(ctx, state.Repo)
	if repo == nil {
		return fail(answer)
	}
	req := request{repo: repo, branch: state.Branch, revision: state.Revision, user: user, place: where}
	f, err := formOf(ctx, snap.Buildbot, req)
	var own *refusal
	if errors.As(err, &own) {
		return fail(own.text)
	}
	if err != nil {
		return fail(buildbot.UserMessage(err))
	}
	submitted := given(f, req)
	for name, v := range sub.Submission {
		submitted[name] = v
	}
	values, problems := f.Check(submitted)
	if len(problems) > 0 {
		return &model.SubmitDialogResponse{Errors: wordAll(words, problems)}
	}
	// The branch and revision may have been changed in the form; the post shows what was built.
	for _, source := range []struct {
		role form.Role
		to   *string
	}{{form.RoleBranch, &req.branch}, {form.RoleRevision, &req.revision}} {
		p, ok := f.Lookup(source.role, "")
		if !ok {
			continue
		}
		value, _ := values[p.FullName].(string)
		check := CheckNames(state.Repo, value, "")
		if source.role == form.RoleRevision {
			check = CheckNames(state.Repo, "", value)
		}
		if err := check; err != nil {
			return &model.SubmitDialogResponse{Errors: map[string]string{p.FullName: words.String(userText(err))}}
		}
		if value != "" || source.role == form.RoleRevision {
			*source.to = value
		}
	}
	req.values, req.shown = values, nonDefault(f, values)
	s, err := forceAll(ctx, snap.Buildbot, snap.Config, req)
	var bbErr *buildbot.Error
	switch {
	case errors.As(err, &own):
		return fail(own.text)
	case errors.As(err, &bbErr) && len(bbErr.Fields) > 0:
		fields, rest := f.BuildbotErrors(bbErr.Fields)
		return &model.SubmitDialogResponse{Errors: wordAll(words, fields), Error: words.String(rest)}
	case unconfirmed(err):
		return fail(i18n.T("command.form.unconfirmed", "Buildbot did not confirm the build within {{.Timeout}}. It may start anyway: look at {{.Link}} before you submit again.",
			"Timeout", snap.Config.RequestTimeout().String(), "Link", snap.Config.LinkBaseURL()))
	case err != nil:
		return fail(buildbot.UserMessage(err))
	}
	who := Actor{UserID: userID, ChannelID: sub.ChannelId, TeamID: sub.TeamId, RootID: state.RootID}
	if text := a.announce(snap.Config, who, req, s, snap.Buildbot.Fingerprint()); !text.IsZero() && a.Dialogs != nil {
		a.Dialogs.SendEphemeral(userID, &model.Post{UserId: a.BotID, ChannelId: sub.ChannelId, RootId: state.RootID, Message: words.String(text)})
	}
	return &model.SubmitDialogResponse{}
}

// auditForm logs who submitted a build form where, for what, and what came of it, as a click is.
func (a *App) auditForm(userID string, sub *model.SubmitDialogRequest, refused i18n.Text, resp *model.SubmitDialogResponse) {
	if a.Log == nil {
		return
	}
	var state formState
	_ = json.Unmarshal([]byte(sub.State), &state)
	outcome, answer := "sent to Buildbot", "" //i18n:verbatim the audit log is English
	switch {
	case !refused.IsZero():
		outcome = "refused"
		answer, _, _ = strings.Cut(refused.English(), "\n")
	case len(resp.Errors) > 0:
		outcome = "refused"
		fields := make([]string, 0, len(resp.Errors))
		for name := range resp.Errors {
			fields = append(fields, name)
		}
		sort.Strings(fields)
		answer = "fields: " + strings.Join(fields, ", ") //i18n:verbatim the audit log is English
	}
	a.Log.LogInfo("Buildbot build form submitted", "user_id", userID, "channel_id", sub.ChannelId, "repo", form.Shorten(state.Repo),
		"branch", form.Shorten(state.Branch), "outcome", outcome, "answer", answer)
}

// wordAll words each field's problem for the dialog.
func wordAll(words i18n.Localizer, problems map[string]i18n.Text) map[string]string {
	out := make(map[string]string, len(problems))
	for name, text := range problems {
		out[name] = words.String(text)
	}
	return out
}
