package access

import (
	"errors"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/config"
)

// server is a Mattermost with one team, a channel in it, a direct message, and these people:
// admin (system admin), lead (admin of team and channel), dev (a member), outsider (reads nothing).
type server struct{}

func (server) GetUser(id string) (*model.User, error) {
	if id == "ghost" {
		return nil, errors.New("no such user")
	}
	return &model.User{Id: id, Username: id}, nil
}

func (server) GetChannel(id string) (*model.Channel, error) {
	switch id {
	case "town":
		return &model.Channel{Id: "town", Name: "town-square", TeamId: "eng"}, nil
	case "builds":
		return &model.Channel{Id: "builds", Name: "builds", TeamId: "eng"}, nil
	case "dm":
		return &model.Channel{Id: "dm", Name: "dev__lead", Type: model.ChannelTypeDirect}, nil
	}
	return nil, errors.New("no such channel")
}

func (server) GetTeam(id string) (*model.Team, error) {
	switch id {
	case "eng":
		return &model.Team{Id: "eng", Name: "eng"}, nil
	case "ops":
		return &model.Team{Id: "ops", Name: "ops"}, nil
	}
	return nil, errors.New("no such team")
}

func (server) IsSystemAdmin(userID string) bool { return userID == "admin" }

func (server) CanReadChannel(userID, _ string) bool { return userID != "outsider" }

func (server) CanViewTeam(userID, teamID string) bool { return teamID == "eng" && userID != "outsider" }

func (server) CanManageChannel(userID, _ string) bool { return userID == "lead" }

func (server) CanManageTeam(userID, _ string) bool { return userID == "lead" }

func snapshot(change func(*config.Configuration)) *config.Snapshot {
	cfg := &config.Configuration{BuildbotURL: "http://127.0.0.1:8010/"}
	if change != nil {
		change(cfg)
	}
	return config.NewSnapshot(cfg.Normalized())
}

