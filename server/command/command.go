// Package command is the /build slash command: its autocomplete data, parsing and answers.
package command

import (
	"context"
	"sort"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/config"
)

// Trigger is the slash command's name.
const Trigger = "build"

// Definition is what the plugin registers: the command with its autocomplete tree.
func Definition() *model.Command {
	root := model.NewAutocompleteData(Trigger, "[repo] [branch] [revision]", "Start and follow Buildbot builds")
	root.AddCommand(model.NewAutocompleteData("help", "", "Show how to use /build"))
	root.AddCommand(model.NewAutocompleteData("list", "", "List the builders Buildbot has"))
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

// Handler answers /build. Snapshot returns the settings in force.
type Handler struct {
	Snapshot func() *config.Snapshot
}

// Execute runs one /build invocation and returns the text to show the caller alone.
func (h *Handler) Execute(ctx context.Context, args *model.CommandArgs) string {
	inv, err := Parse(args.Command)
	if err != nil {
		return err.Error() + "\n\n" + usage
	}
	if inv.Sub == SubHelp {
		return usage
	}
	snap := h.Snapshot()
	if !snap.Ready() {
		return snap.ProblemsMessage()
	}
	switch inv.Sub {
	case SubList:
		return list(ctx, snap)
	default:
		return "Starting builds from chat is not available in this version yet; `/build list` shows what Buildbot has."
	}
}

const usage = "#### /build\n" +
	"- `/build help`: this text\n" +
	"- `/build list`: the builders Buildbot has"

func list(ctx context.Context, snap *config.Snapshot) string {
	builders, err := snap.Buildbot.Builders(ctx)
	if err != nil {
		return buildbot.UserMessage(err)
	}
	var names []string
	for _, b := range builders {
		if len(b.MasterIDs) > 0 {
			names = append(names, b.Name)
		}
	}
	if len(names) == 0 {
		return "Buildbot has no active builders."
	}
	sort.Strings(names)
	return "Builders on Buildbot: `" + strings.Join(names, "`, `") + "`"
}
