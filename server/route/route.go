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
	// MeSettings reads and writes the caller's settings for direct messages about builds.
	MeSettings = "api/v1/me/settings"
	// Previews gives the live state of what a message's pasted Buildbot links show; the post's id
	// follows it.
	Previews = "api/v1/previews"
)

// Panel is the Builds panel's routes: builds, mine, subscriptions, branches, stop and red_count
// follow it.
const Panel = "api/v1/panel"

// Autocomplete lists what may be typed at a word of /build, from the words before it. Mattermost
// calls it in-process on every keystroke, once for each word up to the one typed, so it answers
// from memory.
const Autocomplete = "api/v1/autocomplete"

// URL is a route as Mattermost's clients and dialogs call it.
func URL(pluginID, route string) string {
	return "/plugins/" + pluginID + "/" + route
}
