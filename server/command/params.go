package command

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/config"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/form"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/markdown"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/post"
)

// FormRoute receives the build form's submissions, relative to the plugin.
const FormRoute = "api/v1/build-form"

// Dialogs opens Mattermost's interactive dialogs and tells a user what a dialog's submission did.
type Dialogs interface {
	OpenInteractiveDialog(request model.OpenDialogRequest) error
	SendEphemeral(userID string, p *model.Post)
}

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
	var names []string
	for _, t := range r.repo.Targets {
		if name, ok := t.SchedulerFor(r.branch); ok && !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	switch {
	case len(names) == 0:
		return form.Form{}, &refusal{message: fmt.Sprintf("No force scheduler of **%s** accepts the branch `%s`.", markdown.Text(r.repo.Name), markdown.Code(r.branch))}
	case len(names) > 1:
		quoted := make([]string, len(names))
		for i, n := range names {
			quoted[i] = markdown.Code(n)
		}
		return form.Form{}, &refusal{message: fmt.Sprintf("The builders of **%s** take parameters through different force schedulers (%s), and a form serves one. "+
			"Start it without parameters, or ask an admin to map its builders to separate repos.", markdown.Text(r.repo.Name), strings.Join(quoted, ", "))}
	}
	spec, err := bb.ForceScheduler(ctx, names[0])
	if err != nil {
		return form.Form{}, fmt.Errorf("read force scheduler %s: %w", names[0], err)
	}
	f, err := form.Flatten(spec)
	if err != nil {
		return form.Form{}, &refusal{message: fmt.Sprintf("The form of force scheduler `%s` cannot be read: %s", markdown.Code(names[0]), markdown.Text(err.Error()))}
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
func (h *Handler) withParams(ctx context.Context, snap *config.Snapshot, args *model.CommandArgs, r *request, inv Invocation) (string, bool) {
	f, err := formOf(ctx, snap.Buildbot, *r)
	var own *refusal
	if errors.As(err, &own) {
		return own.message, true
	}
	if err != nil {
		return fmt.Sprintf("The build of **%s** was not started. %s", markdown.Text(r.repo.Name), buildbot.UserMessage(err)), true
	}
	have := given(f, *r)
	if inv.Form || (len(inv.Params) == 0 && len(f.Unfilled(have)) > 0) {
		return h.openForm(args, *r, f, have), true
	}
	values, err := f.FromWords(inv.Params, have)
	if err != nil {
		return err.Error(), true
	}
	r.values, r.shown = values, nonDefault(f, values)
	return "", false
}

// openForm shows the user the scheduler's form, filled with what /build was given.
func (h *Handler) openForm(args *model.CommandArgs, r request, f form.Form, values map[string]any) string {
	if h.Dialogs == nil || args.TriggerId == "" {
		return "This Mattermost client cannot open a form: give the parameters as `name=value` after the branch."
	}
	state, err := json.Marshal(formState{Repo: r.repo.Name, Branch: r.branch, Revision: r.revision, RootID: args.RootId})
	if err != nil {
		return "The form could not be made; try again."
	}
	intro := fmt.Sprintf("A build of **%s** on Buildbot's force scheduler `%s`.", markdown.Text(r.repo.Name), markdown.Code(f.Scheduler))
	if len(f.Notes) > 0 {
		intro += "\n\n" + markdown.Text(strings.Join(f.Notes, " "))
	}
	err = h.Dialogs.OpenInteractiveDialog(model.OpenDialogRequest{
		TriggerId: args.TriggerId,
		URL:       h.FormURL,
		Dialog: model.Dialog{
			CallbackId:       "build",
			Title:            dialogTitle(r.repo.Name),
			IntroductionText: intro,
			Elements:         f.Elements(values),
			SubmitLabel:      "Build",
			State:            string(state),
		},
	})
	if err != nil {
		return fmt.Sprintf("Mattermost did not open the form (%s): give the parameters as `name=value` after the branch.", markdown.Text(err.Error()))
	}
	return ""
}

// rebuildWith opens the build's form filled with what the build was started with, for a new build
// in the original's thread. r has the original's branch and revision, the user and the place.
func (h *Handler) rebuildWith(ctx context.Context, snap *config.Snapshot, triggerID string, original *model.Post, props post.Props, r request) string {
	if snap.Config.TriggerMode == config.TriggerChangeHook {
		return noParamsByChangeHook
	}
	repo, answer := h.findRepo(ctx, props.Repo)
	if repo == nil {
		return answer
	}
	r.repo = repo
	f, err := formOf(ctx, snap.Buildbot, r)
	var own *refusal
	if errors.As(err, &own) {
		return own.message
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
	return h.openForm(&model.CommandArgs{UserId: r.user.Id, ChannelId: original.ChannelId, RootId: root, TriggerId: triggerID}, r, f, values)
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

// dialogTitle fits "Build <repo>" into Mattermost's 24 bytes for a dialog's title; the repo is
// also in the introduction, whole.
func dialogTitle(repo string) string {
	title := "Build " + repo
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
func (h *Handler) SubmitForm(ctx context.Context, userID string, sub *model.SubmitDialogRequest) *model.SubmitDialogResponse {
	fail := func(text string) *model.SubmitDialogResponse { return &model.SubmitDialogResponse{Error: text} }
	snap := h.Snapshot()
	if !snap.Ready() {
		return fail(snap.ProblemsMessage())
	}
	if userID == "" || sub.ChannelId == "" || !h.MM.CanReadChannel(userID, sub.ChannelId) {
		return fail("You cannot start builds in this channel.")
	}
	where, err := h.placeOf(sub.ChannelId, sub.TeamId)
	if err != nil {
		return fail("Mattermost could not tell where this form was sent from; try again.")
	}
	if where.team != nil && !h.MM.CanViewTeam(userID, where.team.Id) {
		return fail("You cannot start builds in this team.")
	}
	if refusal := whereRefusal(snap.Config, where); refusal != "" {
		return fail(refusal)
	}
	user, err := h.MM.GetUser(userID)
	if err != nil {
		return fail("Mattermost could not tell who you are; try again.")
	}
	if refusal := h.whoRefusal(snap.Config, user); refusal != "" {
		return fail(refusal)
	}
	var state formState
	if err := json.Unmarshal([]byte(sub.State), &state); err != nil {
		return fail("This form is not one the plugin made.")
	}
	if err := (Invocation{Repo: state.Repo, Branch: state.Branch, Revision: state.Revision}).check(); err != nil || state.Repo == "" {
		return fail("This form is not one the plugin made.")
	}
	if state.RootID != "" {
		if root, err := h.MM.GetPost(state.RootID); err != nil || root.ChannelId != sub.ChannelId || root.RootId != "" {
			return fail("This form is not one the plugin made.")
		}
	}
	repo, answer := h.findRepo(ctx, state.Repo)
	if repo == nil {
		return fail(answer)
	}
	req := request{repo: repo, branch: state.Branch, revision: state.Revision, user: user, place: where}
	f, err := formOf(ctx, snap.Buildbot, req)
	var own *refusal
	if errors.As(err, &own) {
		return fail(own.message)
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
		return &model.SubmitDialogResponse{Errors: problems}
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
		check := Invocation{Repo: state.Repo, Branch: value}
		if source.role == form.RoleRevision {
			check = Invocation{Repo: state.Repo, Revision: value}
		}
		if err := check.check(); err != nil {
			return &model.SubmitDialogResponse{Errors: map[string]string{p.FullName: err.Error()}}
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
		return fail(own.message)
	case errors.As(err, &bbErr) && len(bbErr.Fields) > 0:
		fields, rest := f.BuildbotErrors(bbErr.Fields)
		return &model.SubmitDialogResponse{Errors: fields, Error: rest}
	case unconfirmed(err):
		return fail(fmt.Sprintf("Buildbot did not confirm the build within %s. It may start anyway: look at %s before you submit again.",
			snap.Config.RequestTimeout(), snap.Config.LinkBaseURL()))
	case err != nil:
		return fail(buildbot.UserMessage(err))
	}
	args := &model.CommandArgs{UserId: userID, ChannelId: sub.ChannelId, TeamId: sub.TeamId, RootId: state.RootID}
	if text := h.announce(snap.Config, args, req, s, snap.Buildbot.Fingerprint()); text != "" && h.Dialogs != nil {
		h.Dialogs.SendEphemeral(userID, &model.Post{UserId: h.BotID, ChannelId: sub.ChannelId, RootId: state.RootID, Message: text})
	}
	return &model.SubmitDialogResponse{}
}
