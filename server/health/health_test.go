package health

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/pluginapi"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbottest"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/kvtest"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/subscription"
)

func ws(workers ...buildbot.Worker) []buildbot.Worker { return workers }

func kindsOf(incidents []incident) []kind {
	var out []kind
	for _, inc := range incidents {
		out = append(out, inc.kind)
	}
	return out
}

// toldOf reads incidents as "kind channel,channel", in order.
func toldOf(incidents []incident) []string {
	var out []string
	for _, inc := range incidents {
		out = append(out, fmt.Sprintf("%s %s", inc.kind, strings.Join(inc.channels, ",")))
	}
	return out
}

// known lists the workers a state knows, and those of them it has away.
func known(s *State) (ids, away []int) {
	for id, w := range s.Workers {
		ids = append(ids, id)
		if w.Away != nil {
			away = append(away, id)
		}
	}
	slices.Sort(ids)
	slices.Sort(away)
	return ids, away
}

var (
	errRefused      = errors.New("connection refused")
	errDatabaseDown = errors.New("database is down")
	start           = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
)

func never(string) bool { return false }

// toC is an audience of one channel for every incident.
func toC(incident) []string { return []string{"c"} }

// judgeAt judges a look at an offset from start, with After a minute, no latent worker and c
// listening.
func judgeAt(s *State, at time.Duration, workers []buildbot.Worker, probe error, reported map[int]bool) []incident {
	return judge(s, look{now: start.Add(at), after: time.Minute, workers: workers, probe: probe, reported: reported, latent: never}, toC)
}

// step is one look at Buildbot, at an offset from a scenario's start; down says it failed.
type step struct {
	at       time.Duration
	workers  []buildbot.Worker
	down     bool
	reported []int
	want     []kind
}

func TestJudge(t *testing.T) {
	const after = time.Minute
	const s = time.Second
	gone, here := buildbottest.Worker(1, false, 5), buildbottest.Worker(1, true, 5)
	for _, tc := range []struct {
		name   string
		latent []string
		steps  []step
		// known and away are the workers the state knows at the end, and those of them away.
		known, away []int
	}{
		{name: "Buildbot failing for less than After posts nothing", steps: []step{
			{at: 0, down: true},
			{at: after - s, down: true},
		}},
		{name: "Buildbot failing for After posts down once", steps: []step{
			{at: 0, down: true},
			{at: after, down: true, want: []kind{buildbotDown}},
			{at: 2 * after, down: true},
			{at: 10 * after, down: true},
		}},
		{name: "Buildbot answering after down was posted posts back once", steps: []step{
			{at: 0, down: true},
			{at: after, down: true, want: []kind{buildbotDown}},
			{at: after + s, want: []kind{buildbotBack}},
			{at: after + 2*s},
		}},
		{name: "Buildbot answering before After posts nothing and a new failure starts a new clock", steps: []step{
			{at: 0, down: true},
			{at: after / 2},
			{at: after, down: true},
			{at: 2*after - s, down: true},
			{at: 2 * after, down: true, want: []kind{buildbotDown}},
		}},
		{name: "a worker seen connected then disconnected for After is missing once", steps: []step{
			{at: 0, workers: ws(here)},
			{at: s, workers: ws(gone)},
			{at: after, workers: ws(gone)},
			{at: after + s, workers: ws(gone), want: []kind{workerMissing}},
			{at: 2 * after, workers: ws(gone)},
			{at: 10 * after, workers: ws(gone)},
		}, known: []int{1}, away: []int{1}},
		{name: "a worker never seen connected is no news", steps: []step{
			{at: 0, workers: ws(gone)},
			{at: 10 * after, workers: ws(gone)},
		}},
		{name: "a worker never seen connected that Buildbot reports missing is known and missing at once", steps: []step{
			{at: 0, workers: ws(gone), reported: []int{1}, want: []kind{workerMissing}},
			{at: s, workers: ws(gone)},
			{at: s, workers: ws(gone), reported: []int{1}},
		}, known: []int{1}, away: []int{1}},
		{name: "a worker Buildbot reports missing before After is missing at once", steps: []step{
			{at: 0, workers: ws(here)},
			{at: s, workers: ws(gone)},
			{at: 2 * s, workers: ws(gone), reported: []int{1}, want: []kind{workerMissing}},
			{at: after + 2*s, workers: ws(gone)},
		}, known: []int{1}, away: []int{1}},
		{name: "a report of a worker that is connected is no news", steps: []step{
			{at: 0, workers: ws(here), reported: []int{1}},
		}, known: []int{1}},
		{name: "a worker back after missing was posted is back once", steps: []step{
			{at: 0, workers: ws(here)},
			{at: s, workers: ws(gone)},
			{at: after + s, workers: ws(gone), want: []kind{workerMissing}},
			{at: after + 2*s, workers: ws(here), want: []kind{workerBack}},
			{at: after + 3*s, workers: ws(here)},
		}, known: []int{1}},
		{name: "a worker back before After is no news and a new disconnection starts a new clock", steps: []step{
			{at: 0, workers: ws(here)},
			{at: s, workers: ws(gone)},
			{at: after / 2, workers: ws(here)},
			{at: after, workers: ws(gone)},
			{at: 2*after - s, workers: ws(gone)},
			{at: 2 * after, workers: ws(gone), want: []kind{workerMissing}},
		}, known: []int{1}, away: []int{1}},
		{name: "a latent worker is missing only when Buildbot reports it", latent: []string{"w1"}, steps: []step{
			{at: 0, workers: ws(here)},
			{at: s, workers: ws(gone)},
			{at: 10 * after, workers: ws(gone)},
			{at: 10*after + s, workers: ws(gone), reported: []int{1}, want: []kind{workerMissing}},
			{at: 10*after + 2*s, workers: ws(here), want: []kind{workerBack}},
		}, known: []int{1}},
		{name: "a worker of no builder is ignored", steps: []step{
			{at: 0, workers: ws(buildbottest.Worker(2, true))},
			{at: s, workers: ws(buildbottest.Worker(2, false))},
			{at: 10 * after, workers: ws(buildbottest.Worker(2, false)), reported: []int{2}},
		}},
		{name: "a worker that leaves the configuration is forgotten", steps: []step{
			{at: 0, workers: ws(here)},
			{at: s, workers: ws(gone)},
			{at: after + s, workers: ws(gone), want: []kind{workerMissing}},
			{at: after + 2*s, workers: ws(buildbottest.Worker(1, false))},
			{at: after + 3*s, workers: ws(here)},
		}, known: []int{1}},
		{name: "a worker no longer listed is forgotten, and listed again is not news until seen connected", steps: []step{
			{at: 0, workers: ws(here)},
			{at: s, workers: ws(gone)},
			{at: after + s, workers: ws(gone), want: []kind{workerMissing}},
			{at: after + 2*s},
			{at: after + 3*s, workers: ws(gone)},
			{at: 10 * after, workers: ws(gone)},
		}},
		{name: "a worker's clock runs on while Buildbot fails", steps: []step{
			{at: 0, workers: ws(here)},
			{at: s, workers: ws(gone)},
			{at: after / 2, down: true},
			{at: after + s, workers: ws(gone), want: []kind{workerMissing}},
		}, known: []int{1}, away: []int{1}},
		{name: "a worker missing before Buildbot failed is back after it answers", steps: []step{
			{at: 0, workers: ws(here)},
			{at: s, workers: ws(gone)},
			{at: after + s, workers: ws(gone), want: []kind{workerMissing}},
			{at: after + 2*s, down: true, reported: []int{1}},
			{at: 2*after + 2*s, down: true, want: []kind{buildbotDown}},
			{at: 2*after + 3*s, workers: ws(here), want: []kind{buildbotBack, workerBack}},
		}, known: []int{1}},
		{name: "workers go and come back on their own", steps: []step{
			{at: 0, workers: ws(here, buildbottest.Worker(2, true, 6))},
			{at: s, workers: ws(gone, buildbottest.Worker(2, true, 6))},
			{at: after / 2, workers: ws(gone, buildbottest.Worker(2, false, 6))},
			{at: after + s, workers: ws(gone, buildbottest.Worker(2, false, 6)), want: []kind{workerMissing}},
			{at: after + after/2 + s, workers: ws(here, buildbottest.Worker(2, false, 6)), want: []kind{workerBack, workerMissing}},
		}, known: []int{1, 2}, away: []int{2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var state State
			latent := func(name string) bool { return slices.Contains(tc.latent, name) }
			for i, st := range tc.steps {
				l := look{now: start.Add(st.at), after: after, workers: st.workers, reported: map[int]bool{}, latent: latent}
				if st.down {
					l.probe = errRefused
				}
				for _, id := range st.reported {
					l.reported[id] = true
				}
				got := judge(&state, l, toC)
				if !slices.Equal(kindsOf(got), st.want) {
					t.Fatalf("step %d at %s: posted %v, want %v", i, st.at, kindsOf(got), st.want)
				}
				for _, inc := range got {
					if !slices.Equal(inc.channels, []string{"c"}) {
						t.Errorf("step %d at %s: %s goes to %v, want c", i, st.at, inc.kind, inc.channels)
					}
				}
			}
			if ids, away := known(&state); !slices.Equal(ids, tc.known) || !slices.Equal(away, tc.away) {
				t.Errorf("the state knows workers %v, %v of them away; want %v, %v", ids, away, tc.known, tc.away)
			}
		})
	}
}

