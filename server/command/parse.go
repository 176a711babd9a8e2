package command

import (
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/app"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/form"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/notify"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/subscription"
)

// Subcommands of /build. Anything else in first position is a repo.
const (
	SubHelp          = "help"
	SubList          = "list"
	SubStatus        = "status"
	SubSubscribe     = "subscribe"
	SubUnsubscribe   = "unsubscribe"
	SubSubscriptions = "subscriptions"
	SubMe            = "me"
	SubMine          = "mine"
	SubBuild         = ""
)

// The words /build me takes.
const (
	meLink   = "link"
	meUnlink = "unlink"
	// meBuilds <off|failures|always> sets the messages about one's own builds; meBreaks <on|off>
	// those about builds one's change breaks.
	meBuilds = "builds"
	meBreaks = "breaks"
	meOn     = "on"
	meOff    = "off"
)

// Invocation is one parsed /build command.
type Invocation struct {
	Sub      string
	Repo     string
	Branch   string
	Revision string
	// Events and Style are subscribe's options; All is subscriptions' --all.
	Events []subscription.Event
	Style  subscription.Style
	All    bool
	// Params are a build's name=value words, checked against its force scheduler's form; Form asks
	// for the form itself (--form).
	Params []string
	Form   bool
	// Me is what /build me asks to change.
	Me app.MeRequest
}

// mistake is something wrong in what the user typed, worded for them.
func mistake(t i18n.Text) error { return i18n.NewError(t) }

// Parse reads the text of a /build command, with or without the leading trigger.
func Parse(text string) (Invocation, error) {
	if !utf8.ValidString(text) {
		return Invocation{}, mistake(i18n.T("command.parse.not_text", "The command is not valid text."))
	}
	fields := strings.Fields(text)
	if len(fields) > 0 && strings.EqualFold(fields[0], "/"+Trigger) {
		fields = fields[1:]
	}
	if len(fields) == 0 {
		return Invocation{Sub: SubHelp}, nil
	}

	switch sub := strings.ToLower(fields[0]); sub {
	case SubHelp, SubList, SubMine:
		if len(fields) > 1 {
			return Invocation{}, mistake(i18n.T("command.parse.no_arguments", "`/build {{.Sub}}` takes no arguments.", "Sub", sub))
		}
		return Invocation{Sub: sub}, nil
	case SubSubscribe, SubUnsubscribe, SubSubscriptions:
		return parseSubscription(sub, fields[1:])
	case SubMe:
		return parseMe(fields[1:])
	case SubStatus:
		if len(fields) > 3 {
			return Invocation{}, mistake(i18n.T("command.parse.status_usage", "Use `/build status [repo] [branch]`."))
		}
		inv := Invocation{Sub: SubStatus}
		fields = fields[1:]
		if len(fields) > 0 {
			inv.Repo = fields[0]
		}
		if len(fields) > 1 {
			inv.Branch = fields[1]
		}
		return inv, inv.check()
	}

	return parseBuild(text)
}

// parseMe reads `[link|unlink]`, `builds <off|failures|always>` or `breaks <on|off>`.
func parseMe(fields []string) (Invocation, error) {
	inv := Invocation{Sub: SubMe}
	lower := make([]string, len(fields))
	for i, f := range fields {
		lower[i] = strings.ToLower(f)
	}
	switch {
	case len(lower) == 0:
		return inv, nil
	case len(lower) == 1 && lower[0] == meLink:
		inv.Me.Address = app.AddressLink
		return inv, nil
	case len(lower) == 1 && lower[0] == meUnlink:
		inv.Me.Address = app.AddressUnlink
		return inv, nil
	case len(lower) == 2 && lower[0] == meBuilds && notify.OwnBuilds(lower[1]).Valid():
		inv.Me.OwnBuilds = notify.OwnBuilds(lower[1])
		return inv, nil
	case len(lower) == 2 && lower[0] == meBreaks && slices.Contains([]string{meOn, meOff}, lower[1]):
		on := lower[1] == meOn
		inv.Me.Breaks = &on
		return inv, nil
	}
	return Invocation{}, mistake(i18n.T("command.parse.me_usage",
		"Use `/build me`, `/build me link|unlink`, `/build me builds off|failures|always` or `/build me breaks on|off`."))
}

// parseBuild reads `<repo> [branch] [revision] [name=value ...] [--form]`. Only values may be
// quoted (environment="staging eu"), so the words from the first name=value on are split anew
// from the text; the repo, branch and revision stay plain words.
func parseBuild(text string) (Invocation, error) {
	spans := wordPattern.FindAllStringIndex(text, -1)
	if len(spans) > 0 && strings.EqualFold(text[spans[0][0]:spans[0][1]], "/"+Trigger) {
		spans = spans[1:]
	}
	inv := Invocation{Sub: SubBuild}
	var positional []string
	for i, span := range spans {
		w := text[span[0]:span[1]]
		if i > 0 && strings.Contains(w, "=") && !strings.HasPrefix(w, "--") {
			rest, err := form.SplitWords(text[span[0]:])
			if err != nil {
				return Invocation{}, err
			}
			if err := inv.takeParams(rest); err != nil {
				return Invocation{}, err
			}
			break
		}
		if err := inv.takeOption(w); err != nil {
			return Invocation{}, err
		}
		if !strings.HasPrefix(w, "--") {
			positional = append(positional, w)
		}
	}
	switch {
	case len(positional) == 0:
		return Invocation{}, mistake(i18n.T("command.parse.no_repo", "Name the repo to build: `/build <repo> [branch] [revision] [name=value ...] [--form]`."))
	case len(positional) > 3:
		return Invocation{}, mistake(i18n.T("command.parse.too_many_words", "Too many words: use `/build <repo> [branch] [revision] [name=value ...]`."))
	}
	inv.Repo = positional[0]
	if len(positional) > 1 {
		inv.Branch = positional[1]
	}
	if len(positional) > 2 {
		inv.Revision = positional[2]
	}
	return inv, inv.check()
}

