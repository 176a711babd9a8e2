package preview

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/kvtest"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/websockettest"
)

func TestWatchesLastADayAndAChannelWritesOnceAnHour(t *testing.T) {
	kv, store := kvtest.New(t)
	now := time.Unix(1_700_000_000, 0)
	w := &Watches{KV: kv, Now: func() time.Time { return now }}

	if err := w.Add("builds", []int{3, 5}); err != nil {
		t.Fatal(err)
	}
	if err := w.Add("elsewhere", []int{3}); err != nil {
		t.Fatal(err)
	}
	written := string(store.Get(watchesKey))
	if err := w.Add("builds", []int{3}); err != nil {
		t.Fatal(err)
	}
	if string(store.Get(watchesKey)) != written {
		t.Error("a watch noted moments ago was written again")
	}
	list, err := w.List()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(list[3], []string{"builds", "elsewhere"}) || !slices.Equal(list[5], []string{"builds"}) {
		t.Errorf("watches %v", list)
	}

	now = now.Add(WatchFor + time.Minute)
	if list, _ := w.List(); len(list) != 0 {
		t.Errorf("watches past their end %v", list)
	}
	if err := w.Add("builds", []int{7}); err != nil {
		t.Fatal(err)
	}
	var stored []Watch
	_ = json.Unmarshal(store.Get(watchesKey), &stored)
	if len(stored) != 1 || stored[0].BuilderID != 7 {
		t.Errorf("a write kept ended watches: %+v", stored)
	}
}

func TestTheListStaysBounded(t *testing.T) {
	kv, store := kvtest.New(t)
	now := time.Unix(1_700_000_000, 0)
	full := make([]Watch, maxWatches)
	for i := range full {
		// The first watches end first.
		full[i] = Watch{BuilderID: i + 1, ChannelID: "c", Until: now.Add(time.Duration(i+1) * time.Minute).Unix()}
	}
	raw, _ := json.Marshal(full)
	store.Put(watchesKey, raw)
	w := &Watches{KV: kv, Now: func() time.Time { return now }}

	if err := w.Add("new", []int{5000}); err != nil {
		t.Fatal(err)
	}

	var stored []Watch
	_ = json.Unmarshal(store.Get(watchesKey), &stored)
	kept := func(id int) bool { return slices.ContainsFunc(stored, func(x Watch) bool { return x.BuilderID == id }) }
	if len(stored) != maxWatches || !kept(5000) || kept(1) || !kept(maxWatches) {
		t.Errorf("%d watches; the new one kept %v, the one closest to its end kept %v", len(stored), kept(5000), kept(1))
	}
}

func newLive(t *testing.T) (*Live, *Watches, *websockettest.Recorder, *kvtest.Store) {
	kv, store := kvtest.New(t)
	w := &Watches{KV: kv}
	out := &websockettest.Recorder{}
	l := &Live{Watches: w, Publish: out.Publish}
	return l, w, out, store
}

func event(key, record string) buildbot.Event {
	return buildbot.Event{Key: key, Message: json.RawMessage(record)}
}

func TestBuildbotsEventsTellTheWatchingChannelsOnly(t *testing.T) {
	l, w, sent, _ := newLive(t)
	if err := w.Add("builds", []int{3}); err != nil {
		t.Fatal(err)
	}
	if err := w.Add("ops", []int{3, 4}); err != nil {
		t.Fatal(err)
	}

	l.Notice(event("builds/90/new", `{"buildid":90,"builderid":3,"number":12}`))
	l.Notice(event("steps/700/started", `{"stepid":700,"buildid":90}`))
	l.Notice(event("builds/91/finished", `{"buildid":91,"builderid":9}`))
	l.Flush()

	got := sent.Take()
	if len(got) != 2 {
		t.Fatalf("sent %+v", got)
	}
	channels := []string{}
	for _, s := range got {
		channel := s.Payload["channel_id"].(string)
		channels = append(channels, channel)
		if s.Event != Event || s.Broadcast.ChannelId != channel || !slices.Equal(s.Payload["builder_ids"].([]int), []int{3}) || s.Payload["at"].(int64) <= 0 {
			t.Errorf("sent %+v to %+v", s.Payload, s.Broadcast)
		}
	}
	slices.Sort(channels)
	if !slices.Equal(channels, []string{"builds", "ops"}) {
		t.Errorf("told %v", channels)
	}

	l.Flush()
	if got := sent.Take(); len(got) != 0 {
		t.Errorf("a flush with nothing new sent %+v", got)
	}
}

func TestAStepTellsOfItsBuildsBuilderAndEventsCostOneReadOfTheWatches(t *testing.T) {
	l, w, sent, store := newLive(t)
	if err := w.Add("builds", []int{3}); err != nil {
		t.Fatal(err)
	}
	l.Notice(event("builds/90/new", `{"buildid":90,"builderid":3}`))
	l.Flush()
	reads := store.Reads()
	sent.Take()

	for range 50 {
		l.Notice(event("steps/700/updated", `{"stepid":700,"buildid":90}`))
		l.Flush()
	}
	l.Notice(event("steps/800/new", `{"stepid":800,"buildid":12345}`))
	l.Flush()

	if got := sent.Take(); len(got) != 50 {
		t.Errorf("sent %d events for 50 flushes of a watched build's steps", len(got))
	}
	if store.Reads() != reads {
		t.Errorf("events read the watches %d times more within their lifetime", store.Reads()-reads)
	}
	l.Notice(event("builds/90/finished", `{"buildid":90,"builderid":3}`))
	l.Notice(event("steps/701/new", `{"stepid":701,"buildid":90}`))
	if len(l.builders) != 0 {
		t.Errorf("a finished build's builder is still remembered: %v", l.builders)
	}
}

func TestRunTellsOfAnEventWithinMoments(t *testing.T) {
	l, w, sent, _ := newLive(t)
	if err := w.Add("builds", []int{3}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		l.Run(ctx)
		close(done)
	}()
	l.Notice(event("buildrequests/41/claimed", `{"buildrequestid":41,"builderid":3}`))
	deadline := time.Now().Add(2 * time.Second)
	for len(sent.Take()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no event within 2s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
}

func TestAWatchThisNodeAddsIsHeardAtTheNextFlush(t *testing.T) {
	l, w, sent, _ := newLive(t)
	l.Notice(event("builds/90/new", `{"buildid":90,"builderid":3}`))
	l.Flush()
	if got := sent.Take(); len(got) != 0 {
		t.Fatalf("told %+v before anyone watched", got)
	}

	if err := w.Add("builds", []int{3}); err != nil {
		t.Fatal(err)
	}
	l.Notice(event("builds/90/finished", `{"buildid":90,"builderid":3}`))
	l.Flush()

	if got := sent.Take(); len(got) != 1 || got[0].Broadcast.ChannelId != "builds" {
		t.Errorf("sent %+v", got)
	}
}

func TestWhileNobodyWatchesEventsCostOneReadOfTheList(t *testing.T) {
	l, _, sent, store := newLive(t)
	reads := store.Reads()

	for i := range 20 {
		l.Notice(event(fmt.Sprintf("builds/%d/new", 100+i), `{"builderid":3}`))
		l.Flush()
	}

	if got := store.Reads() - reads; got != 1 {
		t.Errorf("20 flushes read the watches %d times", got)
	}
	if got := sent.Take(); len(got) != 0 {
		t.Errorf("sent %+v", got)
	}
}