// told is a look, the channels that listen then, and what they are told, as "kind channel,channel".
type told struct {
	at      time.Duration
	workers []buildbot.Worker
	down    bool
	// listening are the channels that hear of each worker's news, by the worker's name; "" for
	// Buildbot's.
	listening map[string][]string
	want      []string
}

// Each channel hears of an incident once, whenever it starts listening, and hears that it is over
// only if it heard of it and still listens.
func TestJudgeTellsEachChannelOnce(t *testing.T) {
	const after = time.Minute
	const s = time.Second
	w1, w2 := buildbottest.Worker(1, true, 5), buildbottest.Worker(2, true, 6)
	gone1, gone2 := buildbottest.Worker(1, false, 5), buildbottest.Worker(2, false, 6)
	for _, tc := range []struct {
		name  string
		steps []told
	}{
		{name: "Buildbot", steps: []told{
			{at: 0, down: true, listening: map[string][]string{"": {"a"}}},
			{at: after, down: true, listening: map[string][]string{"": {"a"}}, want: []string{"buildbot_down a"}},
			{at: after + s, down: true, listening: map[string][]string{"": {"a", "b"}}, want: []string{"buildbot_down b"}},
			{at: after + 2*s, down: true, listening: map[string][]string{"": {"a", "b"}}},
			{at: after + 3*s, down: true, listening: map[string][]string{"": {"b", "c"}}, want: []string{"buildbot_down c"}},
			{at: after + 4*s, listening: map[string][]string{"": {"d", "b"}}, want: []string{"buildbot_back b"}},
		}},
		{name: "workers", steps: []told{
			{at: 0, workers: ws(w1, w2), listening: map[string][]string{"w1": {"a"}, "w2": {"b"}}},
			{at: s, workers: ws(gone1, gone2), listening: map[string][]string{"w1": {"a"}, "w2": {"b"}}},
			{at: after + s, workers: ws(gone1, gone2), listening: map[string][]string{"w1": {"a"}, "w2": {"b"}},
				want: []string{"worker_missing a", "worker_missing b"}},
			{at: after + 2*s, workers: ws(gone1, gone2), listening: map[string][]string{"w1": {"a", "b"}, "w2": {"b"}},
				want: []string{"worker_missing b"}},
			{at: after + 3*s, workers: ws(gone1, gone2), listening: map[string][]string{"w1": {"a", "b"}, "w2": {"b", "a"}},
				want: []string{"worker_missing a"}},
			{at: after + 4*s, workers: ws(w1, gone2), listening: map[string][]string{"w1": {"b", "c"}, "w2": {}},
				want: []string{"worker_back b"}},
			{at: after + 5*s, workers: ws(w1, w2), listening: map[string][]string{"w1": {"a", "b"}, "w2": {"a", "b"}},
				want: []string{"worker_back b,a"}},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var state State
			for i, st := range tc.steps {
				audience := func(news incident) []string { return st.listening[news.worker] }
				l := look{now: start.Add(st.at), after: after, workers: st.workers, latent: never}
				if st.down {
					l.probe = errRefused
				}
				if got := toldOf(judge(&state, l, audience)); !slices.Equal(got, st.want) {
					t.Fatalf("step %d at %s: told %q, want %q", i, st.at, got, st.want)
				}
			}
		})
	}
}

