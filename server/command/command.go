// Package command is the /build slash command: its autocomplete, parsing, rules and answers.
package command

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/access"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/catalog"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/config"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/form"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/markdown"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/post"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/subscription"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/tracker"
)

// Trigger is the slash command's name.
const Trigger = "build"

// Handler answers /build.
type Handler struct {
	// Snapshot returns the settings in force.
	Snapshot func() *config.Snapshot
	Catalog  *catalog.Catalog
	MM       Mattermost
	// BotID authors the posts the command makes.
	BotID string
	// Tracker follows the builds the command starts; ActionURL is where their buttons point.
	Tracker   Tracker
	ActionURL string
	Once      Once
	// Log keeps the audit of button clicks; it may be nil.
	Log Auditor
	// Subs keeps the channels' subscriptions.
	Subs subscription.Store
	// Dialogs opens the build form, whose submissions go to FormURL; without it /build takes
	// parameters only as name=value words.
	Dialogs Dialogs
	FormURL string
	// Words are the translations: answers in the user's language, posts in the server's.
	Words *i18n.Bundle
	// Gate decides who may do what, where.
	Gate *access.Gate
	// Authors links users to the address their commits carry, for /build me.
	Authors Authors

	misses misses
}

// Mattermost is what the command asks the server: the gate's questions, and posts.
type Mattermost interface {
	access.Mattermost
	GetPost(postID string) (*model.Post, error)
}

// Authors keeps which users linked their address, so builds whose changes name it mention them.
type Authors interface {
	Link(u *model.User) error
	Unlink(u *model.User) error
	Linked(u *model.User) (bool, error)
	// AddressesShown says whether every address is matched, Mattermost showing them anyway.
	AddressesShown() bool
}

// Tracker takes over a started build's status post, and hears who stops one.
type Tracker interface {
	Announce(p *model.Post, tr *tracker.Tracked) error
	NoteStopper(trackID, username string) error
}

// Execute runs one /build invocation. It returns the text to show the caller alone, in their
// language, or "" when the answer went to the channel.
func (h *Handler) Execute(ctx context.Context, args *model.CommandArgs) string {
	return h.Words.User(args.UserId).String(h.execute(ctx, args))
}

func (h *Handler) execute(ctx context.Context, args *model.CommandArgs) i18n.Text {
	inv, err := Parse(args.Command)
	if err != nil {
		problem, _ := i18n.TextOf(err)
		return i18n.Join("\n\n", problem, usage())
	}
	if inv.Sub == SubHelp {
		return usage()
	}
	snap := h.Snapshot()
	grant, err := h.Gate.Check(snap, access.Request{Action: actionOf(inv), UserID: args.UserId, ChannelID: args.ChannelId, TeamID: args.TeamId})
	if refusal, ok := access.TextOf(err); ok {
		return refusal
	}

	switch inv.Sub {
	case SubList:
		return h.list(ctx, snap)
	case SubStatus:
		return h.status(ctx, snap, inv)
	case SubSubscribe:
		return h.subscribe(ctx, snap.Config, grant, inv)
	case SubUnsubscribe:
		return h.unsubscribe(grant, inv)
	case SubSubscriptions:
		return h.subscriptions(grant, inv.All)
	case SubMe:
		return h.me(grant.User, inv.Word)
	}
	return h.build(ctx, snap, args, grant, inv)
}

// actionOf is what an invocation asks the gate for.
func actionOf(inv Invocation) access.Action {
	switch inv.Sub {
	case SubList, SubStatus:
		return access.View
	case SubSubscribe, SubUnsubscribe:
		return access.Subscribe
	case SubSubscriptions:
		if inv.All {
			return access.ListEverySubscription
		}
		return access.ListSubscriptions
	case SubMe:
		return access.Personal
	}
	return access.Build
}

