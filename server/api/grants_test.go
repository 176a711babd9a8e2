package api

import (
	"strings"
	"testing"
	"time"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/config"
)

// countingRules allows what allow says and counts the questions.
type countingRules struct {
	allow map[string]bool
	asked int
}

func (r *countingRules) MayView(_, channelID, _ string) bool {
	r.asked++
	return r.allow[channelID]
}

// A burst of keystrokes asks Mattermost once; a refusal is asked again each time, and so is a yes
// under other settings or past its time.
func TestAYesIsKeptForABurstOfKeystrokesOnly(t *testing.T) {
	rules := &countingRules{allow: map[string]bool{"open": true}}
	snap := config.NewSnapshot(&config.Configuration{})
	h := NewRouter(Deps{
		Snapshot: func() *config.Snapshot { return snap },
		Lists:    &helpOnly{},
		Rules:    rules,
	})
	keystroke := func(channel, user string) string {
		return get(h, "/api/v1/autocomplete?team_id=t&channel_id="+channel, user).Body.String()
	}

	for range 5 {
		if !strings.Contains(keystroke("open", "alice"), `"help"`) {
			t.Fatal("nothing offered where /build is allowed")
		}
	}
	if rules.asked != 1 {
		t.Fatalf("five keystrokes asked %d times", rules.asked)
	}
	keystroke("open", "bob")
	if rules.asked != 2 {
		t.Fatal("one user's yes served another")
	}
	for range 3 {
		if keystroke("closed", "alice") != "[]\n" {
			t.Fatal("offered where /build is refused")
		}
	}
	if rules.asked != 5 {
		t.Fatalf("a refusal was kept: %d questions", rules.asked)
	}
	snap = config.NewSnapshot(&config.Configuration{AllowedChannels: "elsewhere"})
	keystroke("open", "alice")
	if rules.asked != 6 {
		t.Fatal("a yes outlived a change of settings")
	}
}

func TestAYesExpires(t *testing.T) {
	var g grants
	key, snap, now := grantKey{"u", "c", "t"}, config.NewSnapshot(&config.Configuration{}), time.Now()
	g.add(key, snap, now)
	if !g.has(key, snap, now.Add(grantTTL-time.Millisecond)) || g.has(key, snap, now.Add(grantTTL)) {
		t.Fatal("a yes is kept for other than grantTTL")
	}
}
