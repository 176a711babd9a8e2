package command

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/catalog"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/form"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/route"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/subscription"
)

// Subscribed lists the channel's subscriptions, read only when an answer needs them.
type Subscribed func() []subscription.Subscription

// Lists answers the dynamic lists of /build from the catalog in memory: Mattermost calls them on
// every keystroke, and they never wait on Buildbot. The route that calls them has asked the gate
// whether the user may see them in the channel.
type Lists struct {
	Catalog *catalog.Catalog
	// Subs are read for unsubscribe's lists.
	Subs  subscription.Store
	Words *i18n.Bundle
}

// FirstWord lists the repos and subcommands, in the user's language.
func (l *Lists) FirstWord(userID string) []model.AutocompleteListItem {
	return FirstWord(l.Catalog.Current(), l.Words.User(userID))
}

// SecondWord lists what may follow the first word. parsed is the command before the word being
// typed, input the command as typed.
func (l *Lists) SecondWord(userID, channelID, parsed, input string) []model.AutocompleteListItem {
	return Finished(SecondWord(l.Catalog.Current(), typed(parsed, input), l.subscribed(channelID), l.Words.User(userID)), parsed, input)
}

// ThirdWord lists what may follow the second word.
func (l *Lists) ThirdWord(userID, channelID, parsed, input string) []model.AutocompleteListItem {
	return Finished(ThirdWord(l.Catalog.Current(), typed(parsed, input), input, l.subscribed(channelID), l.Words.User(userID)), parsed, input)
}

// ParamWord lists the name=value words at a position after the third.
func (l *Lists) ParamWord(userID, parsed, input string, position int) []model.AutocompleteListItem {
	return Finished(ParamWord(l.Catalog.Current(), parsed, input, position, l.Words.User(userID)), parsed, input)
}

// typed is the command as typed so far.
func typed(parsed, input string) string {
	if parsed != "" {
		return parsed
	}
	return input
}

// subscribed reads the channel's subscriptions when a list needs them.
func (l *Lists) subscribed(channelID string) Subscribed {
	return func() []subscription.Subscription {
		subs, err := l.Subs.Channel(channelID)
		if err != nil {
			return nil
		}
		return subs
	}
}

// Definition is what the plugin registers. Mattermost lets a node have arguments or
// subcommands, not both, so the first word is one dynamic list holding the repos and the
// subcommands alike.
// Mattermost keeps one definition for every user, so it is worded in the server's language.
func Definition(l i18n.Localizer) *model.Command {
	description := l.String(i18n.T("command.definition.description", "Start and follow Buildbot builds"))
	root := model.NewAutocompleteData(Trigger, "[repo] [branch] [revision]", description)
	root.AddDynamicListArgument(l.String(i18n.T("command.definition.first", "A repo to build, or help, list or status")), route.FirstWord, true)
	root.AddDynamicListArgument(l.String(i18n.T("command.definition.second", "The branch; the repo's default branch if left out")), route.SecondWord, false)
	root.AddDynamicListArgument(l.String(i18n.T("command.definition.third", "The revision to build, a parameter (name=value), or the branches to subscribe to")),
		route.ThirdWord, false)
	// Mattermost completes only the arguments a command declares: enough for a form's worth. It
	// also tries each optional argument at the words before its own, so each one's route names
	// its position and answers only there; otherwise a word would list every suggestion many times.
	for i := range paramArguments {
		root.AddDynamicListArgument(l.String(i18n.T("command.definition.param", "A parameter of the build's force scheduler: name=value")),
			fmt.Sprintf("%s/%d", route.Params, i+4), false)
	}
	events := make([]model.AutocompleteListItem, len(subscription.Events))
	for i, e := range subscription.Events {
		events[i] = model.AutocompleteListItem{Item: string(e.Event), HelpText: l.String(e.Means)}
	}
	root.AddNamedStaticListArgument("events", l.String(i18n.T("command.definition.events", "For subscribe: the events to post, comma-separated")), false, events)
	root.AddNamedStaticListArgument("style", l.String(i18n.T("command.definition.style", "For subscribe: how to post a build")), false, []model.AutocompleteListItem{
		{Item: string(subscription.StyleCard), HelpText: l.String(i18n.T("command.definition.style.card", "The live card, edited in place"))},
		{Item: string(subscription.StyleLine), HelpText: l.String(i18n.T("command.definition.style.line", "One compact line"))},
	})
	return &model.Command{
		Trigger:          Trigger,
		DisplayName:      "Buildbot",
		Description:      description,
		AutoComplete:     true,
		AutoCompleteDesc: l.String(i18n.T("command.definition.autocomplete", "Start and follow Buildbot builds. Try /build help.")),
		AutoCompleteHint: "[repo] [branch] [revision]",
		AutocompleteData: root,
	}
}

