package panel

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/kvtest"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/websockettest"
)

func TestAnEventTheFollowerSentReachesTheOtherServersOnce(t *testing.T) {
	kv, _ := kvtest.New(t)
	here, there := &websockettest.Recorder{}, &websockettest.Recorder{}
	follower := &Relay{KV: kv, Publish: here.Publish}
	other := &Relay{KV: kv, Publish: there.Publish}
	live := &Live{Publish: here.Publish, Relay: follower}

	live.Notice(event("builds/90/finished", `{}`))
	live.Flush(now)
	require.Len(t, here.Take(), 1)
	other.Step()
	require.Empty(t, there.Take(), "relayed before the follower noted it")

	follower.Step()
	follower.Step()
	require.Empty(t, here.Take(), "the follower told its own webapps twice")
	other.Step()
	got := there.Take()
	require.Len(t, got, 1)
	require.Equal(t, Event, got[0].Event)
	require.Equal(t, map[string]any{"at": now.UnixMilli(), "buildbot": true, "builds": true, "posts": false}, got[0].Payload)
	other.Step()
	require.Empty(t, there.Take(), "relayed twice")
}

func TestEventsSentBetweenTwoNotesAreOneThatSaysWhatAnyOfThemSaid(t *testing.T) {
	kv, _ := kvtest.New(t)
	there := &websockettest.Recorder{}
	follower := &Relay{KV: kv}
	other := &Relay{KV: kv, Publish: there.Publish}

	follower.Sent(sentEvent{At: now.UnixMilli(), Buildbot: true, Builds: true})
	follower.Sent(sentEvent{At: now.UnixMilli() + 50, Posts: true})
	follower.Sent(sentEvent{At: now.UnixMilli() + 100})
	follower.Step()
	other.Step()

	got := there.Take()
	require.Len(t, got, 1)
	require.Equal(t, map[string]any{"at": now.UnixMilli() + 100, "buildbot": true, "builds": true, "posts": true}, got[0].Payload)
}

func TestInAClusterMattermostRelaysTheEventAndTheOthersReadNothing(t *testing.T) {
	kv, store := kvtest.New(t)
	there := &websockettest.Recorder{}
	follower := &Relay{KV: kv}
	other := &Relay{KV: kv, Publish: there.Publish, Clustered: func() bool { return true }}
	follower.Sent(sentEvent{At: now.UnixMilli()})
	follower.Step()
	reads := store.Reads()

	other.Step()

	require.Empty(t, there.Take())
	require.Equal(t, reads, store.Reads())
}
