package app

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/access"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/catalog"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/config"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/markdown"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/post"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/tracker"
)

// request is one build a user asked for, with everything Buildbot needs.
type request struct {
	repo     *catalog.Repo
	branch   string
	revision string
	user     *model.User
	place    access.Place
	// values are the force scheduler's form, checked (form.Form.Check); nil sends only the
	// branch, revision and the rest /build always sends. shown is what the post lists of them.
	values map[string]any
	shown  []post.Param
}

// started is what Buildbot queued, for the post that announces it.
type started struct {
	// builds are per builder: the buildset and request ids in force mode.
	builds []startedBuild
	// changeID and tag are set in change-hook mode, with the newest request before the change.
	changeID     int
	tag          string
	afterRequest int
	// failed lists builders Buildbot refused after others were queued.
	failed []i18n.Text
}

type startedBuild struct {
	target     catalog.Target
	buildsetID int
	requestID  int
}

func (r request) reason() string {
	where := "~" + r.place.Channel.Name
	if r.place.Team != nil {
		where = r.place.Team.Name + "/" + where
	}
	//i18n:verbatim Buildbot keeps the reason and its web UI is English
	return fmt.Sprintf("Requested by @%s in %s (Mattermost)", r.user.Username, where)
}

// chatReason matches reason's words, as Buildbot keeps them (a force scheduler puts "A build was
// forced by '<login>': " before them).
var chatReason = regexp.MustCompile(`^(?:A build was forced by '[^']*': )?Requested by (@[\w.-]+) in .* \(Mattermost\)$`)

// requesterOf is the Mattermost user a build's reason names, for a build started from chat. The
// channel the reason names stays out: it may be one the reader cannot see.
func requesterOf(reason string) (string, bool) {
	m := chatReason.FindStringSubmatch(reason)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// buildbotUsername is "Display Name <email>", the only shape Buildbot's default username field accepts.
func buildbotUsername(u *model.User) string {
	name := strings.TrimSpace(u.GetFullName())
	if name == "" {
		name = u.Username
	}
	name = strings.NewReplacer("<", "", ">", "", "\n", " ").Replace(name)
	if u.Email == "" {
		return ""
	}
	return fmt.Sprintf("%s <%s>", name, u.Email)
}

// forceAll asks each builder's force scheduler for a build. Buildbot does not check that a
// scheduler serves the builder it is given; the catalog only pairs builders with schedulers that
// list them.
func forceAll(ctx context.Context, bb *buildbot.Client, cfg *config.Configuration, r request) (started, error) {
	var s started
	var refused []i18n.Text
	for _, t := range r.repo.Targets {
		scheduler, ok := t.SchedulerFor(r.branch)
		if !ok {
			refused = append(refused, i18n.T("command.build.branch_refused", "{{.Builder}} (no force scheduler of it accepts the branch `{{.Branch}}`{{.Choices}})",
				"Builder", markdown.Text(t.Builder), "Branch", markdown.Code(r.branch), "Choices", choicesText(t)))
			continue
		}
		res, err := bb.Force(ctx, scheduler.Name, buildbot.ForceParams{
			BuilderID:  t.BuilderID,
			Branch:     r.branch,
			Revision:   r.revision,
			Repository: repositoryURL(cfg, r.repo.Name),
			Project:    r.repo.Name,
			Reason:     r.reason(),
			Username:   buildbotUsername(r.user),
			Values:     r.values,
		})
		if err != nil {
			if len(s.builds) == 0 {
				return s, fmt.Errorf("force %s: %w", t.Builder, err)
			}
			s.failed = append(s.failed, builderFailed(t.Builder, buildbot.UserMessage(err)))
			continue
		}
		brid, ok := res.BuildRequests[t.BuilderID]
		if !ok {
			s.failed = append(s.failed, builderFailed(t.Builder, noRequestFor()))
			continue
		}
		s.builds = append(s.builds, startedBuild{target: t, buildsetID: res.BuildsetID, requestID: brid})
	}
	if len(s.builds) == 0 && len(s.failed) > 0 {
		return s, &refusal{text: i18n.T("command.build.nothing_followed", "Nothing of **{{.Repo}}** can be followed:\n- {{.List}}",
			"Repo", markdown.Text(r.repo.Name), "List", i18n.Join("\n- ", s.failed...))}
	}
	if len(s.builds) == 0 {
		return s, &refusal{text: i18n.T("command.build.no_builder", "No builder of **{{.Repo}}** can build `{{.Branch}}`: {{.Why}}.",
			"Repo", markdown.Text(r.repo.Name), "Branch", markdown.Code(r.branch), "Why", i18n.Join("; ", refused...))}
	}
	s.failed = append(s.failed, refused...)
	return s, nil
}

// builderFailed is a builder that did not start, and why.
func builderFailed(builder string, why i18n.Text) i18n.Text {
	return i18n.Join(" ", i18n.Raw(markdown.Text(builder)), i18n.Join("", i18n.Raw("("), why, i18n.Raw(")")))
}

// choicesText names the branches a builder's schedulers take, when they take only some.
func choicesText(t catalog.Target) i18n.Text {
	choices := t.BranchChoices()
	if len(choices) == 0 {
		return i18n.Text{}
	}
	for i, c := range choices {
		choices[i] = markdown.Code(c)
	}
	return i18n.T("command.build.branch_choices", ": it takes `{{.Branches}}`", "Branches", strings.Join(choices, "`, `"))
}

// refusal is a reason not to build that the plugin found itself, worded for the user.
type refusal struct{ text i18n.Text }

func (r *refusal) Error() string { return r.text.English() }

// postChange sends the change the classic recipe sent, tagged with a unique request id, and
// finds the change Buildbot recorded.
func postChange(ctx context.Context, bb *buildbot.Client, cfg *config.Configuration, r request) (started, error) {
	// The builds the change causes are found among the requests after this one.
	newest, err := bb.BuildRequests(ctx, buildbot.Query{Order: []string{"-buildrequestid"}, Limit: 1})
	if err != nil {
		return started{}, fmt.Errorf("read the newest build request: %w", err)
	}
	afterRequest := 0
	if len(newest) > 0 {
		afterRequest = newest[0].BuildRequestID
	}
	requestID := model.NewId()
	project := strings.NewReplacer("{repo}", r.repo.Name, "{branch}", r.branch).Replace(cfg.ProjectTemplate)
	err = bb.PostChange(ctx, buildbot.ChangeRequest{
		Author:     buildbotUsername(r.user),
		Comments:   r.reason(),
		Revision:   r.revision,
		Branch:     r.branch,
		Category:   cfg.ChangeCategory,
		Repository: repositoryURL(cfg, r.repo.Name),
		Project:    project,
		Properties: map[string]string{tracker.RequestProperty: requestID},
	})
	if err != nil {
		return started{}, fmt.Errorf("post change for %s: %w", r.repo.Name, err)
	}
	// The hook records the change before it answers, so it is among the newest ones now.
	changes, err := bb.Changes(ctx, buildbot.Query{Order: []string{"-changeid"}, Limit: 50})
	if err != nil {
		return started{}, fmt.Errorf("find the change for %s: %w", r.repo.Name, err)
	}
	s := started{tag: requestID, afterRequest: afterRequest}
	for _, ch := range changes {
		if ch.Properties.Get(tracker.RequestProperty) == requestID {
			s.changeID = ch.ChangeID
		}
	}
	return s, nil
}

func repositoryURL(cfg *config.Configuration, repo string) string {
	if cfg.RepositoryBaseURL == "" {
		return ""
	}
	return cfg.RepositoryBaseURL + repo
}
