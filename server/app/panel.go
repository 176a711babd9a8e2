package app

import (
	"context"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/access"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/catalog"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/config"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/markdown"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/panel"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/post"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/subscription"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/tracker"
)

// The Builds panel: what runs and waits on Buildbot, what is red, the viewer's builds and the
// channel's subscriptions, for the webapp's right-hand sidebar. Every view is for one user in one
// channel, checked by the gate as /build would be there: a user who may not use /build in a
// channel sees nothing of it in the panel either.

// PanelBuilds is the panel's view of Buildbot for one viewer.
type PanelBuilds struct {
	ReadAt int64       `json:"read_at"`
	Repos  []PanelRepo `json:"repos"`
	Red    []PanelRed  `json:"red"`
	// RedCount counts the red builders a subscription of the channel covers: the badge.
	RedCount int `json:"red_count"`
}

// PanelRepo is one repo's running and queued builds; Repo is "" for builders no repo claims.
type PanelRepo struct {
	Repo   string       `json:"repo"`
	Builds []PanelBuild `json:"builds"`
}

// PanelBuild is one running build or queued request.
type PanelBuild struct {
	Builder   string     `json:"builder"`
	BuilderID int        `json:"builder_id"`
	State     post.State `json:"state"`
	BuildID   int        `json:"build_id"`
	Number    int        `json:"number"`
	RequestID int        `json:"request_id"`
	Step      string     `json:"step"`
	// StartedAt is when a build started, or when a queued request was submitted; epoch ms.
	StartedAt int64  `json:"started_at"`
	Branch    string `json:"branch"`
	StartedBy string `json:"started_by"`
	URL       string `json:"url"`
	PostURL   string `json:"post_url"`
	MayStop   bool   `json:"may_stop"`
	// Place and StartsAt are a queued request's place in its builder's line and its estimated
	// start (epoch ms, 0 when unknown).
	Place    int   `json:"place,omitempty"`
	StartsAt int64 `json:"starts_at,omitempty"`
}

// PanelRed is a builder whose last build on a branch failed.
type PanelRed struct {
	Repo      string `json:"repo"`
	Builder   string `json:"builder"`
	BuilderID int    `json:"builder_id"`
	Branch    string `json:"branch"`
	// Since is when the first failed build of the run finished, epoch ms; Number and URL name it.
	Since    int64        `json:"since"`
	Failures int          `json:"failures"`
	Number   int          `json:"number"`
	URL      string       `json:"url"`
	FirstBad *PanelChange `json:"first_bad"`
	// Subscribed says a subscription of the channel covers the builder and branch.
	Subscribed bool `json:"subscribed"`
}

// PanelChange is the change a run of failures began with, its author without an address.
type PanelChange struct {
	Revision string `json:"revision"`
	Author   string `json:"author"`
	Comment  string `json:"comment"`
}

// panelCall bounds a panel request by the Buildbot request timeout.
func (a *App) panelCall(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, a.Snapshot().Config.RequestTimeout())
}

// grant asks the gate whether who may do action; the refusal is the error.
func (a *App) grant(who Actor, action access.Action) (access.Grant, error) {
	return a.Gate.Check(a.Snapshot(), who.request(action))
}

// panelRead is what every view of Buildbot's builds starts from: the settings it was judged
// under, the gate's grant, the board, and the channel's subscriptions.
type panelRead struct {
	snap  *config.Snapshot
	grant access.Grant
	board *panel.Board
	subs  []subscription.Subscription
	ix    *catalog.Index
	// repoOf maps a builder to its repo.
	repoOf map[int]string
}