// The posts are worded from the incident: it must say which worker, for how long and why.
func TestJudgeSaysWhatHappened(t *testing.T) {
	var s State
	// Builder 5 is on a second master too: the worker builds it once.
	twice := func(connected bool) buildbot.Worker {
		w := buildbottest.Worker(1, connected, 5, 6)
		w.ConfiguredOn = append(w.ConfiguredOn, w.ConfiguredOn[0])
		w.ConfiguredOn[2].MasterID = 2
		return w
	}
	judgeAt(&s, 0, ws(twice(true)), nil, nil)
	judgeAt(&s, 0, ws(twice(false)), nil, nil)
	missing := judgeAt(&s, 90*time.Second, ws(twice(false)), nil, nil)
	want := incident{kind: workerMissing, workerID: 1, worker: "w1", builders: []int{5, 6}, away: 90 * time.Second, channels: []string{"c"}}
	if len(missing) != 1 || !reflect.DeepEqual(missing[0], want) {
		t.Errorf("missing is %+v, want %+v", missing, want)
	}

	back := judgeAt(&s, 5*time.Minute, ws(twice(true)), nil, nil)
	want = incident{kind: workerBack, workerID: 1, worker: "w1", builders: []int{5, 6}, away: 5 * time.Minute, channels: []string{"c"}}
	if len(back) != 1 || !reflect.DeepEqual(back[0], want) {
		t.Errorf("back is %+v, want %+v", back, want)
	}

	reported := judgeAt(&s, 6*time.Minute, ws(buildbottest.Worker(1, false, 5)), nil, map[int]bool{1: true})
	if len(reported) != 1 || !reported[0].reported || reported[0].away != 0 {
		t.Errorf("reported is %+v, want a report with no time away", reported)
	}

	var b State
	judgeAt(&b, 0, nil, errRefused, nil)
	down := judgeAt(&b, 2*time.Minute, nil, errRefused, nil)
	if len(down) != 1 || down[0].away != 2*time.Minute || !errors.Is(down[0].reason, errRefused) || down[0].worker != "" {
		t.Errorf("down is %+v, want Buildbot away for 2m because %v", down, errRefused)
	}
}

// Nothing is known of the workers while Buildbot does not answer: a failed look must not move a
// worker's clock, forget it, declare it, or learn of one from a report.
func TestJudgeLeavesWorkersAloneWhileBuildbotFails(t *testing.T) {
	var s State
	judgeAt(&s, 0, ws(buildbottest.Worker(1, true, 5), buildbottest.Worker(2, true, 6), buildbottest.Worker(3, true, 7)), nil, nil)
	judgeAt(&s, time.Second, ws(buildbottest.Worker(1, true, 5), buildbottest.Worker(2, true, 6), buildbottest.Worker(3, false, 7)), nil, nil)
	// w1 is connected, w2 away for less than After, w3 missing and told.
	told := judgeAt(&s, 90*time.Second, ws(buildbottest.Worker(1, true, 5), buildbottest.Worker(2, false, 6), buildbottest.Worker(3, false, 7)), nil, nil)
	if got := kindsOf(told); !slices.Equal(got, []kind{workerMissing}) {
		t.Fatalf("setting up posted %v, want w3 missing", got)
	}
	before, _ := json.Marshal(s.Workers)

	var got []kind
	for i := range 3 {
		got = append(got, kindsOf(judgeAt(&s, time.Duration(3+i)*time.Minute, nil, errRefused, map[int]bool{1: true, 2: true, 4: true}))...)
	}
	if !slices.Equal(got, []kind{buildbotDown}) {
		t.Errorf("failed looks posted %v, want Buildbot down alone", got)
	}
	if after, _ := json.Marshal(s.Workers); string(after) != string(before) {
		t.Errorf("a failed look changed the workers from %s to %s", before, after)
	}
}

func TestAudienceOf(t *testing.T) {
	subs := []subscription.Subscription{
		sub("any", "*", subscription.Health),
		sub("app", "app", subscription.Health),
		sub("APP", "APP", subscription.Health),
		sub("lib", "lib", subscription.Health),
		sub("other", "other", subscription.Health),
		sub("twice", "*", subscription.Health),
		sub("twice", "app", subscription.Health),
	}
	all := []string{"any", "app", "APP", "lib", "other", "twice"}
	for _, tc := range []struct {
		name   string
		news   incident
		repoOf func(int) (string, bool)
		want   []string
	}{
		{"Buildbot down goes to every subscription", incident{kind: buildbotDown}, repos, all},
		{"Buildbot back goes to every subscription", incident{kind: buildbotBack}, nil, all},
		{"a worker goes to * and its repos', whatever their case", incident{kind: workerMissing, worker: "w1", builders: []int{5, 7}}, repos,
			[]string{"any", "app", "APP", "twice"}},
		{"a worker of two repos goes to both", incident{kind: workerBack, worker: "w1", builders: []int{6, 5}}, repos,
			[]string{"any", "app", "APP", "lib", "twice"}},
		{"a worker goes only to * while the catalog is cold", incident{kind: workerMissing, worker: "w1", builders: []int{5}}, nil,
			[]string{"any", "twice"}},
		// Buildbot's news is told by its kind: a worker Buildbot lists with no name is still a worker.
		{"a worker with no name is a worker", incident{kind: workerMissing, builders: []int{6}}, repos,
			[]string{"any", "lib", "twice"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := audienceOf(tc.news, subs, tc.repoOf); !slices.Equal(got, tc.want) {
				t.Errorf("audience is %v, want %v", got, tc.want)
			}
		})
	}
}

