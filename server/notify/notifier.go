package notify

import (
	"fmt"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/post"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/tracker"
)

// Mattermost is what the notifier asks the server.
type Mattermost interface {
	GetUserByUsername(username string) (*model.User, error)
	GetDirectChannel(userID1, userID2 string) (*model.Channel, error)
	CreatePost(p *model.Post) error
}

// Users finds the user a commit address belongs to, as Mattermost's privacy settings allow (package
// authors).
type Users interface {
	UserByEmail(email string) (*model.User, bool)
}

// Logger hears what could not be done.
type Logger interface {
	LogWarn(msg string, keyValuePairs ...any)
}

// Notifier sends the direct messages the tracker asks for when builds end or break.
type Notifier struct {
	Store *Store
	MM    Mattermost
	Users Users
	BotID string
	Words *i18n.Bundle
	// SiteURL is Mattermost's address, for the permalinks.
	SiteURL func() string
	// May says whether the gate lets a user see builds in a channel, as /build status there would:
	// nobody hears of a build where /build would be refused.
	May func(userID, channelID, teamID string) bool
	Log Logger
}

// Ended tells whoever clicked Notify me, and whoever started the build from chat as their settings
// ask, that a build ended.
func (n *Notifier) Ended(tr *tracker.Tracked) {
	told := map[string]bool{}
	waiting, err := n.Store.TakeWaiting(tr.ID)
	if err != nil {
		n.warn("Could not read who waits for a build's end", tr, err)
	}
	for _, userID := range waiting {
		if !told[userID] {
			told[userID] = true
			n.tell(userID, post.WhyAsked, tr)
		}
	}
	if tr.Props.RequestedBy != "" {
		if u, err := n.MM.GetUserByUsername(tr.Props.RequestedBy); err == nil && !told[u.Id] && n.wantsOwn(u.Id, tr.Props) {
			n.tell(u.Id, post.WhyStarted, tr)
		}
	}
}

// Involved notes a build that ended among the recent builds of the authors of its changes, for
// /build mine.
func (n *Notifier) Involved(tr *tracker.Tracked, authors []string) {
	for _, email := range authors {
		if u, ok := n.Users.UserByEmail(email); ok {
			n.noteRecent(u.Id, tr)
		}
	}
}

// wantsOwn says whether a user's settings ask for the end of their own build.
func (n *Notifier) wantsOwn(userID string, props post.Props) bool {
	settings, err := n.Store.Settings(userID)
	if err != nil {
		return false
	}
	return settings.OwnBuilds == OwnBuildsAlways || settings.OwnBuilds == OwnBuildsFailures && props.Failed()
}

// Broke tells each author of the changes of a build that failed after a success on its builder and
// branch, once for the build whichever channels follow it, unless their settings say not to.
func (n *Notifier) Broke(tr *tracker.Tracked, row post.Row, authors []string) {
	var users []*model.User
	for _, email := range authors {
		if u, ok := n.Users.UserByEmail(email); ok {
			users = append(users, u)
		}
	}
	if len(users) == 0 {
		return
	}
	first, err := n.Store.FirstBreak(tr.Props.Source, row.BuildID)
	if err != nil {
		n.warn("Could not note that a build broke", tr, err)
	}
	if !first {
		return
	}
	for _, u := range users {
		n.noteRecent(u.Id, tr)
		if settings, err := n.Store.Settings(u.Id); err == nil && settings.Breaks {
			n.tell(u.Id, post.WhyBroke, tr)
		}
	}
}

func (n *Notifier) noteRecent(userID string, tr *tracker.Tracked) {
	if tr.PostID == "" {
		return
	}
	if err := n.Store.AddRecent(userID, Recent{PostID: tr.PostID, ChannelID: tr.ChannelID, At: time.Now().UnixMilli()}); err != nil {
		n.warn("Could not note a build among a user's recent builds", tr, err)
	}
}

// tell sends one direct message about a build, in the user's language.
func (n *Notifier) tell(userID string, why post.Why, tr *tracker.Tracked) {
	if tr.PostID == "" || !n.May(userID, tr.ChannelID, tr.Props.TeamID) {
		return
	}
	if err := n.send(userID, why, tr); err != nil {
		n.warn("Could not send a direct message about a build", tr, err, "user_id", userID)
	}
}

func (n *Notifier) send(userID string, why post.Why, tr *tracker.Tracked) error {
	dm, err := n.MM.GetDirectChannel(userID, n.BotID)
	if err != nil {
		return fmt.Errorf("open the direct channel: %w", err)
	}
	text := post.DirectMessage(why, tr.Props, post.Permalink(n.SiteURL(), tr.PostID))
	p := &model.Post{UserId: n.BotID, ChannelId: dm.Id, Message: n.Words.User(userID).String(text)}
	if err := n.MM.CreatePost(p); err != nil {
		return fmt.Errorf("post the direct message: %w", err)
	}
	return nil
}

func (n *Notifier) warn(msg string, tr *tracker.Tracked, err error, keyValuePairs ...any) {
	if n.Log != nil {
		n.Log.LogWarn(msg, append([]any{"track_id", tr.ID, "post_id", tr.PostID, "error", err.Error()}, keyValuePairs...)...)
	}
}