// readPanel asks the gate whether who may see builds in the channel, then reads the board, no
// earlier than after, and the channel's subscriptions.
func (a *App) readPanel(ctx context.Context, who Actor, after time.Time) (panelRead, error) {
	snap := a.Snapshot()
	grant, err := a.Gate.Check(snap, who.request(access.View))
	if err != nil {
		return panelRead{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, snap.Config.RequestTimeout())
	defer cancel()
	board, err := a.Board.Get(ctx, after)
	if err != nil {
		return panelRead{}, err
	}
	subs, err := a.Subs.Channel(grant.Place.Channel.Id)
	if err != nil {
		return panelRead{}, err
	}
	ix := a.Catalog.Current()
	return panelRead{snap: snap, grant: grant, board: board, subs: subs, ix: ix, repoOf: reposOfBuilders(ix)}, nil
}

// red lists the red builders the channel cares about.
func (r panelRead) red() []PanelRed {
	return redBuilders(r.board.Streaks, r.ix, r.repoOf, r.board.Names, r.subs, r.snap.Config.LinkBaseURL())
}

// Panel reads the builds panel for who, from a board read no earlier than after.
func (a *App) Panel(ctx context.Context, who Actor, after time.Time) (PanelBuilds, error) {
	read, err := a.readPanel(ctx, who, after)
	if err != nil {
		return PanelBuilds{}, err
	}
	board, ix, repoOf, snap := read.board, read.ix, read.repoOf, read.snap
	_, stopErr := a.Gate.Check(snap, who.request(access.Stop))
	// Whether the viewer is a system admin matters only for a builder chat does not serve, and is
	// asked of Mattermost once.
	admin := sync.OnceValue(func() bool { return a.MM.IsSystemAdmin(who.UserID) })
	mayStop := func(builderID int) bool {
		return stopErr == nil && (ix != nil && ix.Serves(builderID) || admin())
	}
	names := board.Names
	link := snap.Config.LinkBaseURL()
	posts := a.postLinks(board.Source, read.grant.User.Id)

	byRepo := map[string][]PanelBuild{}
	for _, b := range board.Running {
		byRepo[repoOf[b.BuilderID]] = append(byRepo[repoOf[b.BuilderID]], PanelBuild{
			Builder: names[b.BuilderID], BuilderID: b.BuilderID, State: post.StateBuilding, BuildID: b.BuildID, Number: b.Number,
			RequestID: b.BuildRequestID, Step: board.Steps[b.BuildID], StartedAt: b.StartedAt.Time().UnixMilli(), Branch: b.Properties.Get("branch"),
			StartedBy: startedBy(b), URL: buildbot.BuildURL(link, b.BuilderID, b.Number), PostURL: posts(b.BuildRequestID), MayStop: mayStop(b.BuilderID),
		})
	}
	for _, w := range board.Waiting {
		r := w.Request
		pb := PanelBuild{Builder: names[r.BuilderID], BuilderID: r.BuilderID, State: post.StateQueued, RequestID: r.BuildRequestID,
			StartedAt: r.SubmittedAt.Time().UnixMilli(), Branch: w.Branch, StartedBy: requestedBy(w.Reason),
			URL: buildbot.BuildRequestURL(link, r.BuildRequestID), PostURL: posts(r.BuildRequestID), MayStop: mayStop(r.BuilderID), Place: w.Estimate.Place}
		if w.Estimate.Known {
			pb.StartsAt = w.Estimate.StartsAt.UnixMilli()
		}
		byRepo[repoOf[r.BuilderID]] = append(byRepo[repoOf[r.BuilderID]], pb)
	}
	out := PanelBuilds{ReadAt: board.ReadAt.UnixMilli(), Repos: []PanelRepo{}, Red: []PanelRed{}}
	for repo, builds := range byRepo {
		out.Repos = append(out.Repos, PanelRepo{Repo: repo, Builds: builds})
	}
	// Named repos first, alphabetically; the builders no repo claims last.
	sort.Slice(out.Repos, func(i, j int) bool {
		a, b := out.Repos[i].Repo, out.Repos[j].Repo
		if (a == "") != (b == "") {
			return b == ""
		}
		return strings.ToLower(a) < strings.ToLower(b)
	})
	out.Red = read.red()
	out.RedCount = subscribedCount(out.Red)
	return out, nil
}

// subscribedCount counts the red builders a subscription of the channel covers: the badge.
func subscribedCount(red []PanelRed) int {
	n := 0
	for _, r := range red {
		if r.Subscribed {
			n++
		}
	}
	return n
}

// reposOfBuilders maps each builder to the repo it builds, among every active builder's repos.
func reposOfBuilders(ix *catalog.Index) map[int]string {
	out := map[int]string{}
	if ix == nil {
		return out
	}
	for _, name := range ix.WatchedNames() {
		repo, _ := ix.LookupWatched(name)
		for _, t := range repo.Targets {
			out[t.BuilderID] = repo.Name
		}
	}
	return out
}

// redBuilders lists the red builders the channel cares about: a repo's builders on its default
// branch, and any builder and branch a subscription of the channel covers.
func redBuilders(streaks []panel.Streak, ix *catalog.Index, repoOf map[int]string, names map[int]string,
	subs []subscription.Subscription, link string) []PanelRed {
	out := []PanelRed{}
	for _, s := range streaks {
		if !s.Red() {
			continue
		}
		repo := repoOf[s.BuilderID]
		defaultBranch := ""
		if ix != nil && repo != "" {
			if r, ok := ix.LookupWatched(repo); ok {
				defaultBranch = r.DefaultBranch
			}
		}
		subscribed := false
		for _, sub := range subs {
			subscribed = subscribed || (repo != "" || sub.Repo == subscription.AnyRepo) && sub.Covers(repo, s.Branch, defaultBranch)
		}
		if !subscribed && (repo == "" || s.Branch != defaultBranch) {
			continue
		}
		red := PanelRed{Repo: repo, Builder: names[s.BuilderID], BuilderID: s.BuilderID, Branch: s.Branch, Since: s.First.CompleteAt.Time().UnixMilli(),
			Failures: s.Failures, Number: s.First.Number, URL: buildbot.BuildURL(link, s.BuilderID, s.First.Number), Subscribed: subscribed}
		revision := s.First.Properties.Get("got_revision")
		if revision == "" {
			revision = s.First.Properties.Get("revision")
		}
		if c := s.FirstChange; c != nil || revision != "" {
			red.FirstBad = &PanelChange{Revision: post.ShortRevision(revision)}
			if c != nil {
				if red.FirstBad.Revision == "" {
					red.FirstBad.Revision = post.ShortRevision(c.Revision)
				}
				red.FirstBad.Author = withoutAddress(c.Author)
				red.FirstBad.Comment, _, _ = strings.Cut(strings.TrimSpace(c.Comments), "\n")
			}
		}
		out = append(out, red)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Since > out[j].Since })
	return out
}