// A Store standing for the KV store as two servers see it, for the write that decides which of
// them posts.
func TestKVStoreUpdate(t *testing.T) {
	const key = keyPrefix + "bb"
	changeTo := func(s State) func(*State) bool {
		return func(st *State) bool { *st = s; return true }
	}
	posted := State{
		Down: &Incident{Since: 3, Declared: true, Told: []string{"c1"}},
		Workers: map[int]*Worker{
			1: {Name: "w1", Away: &Incident{Since: 1, Declared: true, Told: []string{"c1", "c2"}}},
			2: {Name: "w2"},
		},
	}

	t.Run("the first write creates the state", func(t *testing.T) {
		kv, store := kvtest.New(t)
		written, err := KVStore{KV: kv}.Update("bb", changeTo(posted))
		if err != nil || !written {
			t.Fatalf("Update = %v, %v, want written", written, err)
		}
		var got State
		if err := json.Unmarshal(store.Get(key), &got); err != nil || !reflect.DeepEqual(got, posted) {
			t.Errorf("stored %s (%v), want %+v", store.Get(key), err, posted)
		}
	})
	t.Run("change reads what was stored", func(t *testing.T) {
		kv, store := kvtest.New(t)
		raw, _ := json.Marshal(posted)
		store.Put(key, raw)
		var read State
		_, _ = KVStore{KV: kv}.Update("bb", func(s *State) bool { read = *s; return false })
		if !reflect.DeepEqual(read, posted) {
			t.Errorf("change read %+v, want %+v", read, posted)
		}
	})
	t.Run("a change that declines writes nothing", func(t *testing.T) {
		kv, store := kvtest.New(t)
		written, err := KVStore{KV: kv}.Update("bb", func(s *State) bool { s.Down = &Incident{Since: 5}; return false })
		if err != nil || written || store.Get(key) != nil {
			t.Errorf("Update = %v, %v and stored %s, want nothing written", written, err, store.Get(key))
		}
	})
	t.Run("a state that did not change counts as written", func(t *testing.T) {
		kv, store := kvtest.New(t)
		raw, _ := json.Marshal(posted)
		store.Put(key, raw)
		written, err := KVStore{KV: kv}.Update("bb", func(*State) bool { return true })
		if err != nil || !written {
			t.Errorf("Update = %v, %v, want written", written, err)
		}
	})
	t.Run("another writer in between wins", func(t *testing.T) {
		kv, store := kvtest.New(t)
		theirs, _ := json.Marshal(State{Down: &Incident{Since: 7}})
		written, err := KVStore{KV: kv}.Update("bb", func(s *State) bool {
			store.Put(key, theirs)
			*s = posted
			return true
		})
		if err != nil || written {
			t.Errorf("Update = %v, %v, want the write lost", written, err)
		}
		if string(store.Get(key)) != string(theirs) {
			t.Errorf("stored %s, want the other writer's %s", store.Get(key), theirs)
		}
	})
	t.Run("another writer dropping the state in between wins", func(t *testing.T) {
		kv, store := kvtest.New(t)
		raw, _ := json.Marshal(posted)
		store.Put(key, raw)
		written, err := KVStore{KV: kv}.Update("bb", func(s *State) bool {
			store.Put(key, nil)
			s.Down = nil
			return true
		})
		if err != nil || written || store.Get(key) != nil {
			t.Errorf("Update = %v, %v and stored %s, want the write lost", written, err, store.Get(key))
		}
	})
	t.Run("a state it cannot read is an error", func(t *testing.T) {
		kv, store := kvtest.New(t)
		store.Put(key, []byte("{not json"))
		called := false
		written, err := KVStore{KV: kv}.Update("bb", func(*State) bool { called = true; return true })
		if err == nil || written || called {
			t.Errorf("Update = %v, %v (change called: %v), want an error before any change", written, err, called)
		}
	})
}

func TestKVStoreDrop(t *testing.T) {
	kv, store := kvtest.New(t)
	store.Put(keyPrefix+"bb", []byte(`{"down":{"since":1}}`))
	store.Put(keyPrefix+"other", []byte(`{"down":{"since":2}}`))
	for range 2 {
		if err := (KVStore{KV: kv}).Drop("bb"); err != nil {
			t.Fatalf("Drop = %v", err)
		}
	}
	if store.Get(keyPrefix+"bb") != nil || store.Get(keyPrefix+"other") == nil {
		t.Errorf("after dropping bb the store holds %s for bb and %s for the other Buildbot", store.Get(keyPrefix+"bb"), store.Get(keyPrefix+"other"))
	}
}

// serve is a client of a fake Buildbot whose only worker, w1, builds builder 5 and is connected.
func serve(t *testing.T) (*buildbottest.Server, *buildbot.Client) {
	bb := &buildbottest.Server{Workers: ws(buildbottest.Worker(1, true, 5))}
	return bb, bb.Client(t)
}

type fakeSubs struct {
	mu      sync.Mutex
	subs    []subscription.Subscription
	dropped []string
}

func (f *fakeSubs) All() ([]subscription.Subscription, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.subs), nil
}

func (f *fakeSubs) DropChannel(channelID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dropped = append(f.dropped, channelID)
	f.subs = slices.DeleteFunc(f.subs, func(s subscription.Subscription) bool { return s.ChannelID == channelID })
	return nil
}

func (f *fakeSubs) set(subs ...subscription.Subscription) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.subs = subs
}

func sub(channelID, repo string, events ...subscription.Event) subscription.Subscription {
	return subscription.Subscription{ChannelID: channelID, Repo: repo, Branch: "*", Events: events}
}

func anyHealth() *fakeSubs {
	return &fakeSubs{subs: []subscription.Subscription{sub("any", "*", subscription.Health)}}
}

type fakePosts struct {
	mu    sync.Mutex
	posts []*model.Post
	gone  map[string]bool
}

func (f *fakePosts) CreatePost(p *model.Post) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.posts = append(f.posts, p)
	return nil
}

func (f *fakePosts) ChannelGone(channelID string) bool { return f.gone[channelID] }

// heard is what each channel was told, as the kinds of the posts in order.
func (f *fakePosts) heard() map[string][]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string][]string{}
	for _, p := range f.posts {
		out[p.ChannelId] = append(out[p.ChannelId], fmt.Sprint(p.GetProp(PropKind)))
	}
	return out
}

// about is what the posts were about, as "kind worker" in order.
func (f *fakePosts) about() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, p := range f.posts {
		out = append(out, fmt.Sprintf("%v %v", p.GetProp(PropKind), p.GetProp("buildbot_worker")))
	}
	return out
}

func (f *fakePosts) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.posts)
}

func (f *fakePosts) reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.posts = nil
}

type warnings struct {
	mu   sync.Mutex
	msgs []string
}

func (w *warnings) LogWarn(msg string, _ ...any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.msgs = append(w.msgs, msg)
}

func monitor(kv *pluginapi.KVService, subs *fakeSubs, posts *fakePosts) *Monitor {
	return &Monitor{Store: KVStore{KV: kv}, Subs: subs, Posts: posts, BotID: "bot", Log: &warnings{}}
}

// repos maps builder 5 to app and 6 to lib, as a warm catalog does.
func repos(builderID int) (string, bool) {
	repo, ok := map[int]string{5: "app", 6: "lib"}[builderID]
	return repo, ok
}

func expectHeard(t *testing.T, posts *fakePosts, want map[string][]string) {
	t.Helper()
	if got := posts.heard(); !reflect.DeepEqual(got, want) {
		t.Errorf("channels heard %v, want %v", got, want)
	}
}

