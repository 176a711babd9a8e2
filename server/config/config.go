// Package config holds the plugin's settings: how they are read from System Console, checked, and
// explained to an admin when they are wrong.
package config

import (
	"errors"
	"strings"
	"time"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/markdown"
)

// Authentication modes, as stored by the AuthMode dropdown.
const (
	AuthNone   = "none"
	AuthLogin  = "login"
	AuthHeader = "header"
	AuthBasic  = "basic"
)

// Trigger modes, as stored by the TriggerMode dropdown.
const (
	TriggerForce      = "force"
	TriggerChangeHook = "changehook"
)

// Build permissions, as stored by the BuildPermission radio.
const (
	PermissionEveryone = "everyone"
	PermissionUsers    = "users"
	PermissionAdmins   = "admins"
)

// Who may subscribe a channel, as stored by the SubscribePermission radio.
const (
	SubscribeChannelAdmins = "channel_admins"
	SubscribeTeamAdmins    = "team_admins"
	SubscribeSystemAdmins  = "system_admins"
	SubscribeEveryone      = "everyone"
)

// Defaults for settings an admin left empty; plugin.json shows the same values in System Console.
const (
	DefaultRequestTimeout  = 10 * time.Second
	DefaultPollInterval    = 10 * time.Second
	DefaultCatalogRefresh  = 5 * time.Minute
	DefaultHealthAlert     = 5 * time.Minute
	DefaultChangeHookPath  = "change_hook/base"
	DefaultProjectTemplate = "mattermost_build_{repo}_{branch}"
	DefaultChangeCategory  = "mattermost"
)

// Configuration is the plugin's settings exactly as System Console stores them. Field names match
// the keys in plugin.json. It is loaded whole and replaced whole, never changed in place.
type Configuration struct {
	BuildbotURL string
	PublicURL   string

	AuthMode    string
	Username    string
	Password    string
	HeaderName  string
	HeaderValue string

	RequestTimeoutSeconds Number
	PollIntervalSeconds   Number
	CatalogRefreshSeconds Number
	// EnablePush is a pointer so an unset value (settings saved before it existed) means on.
	EnablePush *bool

	RepoBuilders string

	// FailureReply is a pointer so an unset value (settings saved before it existed) means on.
	FailureReply    *bool
	FailureLogLines Number

	MaxSubscriptions Number

	TriggerMode        string
	ChangeHookPath     string
	ChangeHookUsername string
	ChangeHookPassword string
	RepositoryBaseURL  string
	ProjectTemplate    string
	ChangeCategory     string

	AllowedTeams    string
	AllowedChannels string
	BuildPermission string
	AllowedUsers    string

	SubscribePermission string
	// MentionAuthors is a pointer so an unset value (settings saved before it existed) means on.
	MentionAuthors     *bool
	HealthAlertSeconds Number
	LatentWorkers      string

	// LinkPreviews is a pointer so an unset value (settings saved before it existed) means on.
	LinkPreviews *bool
}

// Clone returns a copy, so callers can derive a configuration without touching the shared one.
func (c *Configuration) Clone() *Configuration {
	clone := *c
	return &clone
}

// Normalized returns a copy with surrounding spaces trimmed and empty choices set to their defaults,
// so that the rest of the plugin reads one spelling of every setting.
func (c *Configuration) Normalized() *Configuration {
	n := c.Clone()
	for _, s := range []*string{
		&n.BuildbotURL, &n.PublicURL, &n.AuthMode, &n.Username, &n.HeaderName, &n.TriggerMode,
		&n.ChangeHookPath, &n.ChangeHookUsername, &n.RepositoryBaseURL, &n.RepoBuilders, &n.ProjectTemplate,
		&n.ChangeCategory, &n.AllowedTeams, &n.AllowedChannels, &n.BuildPermission, &n.AllowedUsers, &n.SubscribePermission,
	} {
		*s = strings.TrimSpace(*s)
	}
	n.AuthMode = strings.ToLower(n.AuthMode)
	n.TriggerMode = strings.ToLower(n.TriggerMode)
	n.BuildPermission = strings.ToLower(n.BuildPermission)
	if n.AuthMode == "" {
		n.AuthMode = AuthNone
	}
	if n.TriggerMode == "" {
		n.TriggerMode = TriggerForce
	}
	if n.BuildPermission == "" {
		n.BuildPermission = PermissionEveryone
	}
	n.SubscribePermission = strings.ToLower(n.SubscribePermission)
	if n.SubscribePermission == "" {
		n.SubscribePermission = SubscribeChannelAdmins
	}
	if n.ChangeHookPath == "" {
		n.ChangeHookPath = DefaultChangeHookPath
	}
	n.ChangeHookPath = strings.TrimPrefix(n.ChangeHookPath, "/")
	if n.ProjectTemplate == "" {
		n.ProjectTemplate = DefaultProjectTemplate
	}
	if n.ChangeCategory == "" {
		n.ChangeCategory = DefaultChangeCategory
	}
	return n
}