// startedBy is who or what started a build: the Mattermost user of a build started from chat,
// else the user a force scheduler names, else the scheduler.
func startedBy(b buildbot.Build) string {
	if who, ok := requesterOf(b.Properties.Get("reason")); ok {
		return who
	}
	if owner := withoutAddress(b.Properties.Get("owner")); owner != "" {
		return owner
	}
	return b.Properties.Get("scheduler")
}

// maxReason bounds the reason a queued request shows.
const maxReason = 120

// requestedBy is who or what asked for a queued request, from its buildset's reason.
func requestedBy(reason string) string {
	if who, ok := requesterOf(reason); ok {
		return who
	}
	reason = withoutAddress(reason)
	if len([]rune(reason)) > maxReason {
		reason = string([]rune(reason)[:maxReason-1]) + "…"
	}
	return reason
}

// withoutAddress drops the email addresses from a name or text Buildbot keeps ("Ann
// <ann@example.com>" is "Ann", "ann@example.com" is "ann"): the privacy settings decide who sees
// addresses, and the panel shows every viewer the same.
func withoutAddress(s string) string {
	s = bracketedAddress.ReplaceAllString(s, "")
	s = bareAddress.ReplaceAllString(s, "$1")
	return strings.Join(strings.Fields(s), " ")
}

var (
	bracketedAddress = regexp.MustCompile(`\s*<[^<>@\s]+@[^<>\s]+>`)
	bareAddress      = regexp.MustCompile(`([\w.+-]+)@[\w-]+(?:\.[\w-]+)+`)
)

