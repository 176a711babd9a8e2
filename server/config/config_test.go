package config

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func valid() *Configuration {
	return &Configuration{BuildbotURL: "https://ci.example.com/"}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		change  func(c *Configuration)
		setting string
		message string
	}{
		{"an empty Buildbot URL asks for one", func(c *Configuration) { c.BuildbotURL = "" }, "Buildbot URL", "is empty"},
		{"a URL without a scheme shows how to write it", func(c *Configuration) { c.BuildbotURL = "ci.example.com" }, "Buildbot URL", "has no scheme: write it as `https://ci.example.com`"},
		{"a host and port without a scheme is caught too", func(c *Configuration) { c.BuildbotURL = "127.0.0.1:8010" }, "Buildbot URL", "has no scheme"},
		{"an ftp URL is refused", func(c *Configuration) { c.BuildbotURL = "ftp://ci.example.com/" }, "Buildbot URL", "only `http://` and `https://`"},
		{"a URL without a host is refused", func(c *Configuration) { c.BuildbotURL = "https:///path" }, "Buildbot URL", "no host"},
		{"credentials in the URL are refused without echoing them", func(c *Configuration) { c.BuildbotURL = "https://bob:s3cret@ci.example.com/" }, "Buildbot URL", "contains credentials"},
		{"a bad public URL is named", func(c *Configuration) { c.PublicURL = "ci.example.com" }, "Public Buildbot URL", "has no scheme"},
		{"log in without a user", func(c *Configuration) { c.AuthMode = AuthLogin; c.Password = "x" }, "Buildbot username", "is empty"},
		{"log in without a password", func(c *Configuration) { c.AuthMode = AuthLogin; c.Username = "x" }, "Buildbot password", "is empty"},
		{"basic without a password", func(c *Configuration) { c.AuthMode = AuthBasic; c.Username = "x" }, "Buildbot password", "is empty"},
		{"header mode without a name", func(c *Configuration) { c.AuthMode = AuthHeader; c.HeaderValue = "v" }, "Header name", "is empty"},
		{"header mode with an impossible name", func(c *Configuration) {
			c.AuthMode, c.HeaderName, c.HeaderValue = AuthHeader, "X Api: Key", "v"
		}, "Header name", "not a valid HTTP header name"},
		{"header mode without a value", func(c *Configuration) { c.AuthMode = AuthHeader; c.HeaderName = "X-Key" }, "Header value", "is empty"},
		{"an unknown auth mode", func(c *Configuration) { c.AuthMode = "kerberos" }, "Authentication", "not a known mode"},
		{"a timeout of zero", func(c *Configuration) { c.RequestTimeoutSeconds = NumberOf(0) }, "Request timeout", "between 1 and 120"},
		{"a poll interval that is not a number", func(c *Configuration) { c.PollIntervalSeconds = Number{Set: true, Raw: "often"} }, "Poll interval", "`often` is not a number"},
		{"a health alert too soon", func(c *Configuration) { c.HealthAlertSeconds = NumberOf(1) }, "Health alert after", "between 5 and 86400"},
		{"a catalog refresh too often", func(c *Configuration) { c.CatalogRefreshSeconds = NumberOf(1) }, "Repo and branch refresh", "between 5 and 86400"},
		{"too many log lines", func(c *Configuration) { c.FailureLogLines = NumberOf(500) }, "Log lines in the failure reply", "must be between 0 and 200."},
		{"a change hook given as a full URL", func(c *Configuration) {
			c.TriggerMode, c.ChangeHookPath = TriggerChangeHook, "https://ci/change_hook/base"
		}, "Change hook path", "not a full URL"},
		{"a change hook user without a password", func(c *Configuration) {
			c.TriggerMode, c.ChangeHookUsername = TriggerChangeHook, "hook"
		}, "Change hook username", "fill in both or neither"},
		{"a project template naming nothing", func(c *Configuration) {
			c.TriggerMode, c.ProjectTemplate = TriggerChangeHook, "constant"
		}, "Change project", "names neither"},
		{"a repo line without builders", func(c *Configuration) { c.RepoBuilders = "app:" }, "Repos and their builders", "line 1, `app:`, is not `repo: builder, builder`"},
		{"a builder in two repos", func(c *Configuration) { c.RepoBuilders = "a: x, y\nb: y" }, "Repos and their builders", "line 2: the builder `y` is already in the repo `a`"},
		{"a repo named twice", func(c *Configuration) { c.RepoBuilders = "a: x\na: y" }, "Repos and their builders", "the repo `a` is named twice"},
		{"an unknown trigger mode", func(c *Configuration) { c.TriggerMode = "cron" }, "Start builds with", "not a known mode"},
		{"listed users mode with nobody listed", func(c *Configuration) { c.BuildPermission = PermissionUsers }, "Listed users", "nobody could start a build"},
		{"an unknown permission", func(c *Configuration) { c.BuildPermission = "some" }, "Who may start and stop builds", "not a known option"},
		{"an unknown subscribe permission", func(c *Configuration) { c.SubscribePermission = "owners" }, "Who may subscribe channels", "not a known option"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := valid()
			tt.change(c)
			problems := c.Normalized().Validate()
			if len(problems) != 1 {
				t.Fatalf("want exactly one problem, got %v", problems)
			}
			if problems[0].Setting != tt.setting || !strings.Contains(problems[0].Message.English(), tt.message) {
				t.Fatalf("want %q containing %q, got %+v", tt.setting, tt.message, problems[0])
			}
			if strings.Contains(problems[0].Message.English(), "s3cret") {
				t.Fatalf("a password leaked into %q", problems[0].Message.English())
			}
		})
	}
}

