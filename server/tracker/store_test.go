package tracker

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/kvtest"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/post"
)

func TestTheKVStoreListsEveryTrackedBuildWhateverKeysSortBeforeThem(t *testing.T) {
	kv, values := kvtest.New(t)
	// What Mattermost and pluginapi keep beside the plugin's own keys, all sorting before track_.
	for _, k := range []string{"cron_buildbot-poller", "mmi_botid", "mutex_buildbot-tick", "mutex_buildbot-push", "once_rebuild_x"} {
		values.Put(k, []byte(`"x"`))
	}
	const n = 450
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("t%03d", i)
		raw, _ := json.Marshal(&Tracked{ID: id, PostID: "p" + id})
		values.Put(keyPrefix+id, raw)
	}
	values.Put("zz_after", []byte(`"x"`))
	store := KVStore{KV: kv}

	all, err := store.List()

	require.NoError(t, err)
	require.Equal(t, n, len(all), "tracked builds listed")
}

func TestTheKVStoreWritesOnlyWhatChangedAndClaimsOnlyWhatItRead(t *testing.T) {
	kv, values := kvtest.New(t)
	store := KVStore{KV: kv}
	tr := &Tracked{ID: "t1", Props: post.Props{Repo: "app"}}
	require.NoError(t, store.Save(tr))

	first, err := store.Get("t1")
	require.NoError(t, err)
	second, err := store.Get("t1")
	require.NoError(t, err)

	// Unchanged: no write at all.
	values.Put(keyPrefix+"t1", nil)
	require.NoError(t, store.Save(first))
	require.Nil(t, values.Get(keyPrefix+"t1"), "an unchanged entry was written")
	values.Put(keyPrefix+"t1", first.stored)

	first.ClaimedAt, second.ClaimedAt = 1, 2
	won, err := store.Claim(first)
	require.NoError(t, err)
	lost, err := store.Claim(second)
	require.NoError(t, err)
	require.True(t, won)
	require.False(t, lost, "two claims of what was read as one entry both won")

	fresh := &Tracked{ID: "t2"}
	created, err := store.Claim(fresh)
	require.NoError(t, err)
	again, err := store.Claim(&Tracked{ID: "t2"})
	require.NoError(t, err)
	require.True(t, created)
	require.False(t, again, "a claim of an entry never read overwrote one that exists")
}

// A builder and branch's last result is kept for transitions; one nobody builds any more must not
// keep its key for ever.
func TestALastResultExpiresWhenNoNewerOneComes(t *testing.T) {
	kv, values := kvtest.New(t)
	store := KVStore{KV: kv}

	if err := store.SetLastResult("7_main", buildbot.Failure); err != nil {
		t.Fatal(err)
	}

	if got := values.Expiry(lastPrefix + "7_main"); got != int64(lastResultKept/time.Second) {
		t.Fatalf("expires in %d s", got)
	}
	if r, err := store.LastResult("7_main"); err != nil || r == nil || *r != buildbot.Failure {
		t.Fatalf("read back %v, %v", r, err)
	}
}