func subcommandItems(l i18n.Localizer) []model.AutocompleteListItem {
	return []model.AutocompleteListItem{
		{Item: SubList, HelpText: l.String(i18n.T("command.sub.list", "What Buildbot can build, with the last results"))},
		{Item: SubStatus, Hint: "[repo] [branch]", HelpText: l.String(i18n.T("command.sub.status", "Recent builds, with links"))},
		{Item: SubSubscribe, Hint: "<repo|*> [branch-glob] [--events e1,e2] [--style card|line]", //i18n:verbatim the command's syntax
			HelpText: l.String(i18n.T("command.sub.subscribe", "Post this channel the builds of a repo"))},
		{Item: SubUnsubscribe, Hint: "<repo|*> [branch-glob]", HelpText: l.String(i18n.T("command.sub.unsubscribe", "Stop posting a repo's builds here"))},
		{Item: SubSubscriptions, Hint: "[--all]", HelpText: l.String(i18n.T("command.sub.subscriptions", "This channel's subscriptions"))},
		{Item: SubMe, Hint: "[link|unlink]", HelpText: l.String(i18n.T("command.sub.me", "Whether a failed build of your commits mentions you"))},
		{Item: SubHelp, HelpText: l.String(i18n.T("command.sub.help", "How to use /build"))},
	}
}

// FirstWord lists what may follow /build: the repos, then the subcommands. Mattermost filters
// the list by what the user typed.
func FirstWord(ix *catalog.Index, l i18n.Localizer) []model.AutocompleteListItem {
	items := repoItems(ix, l)
	return append(items, subcommandItems(l)...)
}

// words are what was typed after /build; Mattermost passes it without the leading slash.
func words(parsed string) []string {
	fields := strings.Fields(parsed)
	if len(fields) > 0 && strings.EqualFold(strings.TrimPrefix(fields[0], "/"), Trigger) {
		fields = fields[1:]
	}
	return fields
}

// SecondWord lists the branches of the repo typed first, the repos after `status`, every
// builder's repo after `subscribe`, and the channel's subscribed repos after `unsubscribe`.
// parsed is the command as typed so far.
func SecondWord(ix *catalog.Index, parsed string, subscribed Subscribed, l i18n.Localizer) []model.AutocompleteListItem {
	fields := words(parsed)
	if len(fields) == 0 {
		return []model.AutocompleteListItem{}
	}
	switch strings.ToLower(fields[0]) {
	case SubStatus:
		return repoItems(ix, l)
	case SubSubscribe:
		items := []model.AutocompleteListItem{{Item: subscription.AnyRepo, HelpText: l.String(i18n.T("command.autocomplete.every_repo", "Every repo"))}}
		for _, name := range ix.WatchedNames() {
			items = append(items, model.AutocompleteListItem{Item: name})
		}
		return items
	case SubUnsubscribe:
		items := []model.AutocompleteListItem{}
		for _, s := range subscribed() {
			if !slices.ContainsFunc(items, func(i model.AutocompleteListItem) bool { return i.Item == s.Repo }) {
				items = append(items, model.AutocompleteListItem{Item: s.Repo})
			}
		}
		return items
	case SubMe:
		return []model.AutocompleteListItem{
			{Item: meLink, HelpText: l.String(i18n.T("command.autocomplete.me_link", "Let a failed build of your commits mention you"))},
			{Item: meUnlink, HelpText: l.String(i18n.T("command.autocomplete.me_unlink", "Stop that"))},
		}
	case SubHelp, SubList, SubSubscriptions:
		return []model.AutocompleteListItem{}
	}
	repo, ok := ix.Lookup(fields[0])
	if !ok {
		return []model.AutocompleteListItem{}
	}
	items := make([]model.AutocompleteListItem, 0, len(repo.Branches))
	for _, branch := range repo.Branches {
		item := model.AutocompleteListItem{Item: branch}
		if branch == repo.DefaultBranch {
			item.HelpText = l.String(i18n.T("command.autocomplete.default_branch", "default branch"))
		}
		items = append(items, item)
	}
	return items
}

