package app_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/access"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/app"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbottest"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/catalog"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/command"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/config"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/kvtest"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/notify"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/post"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/subscription"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/tracker"
)

type fakeMM struct {
	users    map[string]*model.User
	channels map[string]*model.Channel
	teams    map[string]*model.Team
	admins   map[string]bool
	posts    []*model.Post
	postErr  error
	// members lists who may read each channel; a channel not listed is readable by all.
	members map[string][]string
	// teamMembers lists each team's members; a team not listed has everyone.
	teamMembers map[string][]string
	// channelAdmins and teamAdmins list who administers each channel and team.
	channelAdmins, teamAdmins map[string][]string
}

func (f *fakeMM) CanManageChannel(userID, channelID string) bool {
	return slices.Contains(f.channelAdmins[channelID], userID)
}

func (f *fakeMM) CanManageTeam(userID, teamID string) bool {
	return slices.Contains(f.teamAdmins[teamID], userID)
}

func (f *fakeMM) CanReadChannel(userID, channelID string) bool {
	members, listed := f.members[channelID]
	return !listed || slices.Contains(members, userID)
}

func (f *fakeMM) CanViewTeam(userID, teamID string) bool {
	members, listed := f.teamMembers[teamID]
	return !listed || slices.Contains(members, userID)
}

func (f *fakeMM) GetUser(id string) (*model.User, error) {
	if u, ok := f.users[id]; ok {
		return u, nil
	}
	return nil, errors.New("no user")
}

func (f *fakeMM) GetChannel(id string) (*model.Channel, error) {
	if c, ok := f.channels[id]; ok {
		return c, nil
	}
	return nil, errors.New("no channel")
}

func (f *fakeMM) GetTeam(id string) (*model.Team, error) { return f.teams[id], nil }

func (f *fakeMM) IsSystemAdmin(id string) bool { return f.admins[id] }

func (f *fakeMM) CreatePost(p *model.Post) error {
	if f.postErr != nil {
		return f.postErr
	}
	p.Id = model.NewId()
	f.posts = append(f.posts, p)
	return nil
}

func (f *fakeMM) GetPost(id string) (*model.Post, error) {
	for _, p := range f.posts {
		if p.Id == id {
			return p, nil
		}
	}
	return nil, errors.New("no post")
}

func (f *fakeMM) UpdatePost(p *model.Post) error {
	for i, old := range f.posts {
		if old.Id == p.Id {
			f.posts[i] = p
			return nil
		}
	}
	return errors.New("no post")
}

type fakeTracker struct {
	mm       *fakeMM
	tracked  []*tracker.Tracked
	stoppers map[string]string
}

func (f *fakeTracker) Announce(p *model.Post, tr *tracker.Tracked) error {
	tr.ID = model.NewId()
	p.AddProp(tracker.TrackKey, tr.ID)
	if err := f.mm.CreatePost(p); err != nil {
		return tracker.ErrNotPosted
	}
	tr.PostID = p.Id
	f.tracked = append(f.tracked, tr)
	return nil
}

func (f *fakeTracker) NoteStopper(trackID, username string) error {
	if f.stoppers == nil {
		f.stoppers = map[string]string{}
	}
	f.stoppers[trackID] = username
	return nil
}

type fakeOnce map[string]bool

func (f fakeOnce) First(key string) (bool, error) {
	if f[key] {
		return false, nil
	}
	f[key] = true
	return true, nil
}

func newMM() *fakeMM {
	return &fakeMM{
		users: map[string]*model.User{
			"alice": {Id: "alice", Username: "alice", FirstName: "Alice", LastName: "Liddell", Email: "alice@example.com"},
			"root":  {Id: "root", Username: "root", Email: "root@example.com"},
		},
		channels: map[string]*model.Channel{
			"builds": {Id: "builds", Name: "builds", TeamId: "t"},
			"random": {Id: "random", Name: "random", TeamId: "t"},
		},
		teams:  map[string]*model.Team{"t": {Id: "t", Name: "dev"}},
		admins: map[string]bool{"root": true},
	}
}

