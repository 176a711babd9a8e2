package command

import (
	"slices"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/catalog"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/form"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/notify"
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

// Word lists what may be typed as the word being typed, in the user's language. parsed is the
// command before that word, input the command as typed, as Mattermost sends them.
func (l *Lists) Word(userID, channelID, parsed, input string) []model.AutocompleteListItem {
	var ix *catalog.Index
	if !l.Catalog.Reading() {
		ix = l.Catalog.Current()
	}
	return Suggest(ix, parsed, input, l.subscribed(channelID), l.Words.User(userID))
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

// maxWords is how many words after /build autocomplete completes: a build's repo, branch and
// revision, and a form's worth of name=value words.
const maxWords = 16

// maxItems is the longest list offered: Mattermost's list is for picking, not browsing, and
// typing narrows it to what the list left out.
const maxItems = 25

// Definition is what the plugin registers.
// Mattermost keeps one definition for every user, so it is worded in the server's language.
func Definition(l i18n.Localizer) *model.Command {
	description := l.String(i18n.T("command.definition.description", "Start and follow Buildbot builds"))
	root := model.NewAutocompleteData(Trigger, "[repo] [branch] [revision]", description)
	// Mattermost lets a node have arguments or subcommands, not both, and the repos are known only
	// at run time, so every word is a dynamic list of its own whose items depend on the words
	// before it: the first holds the repos and the subcommands alike. Every one is marked
	// required, though only the first is: Mattermost asks an optional argument's route about the
	// word of each argument before it as well, on every keystroke (11 calls after `/build <repo> `
	// with the lists this had), and a required one only about its own word, then once more to
	// step past it: a keystroke at the n-th word costs n calls.
	root.AddDynamicListArgument(l.String(i18n.T("command.definition.first", "A repo to build, or help, list or status")), route.Autocomplete, true)
	root.AddDynamicListArgument(l.String(i18n.T("command.definition.second", "The branch; the repo's default branch if left out")), route.Autocomplete, true)
	root.AddDynamicListArgument(l.String(i18n.T("command.definition.third", "The revision to build, a parameter (name=value), or the branches to subscribe to")),
		route.Autocomplete, true)
	for range maxWords - 3 {
		root.AddDynamicListArgument(l.String(i18n.T("command.definition.param", "A parameter of the build's force scheduler: name=value")), route.Autocomplete, true)
	}
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
		{Item: SubMe, Hint: "[link|unlink|builds|breaks]", HelpText: l.String(i18n.T("command.sub.me", "Your address and your direct messages about builds"))},
		{Item: SubMine, HelpText: l.String(i18n.T("command.sub.mine", "Your recent and running builds"))},
		{Item: SubHelp, HelpText: l.String(i18n.T("command.sub.help", "How to use /build"))},
	}
}

// words are what was typed after /build; Mattermost passes it without the leading slash.
func words(parsed string) []string {
	fields := strings.Fields(parsed)
	if len(fields) > 0 && strings.EqualFold(strings.TrimPrefix(fields[0], "/"), Trigger) {
		fields = fields[1:]
	}
	return fields
}

// Suggest lists what may be typed as the word being typed, after the words before it: the repos
// and subcommands first, then a repo's branches and its force scheduler's name=value words, or
// what a subcommand takes. ix is the catalog's index, nil while the catalog waits for its first
// read of Buildbot. Mattermost keeps the items that start with the word, so only those are
// sent, at most maxItems. parsed is the command before the word, input the command as typed.
func Suggest(ix *catalog.Index, parsed, input string, subscribed Subscribed, l i18n.Localizer) []model.AutocompleteListItem {
	before := words(parsed)
	word, _, past := strings.Cut(strings.TrimLeft(strings.TrimPrefix(input, parsed), " "), " ")
	// Mattermost asks about a word typed past only to step past it to the next one, which it does
	// when the word is an item: a new branch, a revision or a name=value is never one it would list.
	if past {
		return []model.AutocompleteListItem{{Item: word}}
	}
	if len(before) == 0 {
		subcommands := pick(subcommandItems(l), word, maxItems)
		if ix == nil {
			return append([]model.AutocompleteListItem{reading(word, l)}, subcommands...)
		}
		return append(repoItems(ix, word, maxItems-len(subcommands), l), subcommands...)
	}
	args := before[1:]
	switch strings.ToLower(before[0]) {
	case SubStatus:
		switch {
		case len(args) > 1:
		case ix == nil:
			return []model.AutocompleteListItem{reading(word, l)}
		case len(args) == 0:
			return repoItems(ix, word, maxItems, l)
		default:
			repo, _ := ix.Lookup(args[0])
			return branchItems(repo, word, maxItems, l)
		}
	case SubSubscribe:
		return subscribeItems(ix, args, word, l)
	case SubUnsubscribe:
		return unsubscribeItems(args, word, subscribed)
	case SubSubscriptions:
		if len(args) == 0 {
			return pick([]model.AutocompleteListItem{{Item: "--all", HelpText: l.String(i18n.T("command.autocomplete.all_subscriptions", "Those of every channel"))}}, word, maxItems)
		}
	case SubMe:
		return meItems(args, word, l)
	case SubHelp, SubList, SubMine:
	default:
		switch {
		case ix == nil:
			return []model.AutocompleteListItem{reading(word, l)}
		case len(before) == 1:
			repo, _ := ix.Lookup(before[0])
			return branchItems(repo, word, maxItems, l)
		}
		return paramItems(ix, before, word, l)
	}
	return []model.AutocompleteListItem{}
}

// reading stands for what the catalog will know once it has read Buildbot. Its item is the word
// typed, so Mattermost keeps it whatever was typed.
func reading(word string, l i18n.Localizer) model.AutocompleteListItem {
	return model.AutocompleteListItem{Item: word, HelpText: l.String(i18n.T("command.autocomplete.reading", "reading Buildbot's builders…"))}
}

// hasPrefix matches a typed word as Mattermost does when it filters a list.
func hasPrefix(item, word string) bool {
	return strings.HasPrefix(strings.ToLower(item), strings.ToLower(word))
}

// pick keeps the items that start with the word, at most limit of them.
func pick(items []model.AutocompleteListItem, word string, limit int) []model.AutocompleteListItem {
	kept := []model.AutocompleteListItem{}
	for _, item := range items {
		if len(kept) == limit {
			break
		}
		if hasPrefix(item.Item, word) {
			kept = append(kept, item)
		}
	}
	return kept
}

// pickNames keeps the names that start with the word, at most limit of them.
func pickNames(names []string, word string, limit int) []string {
	kept := []string{}
	for _, name := range names {
		if len(kept) == limit {
			break
		}
		if hasPrefix(name, word) {
			kept = append(kept, name)
		}
	}
	return kept
}

// repoItems lists the repos /build builds that start with the word, the most recently built
// first, at most limit of them; only those are worded.
func repoItems(ix *catalog.Index, word string, limit int, l i18n.Localizer) []model.AutocompleteListItem {
	items := []model.AutocompleteListItem{}
	for _, name := range pickNames(ix.Recent(), word, limit) {
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

// branchItems lists the repo's branches that start with the word: the default first, then the
// most recently built, at most limit of them. A repo not found (nil) has none.
func branchItems(repo *catalog.Repo, word string, limit int, l i18n.Localizer) []model.AutocompleteListItem {
	items := []model.AutocompleteListItem{}
	if repo == nil {
		return items
	}
	for _, branch := range pickNames(repo.Branches, word, limit) {
		item := model.AutocompleteListItem{Item: branch}
		if branch == repo.DefaultBranch {
			item.HelpText = l.String(i18n.T("command.autocomplete.default_branch", "default branch"))
		}
		items = append(items, item)
	}
	return items
}

// paramItems completes a name=value word of a build from the form of the repo's force scheduler
// for the branch: the names not yet given, then a name's choices. before are the words before
// it, the repo first.
func paramItems(ix *catalog.Index, before []string, word string, l i18n.Localizer) []model.AutocompleteListItem {
	if ix == nil {
		return []model.AutocompleteListItem{reading(word, l)}
	}
	branch := ""
	if !strings.Contains(before[1], "=") {
		branch = before[1]
	}
	if branch == "" {
		if repo, ok := ix.Lookup(before[0]); ok {
			branch = repo.DefaultBranch
		}
	}
	f, ok := ix.FormFor(before[0], branch)
	if !ok {
		return []model.AutocompleteListItem{}
	}
	// The branch and revision typed as plain words are given too.
	given := slices.Clone(before[1:])
	for i, role := range []form.Role{form.RoleBranch, form.RoleRevision} {
		if p, ok := f.Lookup(role, ""); ok && len(before) > i+1 && !strings.Contains(before[i+1], "=") {
			given = append(given, p.FullName+"="+before[i+1])
		}
	}
	return pick(f.Suggest(word, given, l), word, maxItems)
}

// The options of /build subscribe.
const (
	optionEvents = "--events"
	optionStyle  = "--style"
)

// subscribeItems lists what follows `subscribe`: every repo (*) and the repos of every builder,
// then every branch (*) and the repo's branches with the options not yet given, and after an
// option its values. args are the words after `subscribe`.
func subscribeItems(ix *catalog.Index, args []string, word string, l i18n.Localizer) []model.AutocompleteListItem {
	if len(args) > 0 {
		switch args[len(args)-1] {
		case optionEvents:
			return eventItems(word, l)
		case optionStyle:
			return pick([]model.AutocompleteListItem{
				{Item: string(subscription.StyleCard), HelpText: l.String(i18n.T("command.autocomplete.style_card", "The live card, edited in place"))},
				{Item: string(subscription.StyleLine), HelpText: l.String(i18n.T("command.autocomplete.style_line", "One compact line"))},
			}, word, maxItems)
		}
	}
	// The repo, the glob and the options stand in any order, as parseSubscription reads them.
	var positional []string
	given := map[string]bool{}
	for i := 0; i < len(args); i++ {
		name, _, inline := strings.Cut(args[i], "=")
		if !strings.HasPrefix(name, "--") {
			positional = append(positional, args[i])
			continue
		}
		given[name] = true
		if !inline {
			i++
		}
	}
	if len(positional) == 0 {
		items := pick([]model.AutocompleteListItem{{Item: subscription.AnyRepo, HelpText: l.String(i18n.T("command.autocomplete.every_repo", "Every repo"))}}, word, 1)
		if ix == nil {
			return append(items, reading(word, l))
		}
		for _, name := range pickNames(ix.WatchedRecent(), word, maxItems-len(items)) {
			items = append(items, model.AutocompleteListItem{Item: name})
		}
		return items
	}
	var options []model.AutocompleteListItem
	if !given[optionEvents] {
		options = append(options, model.AutocompleteListItem{Item: optionEvents, Hint: "e1,e2",
			HelpText: l.String(i18n.T("command.autocomplete.events", "The events to post, comma-separated"))})
	}
	if !given[optionStyle] {
		options = append(options, model.AutocompleteListItem{Item: optionStyle, Hint: "card|line", HelpText: l.String(i18n.T("command.autocomplete.style", "How to post a build"))})
	}
	options = pick(options, word, maxItems)
	if len(positional) > 1 {
		return options
	}
	globs := pick([]model.AutocompleteListItem{{Item: "*", HelpText: l.String(i18n.T("command.autocomplete.every_branch", "Every branch"))}}, word, 1)
	if ix == nil {
		return append(append(globs, reading(word, l)), options...)
	}
	repo, _ := ix.LookupWatched(positional[0])
	globs = append(globs, branchItems(repo, word, maxItems-len(globs)-len(options), l)...)
	return append(globs, options...)
}

// eventItems completes --events' comma-separated list with the events not yet listed.
func eventItems(word string, l i18n.Localizer) []model.AutocompleteListItem {
	listed, last := "", word
	if i := strings.LastIndex(word, ","); i >= 0 {
		listed, last = word[:i+1], word[i+1:]
	}
	items := []model.AutocompleteListItem{}
	for _, e := range subscription.Events {
		name := string(e.Event)
		if !hasPrefix(name, last) || slices.ContainsFunc(strings.Split(listed, ","), func(w string) bool { return strings.EqualFold(strings.TrimSpace(w), name) }) {
			continue
		}
		items = append(items, model.AutocompleteListItem{Item: listed + name, HelpText: l.String(e.Means)})
	}
	return items
}

// unsubscribeItems lists the channel's subscribed repos, then the repo's globs in this channel.
func unsubscribeItems(args []string, word string, subscribed Subscribed) []model.AutocompleteListItem {
	items := []model.AutocompleteListItem{}
	switch len(args) {
	case 0:
		for _, s := range subscribed() {
			if !slices.ContainsFunc(items, func(i model.AutocompleteListItem) bool { return i.Item == s.Repo }) {
				items = append(items, model.AutocompleteListItem{Item: s.Repo})
			}
		}
	case 1:
		for _, s := range subscribed() {
			if strings.EqualFold(s.Repo, args[0]) && s.Branch != "" {
				items = append(items, model.AutocompleteListItem{Item: s.Branch, HelpText: subscription.JoinEvents(s.Events)})
			}
		}
	}
	return pick(items, word, maxItems)
}

// meItems lists what /build me takes: what it changes, then the value.
func meItems(args []string, word string, l i18n.Localizer) []model.AutocompleteListItem {
	var items []model.AutocompleteListItem
	switch {
	case len(args) == 0:
		items = []model.AutocompleteListItem{
			{Item: meLink, HelpText: l.String(i18n.T("command.autocomplete.me_link", "Let a failed build of your commits mention you"))},
			{Item: meUnlink, HelpText: l.String(i18n.T("command.autocomplete.me_unlink", "Stop that"))},
			{Item: meBuilds, Hint: "off|failures|always", HelpText: l.String(i18n.T("command.autocomplete.me_builds", "A direct message when a build you started ends"))},
			{Item: meBreaks, Hint: "on|off", HelpText: l.String(i18n.T("command.autocomplete.me_breaks", "A direct message when your change breaks a build"))},
		}
	case len(args) == 1 && strings.EqualFold(args[0], meBuilds):
		for _, o := range []notify.OwnBuilds{notify.OwnBuildsOff, notify.OwnBuildsFailures, notify.OwnBuildsAlways} {
			items = append(items, model.AutocompleteListItem{Item: string(o)})
		}
	case len(args) == 1 && strings.EqualFold(args[0], meBreaks):
		items = []model.AutocompleteListItem{{Item: meOn}, {Item: meOff}}
	}
	return pick(items, word, maxItems)
}
