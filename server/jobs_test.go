package main

import (
	"bytes"
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/pluginapi/cluster"
	"github.com/stretchr/testify/require"
)

// A burst of Buildbot's events ticks once at its start and once for the rest; a lone event ticks
// at once. The gap here is an hour, so the test needs no timing to hold.
func TestKicksOfABurstMergeButTheFirstTicksAtOnce(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	kicks := make(chan struct{}, 1)
	var ticks atomic.Int32
	ticked := make(chan struct{}, 10)
	go coalesce(ctx, kicks, nil, time.Hour, func() { ticks.Add(1); ticked <- struct{}{} })

	kicks <- struct{}{}
	select {
	case <-ticked:
	case <-time.After(10 * time.Second):
		t.Fatal("the first kick did not tick")
	}
	for i := 0; i < 20; i++ {
		select {
		case kicks <- struct{}{}:
		default:
		}
	}
	time.Sleep(100 * time.Millisecond)

	if n := ticks.Load(); n != 1 {
		t.Fatalf("%d ticks within the gap", n)
	}
}

// A result comes moments after the last step's events, whose tick starts a gap: it must not
// wait that gap out.
func TestAnUrgentKickDoesNotWaitOutTheGap(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	kicks, urgent := make(chan struct{}, 1), make(chan struct{}, 1)
	ticked := make(chan struct{}, 10)
	go coalesce(ctx, kicks, urgent, time.Hour, func() { ticked <- struct{}{} })
	kicks <- struct{}{}
	<-ticked
	kicks <- struct{}{}

	urgent <- struct{}{}

	select {
	case <-ticked:
	case <-time.After(10 * time.Second):
		t.Fatal("a result waited for the gap a step's event began")
	}
	urgent <- struct{}{}
	select {
	case <-ticked:
	case <-time.After(10 * time.Second):
		t.Fatal("a second result waited")
	}
}

func TestCoalescingEndsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	kicks := make(chan struct{}, 1)
	done := make(chan struct{})
	go func() { coalesce(ctx, kicks, nil, time.Hour, func() {}); close(done) }()
	kicks <- struct{}{}
	kicks <- struct{}{}

	cancel()

	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a kick waiting out its gap held the plugin up")
	}
}

// every waits an interval before each run, takes a new interval within a second, and ends with its
// context.
func TestEveryRunsEachIntervalAndTakesANewOneAtOnce(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var interval atomic.Int64
	interval.Store(int64(time.Hour))
	runs := make(chan time.Time, 10)
	ended := make(chan struct{})
	started := time.Now()
	go func() {
		defer close(ended)
		every(ctx, func() time.Duration { return time.Duration(interval.Load()) }, func() { runs <- time.Now() })
	}()

	select {
	case <-runs:
		t.Fatal("ran before its interval")
	case <-time.After(300 * time.Millisecond):
	}
	interval.Store(int64(100 * time.Millisecond))
	select {
	case at := <-runs:
		if at.Sub(started) > 3*time.Second {
			t.Fatalf("the new interval took %v", at.Sub(started))
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the new interval was not taken")
	}
	cancel()
	select {
	case <-ended:
	case <-time.After(5 * time.Second):
		t.Fatal("did not end with its context")
	}
}

// lockStore is the KV store as cluster.Mutex uses it: one key, compare-and-set, writes counted.
type lockStore struct {
	mu     sync.Mutex
	key    string
	value  []byte
	writes int
}

func (l *lockStore) KVSetWithOptions(key string, value []byte, o model.PluginKVSetOptions) (bool, *model.AppError) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.key = key
	l.writes++
	if o.Atomic && !bytes.Equal(l.value, o.OldValue) {
		return false, nil
	}
	l.value = value
	return true, nil
}

func (l *lockStore) LogError(string, ...any) {}

func (l *lockStore) held() (value []byte, writes int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.value, l.writes
}

// A server that does not lead reads the lock until it is free, and writes nothing: trying the
// lock every second, as cluster.Mutex does, was two statements a second on Mattermost's database
// from every server but one. Once the leader's lock is gone, it takes over.
func TestAServerThatDoesNotLeadOnlyLooksAtTheLockUntilItIsFree(t *testing.T) {
	store := &lockStore{value: []byte{1}}
	mutex, err := cluster.NewMutex(store, leaderLock)
	require.NoError(t, err)
	var peeks atomic.Int32
	lockFree := func() bool {
		peeks.Add(1)
		value, _ := store.held()
		return value == nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	led := make(chan error, 1)
	go func() { led <- awaitLead(ctx, mutex, lockFree, 20*time.Millisecond) }()

	time.Sleep(200 * time.Millisecond)
	_, writes := store.held()
	require.Zero(t, writes, "tried the lock another server holds")
	require.Greater(t, peeks.Load(), int32(3))

	// The leader died and its lock expired.
	store.mu.Lock()
	store.value = nil
	store.mu.Unlock()
	select {
	case err := <-led:
		require.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("the lock was free and this server did not take it")
	}
	value, _ := store.held()
	require.NotNil(t, value)
	// The key this server looked at is the one pluginapi locks.
	require.Equal(t, leaderLockKey, store.key)
	mutex.Unlock()
}