// handlerFor is the app as /build drives it: the tests type commands and read the answers.
func handlerFor(t *testing.T, cfg *config.Configuration, mm *fakeMM) *command.Handler {
	snap := config.NewSnapshot(cfg)
	cat := catalog.New(func() catalog.Setup { return catalog.SetupFor(snap) }, nil)
	kv, _ := kvtest.New(t)
	a := &app.App{Snapshot: func() *config.Snapshot { return snap }, Catalog: cat, MM: mm, BotID: "bot",
		Tracker: &fakeTracker{mm: mm}, ActionURL: "/plugins/buildbot/api/v1/actions", Once: fakeOnce{},
		Subs: &subscription.KVStore{KV: kv}, Gate: &access.Gate{MM: mm}, Notify: &notify.Store{KV: kv},
		SiteURL: func() string { return "https://chat.example.com" }}
	return &command.Handler{App: a}
}

func run(h *command.Handler, user, channel, text string) string {
	return h.Execute(context.Background(), &model.CommandArgs{UserId: user, ChannelId: channel, TeamId: "t", Command: text})
}

func TestExecute(t *testing.T) {
	bb := &buildbottest.Server{}
	url := bb.Start(t)

	tests := []struct {
		name    string
		cfg     config.Configuration
		user    string
		channel string
		text    string
		want    []string
		notWant string
		forced  int
	}{
		{name: "/build alone shows usage even before setup", text: "/build", want: []string{"/build <repo> [branch] [revision]"}},
		{name: "a command before setup names what the admin must fix", text: "/build list",
			want: []string{"not set up correctly", "**Buildbot URL** is empty"}},
		{name: "a typing mistake is explained with the usage", cfg: config.Configuration{BuildbotURL: url}, text: "/build tools main;x",
			want: []string{"not a branch name", "/build help"}},
		{name: "a channel outside the allowed ones is refused, naming the allowed", cfg: config.Configuration{BuildbotURL: url, AllowedChannels: "dev/builds"},
			channel: "random", text: "/build tools", want: []string{"cannot be started from this channel. Try ~builds"}},
		{name: "a team outside the allowed ones is refused", cfg: config.Configuration{BuildbotURL: url, AllowedTeams: "ops"},
			text: "/build tools", want: []string{"cannot be started from this team"}},
		{name: "a user who is not an admin is refused in admins mode", cfg: config.Configuration{BuildbotURL: url, BuildPermission: "admins"},
			text: "/build tools", want: []string{"Only system admins"}},
		{name: "a user not listed is refused in listed mode", cfg: config.Configuration{BuildbotURL: url, BuildPermission: "users", AllowedUsers: "@bob"},
			text: "/build tools", want: []string{"not on the list"}},
		{name: "an unknown repo suggests the closest names", cfg: config.Configuration{BuildbotURL: url}, text: "/build app-compil",
			want: []string{"nothing called `app-compil`. Did you mean `app-compile`"}},
		{name: "list shows each builder with its last result", cfg: config.Configuration{BuildbotURL: url}, text: "/build list",
			want: []string{"| tools | main | tools | :x: failure [#4](" + url + "/#/builders/3/builds/4) |", "| app-docs | main | app-docs | never built |"}},
		{name: "status shows recent builds with links", cfg: config.Configuration{BuildbotURL: url}, text: "/build status tools dev",
			want: []string{"Recent builds of tools on dev", "[#4](" + url + "/#/builders/3/builds/4) | tools | dev | 0123456789ab | :x: failure"}},
		{name: "repos named by the admin are what users type", cfg: config.Configuration{BuildbotURL: url, RepoBuilders: "app: app-compile, app-docs"},
			text: "/build app", forced: 2},
		{name: "an admin starts a build in admins mode", cfg: config.Configuration{BuildbotURL: url, BuildPermission: "admins"},
			user: "root", text: "/build tools", forced: 1},
		{name: "a listed user starts a build", cfg: config.Configuration{BuildbotURL: url, BuildPermission: "users", AllowedUsers: "Alice"},
			text: "/build tools", forced: 1},
		{name: "an unreachable Buildbot is named by its public address", cfg: config.Configuration{BuildbotURL: "http://127.0.0.1:9/", PublicURL: "https://ci.example.com"},
			text: "/build tools", want: []string{"Buildbot at https://ci.example.com/ "}, notWant: "127.0.0.1:9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bb.Forced = nil
			user, channel := tt.user, tt.channel
			if user == "" {
				user = "alice"
			}
			if channel == "" {
				channel = "builds"
			}
			got := run(handlerFor(t, &tt.cfg, newMM()), user, channel, tt.text)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("%q lacks %q", got, w)
				}
			}
			if tt.notWant != "" && strings.Contains(got, tt.notWant) {
				t.Errorf("%q names %q", got, tt.notWant)
			}
			if len(bb.Forced) != tt.forced {
				t.Errorf("forced %d builds, want %d", len(bb.Forced), tt.forced)
			}
		})
	}
}

