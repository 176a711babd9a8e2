package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/access"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/catalog"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/post"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/preview"
)

// Previews shows what the links people paste to the configured Buildbot point at: an attachment
// added to the message as it is posted or edited, and the live state the webapp reads again
// while it changes. Both follow /build status's rules for the channel: where status would be
// refused, nothing is shown.
type Previews struct {
	App *App
	// Watch notes that a channel shows live previews of builds of these builders, so the node that
	// follows Buildbot's events tells that channel when to read them again. It may be nil.
	Watch func(channelID string, builderIDs []int) error

	cache previewCache
}

// PreviewWait bounds Buildbot's reads while a message waits for its previews: the person who
// posted waits too, so a slow Buildbot means a message without previews, never a slow message.
const PreviewWait = 2 * time.Second

// ErrNoPreviews says a post has no previews to read: none were made, or it is gone.
var ErrNoPreviews = errors.New("the post has no previews of Buildbot links")

// Add is what a message posted (old nil) or edited gets: the post with previews of the Buildbot
// links it pastes, or nil to keep it as it is. Anything that goes wrong means no preview, and the
// message goes on as written.
func (pv *Previews) Add(ctx context.Context, p, old *model.Post) *model.Post {
	a := pv.App
	if p.UserId == a.BotID {
		return nil
	}
	snap := a.Snapshot()
	hadMarker := p.GetProp(post.PreviewsKey) != nil
	var links []preview.Link
	if snap.Ready() && snap.Config.PreviewsEnabled() && previewable(p) {
		links = preview.Find(p.Message, snap.Config.LinkBaseURL())
	}
	if len(links) == 0 && !hadMarker {
		return nil
	}
	// Previews the plugin made before, or a client's imitation of them: either is made anew.
	out := p.Clone()
	post.RemovePreviews(out)
	unchanged := func() *model.Post {
		if hadMarker {
			return out
		}
		return nil
	}
	if len(links) == 0 || out.GetProp(model.PostPropsAttachments) != nil {
		// A message with attachments of its own (an integration's) is left as it came.
		return unchanged()
	}
	base := snap.Config.LinkBaseURL()
	urls := make([]string, len(links))
	for i, l := range links {
		urls[i] = l.URL(base)
	}
	if _, err := a.Gate.Check(snap, access.Request{Action: access.View, UserID: p.UserId, ChannelID: p.ChannelId}); err != nil {
		return unchanged()
	}
	if old != nil && post.SamePreviews(urls, old) {
		// An edit that kept the links keeps their previews, with no wait on Buildbot.
		out.AddProp(model.PostPropsAttachments, old.GetProp(model.PostPropsAttachments))
		out.AddProp(post.PreviewsKey, old.GetProp(post.PreviewsKey))
		return out
	}
	ctx, cancel := context.WithTimeout(ctx, min(PreviewWait, snap.Config.RequestTimeout()))
	defer cancel()
	// The catalog in memory says which builders chat sees. A message does not read it from
	// Buildbot: after new settings, it waits within its time for the read they started.
	if !warm(ctx, a.Catalog) {
		return unchanged()
	}
	ix := a.Catalog.Current()
	reads := readLinks(ctx, links, func(ctx context.Context, l preview.Link) (previewRead, error) {
		return readLink(ctx, snap.Buildbot, ix, base, l, false)
	})
	var shown []post.Props
	var live []int
	for i, r := range reads {
		if r.err != nil {
			continue
		}
		shown = append(shown, r.props)
		if (!r.props.State.Done() || links[i].Kind == preview.KindBuilder) && !slices.Contains(live, r.builderID) {
			live = append(live, r.builderID)
		}
	}
	if len(shown) == 0 {
		return unchanged()
	}
	post.ApplyPreviews(out, shown, a.Words.Server())
	if len(live) > 0 && pv.Watch != nil {
		if err := pv.Watch(out.ChannelId, live); err != nil && a.Log != nil {
			a.Log.LogInfo("Could not note a channel's live Buildbot previews", "channel_id", out.ChannelId, "error", err.Error())
		}
	}
	return out
}

// warm waits until the catalog holds what Buildbot can build, or ctx ends.
func warm(ctx context.Context, c *catalog.Catalog) bool {
	for !c.Warm() {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(50 * time.Millisecond):
		}
	}
	return true
}

