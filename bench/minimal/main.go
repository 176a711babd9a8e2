// The least a plugin with a dynamic autocomplete list can do: answer a fixed list from memory.
// The benchmarks time its suggestions through the same Mattermost as ours, so what Mattermost
// itself costs a keystroke is measured rather than guessed. It is never shipped.
package main

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"
)

const trigger = "minimal"

type minimal struct {
	plugin.MattermostPlugin
	items, branches []model.AutocompleteListItem
}

func (m *minimal) OnActivate() error {
	// As many names as the big master has repos, for Mattermost to filter as it filters ours.
	for i := range 1000 {
		name := fmt.Sprintf("svc-%04d", i)
		m.items = append(m.items, model.AutocompleteListItem{Item: name, Hint: "[main]", HelpText: "Builds on " + name})
	}
	// As many branches as the big master's repos have, for the second word.
	m.branches = []model.AutocompleteListItem{{Item: "main", HelpText: "default branch"}}
	for i := range 40 {
		m.branches = append(m.branches, model.AutocompleteListItem{Item: fmt.Sprintf("feature/%d", i)})
	}
	// The shape of /build's: three dynamic lists, the later two optional, so Mattermost asks the
	// third whenever it asks the second.
	root := model.NewAutocompleteData(trigger, "[item] [branch] [more]", "A fixed list")
	root.AddDynamicListArgument("An item", "list", true)
	root.AddDynamicListArgument("A branch", "branches", false)
	root.AddDynamicListArgument("More", "more", false)
	return m.API.RegisterCommand(&model.Command{Trigger: trigger, AutoComplete: true, AutocompleteData: root})
}

func (m *minimal) ExecuteCommand(*plugin.Context, *model.CommandArgs) (*model.CommandResponse, *model.AppError) {
	return &model.CommandResponse{}, nil
}

func (m *minimal) ServeHTTP(_ *plugin.Context, w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case "/branches":
		_ = json.NewEncoder(w).Encode(m.branches)
	case "/more":
		_ = json.NewEncoder(w).Encode([]model.AutocompleteListItem{})
	default:
		_ = json.NewEncoder(w).Encode(m.items)
	}
}

func main() {
	plugin.ClientMain(&minimal{})
}