func usage() i18n.Text {
	return i18n.T("command.usage", "#### /build\n"+
		"- `/build <repo> [branch] [revision]`: start a build; the branch defaults to the repo's default branch\n"+
		"- `/build <repo> [branch] name=value ...`: start it with the force scheduler's parameters, e.g. `deploy=true environment=staging`; "+
		"`--form` opens the scheduler's form instead (it opens by itself when a parameter must be filled)\n"+
		"- `/build list`: what Buildbot can build, with each builder's last result\n"+
		"- `/build status [repo] [branch]`: recent builds, with links\n"+
		"- `/build subscribe <repo|*> [branch-glob] [--events e1,e2] [--style card|line]`: post this channel the builds of a repo, "+
		"also those chat did not start; the glob defaults to the repo's default branch, the events to `finished`. "+
		"For only what needs someone: `--events failure,problem,recovery`\n"+
		"- `/build unsubscribe <repo|*> [branch-glob]` and `/build subscriptions [--all]`\n"+
		"- `/build me [link|unlink]`: whether a failed build whose changes carry your address mentions you\n"+
		"- `/build help`: this text")
}

// missRefreshAfter is how long a name Buildbot was read for and did not have is answered from
// memory: a typo typed again and again must not re-read Buildbot each time.
const missRefreshAfter = 30 * time.Second

// misses are the names Buildbot was last read for and did not have, each with when. They are
// kept per name: one user's typo must not hide a builder another user names, just added.
type misses struct {
	mu sync.Mutex
	at map[string]time.Time
}

// recent says whether Buildbot was read for name within missRefreshAfter.
func (m *misses) recent(name string, now time.Time) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	at, ok := m.at[strings.ToLower(name)]
	return ok && now.Sub(at) < missRefreshAfter
}

// note keeps that Buildbot, read at at, had no name; old entries go once there are many.
func (m *misses) note(name string, at time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.at == nil || len(m.at) >= 1000 {
		kept := map[string]time.Time{}
		for n, t := range m.at {
			if at.Sub(t) < missRefreshAfter {
				kept[n] = t
			}
		}
		m.at = kept
	}
	m.at[strings.ToLower(name)] = at
}

// repos returns the catalog, refreshing it first when it is cold or does not know name among
// the repos /build builds.
func (h *Handler) repos(ctx context.Context, name string) (*catalog.Index, error) {
	return h.index(ctx, name, (*catalog.Index).Lookup)
}

// index returns the catalog, refreshing it first when it is cold or find does not know name: a
// user who typed a builder added since the last refresh finds it at once. Only a name Buildbot was
// read for moments ago is answered "nothing called" from memory.
func (h *Handler) index(ctx context.Context, name string, find func(*catalog.Index, string) (*catalog.Repo, bool)) (*catalog.Index, error) {
	ix := h.Catalog.Current()
	asked := time.Now()
	if h.Catalog.Warm() {
		if _, ok := find(ix, name); ok || name == "" || h.misses.recent(name, asked) {
			return ix, nil
		}
	}
	ix, err := h.Catalog.Refresh(ctx)
	if err != nil {
		return ix, err
	}
	if _, ok := find(ix, name); !ok && name != "" {
		h.misses.note(name, asked)
	}
	return ix, nil
}

// Allows says whether this user may see what /build offers in this channel: autocomplete shows
// nothing where /build would refuse. The channel and team come from a request anyone can send to
// the plugin's route, so the gate checks the user may read the one and is in the other.
func (h *Handler) Allows(userID, channelID, teamID string) bool {
	_, err := h.Gate.Check(h.Snapshot(), access.Request{Action: access.View, UserID: userID, ChannelID: channelID, CallerTeamID: teamID})
	return err == nil
}

