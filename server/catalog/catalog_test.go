package catalog

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/kvtest"
)

// countingReader answers like a small Buildbot and counts full reads; hang makes it wait for its
// context instead.
type countingReader struct {
	reads atomic.Int32
	hang  bool
}

func (r *countingReader) Builders(ctx context.Context) ([]buildbot.Builder, error) {
	r.reads.Add(1)
	if r.hang {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return sources().Builders, nil
}

func (r *countingReader) ForceSchedulers(context.Context) ([]buildbot.ForceScheduler, error) {
	return sources().Schedulers, nil
}

func (r *countingReader) Projects(context.Context) ([]buildbot.Project, error) {
	return sources().Projects, nil
}

func (r *countingReader) Builds(context.Context, buildbot.Query) ([]buildbot.Build, error) {
	return sources().Builds, nil
}

func (r *countingReader) SourceStamps(context.Context, buildbot.Query) ([]buildbot.SourceStamp, error) {
	return nil, nil
}

// kvShared is KVShared over a KV store that behaves as Mattermost's.
func kvShared(t *testing.T) KVShared {
	kv, _ := kvtest.New(t)
	return KVShared{KV: kv}
}

// One node reads Buildbot; another installs what it read without reading Buildbot itself.
func TestANodeInstallsTheIndexAnotherNodeReadInsteadOfReadingBuildbot(t *testing.T) {
	shared := kvShared(t)
	first, second := &countingReader{}, &countingReader{}
	reader := New(func() Setup { return Setup{Reader: first, RequireScheduler: true, Key: "k"} }, shared)
	follower := New(func() Setup { return Setup{Reader: second, RequireScheduler: true, Key: "k"} }, shared)

	if _, err := reader.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := follower.Sync(); err != nil {
		t.Fatal(err)
	}

	if !follower.Warm() || second.reads.Load() != 0 {
		t.Fatalf("warm %v after %d reads of Buildbot", follower.Warm(), second.reads.Load())
	}
	if got, want := follower.Current().Names(), reader.Current().Names(); len(got) != len(want) || got[0] != want[0] {
		t.Fatalf("names %v, want %v", got, want)
	}
	if repo, ok := follower.Current().Lookup("app"); !ok || repo.DefaultBranch != "main" || len(repo.Targets) != 2 {
		t.Fatalf("app %+v", repo)
	}
	if got := follower.Current().WatchedNames(); len(got) != 3 {
		t.Fatalf("watched %v", got)
	}
	// The forms complete name=value words on every node.
	if got, want := follower.Current().Forms, reader.Current().Forms; len(want) == 0 || len(got) != len(want) {
		t.Fatalf("forms %d, want %d", len(got), len(want))
	}
	for name, f := range reader.Current().Forms {
		if got := follower.Current().Forms[name]; len(got.Params) != len(f.Params) {
			t.Fatalf("form %s has %d fields on the follower, %d on the reader", name, len(got.Params), len(f.Params))
		}
	}
}

func TestAnIndexMadeUnderOtherSettingsIsNotInstalled(t *testing.T) {
	shared := kvShared(t)
	reader := New(func() Setup { return Setup{Reader: &countingReader{}, Key: "old-buildbot"} }, shared)
	follower := New(func() Setup { return Setup{Reader: &countingReader{}, Key: "new-buildbot"} }, shared)
	if _, err := reader.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}

	if err := follower.Sync(); err != nil || follower.Warm() {
		t.Fatalf("installed an index of other settings (err %v)", err)
	}
}

// A node with no index, and nothing shared, reads Buildbot itself; disabling the plugin ends the
// read at once however long Buildbot takes.
func TestFollowReadsBuildbotOnlyWhileColdAndEndsWithItsContext(t *testing.T) {
	r := &countingReader{}
	c := New(func() Setup { return Setup{Reader: r, Key: "k"} }, kvShared(t))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		c.Follow(ctx, func() time.Duration { return time.Millisecond }, func() time.Duration { return time.Hour }, nil, nil)
		close(done)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !c.Warm() && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	if n := r.reads.Load(); n != 1 {
		t.Fatalf("a warm catalog read Buildbot %d times", n)
	}
	cancel()
	<-done

	hung := &countingReader{hang: true}
	c = New(func() Setup { return Setup{Reader: hung, Key: "k2"} }, kvShared(t))
	ctx, cancel = context.WithCancel(context.Background())
	done = make(chan struct{})
	go func() {
		c.Follow(ctx, func() time.Duration { return time.Hour }, func() time.Duration { return time.Hour }, nil, nil)
		close(done)
	}()
	for hung.reads.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a read of a hung Buildbot outlived the plugin")
	}
}

func TestARefreshThatCannotShareStillInstallsItsIndex(t *testing.T) {
	c := New(func() Setup { return Setup{Reader: &countingReader{}, Key: "k"} }, failingShared{})
	if _, err := c.Refresh(context.Background()); err == nil || !c.Warm() {
		t.Fatalf("err %v, warm %v", err, c.Warm())
	}
}