var wordPattern = regexp.MustCompile(`\S+`)

// takeOption notes --form; any other option is a mistake worth naming.
func (inv *Invocation) takeOption(w string) error {
	switch {
	case w == "--form":
		inv.Form = true
	case strings.HasPrefix(w, "--"):
		return mistake(i18n.T("command.parse.unknown_option", "`{{.Word}}` is not an option of `/build`: use `/build <repo> [branch] [revision] [name=value ...] [--form]`.",
			"Word", form.Shorten(w)))
	}
	return nil
}

// takeParams reads the words from the first name=value on: parameters, and --form.
func (inv *Invocation) takeParams(words []string) error {
	for _, w := range words {
		switch {
		case strings.HasPrefix(w, "--"):
			if err := inv.takeOption(w); err != nil {
				return err
			}
		case strings.Contains(w, "="):
			inv.Params = append(inv.Params, w)
		default:
			return mistake(i18n.T("command.parse.word_after_params", "`{{.Word}}` comes after the parameters: put the branch and revision before any `name=value`.",
				"Word", form.Shorten(w)))
		}
	}
	return nil
}

// parseSubscription reads the words after subscribe, unsubscribe or subscriptions: flags
// (--events a,b or --events=a,b, --style, --all) wherever they stand, and the repo and glob.
func parseSubscription(sub string, words []string) (Invocation, error) {
	inv := Invocation{Sub: sub}
	var positional []string
	for i := 0; i < len(words); i++ {
		name, value, inline := strings.Cut(words[i], "=")
		takesValue := name == "--events" || name == "--style"
		switch {
		case !strings.HasPrefix(name, "--"):
			positional = append(positional, words[i])
			continue
		case sub == SubSubscriptions && words[i] == "--all":
			inv.All = true
			continue
		case sub != SubSubscribe || !takesValue:
			return Invocation{}, mistake(i18n.Join(" ", i18n.T("command.parse.unknown_subscription_option", "`{{.Word}}` is not an option of `/build {{.Sub}}`.",
				"Word", form.Shorten(words[i]), "Sub", sub), subscriptionUsage(sub)))
		case !inline && i+1 < len(words):
			i++
			value = words[i]
		case !inline:
			return Invocation{}, mistake(i18n.Join(" ", i18n.T("command.parse.needs_value", "`{{.Option}}` needs a value.", "Option", name), subscriptionUsage(sub)))
		}
		if name == "--events" {
			events, err := subscription.ParseEvents(value)
			if err != nil {
				problem, _ := i18n.TextOf(err)
				return Invocation{}, mistake(i18n.T("command.parse.bad_events", "{{.Problem}}. The events are {{.Events}}.", "Problem", problem, "Events", eventNames()))
			}
			inv.Events = events
			continue
		}
		switch style := subscription.Style(strings.ToLower(value)); style {
		case subscription.StyleCard, subscription.StyleLine:
			inv.Style = style
		default:
			return Invocation{}, mistake(i18n.T("command.parse.bad_style", "`{{.Style}}` is not a style: use `card` or `line`.", "Style", form.Shorten(value)))
		}
	}
	switch {
	case sub == SubSubscriptions && len(positional) > 0:
		return Invocation{}, mistake(i18n.T("command.parse.subscriptions_usage", "`/build subscriptions` takes no arguments but `--all`."))
	case sub == SubSubscriptions:
		return inv, nil
	case len(positional) == 0 || len(positional) > 2:
		return Invocation{}, mistake(i18n.Join(" ", i18n.T("command.parse.subscription_no_repo", "Name a repo, or `*` for every repo."), subscriptionUsage(sub)))
	}
	inv.Repo = positional[0]
	if len(positional) > 1 {
		inv.Branch = positional[1]
	}
	if inv.Repo != subscription.AnyRepo && !app.ValidRepo(inv.Repo) {
		return Invocation{}, mistake(i18n.T("command.parse.bad_subscription_repo", "`{{.Repo}}` is not a repo name: use letters, digits and `._-+/~`, or `*` for every repo.",
			"Repo", form.Shorten(inv.Repo)))
	}
	if inv.Branch != "" {
		if problem := subscription.CheckBranch(inv.Branch); !problem.IsZero() {
			return Invocation{}, mistake(i18n.T("command.parse.bad_glob", "`{{.Glob}}` is not a branch or glob: {{.Problem}}.", "Glob", form.Shorten(inv.Branch), "Problem", problem))
		}
	}
	return inv, nil
}

func subscriptionUsage(sub string) i18n.Text {
	if sub == SubSubscribe {
		return i18n.T("command.parse.subscribe_usage", "Use `/build subscribe <repo|*> [branch-glob] [--events e1,e2] [--style card|line]`.")
	}
	return i18n.T("command.parse.unsubscribe_usage", "Use `/build unsubscribe <repo|*> [branch-glob]`.")
}

func eventNames() string {
	names := make([]string, len(subscription.Events))
	for i, e := range subscription.Events {
		names[i] = "`" + string(e.Event) + "`"
	}
	return strings.Join(names, ", ")
}

func (inv Invocation) check() error {
	return app.CheckNames(inv.Repo, inv.Branch, inv.Revision)
}