func (h *Handler) build(ctx context.Context, snap *config.Snapshot, args *model.CommandArgs, grant access.Grant, inv Invocation) i18n.Text {
	repo, answer := h.findRepo(ctx, inv.Repo)
	if repo == nil {
		return answer
	}
	req := request{repo: repo, branch: inv.Branch, revision: inv.Revision, user: grant.User, place: grant.Place}
	if req.branch == "" {
		req.branch = repo.DefaultBranch
	}
	changeHook := snap.Config.TriggerMode == config.TriggerChangeHook
	if changeHook && (inv.Form || len(inv.Params) > 0) {
		return noParamsByChangeHook()
	}
	if !changeHook && (inv.Form || len(inv.Params) > 0 || repo.NeedsInput(req.branch)) {
		if answer, done := h.withParams(ctx, snap, args, &req, inv); done {
			return answer
		}
	}

	var s started
	var err error
	if changeHook {
		s, err = postChange(ctx, snap.Buildbot, snap.Config, req)
	} else {
		s, err = forceAll(ctx, snap.Buildbot, snap.Config, req)
	}
	var own *refusal
	if errors.As(err, &own) {
		return own.text
	}
	if unconfirmed(err) {
		return i18n.T("command.build.unconfirmed", "Buildbot at {{.URL}} did not confirm the build of **{{.Repo}}** within {{.Timeout}}. It may start anyway: look at {{.Link}} before you try again.",
			"URL", snap.Config.LinkBaseURL(), "Repo", markdown.Text(repo.Name), "Timeout", snap.Config.RequestTimeout().String(), "Link", snap.Config.LinkBaseURL())
	}
	if err != nil {
		return notStarted(repo.Name, err)
	}
	return h.announce(snap.Config, args, req, s, snap.Buildbot.Fingerprint())
}

// unconfirmed says whether a failed trigger may have reached Buildbot anyway: the request went out
// and its answer did not come in time. Buildbot busy with a burst of forces answers each late.
func unconfirmed(err error) bool {
	var e *buildbot.Error
	return errors.As(err, &e) && e.Kind == buildbot.KindTimeout && (e.Op == buildbot.OpForce || e.Op == buildbot.OpChangeHook)
}

// notStarted says a build did not start, and what Buildbot did wrong.
func notStarted(repo string, err error) i18n.Text {
	return i18n.T("command.build.not_started", "The build of **{{.Repo}}** was not started. {{.Why}}", "Repo", markdown.Text(repo), "Why", buildbot.UserMessage(err))
}

func noParamsByChangeHook() i18n.Text {
	return i18n.T("command.build.no_params_by_change_hook", "Parameters go to a force scheduler, and this plugin starts builds through Buildbot's change hook, which takes none. "+
		"An admin can set *Start builds with* to the force scheduler.")
}

// announce posts the build's status in the channel and hands it to the tracker, which keeps the
// post up to date. In change-hook mode its rows appear as Buildbot's schedulers start builds.
func (h *Handler) announce(cfg *config.Configuration, args *model.CommandArgs, req request, s started, source string) i18n.Text {
	p := &model.Post{UserId: h.BotID, ChannelId: args.ChannelId, RootId: args.RootId}
	props := statusProps(cfg, req, s)
	props.Source = source
	post.Apply(p, props, h.ActionURL, h.Words.Server())
	tracked := &tracker.Tracked{Props: props, Tag: s.tag, AfterRequest: s.afterRequest}
	if err := h.Tracker.Announce(p, tracked); errors.Is(err, tracker.ErrNotPosted) {
		// The build runs anyway; say so rather than pretend nothing happened.
		return i18n.T("command.build.not_posted", "Buildbot started the build, but Mattermost could not post about it here:\n\n{{.Post}}", "Post", i18n.Raw(p.Message))
	} else if err != nil {
		return i18n.T("command.build.not_stored", "Buildbot started the build, but the plugin could not store it to follow it, so it did not post about it:\n\n{{.Post}}",
			"Post", i18n.Raw(p.Message))
	}
	if len(s.failed) > 0 {
		return i18n.T("command.build.some_failed", "Some builders did not start:\n- {{.List}}", "List", i18n.Join("\n- ", s.failed...))
	}
	return i18n.Text{}
}

