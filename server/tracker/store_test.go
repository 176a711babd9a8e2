package tracker

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"runtime"
	"testing"
	"time"
	"unsafe"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/pluginapi"
	"github.com/stretchr/testify/require"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/kvtest"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/post"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/subscription"
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
	store := &KVStore{KV: kv}

	all, err := store.List()

	require.NoError(t, err)
	require.Equal(t, n, len(all), "tracked builds listed")
}

func TestTheKVStoreWritesOnlyWhatChangedAndClaimsOnlyWhatItRead(t *testing.T) {
	kv, values := kvtest.New(t)
	store := &KVStore{KV: kv}
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
	store := &KVStore{KV: kv}

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

// following stores n builds, each on its own request and queued, as another node would, and
// returns their posts.
func following(t *testing.T, kv *pluginapi.KVService, n int) *memPosts {
	t.Helper()
	store, posts := &KVStore{KV: kv}, &memPosts{posts: map[string]*model.Post{}}
	for i := range n {
		id := fmt.Sprintf("post%04d", i)
		props := post.Props{Repo: "app", RequestedBy: "alice", Rows: []post.Row{{Builder: "b", BuilderID: 1, RequestID: i + 1, State: post.StateQueued}}}
		require.NoError(t, store.Save(&Tracked{ID: id, PostID: id, ChannelID: "c", Props: props, CreatedAt: time.Now().UnixMilli()}))
		posts.posts[id] = &model.Post{Id: id}
	}
	return posts
}

// A tick with nothing new reads the same few keys whether it follows one build or a thousand:
// the followed builds are in memory, and the journal's head says nothing changed.
func TestATickReadsTheSameFewKeysForOneOrAThousandFollowedBuilds(t *testing.T) {
	reads := map[int]int{}
	for _, n := range []int{1, 1000} {
		kv, values := kvtest.New(t)
		var requests int64
		bb := pagedBuildbot(t, &requests, n, every(requestRunning))
		posts := following(t, kv, n)
		tr := &Tracker{Store: &KVStore{KV: kv}, Posts: posts, ActionURL: "/x", Subs: &subscription.KVStore{KV: kv}}
		watching := Options{LinkBase: "https://ci/", Watched: func(int) (Watched, bool) { return Watched{}, false }}
		// The first tick lists what the other store wrote and shows the builds running.
		require.NoError(t, tr.Tick(context.Background(), bb, watching))

		before := values.Reads()
		for range 3 {
			require.NoError(t, tr.Tick(context.Background(), bb, watching))
		}
		reads[n] = (values.Reads() - before) / 3
		if posts.updates != n {
			t.Fatalf("%d followed: %d posts updated", n, posts.updates)
		}
	}
	t.Logf("KV reads per tick, by builds followed: %v", reads)
	if reads[1] != reads[1000] || reads[1] > 10 {
		t.Fatalf("KV reads per tick, by builds followed: %v", reads)
	}
}

// Another node's writes (a build it announced, one it finished, one it changed) reach this node's
// copy through the journal, at two reads each.
func TestAnotherNodesWritesReachThisNodeThroughTheJournal(t *testing.T) {
	kv, values := kvtest.New(t)
	here, elsewhere := &KVStore{KV: kv}, &KVStore{KV: kv}
	for _, id := range []string{"a", "b"} {
		require.NoError(t, elsewhere.Save(&Tracked{ID: id, PostID: "p" + id}))
	}
	all, err := here.List()
	require.NoError(t, err)
	require.Len(t, all, 2)

	require.NoError(t, elsewhere.Save(&Tracked{ID: "c", PostID: "pc"}))
	require.NoError(t, elsewhere.Delete("a"))
	b, err := elsewhere.Get("b")
	require.NoError(t, err)
	b.Shown = "changed"
	require.NoError(t, elsewhere.Save(b))

	before := values.Reads()
	all, err = here.List()
	require.NoError(t, err)
	require.Equal(t, 1+3*2, values.Reads()-before, "reads to catch up with three writes")
	got := map[string]string{}
	for _, tr := range all {
		got[tr.ID] = tr.Shown
	}
	require.Equal(t, map[string]string{"b": "changed", "c": ""}, got)

	// A tick's writes go in one record.
	elsewhere.Hold()
	for _, id := range []string{"d", "e", "f"} {
		require.NoError(t, elsewhere.Save(&Tracked{ID: id}))
	}
	require.NoError(t, elsewhere.Release())
	before = values.Reads()
	all, err = here.List()
	require.NoError(t, err)
	require.Equal(t, 1+1+3, values.Reads()-before, "reads to catch up with a tick's three writes")
	require.Len(t, all, 5)
	require.NoError(t, here.Delete("d"))
	require.NoError(t, here.Delete("e"))
	require.NoError(t, here.Delete("f"))

	// This node's own writes cost it no read to know.
	require.NoError(t, here.Delete("c"))
	before = values.Reads()
	all, err = here.List()
	require.NoError(t, err)
	require.Equal(t, 1, values.Reads()-before)
	require.Len(t, all, 1)
}

// A node that stopped between writing an entry and its journal record leaves a number with no
// record: the others wait a moment for it, then list everything anew rather than miss the entry.
func TestAJournalRecordThatNeverComesMakesTheNodeListAnew(t *testing.T) {
	kv, values := kvtest.New(t)
	here := &KVStore{KV: kv}
	require.NoError(t, here.Save(&Tracked{ID: "a"}))
	_, err := here.List()
	require.NoError(t, err)

	raw, _ := json.Marshal(&Tracked{ID: "lost"})
	values.Put(keyPrefix+"lost", raw)
	values.Put(journalHead, []byte("2"))
	all, err := here.List()
	require.NoError(t, err)
	require.Len(t, all, 1, "an entry without its record yet")

	here.followed.missingSince = time.Now().Add(-2 * missingGrace)
	all, err = here.List()
	require.NoError(t, err)
	require.Len(t, all, 2, "the entry after the grace")
}

// A tick changes copies of the entries List hands out; the entries this node holds must not change
// with them, whatever field a later version adds to an entry.
func TestACopyOfAnEntrySharesNothingATickMayChange(t *testing.T) {
	held := &Tracked{}
	fill(reflect.ValueOf(held).Elem())
	held.stored = encode(held)
	before := string(held.stored)

	c := held.copy()
	require.True(t, c.unchanged())
	change(reflect.ValueOf(c).Elem())

	require.Equal(t, before, string(encode(held)), "the held entry changed with its copy")
	require.False(t, c.unchanged())
}

// fill sets every exported field, however deep, to a value that is not its zero.
func fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i))
			}
		}
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem())
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range v.Len() {
			fill(v.Index(i))
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		key, value := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(key)
		fill(value)
		v.SetMapIndex(key, value)
	case reflect.String:
		v.SetString("a")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		v.SetInt(1)
	default:
		panic("fill does not know " + v.Kind().String() + ": teach it, so the test covers the new field")
	}
}

