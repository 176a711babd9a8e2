package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/access"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbottest"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/config"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/post"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/route"
)

// livePreviews answers for one post, to users it names, and records what it was asked.
type livePreviews struct {
	readers map[string]bool
	err     error
	asked   []time.Time
}

func (l *livePreviews) Live(_ context.Context, userID, postID string, after time.Time) ([]post.Props, error) {
	l.asked = append(l.asked, after)
	switch {
	case postID != "abcdefghijklmnopqrstuvwxyz":
		return nil, errors.New("no such post")
	case !l.readers[userID]:
		return nil, &access.Refusal{Reason: access.ChannelUnreadable, Text: i18n.T("access.channel_unreadable", "You cannot read it.")}
	}
	return []post.Props{{Repo: "tools", State: post.StateBuilding}}, l.err
}

func TestThePreviewsRoute(t *testing.T) {
	live := &livePreviews{readers: map[string]bool{"alice": true}}
	h := NewRouter(Deps{Snapshot: func() *config.Snapshot { return config.NewSnapshot(&config.Configuration{}) }, Previews: live})
	path := "/" + route.Previews + "/abcdefghijklmnopqrstuvwxyz"

	rec := get(h, path+"?after=1700000000123", "alice")
	var reply PreviewsReply
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &reply) != nil || len(reply.Previews) != 1 || reply.Previews[0].Repo != "tools" {
		t.Fatalf("code %d body %s", rec.Code, rec.Body)
	}
	if !live.asked[0].Equal(time.UnixMilli(1700000000123)) {
		t.Errorf("asked after %v", live.asked[0])
	}
	for _, tt := range []struct {
		name, path, user string
		code             int
	}{
		{"a user who may not see the post is refused", path, "mallory", http.StatusForbidden},
		{"a post without previews is not found", "/" + route.Previews + "/zyxwvutsrqponmlkjihgfedcba", "alice", http.StatusNotFound},
		{"an id that is not a post's is not a route", "/" + route.Previews + "/NOT-A-POST", "alice", http.StatusNotFound},
		{"a time that is not one is refused", path + "?after=soon", "alice", http.StatusBadRequest},
		{"nobody logged in is refused", path, "", http.StatusUnauthorized},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if rec := get(h, tt.path, tt.user); rec.Code != tt.code {
				t.Errorf("code %d, want %d: %s", rec.Code, tt.code, rec.Body)
			}
		})
	}
	t.Run("a Buildbot that does not answer is a bad gateway, in the user's words", func(t *testing.T) {
		bb := &buildbottest.Server{Down: true}
		_, err := bb.Client(t).Builders(context.Background())
		live.err = err
		defer func() { live.err = nil }()
		if rec := get(h, path, "alice"); rec.Code != http.StatusBadGateway {
			t.Errorf("code %d body %s", rec.Code, rec.Body)
		}
	})
}