func TestABuildIsForcedWithTheUsersDetailsAndAnnounced(t *testing.T) {
	bb := &buildbottest.Server{}
	url := bb.Start(t)
	mm := newMM()
	h := handlerFor(t, &config.Configuration{BuildbotURL: url, RepositoryBaseURL: "https://git.example.com/"}, mm)

	if got := run(h, "alice", "builds", "/build tools feature/x cafe"); got != "" {
		t.Fatalf("want no ephemeral answer, got %q", got)
	}
	if len(bb.Forced) != 1 {
		t.Fatalf("forced %v", bb.Forced)
	}
	want := map[string]any{"builderid": float64(3), "branch": "feature/x", "revision": "cafe", "project": "tools",
		"repository": "https://git.example.com/tools", "username": "Alice Liddell <alice@example.com>", "reason": "Requested by @alice in dev/~builds (Mattermost)"}
	for k, v := range want {
		if bb.Forced[0][k] != v {
			t.Errorf("%s = %v, want %v", k, bb.Forced[0][k], v)
		}
	}
	if len(mm.posts) != 1 || mm.posts[0].UserId != "bot" || mm.posts[0].ChannelId != "builds" || mm.posts[0].Type != post.Type ||
		!strings.Contains(mm.posts[0].Message, ":hourglass_flowing_sand: **tools** on `feature/x` at `cafe`: queued · requested by @alice") ||
		!strings.Contains(mm.posts[0].Message, "[tools]("+url+"/#/buildrequests/6): queued") {
		t.Fatalf("posts %+v", mm.posts)
	}
	tracked := h.App.Tracker.(*fakeTracker).tracked
	if len(tracked) != 1 || tracked[0].PostID != mm.posts[0].Id || tracked[0].Props.Rows[0].RequestID != 6 || tracked[0].Props.Source == "" {
		t.Fatalf("tracked %+v", tracked)
	}
}

func TestTheDefaultBranchIsUsedWhenNoneIsGiven(t *testing.T) {
	bb := &buildbottest.Server{}
	h := handlerFor(t, &config.Configuration{BuildbotURL: bb.Start(t)}, newMM())

	run(h, "alice", "builds", "/build tools")

	if len(bb.Forced) != 1 || bb.Forced[0]["branch"] != "main" {
		t.Fatalf("forced %v", bb.Forced)
	}
}

func TestChangeHookModeSendsTheClassicChange(t *testing.T) {
	bb := &buildbottest.Server{}
	url := bb.Start(t)
	mm := newMM()
	h := handlerFor(t, &config.Configuration{BuildbotURL: url, TriggerMode: "changehook", RepositoryBaseURL: "https://git/"}, mm)

	if got := run(h, "alice", "builds", "/build tools dev abc"); got != "" {
		t.Fatalf("answer %q", got)
	}
	if len(bb.Changes) != 1 || len(bb.Forced) != 0 {
		t.Fatalf("changes %v forced %v", bb.Changes, bb.Forced)
	}
	for _, want := range []string{"category=mattermost", "project=mattermost_build_tools_dev", "repository=https%3A%2F%2Fgit%2Ftools",
		"branch=dev", "revision=abc", "author=Alice+Liddell+%3Calice%40example.com%3E", "properties=%7B%22mattermost_request%22"} {
		if !strings.Contains(bb.Changes[0], want) {
			t.Errorf("change %q lacks %q", bb.Changes[0], want)
		}
	}
	if len(mm.posts) != 1 || !strings.Contains(mm.posts[0].Message, "**tools** on `dev` at `abc`: queued · requested by @alice\n- Buildbot recorded [change 8]("+url+"/#/changes/8)") {
		t.Fatalf("posts %+v", mm.posts)
	}
	tracked := h.App.Tracker.(*fakeTracker).tracked
	if len(tracked) != 1 || tracked[0].Tag == "" || tracked[0].AfterRequest != 41 || len(tracked[0].Props.Rows) != 0 {
		t.Fatalf("tracked %+v", tracked)
	}
}

