package panel

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/kvtest"
)

func TestAnEventTheFollowerSentReachesTheOtherServersOnce(t *testing.T) {
	kv, _ := kvtest.New(t)
	here, there := &sink{}, &sink{}
	follower := &Relay{KV: kv, Publish: here.publish}
	other := &Relay{KV: kv, Publish: there.publish}
	live := &Live{Publish: here.publish, Relay: follower}

	live.Notice(event("builds/90/finished", `{}`))
	live.Flush(now)
	require.Len(t, here.take(), 1)
	other.Step()
	require.Empty(t, there.take(), "relayed before the follower noted it")

	follower.Step()
	follower.Step()
	require.Empty(t, here.take(), "the follower told its own webapps twice")
	other.Step()
	got := there.take()
	require.Len(t, got, 1)
	require.Equal(t, Event, got[0].event)
	require.Equal(t, map[string]any{"at": now.UnixMilli(), "builds": true}, got[0].payload)
	other.Step()
	require.Empty(t, there.take(), "relayed twice")
}

func TestEventsSentBetweenTwoNotesAreOneThatSaysABuildStartedOrFinished(t *testing.T) {
	kv, _ := kvtest.New(t)
	there := &sink{}
	follower := &Relay{KV: kv}
	other := &Relay{KV: kv, Publish: there.publish}

	follower.Sent(now.UnixMilli(), true)
	follower.Sent(now.UnixMilli()+100, false)
	follower.Step()
	other.Step()

	got := there.take()
	require.Len(t, got, 1)
	require.Equal(t, map[string]any{"at": now.UnixMilli() + 100, "builds": true}, got[0].payload)
}

func TestInAClusterMattermostRelaysTheEventAndTheOthersReadNothing(t *testing.T) {
	kv, store := kvtest.New(t)
	there := &sink{}
	follower := &Relay{KV: kv}
	other := &Relay{KV: kv, Publish: there.publish, Clustered: func() bool { return true }}
	follower.Sent(now.UnixMilli(), false)
	follower.Step()
	reads := store.Reads()

	other.Step()

	require.Empty(t, there.take())
	require.Equal(t, reads, store.Reads())
}
