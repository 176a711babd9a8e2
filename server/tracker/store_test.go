package tracker

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin/plugintest"
	"github.com/mattermost/mattermost/server/public/pluginapi"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/post"
)

// kvAPI answers the plugin API's KV calls as Mattermost's SQL store does: keys listed in key order,
// a raw page of perPage keys at a time (other keys of the plugin among them), and compare-and-set
// against the stored bytes. e2e/tests/kv_paging.test.ts shows the same code on the real server.
func kvAPI(t *testing.T, values map[string][]byte) *plugintest.API {
	api := &plugintest.API{}
	api.On("KVList", mock.Anything, mock.Anything).Return(func(page, perPage int) []string {
		keys := make([]string, 0, len(values))
		for k := range values {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		from := min(page*perPage, len(keys))
		return keys[from:min(from+perPage, len(keys))]
	}, func(int, int) *model.AppError { return nil }).Maybe()
	api.On("KVGet", mock.Anything).Return(func(key string) []byte { return values[key] },
		func(string) *model.AppError { return nil }).Maybe()
	api.On("KVSetWithOptions", mock.Anything, mock.Anything, mock.Anything).Return(func(key string, value []byte, o model.PluginKVSetOptions) bool {
		if o.Atomic && !bytes.Equal(values[key], o.OldValue) {
			return false
		}
		values[key] = value
		return true
	}, func(string, []byte, model.PluginKVSetOptions) *model.AppError { return nil }).Maybe()
	t.Cleanup(func() { api.AssertExpectations(t) })
	return api
}

func TestTheKVStoreListsEveryTrackedBuildWhateverKeysSortBeforeThem(t *testing.T) {
	values := map[string][]byte{}
	// What Mattermost and pluginapi keep beside the plugin's own keys, all sorting before track_.
	for _, k := range []string{"cron_buildbot-poller", "mmi_botid", "mutex_buildbot-tick", "mutex_buildbot-push", "once_rebuild_x"} {
		values[k] = []byte(`"x"`)
	}
	const n = 450
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("t%03d", i)
		raw, _ := json.Marshal(&Tracked{ID: id, PostID: "p" + id})
		values[keyPrefix+id] = raw
	}
	values["zz_after"] = []byte(`"x"`)
	store := KVStore{KV: &pluginapi.NewClient(kvAPI(t, values), nil).KV}

	all, err := store.List()

	require.NoError(t, err)
	require.Equal(t, n, len(all), "tracked builds listed")
}

func TestTheKVStoreWritesOnlyWhatChangedAndClaimsOnlyWhatItRead(t *testing.T) {
	values := map[string][]byte{}
	store := KVStore{KV: &pluginapi.NewClient(kvAPI(t, values), nil).KV}
	tr := &Tracked{ID: "t1", Props: post.Props{Repo: "app"}}
	require.NoError(t, store.Save(tr))

	first, err := store.Get("t1")
	require.NoError(t, err)
	second, err := store.Get("t1")
	require.NoError(t, err)

	// Unchanged: no write at all.
	values[keyPrefix+"t1"] = nil
	require.NoError(t, store.Save(first))
	require.Nil(t, values[keyPrefix+"t1"], "an unchanged entry was written")
	values[keyPrefix+"t1"] = first.stored

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