func TestCheckAsksBuildbotNothingWithoutAHealthSubscription(t *testing.T) {
	for _, tc := range []struct {
		name string
		subs []subscription.Subscription
	}{
		{"no subscription", nil},
		{"subscriptions to builds only", []subscription.Subscription{
			sub("c1", "*", subscription.Finished), sub("c2", "app", subscription.Failure, subscription.Problem),
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bb, client := serve(t)
			bb.Workers = ws(buildbottest.Worker(1, false, 5))
			kv, store := kvtest.New(t)
			posts := &fakePosts{}
			m := monitor(kv, &fakeSubs{subs: tc.subs}, posts)
			for range 3 {
				m.Check(context.Background(), client, Options{})
			}
			if n := bb.Requests.Load(); n != 0 {
				t.Errorf("Buildbot got %d requests, want none", n)
			}
			if posts.count() != 0 || store.Get(keyPrefix+client.Fingerprint()) != nil {
				t.Errorf("posted %v and stored %s, want nothing", posts.heard(), store.Get(keyPrefix+client.Fingerprint()))
			}
		})
	}
}

func TestCheckTellsAWorkerToTheChannelsOfItsRepos(t *testing.T) {
	bb, client := serve(t)
	bb.Workers = ws(buildbottest.Worker(1, true, 5, 7), buildbottest.Worker(2, true, 6))
	kv, _ := kvtest.New(t)
	subs := &fakeSubs{subs: []subscription.Subscription{
		sub("any", "*", subscription.Health),
		sub("app", "app", subscription.Health),
		sub("APP", "APP", subscription.Health, subscription.Finished),
		sub("lib", "lib", subscription.Health),
		sub("other", "other", subscription.Health),
		sub("twice", "*", subscription.Failure, subscription.Health),
		sub("twice", "app", subscription.Health),
		{ChannelID: "branches", Repo: "app", Branch: "main", Events: []subscription.Event{subscription.Health}},
		{ChannelID: "branches", Repo: "app", Branch: "release/*", Events: []subscription.Event{subscription.Health}},
		sub("builds", "app", subscription.Finished),
		sub("builds", "*", subscription.Failure),
	}}
	posts := &fakePosts{}
	m := monitor(kv, subs, posts)
	opts := Options{RepoOf: repos, LinkBase: "https://ci.example.com/"}

	m.Check(context.Background(), client, opts)
	bb.Workers = ws(buildbottest.Worker(1, false, 5, 7), buildbottest.Worker(2, false, 6))
	m.Check(context.Background(), client, opts)
	// twice hears of w1 once, though both its subscriptions cover it.
	expectHeard(t, posts, map[string][]string{
		"any":      {"worker_missing", "worker_missing"},
		"app":      {"worker_missing"},
		"APP":      {"worker_missing"},
		"lib":      {"worker_missing"},
		"twice":    {"worker_missing", "worker_missing"},
		"branches": {"worker_missing"},
	})
	for _, p := range posts.posts {
		if p.UserId != "bot" {
			t.Errorf("a post is by %q, want the bot", p.UserId)
		}
		if name := p.GetProp("buildbot_worker"); name != "w1" && name != "w2" {
			t.Errorf("a post names worker %v, want w1 or w2", name)
		}
		if p.GetProp("buildbot_worker") == "w1" && !strings.Contains(p.Message, "(https://ci.example.com/#/workers/1)") {
			t.Errorf("a post of w1 reads %q, want a link to its page", p.Message)
		}
	}

	posts.reset()
	bb.Workers = ws(buildbottest.Worker(1, true, 5, 7), buildbottest.Worker(2, false, 6))
	m.Check(context.Background(), client, opts)
	expectHeard(t, posts, map[string][]string{
		"any": {"worker_back"}, "app": {"worker_back"}, "APP": {"worker_back"}, "twice": {"worker_back"}, "branches": {"worker_back"},
	})
}

// A cold catalog knows no builder's repo: only those who asked for every repo hear of workers.
func TestCheckTellsAWorkerOnlyToStarWhileTheCatalogIsCold(t *testing.T) {
	bb, client := serve(t)
	kv, _ := kvtest.New(t)
	posts := &fakePosts{}
	m := monitor(kv, &fakeSubs{subs: []subscription.Subscription{sub("any", "*", subscription.Health), sub("app", "app", subscription.Health)}}, posts)
	m.Check(context.Background(), client, Options{})
	bb.Workers = ws(buildbottest.Worker(1, false, 5))
	m.Check(context.Background(), client, Options{})
	expectHeard(t, posts, map[string][]string{"any": {"worker_missing"}})
}

func TestCheckTellsEveryHealthSubscriptionOfBuildbot(t *testing.T) {
	bb, client := serve(t)
	bb.Down = true
	kv, _ := kvtest.New(t)
	subs := &fakeSubs{subs: []subscription.Subscription{
		sub("any", "*", subscription.Health),
		sub("app", "app", subscription.Health),
		sub("other", "other", subscription.Health),
		sub("twice", "app", subscription.Health),
		sub("twice", "lib", subscription.Health),
		sub("builds", "*", subscription.Finished),
	}}
	posts := &fakePosts{}
	m := monitor(kv, subs, posts)
	opts := Options{RepoOf: repos}

	m.Check(context.Background(), client, opts)
	m.Check(context.Background(), client, opts)
	bb.Down = false
	m.Check(context.Background(), client, opts)
	m.Check(context.Background(), client, opts)
	both := []string{"buildbot_down", "buildbot_back"}
	expectHeard(t, posts, map[string][]string{"any": both, "app": both, "other": both, "twice": both})
	if props := posts.posts[0].GetProps(); props["buildbot_worker"] != nil {
		t.Errorf("Buildbot's news names a worker: %v", props)
	}
}

func TestCheckDropsDeletedChannelsInsteadOfPostingThere(t *testing.T) {
	bb, client := serve(t)
	bb.Workers = ws(buildbottest.Worker(1, true, 5), buildbottest.Worker(2, true, 5))
	kv, _ := kvtest.New(t)
	subs := &fakeSubs{subs: []subscription.Subscription{
		sub("gone", "*", subscription.Health),
		sub("gone", "app", subscription.Health),
		sub("live", "app", subscription.Health),
	}}
	posts := &fakePosts{gone: map[string]bool{"gone": true}}
	m := monitor(kv, subs, posts)
	m.Check(context.Background(), client, Options{RepoOf: repos})
	bb.Workers = ws(buildbottest.Worker(1, false, 5), buildbottest.Worker(2, false, 5))
	m.Check(context.Background(), client, Options{RepoOf: repos})

	expectHeard(t, posts, map[string][]string{"live": {"worker_missing", "worker_missing"}})
	if !slices.Equal(subs.dropped, []string{"gone"}) {
		t.Errorf("dropped %v, want the deleted channel once", subs.dropped)
	}
	if all, _ := subs.All(); slices.ContainsFunc(all, func(s subscription.Subscription) bool { return s.ChannelID == "gone" }) {
		t.Errorf("the deleted channel keeps its subscriptions: %v", all)
	}
}