// RequestTimeout is how long one Buildbot call may take.
func (c *Configuration) RequestTimeout() time.Duration {
	return c.RequestTimeoutSeconds.Seconds(DefaultRequestTimeout)
}

// PollInterval is how often followed builds are refreshed.
func (c *Configuration) PollInterval() time.Duration {
	return c.PollIntervalSeconds.Seconds(DefaultPollInterval)
}

// CatalogRefresh is how often one node of the cluster reads again what Buildbot can build.
func (c *Configuration) CatalogRefresh() time.Duration {
	return c.CatalogRefreshSeconds.Seconds(DefaultCatalogRefresh)
}

// HealthAlert is how long Buildbot may go without answering, or a worker stay disconnected,
// before the channels subscribed to health hear of it.
func (c *Configuration) HealthAlert() time.Duration {
	return c.HealthAlertSeconds.Seconds(DefaultHealthAlert)
}

// LatentWorkerList lists the names or globs of the workers Buildbot starts on demand.
func (c *Configuration) LatentWorkerList() []string { return splitList(c.LatentWorkers) }

// PushEnabled says whether to follow Buildbot's WebSocket.
func (c *Configuration) PushEnabled() bool { return c.EnablePush == nil || *c.EnablePush }

// DefaultFailureLogLines is how much of a failed step's log a failure reply quotes by default.
const DefaultFailureLogLines = 20

// FailureReplyEnabled says whether a failed build gets a reply in its thread.
func (c *Configuration) FailureReplyEnabled() bool { return c.FailureReply == nil || *c.FailureReply }

// MentionAuthorsEnabled says whether a subscribed build's failure mentions its changes' authors.
func (c *Configuration) MentionAuthorsEnabled() bool {
	return c.MentionAuthors == nil || *c.MentionAuthors
}

// PreviewsEnabled says whether a message that pastes links to Buildbot gets previews of them.
func (c *Configuration) PreviewsEnabled() bool { return c.LinkPreviews == nil || *c.LinkPreviews }

// DefaultMaxSubscriptions is how many subscriptions all channels may have together by default.
const DefaultMaxSubscriptions = 1000

// SubscriptionLimit is how many subscriptions all channels may have together.
func (c *Configuration) SubscriptionLimit() int {
	if !c.MaxSubscriptions.Set || !c.MaxSubscriptions.valid() || c.MaxSubscriptions.Value < 1 {
		return DefaultMaxSubscriptions
	}
	return int(c.MaxSubscriptions.Value)
}

// FailureLines is how many log lines the failure reply quotes.
func (c *Configuration) FailureLines() int {
	if !c.FailureLogLines.Set || !c.FailureLogLines.valid() || c.FailureLogLines.Value < 0 {
		return DefaultFailureLogLines
	}
	return int(c.FailureLogLines.Value)
}

// LinkBaseURL is the Buildbot address used in links people open.
func (c *Configuration) LinkBaseURL() string {
	if c.PublicURL != "" {
		return withSlash(c.PublicURL)
	}
	return withSlash(c.BuildbotURL)
}