func TestValidateAcceptsGoodSettings(t *testing.T) {
	for name, c := range map[string]*Configuration{
		"the minimum":         valid(),
		"a sub-path":          {BuildbotURL: "https://example.com/buildbot/"},
		"log in":              {BuildbotURL: "http://127.0.0.1:8010", AuthMode: "Login", Username: "u", Password: "p"},
		"a header":            {BuildbotURL: "http://ci", AuthMode: AuthHeader, HeaderName: "X-Api-Key", HeaderValue: "v"},
		"the change hook":     {BuildbotURL: "http://ci", TriggerMode: TriggerChangeHook, RepositoryBaseURL: "git@git.example.com:"},
		"listed users":        {BuildbotURL: "http://ci", BuildPermission: PermissionUsers, AllowedUsers: "@alice, bob"},
		"numbers in range":    {BuildbotURL: "http://ci", RequestTimeoutSeconds: NumberOf(120), PollIntervalSeconds: NumberOf(2)},
		"spaces around input": {BuildbotURL: "  https://ci.example.com/  ", AuthMode: " none "},
	} {
		t.Run(name, func(t *testing.T) {
			if problems := c.Normalized().Validate(); len(problems) != 0 {
				t.Fatalf("want no problems, got %v", problems)
			}
		})
	}
}

func TestRepoMapping(t *testing.T) {
	c := &Configuration{RepoBuilders: "# comment\nwebapp: webapp-linux, webapp-windows\n\n tools :tools-ci\n"}
	got, err := c.RepoMapping()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || strings.Join(got["webapp"], "|") != "webapp-linux|webapp-windows" || strings.Join(got["tools"], "|") != "tools-ci" {
		t.Fatalf("mapping %v", got)
	}
}

func TestNormalizedFillsDefaultsAndLeavesTheOriginalAlone(t *testing.T) {
	raw := &Configuration{BuildbotURL: " https://ci/ ", ChangeHookPath: "/change_hook/base"}
	n := raw.Normalized()

	if raw.BuildbotURL != " https://ci/ " {
		t.Fatal("Normalized changed the configuration it was called on")
	}
	want := Configuration{
		BuildbotURL: "https://ci/", AuthMode: AuthNone, TriggerMode: TriggerForce, BuildPermission: PermissionEveryone, SubscribePermission: SubscribeChannelAdmins,
		ChangeHookPath: "change_hook/base", ProjectTemplate: DefaultProjectTemplate, ChangeCategory: DefaultChangeCategory,
	}
	if *n != want {
		t.Fatalf("got %+v, want %+v", *n, want)
	}
	if n.RequestTimeout() != DefaultRequestTimeout || n.PollInterval() != DefaultPollInterval {
		t.Fatalf("unset numbers should give the defaults, got %v and %v", n.RequestTimeout(), n.PollInterval())
	}
}