func TestCheckWaitsAfterBeforeTelling(t *testing.T) {
	const after = 100 * time.Millisecond
	bb, client := serve(t)
	kv, _ := kvtest.New(t)
	posts := &fakePosts{}
	m := monitor(kv, anyHealth(), posts)
	opts := Options{After: after}
	step := func(want ...string) {
		t.Helper()
		posts.reset()
		m.Check(context.Background(), client, opts)
		heard := map[string][]string{}
		if len(want) > 0 {
			heard["any"] = want
		}
		expectHeard(t, posts, heard)
	}

	step()
	bb.Workers = ws(buildbottest.Worker(1, false, 5))
	step()
	step()
	time.Sleep(after + 10*time.Millisecond)
	step("worker_missing")
	step()
	bb.Workers = ws(buildbottest.Worker(1, true, 5))
	step("worker_back")

	bb.Down = true
	step()
	time.Sleep(after + 10*time.Millisecond)
	step("buildbot_down")
	step()
	bb.Down = false
	step("buildbot_back")
	step()
}

// A channel that subscribes while an incident lasts hears of it at the next look, once; a channel
// hears that it is over only if it was told of it and still listens.
func TestCheckTellsAChannelThatSubscribesMidIncident(t *testing.T) {
	bb, client := serve(t)
	kv, _ := kvtest.New(t)
	subs := &fakeSubs{subs: []subscription.Subscription{sub("a", "*", subscription.Health)}}
	posts := &fakePosts{}
	m := monitor(kv, subs, posts)
	opts := Options{RepoOf: repos}
	check := func(want map[string][]string) {
		t.Helper()
		posts.reset()
		m.Check(context.Background(), client, opts)
		expectHeard(t, posts, want)
	}

	check(map[string][]string{})
	bb.Workers = ws(buildbottest.Worker(1, false, 5))
	check(map[string][]string{"a": {"worker_missing"}})
	subs.set(sub("a", "*", subscription.Health), sub("b", "APP", subscription.Health), sub("lib", "lib", subscription.Health))
	check(map[string][]string{"b": {"worker_missing"}})
	check(map[string][]string{})
	subs.set(sub("b", "app", subscription.Health), sub("c", "*", subscription.Health))
	check(map[string][]string{"c": {"worker_missing"}})
	bb.Workers = ws(buildbottest.Worker(1, true, 5))
	subs.set(sub("b", "app", subscription.Health), sub("d", "*", subscription.Health))
	check(map[string][]string{"b": {"worker_back"}})
}

func TestCheckLooksOnceEveryUnlessAWorkerEventAsks(t *testing.T) {
	bb, client := serve(t)
	kv, _ := kvtest.New(t)
	posts := &fakePosts{}
	m := monitor(kv, anyHealth(), posts)
	opts := Options{Every: time.Hour}
	looks := func(want int64) {
		t.Helper()
		if got := bb.Requests.Load(); got != want {
			t.Fatalf("Buildbot was asked %d times, want %d", got, want)
		}
	}

	m.Check(context.Background(), client, opts)
	looks(1)
	bb.Workers = ws(buildbottest.Worker(1, false, 5))
	m.Check(context.Background(), client, opts)
	looks(1)
	if posts.count() != 0 {
		t.Fatalf("a skipped look posted %v", posts.heard())
	}

	if !m.Notice(buildbot.Event{Key: "workers/1/disconnected"}) {
		t.Fatal("a worker's disconnection does not call for a look")
	}
	m.Check(context.Background(), client, opts)
	looks(2)
	m.Check(context.Background(), client, opts)
	looks(2)
	expectHeard(t, posts, map[string][]string{"any": {"worker_missing"}})
}

func TestCheckCountsAWorkerBuildbotReportsMissingAtOnce(t *testing.T) {
	bb, client := serve(t)
	bb.Workers = ws(buildbottest.Worker(1, false, 5))
	kv, _ := kvtest.New(t)
	posts := &fakePosts{}
	m := monitor(kv, anyHealth(), posts)
	opts := Options{Every: time.Hour}

	m.Check(context.Background(), client, opts)
	if posts.count() != 0 {
		t.Fatalf("a worker never seen connected was posted: %v", posts.heard())
	}
	m.Notice(buildbot.Event{Key: "workers/1/missing"})
	m.Check(context.Background(), client, opts)
	expectHeard(t, posts, map[string][]string{"any": {"worker_missing"}})
	if msg := posts.posts[0].Message; !strings.Contains(msg, "Buildbot reports worker `w1` missing") {
		t.Errorf("the post reads %q, want Buildbot's report", msg)
	}

	bb.Workers = ws(buildbottest.Worker(1, true, 5))
	m.Notice(buildbot.Event{Key: "workers/1/connected"})
	m.Check(context.Background(), client, opts)
	expectHeard(t, posts, map[string][]string{"any": {"worker_missing", "worker_back"}})
}

// A latent worker rests disconnected: only Buildbot's report makes it news, while the others of
// the same looks go by the clock.
func TestCheckTellsOfALatentWorkerOnlyWhenBuildbotReportsIt(t *testing.T) {
	bb, client := serve(t)
	bb.Workers = ws(buildbottest.Worker(1, true, 5), buildbottest.Worker(2, true, 5))
	kv, _ := kvtest.New(t)
	posts := &fakePosts{}
	m := monitor(kv, anyHealth(), posts)
	opts := Options{Latent: func(name string) bool { return name == "w1" }}

	m.Check(context.Background(), client, opts)
	bb.Workers = ws(buildbottest.Worker(1, false, 5), buildbottest.Worker(2, false, 5))
	m.Check(context.Background(), client, opts)
	m.Check(context.Background(), client, opts)
	if got, want := posts.about(), []string{"worker_missing w2"}; !slices.Equal(got, want) {
		t.Fatalf("posted %q, want %q", got, want)
	}
	m.Notice(buildbot.Event{Key: "workers/1/missing"})
	m.Check(context.Background(), client, opts)
	bb.Workers = ws(buildbottest.Worker(1, true, 5), buildbottest.Worker(2, true, 5))
	m.Check(context.Background(), client, opts)
	if got, want := posts.about(), []string{"worker_missing w2", "worker_missing w1", "worker_back w1", "worker_back w2"}; !slices.Equal(got, want) {
		t.Errorf("posted %q, want %q", got, want)
	}
}

