package notify

import (
	"errors"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/stretchr/testify/require"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/kvtest"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/post"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/tracker"
)

func TestNotifyMeTogglesAndItsWaitersAreTakenOnce(t *testing.T) {
	kv, _ := kvtest.New(t)
	s := &Store{KV: kv}

	waiting, all, err := s.ToggleWaiting("t1", "bob")
	require.NoError(t, err)
	require.True(t, waiting)
	require.Equal(t, []string{"bob"}, all)
	_, all, err = s.ToggleWaiting("t1", "carol")
	require.NoError(t, err)
	require.Equal(t, []string{"bob", "carol"}, all)
	waiting, all, err = s.ToggleWaiting("t1", "bob")
	require.NoError(t, err)
	require.False(t, waiting, "a second click cancels")
	require.Equal(t, []string{"carol"}, all)

	taken, err := s.TakeWaiting("t1")
	require.NoError(t, err)
	require.Equal(t, []string{"carol"}, taken)
	taken, err = s.TakeWaiting("t1")
	require.NoError(t, err)
	require.Empty(t, taken, "each waiter hears once")
}

func TestSettingsDefaultToBreaksOnAndOwnBuildsOff(t *testing.T) {
	kv, _ := kvtest.New(t)
	s := &Store{KV: kv}
	got, err := s.Settings("bob")
	require.NoError(t, err)
	require.Equal(t, Settings{OwnBuilds: OwnBuildsOff, Breaks: true}, got)

	require.NoError(t, s.SetSettings("bob", Settings{OwnBuilds: OwnBuildsFailures, Breaks: false}))
	got, err = s.Settings("bob")
	require.NoError(t, err)
	require.Equal(t, Settings{OwnBuilds: OwnBuildsFailures, Breaks: false}, got)
}

func TestRecentBuildsAreNewestFirstOnceEachAndBounded(t *testing.T) {
	kv, _ := kvtest.New(t)
	s := &Store{KV: kv}
	for i := range maxRecent + 5 {
		require.NoError(t, s.AddRecent("bob", Recent{PostID: string(rune('a' + i)), At: int64(i)}))
	}
	require.NoError(t, s.AddRecent("bob", Recent{PostID: "c", At: 99}))
	list, err := s.Recent("bob")
	require.NoError(t, err)
	require.Len(t, list, maxRecent)
	require.Equal(t, "c", list[0].PostID)
	require.Equal(t, string(rune('a'+maxRecent+4)), list[1].PostID)
}

// fakeMM is a Mattermost with users and the direct messages the notifier sent.
type fakeMM struct {
	users map[string]*model.User
	sent  map[string][]string
}

func (m *fakeMM) GetUserByUsername(username string) (*model.User, error) {
	for _, u := range m.users {
		if u.Username == username {
			return u, nil
		}
	}
	return nil, errors.New("no such user")
}

func (m *fakeMM) GetDirectChannel(a, b string) (*model.Channel, error) {
	return &model.Channel{Id: "dm_" + a + "_" + b}, nil
}

func (m *fakeMM) CreatePost(p *model.Post) error {
	user := strings.TrimSuffix(strings.TrimPrefix(p.ChannelId, "dm_"), "_bot")
	m.sent[user] = append(m.sent[user], p.Message)
	return nil
}

type byEmail map[string]*model.User

func (b byEmail) UserByEmail(email string) (*model.User, bool) { u, ok := b[email]; return u, ok }

func notifier(t *testing.T) (*Notifier, *fakeMM) {
	kv, _ := kvtest.New(t)
	mm := &fakeMM{users: map[string]*model.User{
		"alice": {Id: "alice", Username: "alice"}, "bob": {Id: "bob", Username: "bob"}, "eve": {Id: "eve", Username: "eve"},
	}, sent: map[string][]string{}}
	n := &Notifier{Store: &Store{KV: kv}, MM: mm, Users: byEmail{"bob@example.com": mm.users["bob"], "eve@example.com": mm.users["eve"]}, BotID: "bot",
		SiteURL: func() string { return "https://chat.example.com" },
		// Eve may not read the channel.
		May: func(userID, channelID, teamID string) bool { return userID != "eve" }}
	return n, mm
}

func ended(state post.State) *tracker.Tracked {
	return &tracker.Tracked{ID: "t1", PostID: "p1", ChannelID: "c1", Props: post.Props{Repo: "app", Branch: "main", RequestedBy: "alice",
		Rows: []post.Row{{Builder: "linux", State: state, Number: 7, URL: "https://ci/#/builders/1/builds/7"}}}}
}

func TestAnEndedBuildTellsItsWaitersAndItsRequesterAsTheyAsked(t *testing.T) {
	n, mm := notifier(t)
	for _, u := range []string{"bob", "eve"} {
		_, _, err := n.Store.ToggleWaiting("t1", u)
		require.NoError(t, err)
	}
	require.NoError(t, n.Store.SetSettings("alice", Settings{OwnBuilds: OwnBuildsFailures, Breaks: true}))

	n.Ended(ended(post.StateFailure))

	require.Len(t, mm.sent["bob"], 1)
	require.Contains(t, mm.sent["bob"][0], "You asked to hear when this build ends ([status post](https://chat.example.com/_redirect/pl/p1))")
	require.Contains(t, mm.sent["bob"][0], ":x: **app** on `main`: failure")
	require.Empty(t, mm.sent["eve"], "a waiter who may no longer see the channel hears nothing")
	require.Len(t, mm.sent["alice"], 1)
	require.Contains(t, mm.sent["alice"][0], "Your build ended")

	// Failures only: a passing build of alice's says nothing to her.
	n.Ended(ended(post.StateSuccess))
	require.Len(t, mm.sent["alice"], 1)
	require.Len(t, mm.sent["bob"], 1, "waiters were taken")
}

func TestABreakTellsItsAuthorsOnceWhicheverChannelsFollowIt(t *testing.T) {
	n, mm := notifier(t)
	build := ended(post.StateFailure)
	build.Props.Source = "bb1"
	build.Props.Rows[0].BuildID = 42
	authors := []string{"bob@example.com", "nobody@example.com"}

	n.Broke(build, build.Props.Rows[0], authors)
	other := *build
	other.ID, other.PostID, other.ChannelID = "t2", "p2", "c2"
	n.Broke(&other, other.Props.Rows[0], authors)

	require.Len(t, mm.sent["bob"], 1)
	require.Contains(t, mm.sent["bob"][0], "A build that passed before your change fails with it")
	mine, err := n.Store.Recent("bob")
	require.NoError(t, err)
	require.Equal(t, []Recent{{PostID: "p1", ChannelID: "c1", At: mine[0].At}}, mine)

	// Bob turned break messages off: the next break is noted for /build mine, not sent.
	require.NoError(t, n.Store.SetSettings("bob", Settings{OwnBuilds: OwnBuildsOff, Breaks: false}))
	build.Props.Rows[0].BuildID = 43
	n.Broke(build, build.Props.Rows[0], authors)
	require.Len(t, mm.sent["bob"], 1)
}