// previewable says whether a post is a person's message: not the bot's, an integration's, a
// system message or another plugin's type. The from_ props are the server's marks, which a client
// can set too; a message that sets them only goes without previews.
func previewable(p *model.Post) bool {
	if p.Type != model.PostTypeDefault {
		return false
	}
	for _, mark := range []string{model.PostPropsFromWebhook, model.PostPropsFromBot, model.PostPropsFromPlugin} {
		if fmt.Sprint(p.GetProp(mark)) == "true" {
			return false
		}
	}
	return true
}

// Live is the state now of what a previewed post's links show, for a user who reads its channel
// where /build status is allowed: the links are read again from the message, never from what a
// client sent. after asks for state read no earlier than then (the event that told the webapp to
// read again); zero takes what the plugin read moments ago.
func (pv *Previews) Live(ctx context.Context, userID, postID string, after time.Time) ([]post.Props, error) {
	a := pv.App
	snap := a.Snapshot()
	if !snap.Ready() || !snap.Config.PreviewsEnabled() {
		return nil, ErrNoPreviews
	}
	p, err := a.MM.GetPost(postID)
	if err != nil || p.DeleteAt != 0 {
		return nil, ErrNoPreviews
	}
	if _, err := a.Gate.Check(snap, access.Request{Action: access.View, UserID: userID, ChannelID: p.ChannelId}); err != nil {
		return nil, err
	}
	if _, ok := post.PreviewedLinks(p); !ok {
		return nil, ErrNoPreviews
	}
	links := preview.Find(p.Message, snap.Config.LinkBaseURL())
	if len(links) == 0 {
		return nil, ErrNoPreviews
	}
	ix, err := a.repos(ctx, "")
	if err != nil {
		return nil, err
	}
	base := snap.Config.LinkBaseURL()
	source := snap.Buildbot.Fingerprint()
	reads := readLinks(ctx, links, func(ctx context.Context, l preview.Link) (previewRead, error) {
		return pv.cache.get(source+" "+l.URL(base), after, func() (previewRead, error) {
			return readLink(ctx, snap.Buildbot, ix, base, l, true)
		})
	})
	previews := []post.Props{}
	for _, r := range reads {
		if r.err == nil {
			previews = append(previews, r.props)
		} else if !errors.Is(r.err, errNotPreviewed) {
			err = r.err
		}
	}
	if len(previews) == 0 && err != nil {
		return nil, err
	}
	return previews, nil
}

// previewRead is one link as Buildbot showed it.
type previewRead struct {
	props     post.Props
	builderID int
	err       error
}

// errNotPreviewed is a link to something chat does not see: a builder /build does not offer, or
// nothing at all.
var errNotPreviewed = errors.New("nothing chat may see")

// readLinks reads every link at once, so a message waits for the slowest, not for their sum.
func readLinks(ctx context.Context, links []preview.Link, read func(context.Context, preview.Link) (previewRead, error)) []previewRead {
	reads := make([]previewRead, len(links))
	var wg sync.WaitGroup
	for i, l := range links {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := read(ctx, l)
			r.err = err
			reads[i] = r
		}()
	}
	wg.Wait()
	return reads
}

// previewProperties are the build properties a preview shows.
var previewProperties = []string{"branch", "revision"}