func TestAnUnreachableBuildbotStartsNothingAndPostsNothing(t *testing.T) {
	mm := newMM()
	h := handlerFor(t, &config.Configuration{BuildbotURL: "http://127.0.0.1:9/"}, mm)

	got := run(h, "alice", "builds", "/build tools")

	if !strings.Contains(got, "Buildbot at http://127.0.0.1:9/ is unreachable") || len(mm.posts) != 0 {
		t.Fatalf("answer %q, posts %v", got, mm.posts)
	}
}

func TestAForceBuildbotAnswersTooLateMayStillStartSoTheAnswerSaysSo(t *testing.T) {
	mm := newMM()
	bb := &buildbottest.Server{ForceDelay: 1500 * time.Millisecond}
	h := handlerFor(t, &config.Configuration{BuildbotURL: bb.Start(t), RequestTimeoutSeconds: config.NumberOf(1)}, mm)

	got := run(h, "alice", "builds", "/build tools")

	if !strings.Contains(got, "did not confirm the build of **tools** within 1s") || !strings.Contains(got, "may start anyway") ||
		strings.Contains(got, "was not started") || len(mm.posts) != 0 {
		t.Fatalf("answer %q, posts %v", got, mm.posts)
	}
}

func TestAForceAnswerWithoutTheBuildersRequestIsThatBuildersFailureNotRequestZero(t *testing.T) {
	bb := &buildbottest.Server{ForceResult: `{"jsonrpc":"2.0","id":1,"result":[5,{"99":6}]}`}
	mm := newMM()
	h := handlerFor(t, &config.Configuration{BuildbotURL: bb.Start(t)}, mm)

	got := run(h, "alice", "builds", "/build tools")

	if !strings.Contains(got, "Nothing of **tools** can be followed") || !strings.Contains(got, "named no build request for this builder") {
		t.Fatalf("answer %q", got)
	}
	if len(mm.posts) != 0 {
		t.Fatalf("a post follows request 0: %+v", mm.posts[0].Message)
	}
}

func TestABranchAChoiceListRefusesNamesTheChoices(t *testing.T) {
	bb := &buildbottest.Server{}
	url := bb.Start(t)
	h := handlerFor(t, &config.Configuration{BuildbotURL: url}, newMM())
	// Only the choice scheduler serves app-docs.
	h.App.Catalog = catalog.New(func() catalog.Setup {
		return catalog.Setup{Reader: choiceReader{config.NewSnapshot(&config.Configuration{BuildbotURL: url}).Buildbot}, RequireScheduler: true}
	}, nil)

	got := run(h, "alice", "builds", "/build app-docs feature")

	if !strings.Contains(got, "no force scheduler of it accepts the branch `feature`: it takes `main`, `release-1.0`") {
		t.Fatalf("answer %q", got)
	}
}

// choiceReader is the fake Buildbot with one force scheduler, whose branch is a choice list.
type choiceReader struct{ catalog.Reader }

func (choiceReader) ForceSchedulers(context.Context) ([]buildbot.ForceScheduler, error) {
	return []buildbot.ForceScheduler{{Name: "pick", BuilderNames: []string{"app-docs"}, AllFields: []buildbot.ForceField{{Type: "nested", Fields: []buildbot.ForceField{
		{Name: "branch", FullName: "branch", Type: "list", Choices: []string{"main", "release-1.0"}, Default: []byte(`"main"`)}}}}}}, nil
}

func TestStatusListsOnlyBuildersChatMaySee(t *testing.T) {
	bb := &buildbottest.Server{}
	h := handlerFor(t, &config.Configuration{BuildbotURL: bb.Start(t)}, newMM())

	got := run(h, "alice", "builds", "/build status")

	if !strings.Contains(got, "| tools |") || strings.Contains(got, "deploy-prod") || strings.Contains(got, "#8") {
		t.Fatalf("status %q", got)
	}
}

