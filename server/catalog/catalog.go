package catalog

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/config"
)

// How much history a refresh reads: enough to know the branches people build, bounded so one
// refresh stays a handful of small requests however busy the Buildbot.
const (
	recentBuilds = 1000
	recentStamps = 1000
)

// Reader is the part of the Buildbot client a refresh uses.
type Reader interface {
	Builders(ctx context.Context) ([]buildbot.Builder, error)
	ForceSchedulers(ctx context.Context) ([]buildbot.ForceScheduler, error)
	Projects(ctx context.Context) ([]buildbot.Project, error)
	Builds(ctx context.Context, q buildbot.Query) ([]buildbot.Build, error)
	SourceStamps(ctx context.Context, q buildbot.Query) ([]buildbot.SourceStamp, error)
}

// Setup is which Buildbot to read and how, as of now.
type Setup struct {
	// Reader is nil while the plugin is not configured.
	Reader Reader
	// RequireScheduler keeps only builders a force scheduler serves (force mode).
	RequireScheduler bool
	Mapping          map[string][]string
}

// Source gives the setup in force.
type Source func() Setup

// Catalog holds the newest Index and refreshes it in the background.
type Catalog struct {
	source  Source
	current atomic.Pointer[Index]
	// generation changes when the settings do, so a refresh started before cannot install
	// an index of the old Buildbot.
	generation atomic.Int64

	refreshMu sync.Mutex
	stop      chan struct{}
	done      chan struct{}
}

// New makes an empty catalog reading from source.
func New(source Source) *Catalog {
	return &Catalog{source: source}
}

// Current returns the newest index, or an empty one before the first refresh. It never blocks.
func (c *Catalog) Current() *Index {
	if ix := c.current.Load(); ix != nil {
		return ix
	}
	return &Index{Repos: map[string]*Repo{}}
}

// Warm says whether a refresh has succeeded since the settings last changed.
func (c *Catalog) Warm() bool { return c.current.Load() != nil }

// Reset forgets the index, for when the settings point at another Buildbot.
func (c *Catalog) Reset() {
	c.generation.Add(1)
	c.current.Store(nil)
}

// Refresh reads Buildbot once and installs the new index. Concurrent calls wait for one another,
// so a burst of triggers costs one refresh each, in turn.
func (c *Catalog) Refresh(ctx context.Context) (*Index, error) {
	c.refreshMu.Lock()
	defer c.refreshMu.Unlock()
	generation := c.generation.Load()
	setup := c.source()
	if setup.Reader == nil {
		return c.Current(), errors.New("the plugin is not configured")
	}
	src, err := read(ctx, setup.Reader)
	if err != nil {
		return c.Current(), err
	}
	src.RequireScheduler, src.Mapping = setup.RequireScheduler, setup.Mapping
	ix := Build(src, time.Now())
	if c.generation.Load() == generation {
		c.current.Store(ix)
	}
	return ix, nil
}

func read(ctx context.Context, r Reader) (Sources, error) {
	var src Sources
	var err error
	if src.Builders, err = r.Builders(ctx); err != nil {
		return src, fmt.Errorf("read builders: %w", err)
	}
	if src.Schedulers, err = r.ForceSchedulers(ctx); err != nil {
		return src, fmt.Errorf("read force schedulers: %w", err)
	}
	if src.Projects, err = r.Projects(ctx); err != nil && !errors.Is(err, buildbot.ErrNotSupported) {
		return src, fmt.Errorf("read projects: %w", err)
	}
	src.Builds, err = r.Builds(ctx, buildbot.Query{Order: []string{"-buildid"}, Limit: recentBuilds, Properties: []string{"branch"}})
	if err != nil {
		return src, fmt.Errorf("read recent builds: %w", err)
	}
	src.Stamps, err = r.SourceStamps(ctx, buildbot.Query{Order: []string{"-ssid"}, Limit: recentStamps})
	if err != nil {
		return src, fmt.Errorf("read source stamps: %w", err)
	}
	return src, nil
}

// Start refreshes now and then every interval() until Stop. onError hears failed refreshes.
func (c *Catalog) Start(interval func() time.Duration, timeout func() time.Duration, onError func(error)) {
	c.stop = make(chan struct{})
	c.done = make(chan struct{})
	go func() {
		defer close(c.done)
		for {
			ctx, cancel := context.WithTimeout(context.Background(), 4*timeout())
			if _, err := c.Refresh(ctx); err != nil && onError != nil {
				onError(err)
			}
			cancel()
			select {
			case <-c.stop:
				return
			case <-time.After(interval()):
			}
		}
	}()
}

// Kick asks for a refresh soon, without waiting for it.
func (c *Catalog) Kick(timeout time.Duration) {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		_, _ = c.Refresh(ctx)
	}()
}

// Stop ends the background refresh and waits for it.
func (c *Catalog) Stop() {
	if c.stop == nil {
		return
	}
	close(c.stop)
	<-c.done
	c.stop = nil
}

// SetupFor reads the setup from the settings in force.
func SetupFor(snap *config.Snapshot) Setup {
	if !snap.Ready() {
		return Setup{}
	}
	mapping, _ := snap.Config.RepoMapping() // Ready means it parsed
	return Setup{Reader: snap.Buildbot, RequireScheduler: snap.Config.TriggerMode == config.TriggerForce, Mapping: mapping}
}