func TestNoticeIgnoresEventsAboutAnythingButWorkers(t *testing.T) {
	bb, client := serve(t)
	kv, _ := kvtest.New(t)
	m := monitor(kv, anyHealth(), &fakePosts{})
	opts := Options{Every: time.Hour}
	m.Check(context.Background(), client, opts)
	for _, key := range []string{"builds/7/new", "buildrequests/3/complete", "workers/x/missing", "workers/1", "steps/2/finished"} {
		if m.Notice(buildbot.Event{Key: key}) {
			t.Errorf("%s calls for a look", key)
		}
	}
	m.Check(context.Background(), client, opts)
	if n := bb.Requests.Load(); n != 1 {
		t.Errorf("Buildbot was asked %d times, want once", n)
	}
}

// failingStore can neither record nor forget anything, as when the KV store is down.
type failingStore struct{}

func (failingStore) Update(string, func(*State) bool) (bool, error) { return false, errDatabaseDown }

func (failingStore) Drop(string) error { return errDatabaseDown }

// A report is a single event: when the look it came for cannot be recorded, the next must use it.
func TestCheckKeepsReportsForTheNextLookWhenItCannotRecord(t *testing.T) {
	bb, client := serve(t)
	bb.Workers = ws(buildbottest.Worker(1, false, 5))
	kv, _ := kvtest.New(t)
	posts := &fakePosts{}
	log := &warnings{}
	m := monitor(kv, anyHealth(), posts)
	m.Log = log
	opts := Options{After: time.Hour, Every: time.Hour}

	m.Notice(buildbot.Event{Key: "workers/1/missing"})
	m.Store = failingStore{}
	m.Check(context.Background(), client, opts)
	if posts.count() != 0 || len(log.msgs) != 1 {
		t.Fatalf("a look it could not record posted %v and warned %v", posts.heard(), log.msgs)
	}
	m.Store = KVStore{KV: kv}
	m.Check(context.Background(), client, opts)
	expectHeard(t, posts, map[string][]string{"any": {"worker_missing"}})
}

// A report no one could hear is stale by the time someone subscribes: it must not turn a
// disconnection then into an alert.
func TestCheckForgetsReportsWhileNoOneSubscribed(t *testing.T) {
	bb, client := serve(t)
	kv, _ := kvtest.New(t)
	posts := &fakePosts{}
	subs := &fakeSubs{}
	m := monitor(kv, subs, posts)
	opts := Options{After: time.Hour}

	m.Notice(buildbot.Event{Key: "workers/1/missing"})
	m.Check(context.Background(), client, opts)
	subs.set(sub("any", "*", subscription.Health))
	bb.Workers = ws(buildbottest.Worker(1, false, 5))
	m.Check(context.Background(), client, opts)
	if posts.count() != 0 {
		t.Errorf("an old report made a disconnection news: %v", posts.heard())
	}
}

// drops counts a store's drops.
type drops struct {
	Store
	n int
}

func (d *drops) Drop(source string) error {
	d.n++
	return d.Store.Drop(source)
}

// What happened while no channel listened is history to the channels that listen next: the state
// goes once the last subscription to health does, so none of them hears of an incident it was
// not there for, whether over or still going.
func TestCheckForgetsTheStateOnceNoOneListens(t *testing.T) {
	const after = 50 * time.Millisecond
	bb, client := serve(t)
	bb.Workers = ws(buildbottest.Worker(1, true, 5), buildbottest.Worker(2, true, 5))
	kv, store := kvtest.New(t)
	key := keyPrefix + client.Fingerprint()
	subs := anyHealth()
	posts := &fakePosts{}
	m := monitor(kv, subs, posts)
	counted := &drops{Store: KVStore{KV: kv}}
	m.Store = counted
	opts := Options{After: after}
	check := func() { m.Check(context.Background(), client, opts) }

	// w1 is missing and Buildbot down, both told to any; w2 is away, not long enough to be news.
	check()
	bb.Workers = ws(buildbottest.Worker(1, false, 5), buildbottest.Worker(2, true, 5))
	check()
	time.Sleep(after + 10*time.Millisecond)
	check()
	bb.Workers = ws(buildbottest.Worker(1, false, 5), buildbottest.Worker(2, false, 5))
	check()
	bb.Down = true
	check()
	time.Sleep(after + 10*time.Millisecond)
	check()
	expectHeard(t, posts, map[string][]string{"any": {"worker_missing", "buildbot_down"}})

	subs.set(sub("any", "*", subscription.Finished))
	for range 3 {
		check()
	}
	if counted.n != 1 || store.Get(key) != nil {
		t.Fatalf("with no one listening, dropped %d times and stored %s; want dropped once", counted.n, store.Get(key))
	}

	// Buildbot is back, and so is w1, while w2 has been away for longer than After.
	posts.reset()
	subs.set(sub("any", "*", subscription.Health))
	bb.Workers, bb.Down = ws(buildbottest.Worker(1, true, 5), buildbottest.Worker(2, false, 5)), false
	check()
	check()
	expectHeard(t, posts, map[string][]string{})

	subs.set()
	check()
	if counted.n != 2 {
		t.Errorf("dropped %d times, want once more when the channel left again", counted.n)
	}
}

// The state must not outlive a failed drop: whoever subscribes next would hear of its incidents.
func TestCheckDropsTheStateAgainWhenDroppingFailed(t *testing.T) {
	_, client := serve(t)
	kv, store := kvtest.New(t)
	key := keyPrefix + client.Fingerprint()
	subs := anyHealth()
	m := monitor(kv, subs, &fakePosts{})
	log := &warnings{}
	m.Log = log

	m.Check(context.Background(), client, Options{})
	if store.Get(key) == nil {
		t.Fatal("a look stored nothing")
	}
	subs.set()
	m.Store = failingStore{}
	m.Check(context.Background(), client, Options{})
	if len(log.msgs) != 1 {
		t.Fatalf("a failed drop warned %v", log.msgs)
	}
	counted := &drops{Store: KVStore{KV: kv}}
	m.Store = counted
	m.Check(context.Background(), client, Options{})
	m.Check(context.Background(), client, Options{})
	if counted.n != 1 || store.Get(key) != nil {
		t.Errorf("after a failed drop, dropped %d times and stored %s; want dropped once", counted.n, store.Get(key))
	}
}

