package command

import (
	"strings"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/catalog"
)

// Routes of the dynamic lists, relative to the plugin: Mattermost calls them in-process on every
// keystroke, so they answer from the catalog in memory.
const (
	FirstWordRoute  = "api/v1/autocomplete/first"
	SecondWordRoute = "api/v1/autocomplete/second"
)

// Definition is what the plugin registers. Mattermost lets a node have arguments or
// subcommands, not both, so the first word is one dynamic list holding the repos and the
// subcommands alike.
func Definition() *model.Command {
	root := model.NewAutocompleteData(Trigger, "[repo] [branch] [revision]", "Start and follow Buildbot builds")
	root.AddDynamicListArgument("A repo to build, or help, list or status", FirstWordRoute, true)
	root.AddDynamicListArgument("The branch; the repo's default branch if left out", SecondWordRoute, false)
	root.AddTextArgument("The revision to build; the branch's newest if left out", "[revision]", "")
	return &model.Command{
		Trigger:          Trigger,
		DisplayName:      "Buildbot",
		Description:      "Start and follow Buildbot builds",
		AutoComplete:     true,
		AutoCompleteDesc: "Start and follow Buildbot builds. Try /build help.",
		AutoCompleteHint: "[repo] [branch] [revision]",
		AutocompleteData: root,
	}
}

var subcommandItems = []model.AutocompleteListItem{
	{Item: SubList, HelpText: "What Buildbot can build, with the last results"},
	{Item: SubStatus, Hint: "[repo] [branch]", HelpText: "Recent builds, with links"},
	{Item: SubHelp, HelpText: "How to use /build"},
}

// FirstWord lists what may follow /build: the repos, then the subcommands. Mattermost filters
// the list by what the user typed.
func FirstWord(ix *catalog.Index) []model.AutocompleteListItem {
	items := repoItems(ix)
	return append(items, subcommandItems...)
}

// SecondWord lists the branches of the repo typed first, or the repos after `status`. parsed is
// the command as typed so far.
func SecondWord(ix *catalog.Index, parsed string) []model.AutocompleteListItem {
	// Mattermost passes what was typed without the leading slash.
	fields := strings.Fields(parsed)
	if len(fields) > 0 && strings.EqualFold(strings.TrimPrefix(fields[0], "/"), Trigger) {
		fields = fields[1:]
	}
	if len(fields) == 0 {
		return []model.AutocompleteListItem{}
	}
	switch strings.ToLower(fields[0]) {
	case SubStatus:
		return repoItems(ix)
	case SubHelp, SubList:
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
			item.HelpText = "default branch"
		}
		items = append(items, item)
	}
	return items
}

func repoItems(ix *catalog.Index) []model.AutocompleteListItem {
	items := make([]model.AutocompleteListItem, 0, len(ix.Names()))
	for _, name := range ix.Names() {
		repo := ix.Repos[name]
		builders := make([]string, len(repo.Targets))
		for i, t := range repo.Targets {
			builders[i] = t.Builder
		}
		item := model.AutocompleteListItem{Item: name, HelpText: "Builds on " + strings.Join(builders, ", ")}
		if repo.DefaultBranch != "" {
			item.Hint = "[" + repo.DefaultBranch + "]"
		}
		items = append(items, item)
	}
	return items
}