func TestNumberLoadsWhatSystemConsoleAndTheConfigAPIStore(t *testing.T) {
	tests := []struct {
		json    string
		seconds time.Duration
		problem string
	}{
		{`{"RequestTimeoutSeconds": 5}`, 5 * time.Second, ""},
		{`{"RequestTimeoutSeconds": 2.5}`, 2500 * time.Millisecond, ""},
		{`{"RequestTimeoutSeconds": "7"}`, 7 * time.Second, ""},
		{`{"RequestTimeoutSeconds": ""}`, DefaultRequestTimeout, ""},
		{`{"RequestTimeoutSeconds": null}`, DefaultRequestTimeout, ""},
		{`{"RequestTimeoutSeconds": "soon"}`, DefaultRequestTimeout, "`soon` is not a number"},
		{`{"RequestTimeoutSeconds": 500}`, 500 * time.Second, "between 1 and 120"},
	}
	for _, tt := range tests {
		t.Run(tt.json, func(t *testing.T) {
			c := valid()
			if err := json.Unmarshal([]byte(tt.json), c); err != nil {
				t.Fatalf("loading failed: %v", err)
			}
			if got := c.RequestTimeout(); got != tt.seconds {
				t.Errorf("timeout %v, want %v", got, tt.seconds)
			}
			problems := c.Normalized().Validate()
			switch {
			case tt.problem == "" && len(problems) != 0:
				t.Errorf("want no problems, got %v", problems)
			case tt.problem != "" && (len(problems) != 1 || !strings.Contains(problems[0].Message.English(), tt.problem)):
				t.Errorf("want a problem containing %q, got %v", tt.problem, problems)
			}
		})
	}
}

func TestListsAreSplitAndLowerCased(t *testing.T) {
	c := &Configuration{AllowedUsers: "@Alice, bob;carol\n", AllowedChannels: "Town-Square, e2e/builds", AllowedTeams: ""}

	if got := strings.Join(c.AllowedUserList(), "|"); got != "alice|bob|carol" {
		t.Errorf("users %q", got)
	}
	if got := strings.Join(c.AllowedChannelList(), "|"); got != "town-square|e2e/builds" {
		t.Errorf("channels %q", got)
	}
	if got := c.AllowedTeamList(); len(got) != 0 {
		t.Errorf("teams %q", got)
	}
}

func TestLinkBaseURLPrefersThePublicURL(t *testing.T) {
	if got := (&Configuration{BuildbotURL: "http://internal:8010"}).LinkBaseURL(); got != "http://internal:8010/" {
		t.Errorf("got %q", got)
	}
	if got := (&Configuration{BuildbotURL: "http://internal:8010/", PublicURL: "https://ci.example.com"}).LinkBaseURL(); got != "https://ci.example.com/" {
		t.Errorf("got %q", got)
	}
}

func TestFailureReplyDefaultsToOnWithTwentyLines(t *testing.T) {
	c := &Configuration{}
	if !c.FailureReplyEnabled() || c.FailureLines() != 20 {
		t.Fatalf("defaults %v %d", c.FailureReplyEnabled(), c.FailureLines())
	}
	off := false
	c = &Configuration{FailureReply: &off, FailureLogLines: NumberOf(0)}
	if c.FailureReplyEnabled() || c.FailureLines() != 0 {
		t.Fatalf("off %v %d", c.FailureReplyEnabled(), c.FailureLines())
	}
}

func TestProblemsAreMessagesAUserReadsInTheirLanguage(t *testing.T) {
	snap := NewSnapshot(&Configuration{})
	if len(snap.Problems) == 0 || snap.Problems[0].Setting != "Buildbot URL" {
		t.Fatalf("got %+v", snap.Problems)
	}
	if id := snap.Problems[0].Message.ID(); id != "buildbot.url.empty" {
		t.Errorf("the empty URL is worded by %q, not by its translation id", id)
	}
	if id := snap.ProblemsMessage().ID(); id != "config.problems" {
		t.Errorf("the problems are introduced by %q", id)
	}
}