// change changes every exported value in place, through the slices, pointers and maps it holds.
func change(v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				change(v.Field(i))
			}
		}
	case reflect.Pointer:
		change(v.Elem())
	case reflect.Slice:
		for i := range v.Len() {
			change(v.Index(i))
		}
	case reflect.Map:
		for _, key := range v.MapKeys() {
			value := reflect.New(v.Type().Elem()).Elem()
			value.Set(v.MapIndex(key))
			change(value)
			v.SetMapIndex(key, value)
		}
	case reflect.String:
		v.SetString(v.String() + "b")
	case reflect.Bool:
		v.SetBool(!v.Bool())
	case reflect.Int, reflect.Int64:
		v.SetInt(v.Int() + 1)
	}
}

// The entries a node holds keep no encoded bytes, so a compare-and-set of a copy reads the entry
// again: it writes when no one wrote since the copy was made, and not when another node did.
func TestAClaimOfACopyWritesOnlyIfNoOneWroteSince(t *testing.T) {
	kv, _ := kvtest.New(t)
	store, other := &KVStore{KV: kv}, &KVStore{KV: kv}
	require.NoError(t, store.Save(&Tracked{ID: "a", ChannelID: "c", Props: post.Props{Repo: "app"}}))
	require.NoError(t, store.Save(&Tracked{ID: "b", ChannelID: "c", Props: post.Props{Repo: "app"}}))
	all, err := store.List()
	require.NoError(t, err)
	require.Len(t, all, 2)

	written, err := other.Get("b")
	require.NoError(t, err)
	written.PostID = "another node's post"
	require.NoError(t, other.Save(written))

	for _, tr := range all {
		tr = tr.copy()
		tr.PostID = "this node's post"
		claimed, err := store.Claim(tr)
		require.NoError(t, err)
		require.Equal(t, tr.ID == "a", claimed, "claim of %s", tr.ID)
	}
	b, err := store.Get("b")
	require.NoError(t, err)
	require.Equal(t, "another node's post", b.PostID)
}

// Builds that wait for a worker as their posts show are left as this node holds them: a tick copies
// only the builds it may change. At ten thousand followed builds a copy of each, every tick, made
// most of the plugin's memory.
func TestATickCopiesNoBuildThatWaitsAsItsPostShows(t *testing.T) {
	allocated := map[int]uint64{}
	for _, n := range []int{100, 2000} {
		kv, _ := kvtest.New(t)
		var requests int64
		bb := pagedBuildbot(t, &requests, n, every(requestQueued))
		posts := following(t, kv, n)
		tr := &Tracker{Store: &KVStore{KV: kv}, Posts: posts, ActionURL: "/x", Subs: &subscription.KVStore{KV: kv}}
		watching := Options{LinkBase: "https://ci/", Watched: func(int) (Watched, bool) { return Watched{}, false }}
		// The first tick lists what the other store wrote and shows each post.
		require.NoError(t, tr.Tick(context.Background(), bb, watching))

		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range 3 {
			require.NoError(t, tr.Tick(context.Background(), bb, watching))
		}
		runtime.ReadMemStats(&after)
		allocated[n] = (after.TotalAlloc - before.TotalAlloc) / 3
	}
	perBuild := float64(allocated[2000]-allocated[100]) / 1900
	t.Logf("bytes a tick allocates, by builds followed: %v; %.0f per followed build", allocated, perBuild)
	// A copy is an entry and its rows, over 600 bytes; what is left is the tick's lists of them.
	require.Less(t, perBuild, 300.0)
}

// Entries decoded apart hold the strings they repeat (channel, repo, builder, Buildbot address) once.
func TestDecodedEntriesShareTheStringsTheyRepeat(t *testing.T) {
	entry := func(id string) *Tracked {
		raw := encode(&Tracked{ID: id, ChannelID: "channel", Props: post.Props{Repo: "app", BuildbotURL: "https://ci/", Rows: []post.Row{{Builder: "linux"}}}})
		tr, err := decode(id, raw)
		require.NoError(t, err)
		return tr
	}
	a, b := entry("a"), entry("b")
	same := func(x, y string) bool { return unsafe.StringData(x) == unsafe.StringData(y) }
	require.True(t, same(a.ChannelID, b.ChannelID))
	require.True(t, same(a.Props.Repo, b.Props.Repo))
	require.True(t, same(a.Props.BuildbotURL, b.Props.BuildbotURL))
	require.True(t, same(a.Props.Rows[0].Builder, b.Props.Rows[0].Builder))
}
