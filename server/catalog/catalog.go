package catalog

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/config"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
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
	// OwnProjects matches the project of every change this plugin sends.
	OwnProjects *regexp.Regexp
	// Key names the Buildbot and the settings an index is made for, so a node never installs
	// an index another node made under other settings.
	Key string
}

// Source gives the setup in force.
type Source func() Setup

// Catalog holds the newest Index. One node of a cluster reads Buildbot for all (Refresh, on a
// schedule) and shares the index; the others install it (Sync). A node reads Buildbot itself only
// while it has no index, or when asked for a name the index does not know.
type Catalog struct {
	source  Source
	shared  Shared
	current atomic.Pointer[Index]
	// generation changes when the settings do, so a refresh started before cannot install
	// an index of the old Buildbot.
	generation atomic.Int64

	// reading is held by the one call reading Buildbot or installing a shared index: a slot of
	// one, so a caller waiting behind a slow read gives up when its own context ends.
	reading chan struct{}
}

// New makes an empty catalog reading from source and sharing through shared, which may be nil.
func New(source Source, shared Shared) *Catalog {
	return &Catalog{source: source, shared: shared, reading: make(chan struct{}, 1)}
}

// take waits for the turn to read Buildbot, at most until ctx ends.
func (c *Catalog) take(ctx context.Context) error {
	select {
	case c.reading <- struct{}{}:
		return nil
	case <-ctx.Done():
		return i18n.NewError(i18n.T("catalog.busy",
			"The plugin is still reading what Buildbot can build, for longer than this request may wait; try again in a moment."))
	}
}

func (c *Catalog) release() { <-c.reading }

// Current returns the newest index, or an empty one before the first refresh. It never blocks.
func (c *Catalog) Current() *Index {
	if ix := c.current.Load(); ix != nil {
		return ix
	}
	return &Index{Repos: map[string]*Repo{}}
}

// Warm says whether a refresh has succeeded since the settings last changed.
func (c *Catalog) Warm() bool { return c.current.Load() != nil }

// Reading says whether the catalog waits for its first read of the Buildbot the settings name:
// until it ends, autocomplete knows no repo and says why.
func (c *Catalog) Reading() bool { return !c.Warm() && c.source().Reader != nil }

// Reset forgets the index, for when the settings point at another Buildbot.
func (c *Catalog) Reset() {
	c.generation.Add(1)
	c.current.Store(nil)
}

// Refresh reads Buildbot once and installs the new index. Concurrent calls take turns, each waiting
// at most until its own context ends: a user's request never waits out a scheduled refresh of a
// slow Buildbot.
func (c *Catalog) Refresh(ctx context.Context) (*Index, error) {
	if err := c.take(ctx); err != nil {
		return c.Current(), err
	}
	defer c.release()
	generation := c.generation.Load()
	setup := c.source()
	if setup.Reader == nil {
		return c.Current(), errors.New("the plugin is not configured")
	}
	src, err := read(ctx, setup.Reader)
	if err != nil {
		return c.Current(), err
	}
	src.RequireScheduler, src.Mapping, src.OwnProjects = setup.RequireScheduler, setup.Mapping, setup.OwnProjects
	ix := Build(src, time.Now())
	if c.generation.Load() != generation {
		return ix, nil
	}
	c.current.Store(ix)
	if c.shared != nil {
		if err := c.shared.Publish(setup.Key, ix); err != nil {
			return ix, fmt.Errorf("share what Buildbot can build: %w", err)
		}
	}
	return ix, nil
}

// Sync installs an index another node read since this node's, under the same settings.
func (c *Catalog) Sync() error {
	if c.shared == nil {
		return nil
	}
	// Installing a shared index is quick, but waits behind a read of Buildbot.
	if err := c.take(context.Background()); err != nil {
		return err
	}
	defer c.release()
	generation := c.generation.Load()
	setup := c.source()
	if setup.Reader == nil {
		return nil
	}
	var since time.Time
	if ix := c.current.Load(); ix != nil {
		since = ix.RefreshedAt
	}
	ix, err := c.shared.Since(setup.Key, since)
	if err != nil {
		return fmt.Errorf("read what another node read from Buildbot: %w", err)
	}
	if ix != nil && c.generation.Load() == generation {
		c.current.Store(ix)
	}
	return nil
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
	src.Builds, err = r.Builds(ctx, buildbot.Query{Order: []string{"-buildid"}, Limit: recentBuilds, Properties: []string{"branch", "repository", "project"}})
	if err != nil {
		return src, fmt.Errorf("read recent builds: %w", err)
	}
	src.Stamps, err = r.SourceStamps(ctx, buildbot.Query{Order: []string{"-ssid"}, Limit: recentStamps})
	if err != nil {
		return src, fmt.Errorf("read source stamps: %w", err)
	}
	return src, nil
}

// Follow keeps the catalog current until ctx ends: every interval() it installs what another
// node shared, and reads Buildbot itself only while it has no index. onError hears failures,
// onPanic a round that panicked, with the stack where it did; the next round runs as usual.
func (c *Catalog) Follow(ctx context.Context, interval func() time.Duration, timeout func() time.Duration, onError func(error),
	onPanic func(value any, stack []byte)) {
	for ctx.Err() == nil {
		if err := c.catchUp(ctx, timeout, onPanic); err != nil && onError != nil && ctx.Err() == nil {
			onError(err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(interval()):
		}
	}
}

// catchUp is one round of Follow. A panic in it, on a reply nobody foresaw, fails that round only:
// Follow runs on a goroutine of its own, where a panic would end the plugin.
func (c *Catalog) catchUp(ctx context.Context, timeout func() time.Duration, onPanic func(value any, stack []byte)) error {
	defer func() {
		if v := recover(); v != nil && onPanic != nil {
			onPanic(v, debug.Stack())
		}
	}()
	if err := c.Sync(); err != nil || c.Warm() {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 4*timeout())
	defer cancel()
	_, err := c.Refresh(ctx)
	return err
}

// SetupFor reads the setup from the settings in force.
func SetupFor(snap *config.Snapshot) Setup {
	if !snap.Ready() {
		return Setup{}
	}
	mapping, _ := snap.Config.RepoMapping() // Ready means it parsed
	key := sha256.Sum256([]byte(snap.Buildbot.Fingerprint() + "\x00" + snap.Config.TriggerMode + "\x00" + snap.Config.RepoBuilders +
		"\x00" + snap.Config.ProjectTemplate))
	return Setup{Reader: snap.Buildbot, RequireScheduler: snap.Config.TriggerMode == config.TriggerForce, Mapping: mapping,
		OwnProjects: ownProjects(snap.Config.ProjectTemplate), Key: hex.EncodeToString(key[:8])}
}

// ownProjects matches what the project template makes of any repo and branch. A template of the
// repo alone makes projects that do name repos: it matches nothing.
func ownProjects(template string) *regexp.Regexp {
	if template == "" || template == "{repo}" {
		return nil
	}
	pattern := strings.NewReplacer(`\{repo\}`, ".*", `\{branch\}`, ".*").Replace(regexp.QuoteMeta(template))
	return regexp.MustCompile("^" + pattern + "$")
}