func statusProps(cfg *config.Configuration, req request, s started) post.Props {
	props := post.Props{Repo: req.repo.Name, Branch: req.branch, Revision: req.revision, RequestedBy: req.user.Username,
		BuildbotURL: cfg.LinkBaseURL(), ChangeID: s.changeID, Params: req.shown}
	if req.place.Channel.TeamId == "" && req.place.Team != nil {
		props.TeamID = req.place.Team.Id
	}
	for _, b := range s.builds {
		props.Rows = append(props.Rows, post.Row{
			Builder: b.target.Builder, BuilderID: b.target.BuilderID, RequestID: b.requestID, State: post.StateQueued,
			URL: buildbot.BuildRequestURL(cfg.LinkBaseURL(), b.requestID),
		})
	}
	return props
}

// findRepo looks a repo up, or says why it cannot: Buildbot did not answer, or has no such repo.
func (h *Handler) findRepo(ctx context.Context, name string) (*catalog.Repo, i18n.Text) {
	ix, err := h.repos(ctx, name)
	if err != nil {
		return nil, buildbot.UserMessage(err)
	}
	repo, ok := ix.Lookup(name)
	if !ok {
		return nil, unknownRepo(name, ix)
	}
	return repo, i18n.Text{}
}

func unknownRepo(name string, ix *catalog.Index) i18n.Text {
	names := ix.Names()
	if len(names) == 0 {
		return i18n.T("command.unknown_repo.nothing", "Buildbot has nothing called `{{.Name}}`, and nothing it can build from chat yet: check its force schedulers.",
			"Name", form.Shorten(name))
	}
	if near := nearNames(name, names); near != "" {
		return i18n.T("command.unknown_repo.near", "Buildbot has nothing called `{{.Name}}`. Did you mean {{.Near}}?", "Name", form.Shorten(name), "Near", near)
	}
	return i18n.T("command.unknown_repo", "Buildbot has nothing called `{{.Name}}`. `/build list` shows what it can build.", "Name", form.Shorten(name))
}

// nearNames words up to three names a typo could have meant, each in a code span, or "".
func nearNames(name string, names []string) string {
	near := closest(name, names, 3)
	for i, n := range near {
		near[i] = "`" + markdown.Code(n) + "`"
	}
	return strings.Join(near, ", ")
}

func (h *Handler) list(ctx context.Context, snap *config.Snapshot) i18n.Text {
	ix, err := h.repos(ctx, "")
	if err != nil {
		return buildbot.UserMessage(err)
	}
	if len(ix.Names()) == 0 {
		return i18n.T("command.list.empty", "Buildbot has nothing that can be built from chat: no active builder is served by a force scheduler.")
	}
	builds, err := snap.Buildbot.Builds(ctx, buildbot.Query{Order: []string{"-buildid"}, Limit: 200})
	if err != nil {
		return buildbot.UserMessage(err)
	}
	last := map[int]buildbot.Build{}
	for _, b := range builds {
		if _, seen := last[b.BuilderID]; !seen {
			last[b.BuilderID] = b
		}
	}
	link := snap.Config.LinkBaseURL()
	rows := []i18n.Text{i18n.T("command.list.title", "#### What Buildbot can build\n| Repo | Default branch | Builder | Last build |\n|---|---|---|---|")}
	for _, name := range ix.Names() {
		repo := ix.Repos[name]
		for _, t := range repo.Targets {
			lastBuild := i18n.T("command.list.never_built", "never built")
			if build, ok := last[t.BuilderID]; ok {
				lastBuild = i18n.Join(" ", resultText(build), i18n.Raw(fmt.Sprintf("[#%d](%s)", build.Number, buildbot.BuildURL(link, t.BuilderID, build.Number))))
			}
			rows = append(rows, tableRow(i18n.Raw(markdown.Text(repo.Name)), i18n.Raw(orDash(repo.DefaultBranch)), i18n.Raw(markdown.Text(t.Builder)), lastBuild))
		}
	}
	return i18n.Join("\n", rows...)
}

// tableRow is a row of a markdown table.
func tableRow(cells ...i18n.Text) i18n.Text {
	return i18n.Join("", i18n.Raw("| "), i18n.Join(" | ", cells...), i18n.Raw(" |"))
}

// statusReach is how many recent builds /build status reads when it must filter them itself:
// Buildbot cannot filter on properties, and chat sees only the builders of its repos.
const statusReach = 200

