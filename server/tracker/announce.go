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
		if err := t.Store.Delete(tr.ID); err != nil {
			t.warn("Could not forget a build whose post Mattermost refused", tr, "error", err.Error())
		}
		return fmt.Errorf("%w: %w", ErrNotPosted, err)
	}
	t.expect(tr)
	t.markChat(tr, p.Id)
	t.settle(tr, p.Id)
	return nil
}

// markChat notes the channel and post of a chat post's requests, so a subscription of that
// channel does not post the same build again, and the Builds panel links the post.
func (t *Tracker) markChat(tr *Tracked, postID string) {
	for _, r := range tr.Props.Rows {
		if err := t.Store.MarkChat(tr.Props.Source, r.RequestID, tr.ChannelID, postID); err != nil {
			t.warn("Could not note a chat post's request", tr, "error", err.Error())
		}
	}
}

// settle records the post an announcement made, unless a tick took the announcement over
// meanwhile (it waited past announceGrace): then the entry names the post to keep, and this one
// goes if it is not that one, so the build has one post.
func (t *Tracker) settle(tr *Tracked, postID string) {
	written, err := t.Store.Claim(tr)
	if err != nil {
		// The stored entry has no post yet; a tick finds this one by its TrackKey.
		t.warn("Could not store a new build's post; a tick will find it", tr, "error", err.Error())
		return
	}
	if written {
		return
	}
	now, err := t.Store.Get(tr.ID)
	if err != nil || now == nil || now.PostID == "" || now.PostID == postID {
		return
	}
	if err := t.Posts.DeletePost(postID); err != nil {
		t.warn("Could not delete a second post of a build", tr, "duplicate_post_id", postID, "error", err.Error())
	}
}

// NoteStopper keeps who asked to stop a build, for the tick that sees it stop.
func (t *Tracker) NoteStopper(trackID, username string) error {
	return t.Store.NoteStopper(trackID, username)
}

// posted returns the entries that have a post, first finishing the announcements a crash cut
// short: the post is looked for by its TrackKey, and made when it is not there.
func (t *Tracker) posted(all []*Tracked) []*Tracked {
	out := all[:0]
	for _, tr := range all {
		if tr.PostID == "" && !tr.Pending {
			if tr = tr.copy(); !t.resume(tr) {
				continue
			}
		}
		out = append(out, tr)
	}
	return out
}

// resume finishes an announcement that has had no post for announceGrace. It first claims the
// entry with a compare-and-set, so of two nodes (or a node and the announcement, still running)
// one only goes on.
func (t *Tracker) resume(tr *Tracked) bool {
	last := time.UnixMilli(max(tr.CreatedAt, tr.ClaimedAt))
	if time.Since(last) < announceGrace {
		return false
	}
	tr.ClaimedAt = time.Now().UnixMilli()
	if claimed, err := t.Store.Claim(tr); err != nil || !claimed {
		return false
	}
	posts, err := t.Posts.PostsSince(tr.ChannelID, tr.CreatedAt-time.Second.Milliseconds())
	if err != nil {
		t.warn("Could not look for the post of an interrupted announcement", tr, "error", err.Error())
		return false
	}
	for _, p := range posts {
		if id, _ := p.GetProp(TrackKey).(string); id == tr.ID && p.DeleteAt == 0 {
			tr.PostID, tr.Shown = p.Id, ""
			return t.saved(tr)
		}
	}
	if err := t.postEntry(tr); err != nil {
		if time.Since(time.UnixMilli(tr.CreatedAt)) > giveUpAnnouncing {
			t.warn("Gave up posting a build Mattermost keeps refusing to post", tr, "channel_id", tr.ChannelID, "error", err.Error())
			t.forget(tr)
		}
		return false
	}
	return t.saved(tr)
}

// saved stores an entry and says whether it could.
func (t *Tracker) saved(tr *Tracked) bool {
	if err := t.Store.Save(tr); err != nil {
		t.warn("Could not store a followed build", tr, "error", err.Error())
		return false
	}
	return true
}

// postEntry makes the post of an entry that has none yet, from what the entry holds.
func (t *Tracker) postEntry(tr *Tracked) error {
	p := &model.Post{UserId: t.BotID, ChannelId: tr.ChannelID, RootId: tr.RootID}
	post.Apply(p, tr.Props, t.ActionURL, t.Words.Server())
	if err := t.createPost(p, tr); err != nil {
		return err
	}
	t.postsChanged = true
	return nil
}

// createPost makes a tracked build's post, marked with its TrackKey, and notes the post in tr.
func (t *Tracker) createPost(p *model.Post, tr *Tracked) error {
	p.AddProp(TrackKey, tr.ID)
	if err := t.Posts.CreatePost(p); err != nil {
		return err
	}
	tr.PostID, tr.Shown = p.Id, post.Digest(tr.Props)
	return nil
}