// The settings' names as System Console shows them, from plugin.json, which Mattermost does not
// translate: the problems name them so.
//
//i18n:verbatim the names System Console shows
const (
	settingBuildbotURL         = "Buildbot URL"
	settingPublicURL           = "Public Buildbot URL"
	settingUsername            = "Buildbot username"
	settingPassword            = "Buildbot password"
	settingHeaderName          = "Header name"
	settingHeaderValue         = "Header value"
	settingAuthMode            = "Authentication"
	settingRequestTimeout      = "Request timeout"
	settingPollInterval        = "Poll interval"
	settingCatalogRefresh      = "Repo and branch refresh"
	settingHealthAlert         = "Health alert after"
	settingFailureLogLines     = "Log lines in the failure reply"
	settingMaxSubscriptions    = "Most subscriptions in all"
	settingRepoBuilders        = "Repos and their builders"
	settingChangeHookPath      = "Change hook path"
	settingChangeHookUsername  = "Change hook username"
	settingRepositoryBaseURL   = "Repository base URL"
	settingProjectTemplate     = "Change project"
	settingTriggerMode         = "Start builds with"
	settingAllowedUsers        = "Listed users"
	settingBuildPermission     = "Who may start and stop builds"
	settingSubscribePermission = "Who may subscribe channels"
)

// Problem is one thing an admin must fix, worded for them, naming the setting as System Console
// shows it.
type Problem struct {
	// Setting stays in English: Mattermost shows plugin settings as plugin.json words them.
	Setting string
	Message i18n.Text
}

// Text is the problem in a sentence that starts with the setting's name.
func (p Problem) Text() i18n.Text {
	return i18n.Join(" ", i18n.Raw("**"+p.Setting+"**"), p.Message)
}

// Validate lists every problem at once, so an admin fixes them in one visit to System Console.
// It expects a Normalized configuration.
func (c *Configuration) Validate() []Problem {
	var problems []Problem
	add := func(setting string, message i18n.Text) {
		if !message.IsZero() {
			problems = append(problems, Problem{Setting: setting, Message: message})
		}
	}
	unknownMode := func(value string) i18n.Text {
		return i18n.T("config.unknown_mode", "`{{.Value}}` is not a known mode; choose one in System Console.", "Value", markdown.Code(value))
	}
	unknownOption := func(value string) i18n.Text {
		return i18n.T("config.unknown_option", "`{{.Value}}` is not a known option; choose one in System Console.", "Value", markdown.Code(value))
	}
	sendsHeader := i18n.T("config.header.empty", "is empty, but the authentication mode sends a header.")

	add(settingBuildbotURL, checkURL(c.BuildbotURL, true))
	add(settingPublicURL, checkURL(c.PublicURL, false))

	switch c.AuthMode {
	case AuthNone:
	case AuthLogin, AuthBasic:
		if c.Username == "" {
			add(settingUsername, i18n.T("config.username.empty", "is empty, but the authentication mode needs a user."))
		}
		if c.Password == "" {
			add(settingPassword, i18n.T("config.password.empty", "is empty, but the authentication mode needs a password."))
		}
	case AuthHeader:
		if c.HeaderName == "" {
			add(settingHeaderName, sendsHeader)
		} else if !validHeaderName(c.HeaderName) {
			add(settingHeaderName, i18n.T("config.header.name", "`{{.Name}}` is not a valid HTTP header name (letters, digits and `-` only).",
				"Name", markdown.Code(c.HeaderName)))
		}
		if c.HeaderValue == "" {
			add(settingHeaderValue, sendsHeader)
		}
	default:
		add(settingAuthMode, unknownMode(c.AuthMode))
	}

	add(settingRequestTimeout, c.RequestTimeoutSeconds.check(1, 120, true))
	add(settingPollInterval, c.PollIntervalSeconds.check(2, 3600, true))
	add(settingCatalogRefresh, c.CatalogRefreshSeconds.check(5, 86400, true))
	add(settingHealthAlert, c.HealthAlertSeconds.check(5, 86400, true))
	add(settingFailureLogLines, c.FailureLogLines.check(0, 200, false))
	add(settingMaxSubscriptions, c.MaxSubscriptions.check(1, 10000, false))

	if _, err := c.RepoMapping(); err != nil {
		text, _ := i18n.TextOf(err)
		add(settingRepoBuilders, text)
	}

	switch c.TriggerMode {
	case TriggerForce:
	case TriggerChangeHook:
		if strings.Contains(c.ChangeHookPath, "://") {
			add(settingChangeHookPath, i18n.T("config.change_hook.full_url", "must be a path below the Buildbot URL such as `change_hook/base`, not a full URL."))
		}
		if (c.ChangeHookUsername == "") != (c.ChangeHookPassword == "") {
			add(settingChangeHookUsername, i18n.T("config.change_hook.credentials", "and **Change hook password** go together: fill in both or neither."))
		}
		if !strings.Contains(c.RepositoryBaseURL, "@") {
			add(settingRepositoryBaseURL, checkURL(c.RepositoryBaseURL, false))
		}
		if !strings.Contains(c.ProjectTemplate, "{repo}") && !strings.Contains(c.ProjectTemplate, "{branch}") {
			add(settingProjectTemplate, i18n.T("config.project.fixed", "`{{.Template}}` names neither `{repo}` nor `{branch}`, so every build would get the same project.",
				"Template", markdown.Code(c.ProjectTemplate)))
		}
	default:
		add(settingTriggerMode, unknownMode(c.TriggerMode))
	}

	switch c.BuildPermission {
	case PermissionEveryone, PermissionAdmins:
	case PermissionUsers:
		if len(c.AllowedUserList()) == 0 {
			add(settingAllowedUsers, i18n.T("config.users.empty", "is empty, so nobody could start a build. Add usernames or choose another option."))
		}
	default:
		add(settingBuildPermission, unknownOption(c.BuildPermission))
	}
	switch c.SubscribePermission {
	case SubscribeChannelAdmins, SubscribeTeamAdmins, SubscribeSystemAdmins, SubscribeEveryone:
	default:
		add(settingSubscribePermission, unknownOption(c.SubscribePermission))
	}
	return problems
}