// readLink asks Buildbot what a link shows: one read for a build or a builder, two for a request,
// and, when steps is set, one more for a running build's steps. A builder chat does not see is
// not read at all.
func readLink(ctx context.Context, bb *buildbot.Client, ix *catalog.Index, base string, l preview.Link, steps bool) (previewRead, error) {
	shown := post.Previewed{Link: l.URL(base), LinkBase: base, BuilderID: l.BuilderID}
	var builds []buildbot.Build
	var err error
	switch l.Kind {
	case preview.KindBuild, preview.KindBuilder:
		if !ix.Serves(l.BuilderID) {
			return previewRead{}, errNotPreviewed
		}
		q := buildbot.Query{Filters: []buildbot.Filter{buildbot.Where("builderid", "eq", l.BuilderID)}, Properties: previewProperties, Limit: 1}
		if l.Kind == preview.KindBuild {
			q.Filters = append(q.Filters, buildbot.Where("number", "eq", l.Number))
		} else {
			q.Order = []string{"-number"}
		}
		builds, err = bb.Builds(ctx, q)
	case preview.KindRequest:
		var reqs []buildbot.BuildRequest
		reqs, err = bb.BuildRequests(ctx, buildbot.Query{Filters: []buildbot.Filter{buildbot.Where("buildrequestid", "eq", l.RequestID)},
			Fields: buildbot.BuildRequestFields})
		if err != nil {
			return previewRead{}, err
		}
		if len(reqs) == 0 || !ix.Serves(reqs[0].BuilderID) {
			return previewRead{}, errNotPreviewed
		}
		shown.Request, shown.BuilderID = &reqs[0], reqs[0].BuilderID
		builds, err = bb.BuildRequestBuilds(ctx, l.RequestID, buildbot.Query{Properties: previewProperties})
	}
	if err != nil {
		return previewRead{}, err
	}
	// A retried request's newest build is the one that counts. What the link does not name is
	// left out, whatever Buildbot answered: a master that ignores a filter answers with others.
	for i, b := range builds {
		named := b.BuilderID == shown.BuilderID && (l.Kind != preview.KindBuild || b.Number == l.Number)
		if named && (shown.Build == nil || b.BuildID > shown.Build.BuildID) {
			shown.Build = &builds[i]
		}
	}
	if shown.Build == nil && shown.Request == nil {
		return previewRead{}, errNotPreviewed
	}
	if steps && shown.Build != nil && !shown.Build.Complete {
		// The step is a detail: the card shows the build without it when Buildbot does not answer.
		shown.Steps, _ = bb.Steps(ctx, shown.Build.BuildID, buildbot.Query{})
	}
	shown.Repo, shown.Builder = servedBuilder(ix, shown.BuilderID)
	return previewRead{props: post.PreviewProps(shown), builderID: shown.BuilderID}, nil
}

// servedBuilder names a builder chat may build on, and its repo.
func servedBuilder(ix *catalog.Index, builderID int) (repo, builder string) {
	for _, r := range ix.Repos {
		for _, t := range r.Targets {
			if t.BuilderID == builderID {
				return r.Name, t.Builder
			}
		}
	}
	return "", ""
}

// previewFresh is how long a link's state serves every viewer without reading Buildbot again:
// a channel of readers whose webapps all read again at one event cost Buildbot one read.
const previewFresh = 3 * time.Second

// previewCacheSize bounds what the cache keeps; past it, what is no longer fresh goes.
const previewCacheSize = 1000

// previewCache keeps each link's last read on this node, and lets readers that ask at the same
// time share one read.
type previewCache struct {
	mu      sync.Mutex
	entries map[string]cachedRead
	flights map[string]*flight
}

type cachedRead struct {
	read previewRead
	at   time.Time
}

// flight is a read under way; done closes when read holds its outcome.
type flight struct {
	started time.Time
	done    chan struct{}
	read    previewRead
	err     error
}

// get is key's read, taken at or after after and at most previewFresh ago: from the cache, from a
// read under way that began late enough, or from read.
func (c *previewCache) get(key string, after time.Time, read func() (previewRead, error)) (previewRead, error) {
	c.mu.Lock()
	if c.entries == nil {
		c.entries, c.flights = map[string]cachedRead{}, map[string]*flight{}
	}
	if e, ok := c.entries[key]; ok && !e.at.Before(after) && time.Since(e.at) < previewFresh {
		c.mu.Unlock()
		return e.read, nil
	}
	if f, ok := c.flights[key]; ok && !f.started.Before(after) {
		c.mu.Unlock()
		<-f.done
		return f.read, f.err
	}
	f := &flight{started: time.Now(), done: make(chan struct{})}
	c.flights[key] = f
	c.mu.Unlock()

	f.read, f.err = read()
	c.mu.Lock()
	if c.flights[key] == f {
		delete(c.flights, key)
	}
	if f.err == nil {
		if len(c.entries) >= previewCacheSize {
			for k, e := range c.entries {
				if time.Since(e.at) >= previewFresh {
					delete(c.entries, k)
				}
			}
		}
		if len(c.entries) < previewCacheSize {
			c.entries[key] = cachedRead{read: f.read, at: f.started}
		}
	}
	c.mu.Unlock()
	close(f.done)
	return f.read, f.err
}