func (h *Handler) status(ctx context.Context, snap *config.Snapshot, inv Invocation) i18n.Text {
	ix, err := h.repos(ctx, inv.Repo)
	if err != nil {
		return buildbot.UserMessage(err)
	}
	q := buildbot.Query{Order: []string{"-buildid"}, Limit: statusReach, Properties: []string{"branch", "revision"}}
	title := i18n.T("command.status.title", "Recent builds")
	if inv.Repo != "" {
		repo, answer := h.findRepo(ctx, inv.Repo)
		if repo == nil {
			return answer
		}
		for _, t := range repo.Targets {
			q.Filters = append(q.Filters, buildbot.Where("builderid", "eq", t.BuilderID))
		}
		title = i18n.T("command.status.title_repo", "Recent builds of {{.Repo}}", "Repo", markdown.Text(repo.Name))
		if inv.Branch != "" {
			title = i18n.T("command.status.title_branch", "Recent builds of {{.Repo}} on {{.Branch}}", "Repo", markdown.Text(repo.Name), "Branch", markdown.Text(inv.Branch))
		} else {
			q.Limit = 10
		}
	}
	builds, err := snap.Buildbot.Builds(ctx, q)
	if err != nil {
		return buildbot.UserMessage(err)
	}
	builders, err := snap.Buildbot.Builders(ctx)
	if err != nil {
		return buildbot.UserMessage(err)
	}
	names := map[int]string{}
	for _, b := range builders {
		names[b.BuilderID] = b.Name
	}
	link := snap.Config.LinkBaseURL()
	rows := []i18n.Text{i18n.T("command.status.table", "#### {{.Title}}\n| Build | Builder | Branch | Revision | Result |\n|---|---|---|---|---|", "Title", title)}
	for _, build := range builds {
		branch := build.Properties.Get("branch")
		if (inv.Branch != "" && branch != inv.Branch) || !ix.Serves(build.BuilderID) {
			continue
		}
		rows = append(rows, tableRow(i18n.Raw(fmt.Sprintf("[#%d](%s)", build.Number, buildbot.BuildURL(link, build.BuilderID, build.Number))),
			i18n.Raw(markdown.Text(names[build.BuilderID])), i18n.Raw(orDash(branch)), i18n.Raw(orDash(post.ShortRevision(build.Properties.Get("revision")))),
			resultText(build)))
		if len(rows) == 11 {
			break
		}
	}
	if len(rows) == 1 {
		return i18n.T("command.status.none", "{{.Title}}: none yet.", "Title", title)
	}
	return i18n.Join("\n", rows...)
}

// resultText is a build's state as the status post words it.
func resultText(b buildbot.Build) i18n.Text {
	state := post.StateOf(buildbot.BuildRequest{}, &b)
	return i18n.Join(" ", i18n.Raw(state.Emoji()), state.Label())
}

// orDash is a table cell of Buildbot's text, or a dash when there is none.
func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return markdown.Text(s)
}

// closest returns up to n names a typo could have meant: those sharing a prefix or within a
// small edit distance, nearest first.
func closest(name string, names []string, n int) []string {
	type scored struct {
		name string
		dist int
	}
	lower := strings.ToLower(name)
	var candidates []scored
	for _, candidate := range names {
		c := strings.ToLower(candidate)
		d := editDistance(lower, c)
		if strings.HasPrefix(c, lower) || strings.HasPrefix(lower, c) || strings.Contains(c, lower) {
			d = min(d, 1)
		}
		if d <= max(2, len(lower)/3) {
			candidates = append(candidates, scored{candidate, d})
		}
	}
	sort.Slice(candidates, func(i, j int) bool {
		if candidates[i].dist != candidates[j].dist {
			return candidates[i].dist < candidates[j].dist
		}
		return candidates[i].name < candidates[j].name
	})
	var out []string
	for i := 0; i < len(candidates) && i < n; i++ {
		out = append(out, candidates[i].name)
	}
	return out
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