// ThirdWord lists the branch globs after `subscribe <repo>` (every branch, then the repo's
// branches) and the channel's globs after `unsubscribe <repo>`; a revision has no list.
func ThirdWord(ix *catalog.Index, parsed, input string, subscribed Subscribed, l i18n.Localizer) []model.AutocompleteListItem {
	fields := words(parsed)
	items := []model.AutocompleteListItem{}
	if len(fields) < 2 {
		return items
	}
	switch strings.ToLower(fields[0]) {
	case SubSubscribe:
		items = append(items, model.AutocompleteListItem{Item: "*", HelpText: l.String(i18n.T("command.autocomplete.every_branch", "Every branch"))})
		if repo, ok := ix.LookupWatched(fields[1]); ok {
			for _, branch := range repo.Branches {
				items = append(items, model.AutocompleteListItem{Item: branch})
			}
		}
	case SubUnsubscribe:
		for _, s := range subscribed() {
			if strings.EqualFold(s.Repo, fields[1]) && s.Branch != "" {
				items = append(items, model.AutocompleteListItem{Item: s.Branch, HelpText: subscription.JoinEvents(s.Events)})
			}
		}
	case SubStatus, SubSubscriptions, SubHelp, SubList:
	default:
		return ParamWord(ix, parsed, input, 3, l)
	}
	return items
}

// Finished adds the word typed at this argument to its list once the user has typed past it.
// Mattermost moves on to the next argument only when the word typed is one of the list's items;
// a new branch, a revision or a name=value never is, and the words after it would get nothing.
// parsed is the command before this argument's word, input the command as typed.
func Finished(items []model.AutocompleteListItem, parsed, input string) []model.AutocompleteListItem {
	word, _, more := strings.Cut(strings.TrimLeft(strings.TrimPrefix(input, parsed), " "), " ")
	if !more || word == "" || slices.ContainsFunc(items, func(i model.AutocompleteListItem) bool { return strings.EqualFold(i.Item, word) }) {
		return items
	}
	return append(items, model.AutocompleteListItem{Item: word})
}

// paramArguments is how many name=value words after the third autocomplete completes.
const paramArguments = 8

// ParamWord completes a name=value word of a build from the form of the repo's force scheduler
// for the branch: the names not yet given, then a name's choices. parsed is the command up to the
// word being typed, input the command as typed; the word must be the position-th after /build.
func ParamWord(ix *catalog.Index, parsed, input string, position int, l i18n.Localizer) []model.AutocompleteListItem {
	fields := words(parsed)
	if len(fields) == 0 || len(fields)+1 != position || slices.Contains([]string{SubHelp, SubList, SubStatus, SubSubscribe, SubUnsubscribe, SubSubscriptions}, strings.ToLower(fields[0])) {
		return []model.AutocompleteListItem{}
	}
	partial, _, _ := strings.Cut(strings.TrimLeft(strings.TrimPrefix(input, parsed), " "), " ")
	branch := ""
	if len(fields) > 1 && !strings.Contains(fields[1], "=") {
		branch = fields[1]
	}
	if branch == "" {
		if repo, ok := ix.Lookup(fields[0]); ok {
			branch = repo.DefaultBranch
		}
	}
	f, ok := ix.FormFor(fields[0], branch)
	if !ok {
		return []model.AutocompleteListItem{}
	}
	// The branch and revision typed as plain words are given too.
	given := slices.Clone(fields[1:])
	for i, role := range []form.Role{form.RoleBranch, form.RoleRevision} {
		if p, ok := f.Lookup(role, ""); ok && len(fields) > i+1 && !strings.Contains(fields[i+1], "=") {
			given = append(given, p.FullName+"="+fields[i+1])
		}
	}
	return f.Suggest(partial, given, l)
}

func repoItems(ix *catalog.Index, l i18n.Localizer) []model.AutocompleteListItem {
	items := make([]model.AutocompleteListItem, 0, len(ix.Names()))
	for _, name := range ix.Names() {
		repo := ix.Repos[name]
		builders := make([]string, len(repo.Targets))
		for i, t := range repo.Targets {
			builders[i] = t.Builder
		}
		item := model.AutocompleteListItem{Item: name, HelpText: l.String(i18n.T("command.autocomplete.builds_on", "Builds on {{.Builders}}", "Builders", strings.Join(builders, ", ")))}
		if repo.DefaultBranch != "" {
			item.Hint = "[" + repo.DefaultBranch + "]"
		}
		items = append(items, item)
	}
	return items
}