type failingShared struct{}

func (failingShared) Publish(string, *Index) error { return errors.New("the KV store is down") }

func (failingShared) Since(string, time.Time) (*Index, error) {
	return nil, errors.New("the KV store is down")
}

// panicsFirst panics on its first read, as a reply nobody foresaw might make it, and then answers.
type panicsFirst struct {
	countingReader
}

func (r *panicsFirst) Builders(ctx context.Context) ([]buildbot.Builder, error) {
	if r.reads.Load() == 0 {
		r.reads.Add(1)
		panic("a builder without a name")
	}
	return r.countingReader.Builders(ctx)
}

// Follow runs on a goroutine of its own, where a panic would end the plugin: one round that
// panics is reported with its stack, and the next round reads Buildbot as usual.
func TestARoundOfFollowThatPanicsIsReportedAndTheNextOneRuns(t *testing.T) {
	r := &panicsFirst{}
	c := New(func() Setup { return Setup{Reader: r, Key: "k"} }, kvShared(t))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	panics := make(chan string, 10)
	done := make(chan struct{})
	go func() {
		c.Follow(ctx, func() time.Duration { return time.Millisecond }, func() time.Duration { return time.Hour }, nil,
			func(v any, stack []byte) {
				select {
				case panics <- fmt.Sprint(v) + "\n" + string(stack):
				default: // a round panicking every time fails the test below, not here
				}
			})
		close(done)
	}()

	deadline := time.Now().Add(10 * time.Second)
	for !c.Warm() && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done

	if !c.Warm() {
		t.Fatal("the round after the panic did not read Buildbot")
	}
	if len(panics) != 1 {
		t.Fatalf("%d panics reported, want 1", len(panics))
	}
	if got := <-panics; !strings.HasPrefix(got, "a builder without a name\n") || !strings.Contains(got, "(*panicsFirst).Builders") {
		t.Fatalf("reported %s", got)
	}
}

// A scheduled refresh of a Buildbot that hangs may hold the read for minutes; a user's request
// waits for its turn no longer than its own timeout, and keeps the index there is.
func TestARequestWaitsForAHungRefreshNoLongerThanItsOwnTimeout(t *testing.T) {
	reader := &countingReader{}
	c := New(func() Setup { return Setup{Reader: reader, Key: "k"} }, nil)
	if _, err := c.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	reader.hang = true
	scheduled, stop := context.WithCancel(context.Background())
	defer stop()
	go func() { _, _ = c.Refresh(scheduled) }()
	for reader.reads.Load() < 2 {
		time.Sleep(time.Millisecond)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	started := time.Now()
	ix, err := c.Refresh(ctx)

	if waited := time.Since(started); waited > time.Second {
		t.Fatalf("waited %s behind the hung refresh", waited)
	}
	if err == nil || !strings.Contains(err.Error(), "still reading what Buildbot can build") {
		t.Fatalf("err %v", err)
	}
	if _, ok := ix.Lookup("tools"); !ok {
		t.Fatalf("the index in memory was not kept: %v", ix.Names())
	}
}

// Every node offers what was built last first: the times travel with the shared index.
func TestTheSharedIndexKeepsTheOrderOfWhatWasBuiltLast(t *testing.T) {
	shared := kvShared(t)
	src := sources()
	src.Builds = []buildbot.Build{builtAt(3, "older", 100), builtAt(3, "newer", 200), builtAt(1, "main", 50)}
	ix := Build(src, time.Unix(10, 0))
	if err := shared.Publish("k", ix); err != nil {
		t.Fatal(err)
	}

	got, err := shared.Since("k", time.Time{})
	if err != nil || got == nil {
		t.Fatalf("index %v, err %v", got, err)
	}
	if want := []string{"tools", "app", "unforceable"}; !slices.Equal(got.Recent(), want) || !slices.Equal(ix.Recent(), want) {
		t.Fatalf("recent %v on the reader, %v shared, want %v", ix.Recent(), got.Recent(), want)
	}
	if want := []string{"main", "newer", "older"}; !slices.Equal(got.Repos["tools"].Branches, want) {
		t.Fatalf("branches %v, want %v", got.Repos["tools"].Branches, want)
	}
}

// Until the first read of the Buildbot the settings name ends, autocomplete says it is reading;
// with no Buildbot set, nothing is being read.
func TestTheCatalogIsReadingUntilItsFirstReadEnds(t *testing.T) {
	r := &countingReader{}
	reader := Reader(r)
	c := New(func() Setup { return Setup{Reader: reader, Key: "k"} }, nil)
	if !c.Reading() {
		t.Fatal("a cold catalog is not reading")
	}
	if _, err := c.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if c.Reading() {
		t.Fatal("still reading after the first read")
	}
	c.Reset()
	if !c.Reading() {
		t.Fatal("a catalog reset for another Buildbot is not reading")
	}
	reader = nil
	if c.Reading() {
		t.Fatal("reading with no Buildbot set")
	}
}