// RepoMapping reads the Repos and their builders setting: repo name to builder names.
func (c *Configuration) RepoMapping() (map[string][]string, error) {
	mapping := map[string][]string{}
	owner := map[string]string{}
	for i, line := range strings.Split(c.RepoBuilders, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		repo, list, ok := strings.Cut(line, ":")
		repo = strings.TrimSpace(repo)
		builders := strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
		switch {
		case !ok || repo == "" || len(builders) == 0:
			return nil, i18n.NewError(i18n.T("config.repos.line", "line {{.Line}}, `{{.Text}}`, is not `repo: builder, builder`", "Line", i+1, "Text", markdown.Code(line)))
		case strings.ContainsAny(repo, " \t`"):
			return nil, i18n.NewError(i18n.T("config.repos.name", "line {{.Line}}: the repo name `{{.Repo}}` has a space or backtick", "Line", i+1, "Repo", markdown.Code(repo)))
		case mapping[repo] != nil:
			return nil, i18n.NewError(i18n.T("config.repos.twice", "line {{.Line}}: the repo `{{.Repo}}` is named twice", "Line", i+1, "Repo", markdown.Code(repo)))
		}
		for _, b := range builders {
			if other, taken := owner[b]; taken {
				return nil, i18n.NewError(i18n.T("config.repos.builder_taken", "line {{.Line}}: the builder `{{.Builder}}` is already in the repo `{{.Repo}}`",
					"Line", i+1, "Builder", markdown.Code(b), "Repo", markdown.Code(other)))
			}
			owner[b] = repo
		}
		mapping[repo] = builders
	}
	return mapping, nil
}

// AllowedTeamList is the allowed team names, lower case.
func (c *Configuration) AllowedTeamList() []string { return splitList(c.AllowedTeams) }

// AllowedChannelList is the allowed channels, as `channel` or `team/channel`, lower case.
func (c *Configuration) AllowedChannelList() []string { return splitList(c.AllowedChannels) }

// AllowedUserList is the listed usernames without `@`, lower case.
func (c *Configuration) AllowedUserList() []string {
	users := splitList(c.AllowedUsers)
	for i, u := range users {
		users[i] = strings.TrimPrefix(u, "@")
	}
	return users
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' || r == ' ' }) {
		if f = strings.ToLower(strings.TrimSpace(f)); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// checkURL words what is wrong with an address setting; buildbot.ParseBaseURL is the one judge,
// so a URL the settings accept is one the client takes.
func checkURL(raw string, required bool) i18n.Text {
	if raw == "" && !required {
		return i18n.Text{}
	}
	var problem *buildbot.URLProblem
	if _, err := buildbot.ParseBaseURL(raw); errors.As(err, &problem) {
		return problem.Problem
	}
	return i18n.Text{}
}

func validHeaderName(name string) bool {
	for _, r := range name {
		if r != '-' && r != '_' && (r < '0' || r > '9') && (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') {
			return false
		}
	}
	return name != ""
}

func withSlash(s string) string {
	if s == "" || strings.HasSuffix(s, "/") {
		return s
	}
	return s + "/"
}