// Names come from Buildbot's config: in a table they must not break the row, mention anyone or link.
func TestListAndStatusShowBuildbotsNamesInert(t *testing.T) {
	bb := &buildbottest.Server{
		Builders: `{"builders":[{"builderid":3,"name":"tools","masterids":[1]}]}`,
		Builds:   `{"builds":[{"buildid":9,"number":4,"builderid":3,"complete":true,"results":0,"properties":{"branch":["@here | [x](https://evil.example)","x"]}}]}`,
	}
	h := handlerFor(t, &config.Configuration{BuildbotURL: bb.Start(t)}, newMM())

	for _, text := range []string{"/build status", "/build list"} {
		got := run(h, "alice", "builds", text)
		if strings.Contains(got, "@here") || strings.Contains(got, "](https://evil") || strings.Contains(got, " | [x]") {
			t.Errorf("%s: %q", text, got)
		}
	}
}

func TestATypoTypedAgainReadsBuildbotOnce(t *testing.T) {
	bb := &buildbottest.Server{}
	h := handlerFor(t, &config.Configuration{BuildbotURL: bb.Start(t)}, newMM())
	run(h, "alice", "builds", "/build tools")
	before := bb.Reads["/api/v2/builders"]

	for i := 0; i < 5; i++ {
		if got := run(h, "alice", "builds", "/build toolz"); !strings.Contains(got, "Did you mean `tools`") {
			t.Fatal(got)
		}
	}

	if n := bb.Reads["/api/v2/builders"] - before; n != 1 {
		t.Fatalf("five typos read the builders %d times", n)
	}
}

// An admin adds a builder and restarts Buildbot: the first /build that names it starts it, though
// the catalog was read a moment before and another user's typo was just answered from it.
func TestABuilderAddedToBuildbotIsFoundByTheFirstBuildThatNamesIt(t *testing.T) {
	bb := &buildbottest.Server{}
	h := handlerFor(t, &config.Configuration{BuildbotURL: bb.Start(t)}, newMM())
	run(h, "alice", "builds", "/build tools")
	run(h, "bob", "builds", "/build toolz")
	bb.Mu.Lock()
	bb.Builders = `{"builders":[{"builderid":3,"name":"tools","masterids":[1]},{"builderid":7,"name":"storefront","masterids":[1]}]}`
	bb.Schedulers = `{"forceschedulers":[{"name":"force","builder_names":["tools","storefront"],
		"all_fields":[{"name":"","type":"nested","fields":[{"name":"branch","fullName":"branch","type":"text","default":"main"}]}]}]}`
	bb.Forced = nil
	bb.Mu.Unlock()

	if got := run(h, "alice", "builds", "/build storefront main"); got != "" {
		t.Fatalf("answered %q", got)
	}
	if len(bb.Forced) != 1 || bb.Forced[0]["builderid"] != float64(7) {
		t.Fatalf("forced %v", bb.Forced)
	}
}

func TestAutocompleteFollowsTheRulesOfBuild(t *testing.T) {
	bb := &buildbottest.Server{}
	url := bb.Start(t)
	mm := newMM()
	mm.members = map[string][]string{"builds": {"alice"}, "random": {"alice", "bob"}}
	mm.teamMembers = map[string][]string{"ops": {"root"}}
	mm.channels["dm"] = &model.Channel{Id: "dm", Name: "alice__bob", Type: model.ChannelTypeDirect}
	mm.teams["ops"] = &model.Team{Id: "ops", Name: "ops"}
	open := handlerFor(t, &config.Configuration{BuildbotURL: url}, mm)
	limited := handlerFor(t, &config.Configuration{BuildbotURL: url, AllowedChannels: "builds", AllowedTeams: "dev, ops"}, mm)

	for _, tc := range []struct {
		name                string
		h                   *command.Handler
		user, channel, team string
		want                bool
	}{
		{"a member in an allowed channel", limited, "alice", "builds", "t", true},
		{"a member in a channel outside the allowed ones", limited, "alice", "random", "t", false},
		{"someone who cannot read the channel", open, "bob", "builds", "t", false},
		{"no channel at all", open, "alice", "", "t", false},
		{"a direct message judged by a team its user is in", handlerFor(t, &config.Configuration{BuildbotURL: url, AllowedTeams: "ops"}, mm), "root", "dm", "ops", true},
		{"a direct message naming a team its user is not in", handlerFor(t, &config.Configuration{BuildbotURL: url, AllowedTeams: "ops"}, mm), "alice", "dm", "ops", false},
	} {
		if got := tc.h.App.MayView(tc.user, tc.channel, tc.team); got != tc.want {
			t.Errorf("%s: %v", tc.name, got)
		}
	}
}
