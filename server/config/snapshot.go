package config

import (
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/markdown"
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
		text, ok := i18n.TextOf(err)
		if !ok {
			text = i18n.Raw(markdown.Text(err.Error()))
		}
		s.Problems = append(s.Problems, Problem{Setting: settingBuildbotURL, Message: text})
		return s
	}
	s.Buildbot = client
	return s
}

// Ready says whether the settings are usable.
func (s *Snapshot) Ready() bool { return len(s.Problems) == 0 }

// ProblemsMessage is what a user sees instead of an answer while the settings are unusable.
func (s *Snapshot) ProblemsMessage() i18n.Text {
	lines := make([]i18n.Text, len(s.Problems))
	for i, p := range s.Problems {
		lines[i] = p.Text()
	}
	return i18n.T("config.problems", "The Buildbot plugin is not set up correctly yet. A system admin must fix this in **System Console > Plugins > Buildbot**:\n- {{.Problems}}",
		"Problems", i18n.Join("\n- ", lines...))
}

func (c *Configuration) buildbotOptions() buildbot.Options {
	opts := buildbot.Options{
		BaseURL:            c.BuildbotURL,
		Timeout:            c.RequestTimeout(),
		ChangeHookPath:     c.ChangeHookPath,
		ChangeHookUsername: c.ChangeHookUsername,
		ChangeHookPassword: c.ChangeHookPassword,
	}
	if c.PublicURL != "" {
		opts.PublicURL = c.LinkBaseURL()
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
