package tracker

import (
	"errors"
	"fmt"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/post"
)

// TrackKey is the post prop holding the tracked build's ID, by which a post made just before a
// crash is found again.
const TrackKey = "buildbot_track"

// announceGrace is how long an entry may wait for its post before a tick takes it for one a crash
// interrupted; an announcement in progress takes well under a second.
const announceGrace = 30 * time.Second

// giveUpAnnouncing is when a post that cannot be made (its channel archived, say) stops being tried.
const giveUpAnnouncing = time.Hour

// ErrNotPosted is returned by Announce when Mattermost refused the post; nothing is tracked then.
var ErrNotPosted = errors.New("the status post was not created")

// Announce stores a new build and then creates its status post p, which post.Apply has filled.
// It fails when either cannot be done, and then nothing is tracked.
// The entry comes first so that whatever stops the plugin in between, a tick finds the build and
// finishes announcing it, instead of a post that nobody updates.
func (t *Tracker) Announce(p *model.Post, tr *Tracked) error {
	tr.ID = model.NewId()
	tr.ChannelID, tr.RootID = p.ChannelId, p.RootId
	tr.CreatedAt = time.Now().UnixMilli()
	if err := t.Store.Save(tr); err != nil {
		return err
	}
	if err := t.createPost(p, tr); err != nil {
		_ = t.Store.Delete(tr.ID)
		return fmt.Errorf("%w: %w", ErrNotPosted, err)
	}
	t.expect(tr)
	// Should this save fail, the stored entry still has no post; a tick finds the post by its
	// TrackKey and follows it from there.
	_ = t.Store.Save(tr)
	return nil
}

// posted returns the entries that have a post, first finishing the announcements a crash cut
// short: the post is looked for by its TrackKey, and made when it is not there.
func (t *Tracker) posted(all []*Tracked) []*Tracked {
	out := all[:0]
	for _, tr := range all {
		if tr.PostID == "" && !t.resume(tr) {
			continue
		}
		out = append(out, tr)
	}
	return out
}

func (t *Tracker) resume(tr *Tracked) bool {
	age := time.Since(time.UnixMilli(tr.CreatedAt))
	if age < announceGrace {
		return false
	}
	posts, err := t.Posts.PostsSince(tr.ChannelID, tr.CreatedAt-time.Second.Milliseconds())
	if err != nil {
		return false
	}
	for _, p := range posts {
		if id, _ := p.GetProp(TrackKey).(string); id == tr.ID && p.DeleteAt == 0 {
			tr.PostID, tr.Rendered = p.Id, p.Message
			return t.Store.Save(tr) == nil
		}
	}
	p := &model.Post{UserId: t.BotID, ChannelId: tr.ChannelID, RootId: tr.RootID}
	post.Apply(p, tr.Props, t.ActionURL)
	if err := t.createPost(p, tr); err != nil {
		if age > giveUpAnnouncing {
			_ = t.Store.Delete(tr.ID)
		}
		return false
	}
	return t.Store.Save(tr) == nil
}

// createPost makes a tracked build's post, marked with its TrackKey, and notes the post in tr.
func (t *Tracker) createPost(p *model.Post, tr *Tracked) error {
	p.AddProp(TrackKey, tr.ID)
	if err := t.Posts.CreatePost(p); err != nil {
		return err
	}
	tr.PostID, tr.Rendered = p.Id, p.Message
	return nil
}