// postLinks links builds started from chat to their status posts, for a viewer who may read the
// post's channel. The marks are read once per request and kept a while: they never change once
// written, and a build without one usually gains none.
func (a *App) postLinks(source, userID string) func(requestID int) string {
	readable := map[string]bool{}
	return func(requestID int) string {
		channelID, postID := a.chatPosts.get(a.ChatPosts, source, requestID)
		if postID == "" {
			return ""
		}
		ok, seen := readable[channelID]
		if !seen {
			ok = a.MM.CanReadChannel(userID, channelID)
			readable[channelID] = ok
		}
		if !ok {
			return ""
		}
		return post.Permalink(a.SiteURL(), postID)
	}
}

// ChatPosts reads the channel and status post of a build request started from chat.
type ChatPosts interface {
	ChatPost(source string, requestID int) (channelID, postID string, err error)
}

// chatPostCache keeps what ChatPosts said of each request.
type chatPostCache struct {
	mu      sync.Mutex
	entries map[string]chatPostEntry
}

type chatPostEntry struct {
	channelID, postID string
	readAt            time.Time
}

const (
	// chatPostUnknownTTL is how long "no post" is believed: the mark is written just after the
	// build is forced, so a panel that reads in between learns of the post on a later read.
	chatPostUnknownTTL = 15 * time.Second
	maxChatPosts       = 5000
)

