package config

import (
	"fmt"
	"strings"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
)

// Snapshot is one loaded configuration with everything derived from it. The plugin swaps whole
// snapshots, so a request sees one consistent set of settings and the client made from them.
type Snapshot struct {
	Config   *Configuration
	Problems []Problem
	// Buildbot is nil while Problems is not empty.
	Buildbot *buildbot.Client
}

// NewSnapshot normalizes and checks raw settings and, when they are usable, makes the client.
func NewSnapshot(raw *Configuration) *Snapshot {
	cfg := raw.Normalized()
	s := &Snapshot{Config: cfg, Problems: cfg.Validate()}
	if len(s.Problems) > 0 {
		return s
	}
	client, err := buildbot.New(cfg.buildbotOptions())
	if err != nil {
		s.Problems = append(s.Problems, Problem{Setting: "Buildbot URL", Message: err.Error()})
		return s
	}
	s.Buildbot = client
	return s
}

// Ready says whether the settings are usable.
func (s *Snapshot) Ready() bool { return len(s.Problems) == 0 }

// ProblemsMessage is what a user sees instead of an answer while the settings are unusable.
func (s *Snapshot) ProblemsMessage() string {
	var b strings.Builder
	b.WriteString("The Buildbot plugin is not set up correctly yet. A system admin must fix this in **System Console > Plugins > Buildbot**:")
	for _, p := range s.Problems {
		fmt.Fprintf(&b, "\n- %s", p)
	}
	return b.String()
}

func (c *Configuration) buildbotOptions() buildbot.Options {
	opts := buildbot.Options{
		BaseURL:            c.BuildbotURL,
		Timeout:            c.RequestTimeout(),
		ChangeHookPath:     c.ChangeHookPath,
		ChangeHookUsername: c.ChangeHookUsername,
		ChangeHookPassword: c.ChangeHookPassword,
	}
	switch c.AuthMode {
	case AuthLogin:
		opts.Auth = buildbot.AuthLogin{Username: c.Username, Password: c.Password}
	case AuthBasic:
		opts.Auth = buildbot.AuthBasic{Username: c.Username, Password: c.Password}
	case AuthHeader:
		opts.Auth = buildbot.AuthHeader{Name: c.HeaderName, Value: c.HeaderValue}
	default:
		opts.Auth = buildbot.AuthNone{}
	}
	return opts
}