// The gate's table, row by row: docs/security.md shows the same table to admins.
func TestTheGateDecidesEveryActionByTheSameRules(t *testing.T) {
	onlyAdmins := func(c *config.Configuration) { c.BuildPermission = config.PermissionAdmins }
	listed := func(c *config.Configuration) { c.BuildPermission = config.PermissionUsers; c.AllowedUsers = "Dev" }
	onlyBuilds := func(c *config.Configuration) { c.AllowedChannels = "builds" }
	onlyOps := func(c *config.Configuration) { c.AllowedTeams = "ops" }
	everyone := func(c *config.Configuration) { c.SubscribePermission = config.SubscribeEveryone }
	served := []Builder{{Name: "app", Served: true}}
	pushOnly := []Builder{{Name: "app", Served: true}, {Name: "deploy", Served: false}}
	tests := []struct {
		name     string
		settings func(*config.Configuration)
		req      Request
		want     Reason
	}{
		{"settings that are not ready refuse everything", func(c *config.Configuration) { c.BuildbotURL = "" },
			Request{Action: View, UserID: "dev", ChannelID: "town"}, NotReady},
		{"a channel the user cannot read is refused whatever the action", nil,
			Request{Action: View, UserID: "outsider", ChannelID: "town"}, ChannelUnreadable},
		{"a request without a channel is refused", nil, Request{Action: Build, UserID: "dev"}, ChannelUnreadable},
		{"a channel Mattermost does not know is refused", nil, Request{Action: Build, UserID: "dev", ChannelID: "gone"}, NoPlace},
		{"a member sees what /build offers", nil, Request{Action: View, UserID: "dev", ChannelID: "town"}, ""},
		{"a member starts a build", nil, Request{Action: Build, UserID: "dev", ChannelID: "town"}, ""},
		{"a channel left out of the allowed channels refuses viewing too", onlyBuilds,
			Request{Action: View, UserID: "dev", ChannelID: "town"}, ChannelNotAllowed},
		{"an allowed channel allows", onlyBuilds, Request{Action: Build, UserID: "dev", ChannelID: "builds"}, ""},
		{"a team left out of the allowed teams refuses", onlyOps, Request{Action: Stop, UserID: "admin", ChannelID: "town"}, TeamNotAllowed},
		{"a direct message is judged by the team Mattermost names", onlyOps,
			Request{Action: Build, UserID: "dev", ChannelID: "dm", TeamID: "ops"}, ""},
		{"a direct message with no team is refused where teams are limited", onlyOps,
			Request{Action: Build, UserID: "dev", ChannelID: "dm"}, TeamNotAllowed},
		{"a team only the caller names is refused to a non-member", onlyOps,
			Request{Action: Build, UserID: "dev", ChannelID: "dm", CallerTeamID: "ops"}, TeamNotJoined},
		{"a team only the caller names is taken from a member", nil,
			Request{Action: Build, UserID: "dev", ChannelID: "dm", CallerTeamID: "eng"}, ""},
		{"a team channel is judged by its own team, not the caller's", onlyOps,
			Request{Action: Build, UserID: "dev", ChannelID: "town", CallerTeamID: "ops"}, TeamNotAllowed},
		{"a user Mattermost cannot find is refused", nil, Request{Action: Build, UserID: "ghost", ChannelID: "town"}, NoUser},
		{"only admins build when so set", onlyAdmins, Request{Action: Build, UserID: "dev", ChannelID: "town"}, NotBuilder},
		{"only admins stop when so set", onlyAdmins, Request{Action: Stop, UserID: "dev", ChannelID: "town"}, NotBuilder},
		{"an admin builds when only admins may", onlyAdmins, Request{Action: Build, UserID: "admin", ChannelID: "town"}, ""},
		{"who may build does not limit viewing", onlyAdmins, Request{Action: View, UserID: "dev", ChannelID: "town"}, ""},
		{"a listed user builds, the list read without case", listed, Request{Action: Build, UserID: "dev", ChannelID: "town"}, ""},
		{"an unlisted user may not build", listed, Request{Action: Build, UserID: "lead", ChannelID: "town"}, NotBuilder},
		{"a rebuild on builders chat may start goes on", nil,
			Request{Action: Build, UserID: "dev", ChannelID: "town", Builders: served}, ""},
		{"a rebuild on a builder only Buildbot's schedulers run is refused, also to an admin", nil,
			Request{Action: Build, UserID: "admin", ChannelID: "town", Builders: pushOnly}, BuilderNotServed},
		{"a member stops builds on builders chat may start", nil,
			Request{Action: Stop, UserID: "dev", ChannelID: "town", Builders: served}, ""},
		{"a member may not stop a build on a builder only Buildbot's schedulers run", nil,
			Request{Action: Stop, UserID: "dev", ChannelID: "town", Builders: pushOnly}, BuilderNotServed},
		{"a system admin stops a build on a builder only Buildbot's schedulers run", nil,
			Request{Action: Stop, UserID: "admin", ChannelID: "town", Builders: pushOnly}, ""},
		{"a member may not subscribe a channel by default", nil, Request{Action: Subscribe, UserID: "dev", ChannelID: "town"}, NotSubscriber},
		{"a channel admin subscribes it by default", nil, Request{Action: Subscribe, UserID: "lead", ChannelID: "town"}, ""},
		{"a member subscribes when everyone may", everyone, Request{Action: Subscribe, UserID: "dev", ChannelID: "town"}, ""},
		{"team admins are not enough where system admins subscribe",
			func(c *config.Configuration) { c.SubscribePermission = config.SubscribeSystemAdmins },
			Request{Action: Subscribe, UserID: "lead", ChannelID: "town"}, NotSubscriber},
		{"subscribing also obeys the allowed channels", func(c *config.Configuration) { onlyBuilds(c); everyone(c) },
			Request{Action: Subscribe, UserID: "dev", ChannelID: "town"}, ChannelNotAllowed},
		{"a member lists the channel's subscriptions", nil, Request{Action: ListSubscriptions, UserID: "dev", ChannelID: "town"}, ""},
		{"only a system admin lists every channel's", nil, Request{Action: ListEverySubscription, UserID: "lead", ChannelID: "town"}, NotSystemAdmin},
		{"a system admin lists every channel's", nil, Request{Action: ListEverySubscription, UserID: "admin", ChannelID: "town"}, ""},
	}
	gate := &Gate{MM: server{}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			grant, err := gate.Check(snapshot(tt.settings), tt.req)
			var refusal *Refusal
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want == "":
				if grant.User == nil || grant.User.Id != tt.req.UserID || grant.Place.Channel.Id != tt.req.ChannelID {
					t.Fatalf("granted %+v for %+v", grant, tt.req)
				}
			case !errors.As(err, &refusal):
				t.Fatalf("got %v, want a refusal (%s)", err, tt.want)
			case refusal.Reason != tt.want:
				t.Fatalf("refused for %s (%q), want %s", refusal.Reason, refusal.Text.English(), tt.want)
			case refusal.Text.IsZero():
				t.Fatalf("a refusal (%s) with no words for the user", refusal.Reason)
			}
		})
	}
}

// A subscription posts with nobody asking: the allowed teams and channels still decide where.
func TestTheSettingsDecideWhereThePluginPostsOnItsOwn(t *testing.T) {
	gate := &Gate{MM: server{}}
	for _, tc := range []struct {
		name     string
		settings func(*config.Configuration)
		channel  string
		want     bool
	}{
		{"anywhere, when the settings limit nothing", nil, "town", true},
		{"an allowed channel", func(c *config.Configuration) { c.AllowedChannels = "builds" }, "builds", true},
		{"not a channel left out of the allowed ones", func(c *config.Configuration) { c.AllowedChannels = "builds" }, "town", false},
		{"not in a team left out", func(c *config.Configuration) { c.AllowedTeams = "ops" }, "builds", false},
		{"not in a direct message, where teams are limited", func(c *config.Configuration) { c.AllowedTeams = "eng" }, "dm", false},
		{"not in a channel Mattermost does not know, where the settings limit", func(c *config.Configuration) { c.AllowedTeams = "eng" }, "gone", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := gate.Posts(snapshot(tc.settings).Config, tc.channel); got != tc.want {
				t.Fatalf("got %v", got)
			}
		})
	}
}

func TestARefusalNamesWhatToDo(t *testing.T) {
	gate := &Gate{MM: server{}}
	_, err := gate.Check(snapshot(func(c *config.Configuration) { c.AllowedChannels = "eng/builds, ops/deploys" }),
		Request{Action: Build, UserID: "dev", ChannelID: "town"})
	text, ok := TextOf(err)
	if !ok {
		t.Fatalf("not a refusal: %v", err)
	}
	if got, want := text.English(), "Builds cannot be started from this channel. Try ~builds, ~deploys, or ask a system admin"; len(got) < len(want) || got[:len(want)] != want {
		t.Fatalf("got %q", got)
	}
}