func (c *chatPostCache) get(store ChatPosts, source string, requestID int) (channelID, postID string) {
	if store == nil {
		return "", ""
	}
	key := source + "_" + strconv.Itoa(requestID)
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if ok && (e.postID != "" || time.Since(e.readAt) < chatPostUnknownTTL) {
		return e.channelID, e.postID
	}
	channelID, postID, err := store.ChatPost(source, requestID)
	if err != nil {
		return "", ""
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= maxChatPosts {
		c.entries = map[string]chatPostEntry{}
	}
	c.entries[key] = chatPostEntry{channelID: channelID, postID: postID, readAt: time.Now()}
	return channelID, postID
}

// PanelMineBuild is one of the viewer's builds, as its status post shows it now.
type PanelMineBuild struct {
	PostURL  string             `json:"post_url"`
	Repo     string             `json:"repo"`
	Branch   string             `json:"branch"`
	State    post.State         `json:"state"`
	Builders []PanelMineBuilder `json:"builders"`
	At       int64              `json:"at"`
}

// PanelMineBuilder is one builder of one of the viewer's builds.
type PanelMineBuilder struct {
	Builder string     `json:"builder"`
	Number  int        `json:"number"`
	State   post.State `json:"state"`
}

// maxPanelMine bounds the viewer's builds the panel lists, newest first; /build mine lists all.
const maxPanelMine = 10

// PanelMine lists the viewer's builds, as /build mine does, each in a channel they may see builds in.
func (a *App) PanelMine(who Actor) ([]PanelMineBuild, error) {
	grant, err := a.grant(who, access.Personal)
	if err != nil {
		return nil, err
	}
	out := []PanelMineBuild{}
	if a.Notify == nil {
		return out, nil
	}
	recent, err := a.Notify.Recent(grant.User.Id)
	if err != nil {
		return nil, err
	}
	for _, r := range recent {
		if len(out) == maxPanelMine {
			break
		}
		p, props, ok := a.visibleStatusPost(grant.User.Id, r.PostID)
		if !ok {
			continue
		}
		b := PanelMineBuild{PostURL: post.Permalink(a.SiteURL(), p.Id), Repo: props.Repo, Branch: props.Branch, State: props.State, At: r.At,
			Builders: []PanelMineBuilder{}}
		for _, row := range props.Rows {
			b.Builders = append(b.Builders, PanelMineBuilder{Builder: row.Builder, Number: row.Number, State: row.State})
		}
		out = append(out, b)
	}
	return out, nil
}

// PanelStop stops a running build (buildID) or cancels a queued request (requestID) from the
// panel, with Stop's rules for the builder: what the gate refuses comes back as its refusal.
func (a *App) PanelStop(ctx context.Context, who Actor, buildID, requestID int) (i18n.Text, error) {
	// The gate judges the user and the channel before Buildbot is read, and the builder after.
	if _, err := a.grant(who, access.Stop); err != nil {
		return i18n.Text{}, err
	}
	snap := a.Snapshot()
	ctx, cancel := a.panelCall(ctx)
	defer cancel()
	bb := snap.Buildbot
	builderID, requestOf := 0, requestID
	switch {
	case buildID > 0:
		b, err := bb.Build(ctx, buildID, buildbot.Query{})
		if err != nil {
			return i18n.Text{}, err
		}
		if b.Complete {
			return i18n.T("command.stop.nothing", "Nothing to stop: the build has finished."), nil
		}
		builderID, requestOf = b.BuilderID, b.BuildRequestID
	case requestID > 0:
		requests, err := bb.BuildRequests(ctx, buildbot.Query{Filters: []buildbot.Filter{buildbot.Where("buildrequestid", "eq", requestID)}})
		if err != nil {
			return i18n.Text{}, err
		}
		if len(requests) == 0 {
			return i18n.Text{}, i18n.NewError(i18n.T("panel.stop.no_request", "Buildbot has no such build request."))
		}
		if requests[0].Claimed || requests[0].Complete {
			return i18n.T("panel.stop.taken", "The request is no longer queued: stop its build instead."), nil
		}
		builderID = requests[0].BuilderID
	default:
		return i18n.Text{}, i18n.NewError(i18n.T("panel.stop.what", "Name the build or the build request to stop."))
	}
	builder, err := bb.Builder(ctx, builderID)
	if err != nil {
		return i18n.Text{}, err
	}
	ix := a.Catalog.Current()
	stop := who.request(access.Stop)
	stop.Builders = []access.Builder{{Name: builder.Name, Served: ix != nil && ix.Serves(builderID)}}
	grant, err := a.Gate.Check(snap, stop)
	if err != nil {
		return i18n.Text{}, err
	}
	a.noteStopper(bb.Fingerprint(), requestOf, grant.User.Username)
	reason := post.StopReason(grant.User.Username)
	if buildID > 0 {
		err = bb.StopBuild(ctx, buildID, reason)
	} else {
		err = bb.CancelBuildRequest(ctx, requestID, reason)
	}
	if a.Log != nil {
		a.Log.LogInfo("Buildbot build stopped from the Builds panel", "user_id", who.UserID, "channel_id", who.ChannelID, "builder", builder.Name,
			"build_id", strconv.Itoa(buildID), "request_id", strconv.Itoa(requestID), "ok", err == nil)
	}
	if err != nil {
		return i18n.Text{}, err
	}
	return i18n.T("panel.stop.stopping", "Stopping {{.Builder}}; the panel shows when Buildbot is done.", "Builder", builder.Name), nil
}

// noteStopper tells the status post of a build started from chat who stops it, as its Stop
// button does: a request cancelled before it ran keeps no reason on Buildbot.
func (a *App) noteStopper(source string, requestID int, username string) {
	_, postID := a.chatPosts.get(a.ChatPosts, source, requestID)
	if postID == "" {
		return
	}
	p, err := a.MM.GetPost(postID)
	if err != nil || p.UserId != a.BotID {
		return
	}
	if trackID, _ := p.GetProp(tracker.TrackKey).(string); trackID != "" {
		_ = a.Tracker.NoteStopper(trackID, username)
	}
}

// PanelSubscriptions is a channel's subscriptions as the panel shows them, and whether the viewer
// may change them.
type PanelSubscriptions struct {
	Subscriptions []PanelSubscription  `json:"subscriptions"`
	MayEdit       bool                 `json:"may_edit"`
	Refusal       string               `json:"refusal"`
	Events        []PanelEvent         `json:"events"`
	DefaultEvents []subscription.Event `json:"default_events"`
	Repos         []string             `json:"repos"`
}

// PanelSubscription is one subscription of the channel.
type PanelSubscription struct {
	Repo      string               `json:"repo"`
	Branch    string               `json:"branch"`
	Events    []subscription.Event `json:"events"`
	Style     subscription.Style   `json:"style"`
	Creator   string               `json:"creator"`
	CreatedAt int64                `json:"created_at"`
}

// PanelEvent is an event a subscription may ask for, with what it means in the viewer's words.
type PanelEvent struct {
	Event subscription.Event `json:"event"`
	Means string             `json:"means"`
}

// maxPanelRepos bounds the repos the form offers; typing narrows them.
const maxPanelRepos = 500

// PanelSubscriptionList reads the channel's subscriptions for the panel.
func (a *App) PanelSubscriptionList(who Actor) (PanelSubscriptions, error) {
	grant, err := a.grant(who, access.ListSubscriptions)
	if err != nil {
		return PanelSubscriptions{}, err
	}
	subs, err := a.Subs.Channel(grant.Place.Channel.Id)
	if err != nil {
		return PanelSubscriptions{}, err
	}
	words := a.Words.User(who.UserID)
	out := PanelSubscriptions{Subscriptions: []PanelSubscription{}, DefaultEvents: subscription.DefaultEvents, Repos: []string{}}
	for _, s := range subs {
		creator := ""
		if u, err := a.MM.GetUser(s.CreatorID); err == nil {
			creator = u.Username
		}
		out.Subscriptions = append(out.Subscriptions, PanelSubscription{Repo: s.Repo, Branch: s.Branch, Events: s.Events, Style: s.Style,
			Creator: creator, CreatedAt: s.CreatedAt})
	}
	for _, e := range subscription.Events {
		out.Events = append(out.Events, PanelEvent{Event: e.Event, Means: words.String(e.Means)})
	}
	if _, err := a.grant(who, access.Subscribe); err != nil {
		refusal, _ := access.TextOf(err)
		out.Refusal = markdown.Plain(words.String(refusal))
	} else {
		out.MayEdit = true
		if ix := a.Catalog.Current(); ix != nil {
			recent := ix.WatchedRecent()
			out.Repos = append(out.Repos, recent[:min(len(recent), maxPanelRepos)]...)
		}
	}
	return out, nil
}

// maxPanelBranches bounds the branches the form offers for a repo.
const maxPanelBranches = 50

// PanelBranches lists a repo's known branches, for the subscription form.
func (a *App) PanelBranches(who Actor, repo string) ([]string, error) {
	if _, err := a.grant(who, access.View); err != nil {
		return nil, err
	}
	out := []string{}
	if ix := a.Catalog.Current(); ix != nil {
		if r, ok := ix.LookupWatched(repo); ok {
			out = append(out, r.Branches[:min(len(r.Branches), maxPanelBranches)]...)
		}
	}
	return out, nil
}

// PanelRedCount counts the red builders the channel's subscriptions cover, for the badge.
func (a *App) PanelRedCount(ctx context.Context, who Actor) (int, error) {
	read, err := a.readPanel(ctx, who, time.Time{})
	if err != nil {
		return 0, err
	}
	return subscribedCount(read.red()), nil
}

// visibleStatusPost is one of the bot's status posts, in a channel the user may see builds in.
func (a *App) visibleStatusPost(userID, postID string) (*model.Post, post.Props, bool) {
	p, err := a.MM.GetPost(postID)
	if err != nil || p.DeleteAt != 0 || p.UserId != a.BotID {
		return nil, post.Props{}, false
	}
	props, ok := post.Decode(p)
	if !ok {
		return nil, post.Props{}, false
	}
	if _, err := a.Gate.Check(a.Snapshot(), access.Request{Action: access.View, UserID: userID, ChannelID: p.ChannelId, TeamID: props.TeamID}); err != nil {
		return nil, post.Props{}, false
	}
	return p, props, true
}