func TestCheckStopsQuietlyWhenThePluginStops(t *testing.T) {
	_, client := serve(t)
	kv, store := kvtest.New(t)
	posts := &fakePosts{}
	m := monitor(kv, anyHealth(), posts)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	m.Check(ctx, client, Options{})
	if posts.count() != 0 || store.Get(keyPrefix+client.Fingerprint()) != nil {
		t.Errorf("a look cut short by the plugin stopping posted %v and stored %s", posts.heard(), store.Get(keyPrefix+client.Fingerprint()))
	}
}

// interleaved is the KV store with another server writing between this one's read and its write.
type interleaved struct {
	KVStore
	between func()
}

func (s interleaved) Update(source string, change func(*State) bool) (bool, error) {
	return s.KVStore.Update(source, func(st *State) bool {
		ok := change(st)
		s.between()
		return ok
	})
}

func TestCheckLeavesThePostToTheServerThatWroteFirst(t *testing.T) {
	bb, client := serve(t)
	kv, store := kvtest.New(t)
	posts := &fakePosts{}
	m := monitor(kv, anyHealth(), posts)
	key := keyPrefix + client.Fingerprint()
	m.Check(context.Background(), client, Options{})
	bb.Workers = ws(buildbottest.Worker(1, false, 5))
	theirs, _ := json.Marshal(State{Workers: map[int]*Worker{
		1: {Name: "w1", Away: &Incident{Since: time.Now().UnixMilli(), Declared: true, Told: []string{"any"}}},
	}})
	m.Store = interleaved{KVStore: KVStore{KV: kv}, between: func() { store.Put(key, theirs) }}

	m.Check(context.Background(), client, Options{})
	if posts.count() != 0 {
		t.Fatalf("the server that lost the write posted %v", posts.heard())
	}
	if string(store.Get(key)) != string(theirs) {
		t.Errorf("the loser overwrote the state with %s", store.Get(key))
	}
	m.Store = KVStore{KV: kv}
	m.Check(context.Background(), client, Options{})
	if posts.count() != 0 {
		t.Errorf("the loser posted what the winner had posted: %v", posts.heard())
	}
}

// rendezvous holds each server's write until both have read, so both judge the same state and
// race for the same write.
type rendezvous struct {
	KVStore
	read *sync.WaitGroup
}

func (s rendezvous) Update(source string, change func(*State) bool) (bool, error) {
	return s.KVStore.Update(source, func(st *State) bool {
		s.read.Done()
		both := make(chan struct{})
		go func() { s.read.Wait(); close(both) }()
		select {
		case <-both:
		case <-time.After(2 * time.Second): // the other server did not look: no race to hold
		}
		return change(st)
	})
}

// Two Mattermost servers share one KV store and look at the same incident at once, as it starts
// and as it ends.
func TestTwoServersPostAnIncidentOnce(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setUp func(*buildbottest.Server)
		want  []string
	}{
		{"a worker missing", func(bb *buildbottest.Server) { bb.Workers = ws(buildbottest.Worker(1, false, 5)) }, []string{"worker_missing", "worker_back"}},
		{"Buildbot down", func(bb *buildbottest.Server) { bb.Down = true }, []string{"buildbot_down", "buildbot_back"}},
	} {
		for _, held := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s, writes held: %v", tc.name, held), func(t *testing.T) {
				bb, client := serve(t)
				subs := &fakeSubs{subs: []subscription.Subscription{sub("c1", "*", subscription.Health), sub("c2", "*", subscription.Health)}}
				for round := range 30 {
					kv, _ := kvtest.New(t)
					posts := &fakePosts{}
					servers := []*Monitor{monitor(kv, subs, posts), monitor(kv, subs, posts)}
					race := func() {
						read := &sync.WaitGroup{}
						read.Add(len(servers))
						var wg sync.WaitGroup
						for _, m := range servers {
							if held {
								m.Store = rendezvous{KVStore: KVStore{KV: kv}, read: read}
							}
							wg.Add(1)
							go func() {
								defer wg.Done()
								m.Check(context.Background(), client, Options{})
							}()
						}
						wg.Wait()
					}
					bb.Workers = ws(buildbottest.Worker(1, true, 5))
					race()
					tc.setUp(bb)
					race()
					bb.Workers, bb.Down = ws(buildbottest.Worker(1, true, 5)), false
					race()
					if got := posts.heard(); !reflect.DeepEqual(got, map[string][]string{"c1": tc.want, "c2": tc.want}) {
						t.Fatalf("round %d: channels heard %v, want %v each", round, got, tc.want)
					}
				}
			})
		}
	}
}

// A report that comes while Buildbot does not answer waits for a look that can judge the workers:
// a latent worker that failed to start is news once Buildbot answers again.
func TestCheckKeepsReportsThroughALookBuildbotDoesNotAnswer(t *testing.T) {
	bb, client := serve(t)
	bb.Workers = ws(buildbottest.Worker(1, false, 5))
	kv, _ := kvtest.New(t)
	posts := &fakePosts{}
	m := monitor(kv, anyHealth(), posts)
	opts := Options{After: time.Hour, Latent: func(string) bool { return true }}

	m.Notice(buildbot.Event{Key: "workers/1/missing"})
	bb.Down = true
	m.Check(context.Background(), client, opts)
	bb.Down = false
	m.Check(context.Background(), client, opts)

	if got, want := posts.about(), []string{"worker_missing w1"}; !slices.Equal(got, want) {
		t.Fatalf("posted %q, want %q", got, want)
	}
}

// Only the server that follows Buildbot's events hears its reports: one that loses the write to
// another server's look keeps them for its next look.
func TestCheckKeepsReportsWhenAnotherServerWroteFirst(t *testing.T) {
	bb, client := serve(t)
	bb.Workers = ws(buildbottest.Worker(1, false, 5))
	kv, store := kvtest.New(t)
	posts := &fakePosts{}
	m := monitor(kv, anyHealth(), posts)
	key := keyPrefix + client.Fingerprint()
	opts := Options{After: time.Hour, Latent: func(string) bool { return true }}

	m.Notice(buildbot.Event{Key: "workers/1/missing"})
	m.Store = interleaved{KVStore: KVStore{KV: kv}, between: func() { store.Put(key, []byte(`{}`)) }}
	m.Check(context.Background(), client, opts)
	if posts.count() != 0 {
		t.Fatalf("the server that lost the write posted %v", posts.heard())
	}
	m.Store = KVStore{KV: kv}
	m.Check(context.Background(), client, opts)

	if got, want := posts.about(), []string{"worker_missing w1"}; !slices.Equal(got, want) {
		t.Fatalf("posted %q, want %q", got, want)
	}
}
