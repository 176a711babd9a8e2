// Package route names the plugin's HTTP routes, relative to /plugins/<id>/: the API serves them,
// and the slash command and the posts point Mattermost at them.
package route

const (
	// Actions receives the clicks on status posts' buttons.
	Actions = "api/v1/actions"
	// BuildForm receives the build form's submissions.
	BuildForm = "api/v1/build-form"
	// Status tells a system admin whether the plugin is set up and what it reached.
	Status = "api/v1/status"
	// Bot names the account whose posts are status posts.
	Bot = "api/v1/bot"
)

// The dynamic lists of /build's autocomplete. Mattermost calls them in-process on every
// keystroke, so they answer from memory.
const (
	// FirstWord lists the repos and subcommands.
	FirstWord = "api/v1/autocomplete/first"
	// SecondWord lists a repo's branches, or what follows a subcommand.
	SecondWord = "api/v1/autocomplete/second"
	// ThirdWord lists branch globs, or a build's parameters.
	ThirdWord = "api/v1/autocomplete/third"
	// Params completes the name=value words after the third; the word's position follows it.
	Params = "api/v1/autocomplete/params"
)

// URL is a route as Mattermost's clients and dialogs call it.
func URL(pluginID, route string) string {
	return "/plugins/" + pluginID + "/" + route
}
