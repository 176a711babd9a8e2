package app

import (
	"errors"
	"fmt"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/access"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/markdown"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/notify"
)

// AddressChange is what a user asks of the link between them and their commits' address.
type AddressChange int

const (
	// AddressUnchanged only asks whether it is linked.
	AddressUnchanged AddressChange = iota
	// AddressLink links the address, so their failed builds mention them.
	AddressLink
	// AddressUnlink undoes that.
	AddressUnlink
)

// MeRequest is what /build me asks to change; the zero value changes nothing.
type MeRequest struct {
	Address AddressChange
	// OwnBuilds, when set, is which of the user's own builds end in a direct message.
	OwnBuilds notify.OwnBuilds
	// Breaks, when set, says whether a build the user's change breaks tells them.
	Breaks *bool
}

// Me answers /build me: which address of the user's commits is matched to them, and which direct
// messages about builds they get, each changed first at their word.
func (a *App) Me(who Actor, req MeRequest) i18n.Text {
	grant, denied, ok := a.check(a.Snapshot(), who, access.Personal)
	if !ok {
		return denied
	}
	settings := a.meSettings(grant.User.Id, req)
	return i18n.Join("\n\n", a.address(grant.User, req.Address), settings)
}

// meSettings changes the user's settings as asked and words them.
func (a *App) meSettings(userID string, req MeRequest) i18n.Text {
	if a.Notify == nil {
		return i18n.Text{}
	}
	settings, err := a.Notify.Settings(userID)
	if err != nil {
		return i18n.T("command.me.settings_not_read", "The plugin could not read your settings for direct messages; try again.")
	}
	if req.OwnBuilds != "" || req.Breaks != nil {
		if req.OwnBuilds != "" {
			settings.OwnBuilds = req.OwnBuilds
		}
		if req.Breaks != nil {
			settings.Breaks = *req.Breaks
		}
		if err := a.Notify.SetSettings(userID, settings); err != nil {
			return i18n.T("command.me.not_saved", "That was not saved; try again.")
		}
	}
	own := map[notify.OwnBuilds]i18n.Text{
		notify.OwnBuildsOff:      i18n.T("command.me.own_off", "never"),
		notify.OwnBuildsFailures: i18n.T("command.me.own_failures", "when it fails"),
		notify.OwnBuildsAlways:   i18n.T("command.me.own_always", "whenever it ends"),
	}[settings.OwnBuilds]
	breaks := i18n.T("command.me.breaks_off", "never")
	if settings.Breaks {
		breaks = i18n.T("command.me.breaks_on", "once, at the first failure after a success")
	}
	return i18n.T("command.me.messages", "**Direct messages from the Buildbot bot**\n"+
		"- A build you started from chat: {{.Own}} (`/build me builds off|failures|always`)\n"+
		"- A build your change breaks: {{.Breaks}} (`/build me breaks on|off`)\n"+
		"- Any running build: click **Notify me** on it",
		"Own", own, "Breaks", breaks)
}

// address says whether a failed build whose changes carry the user's address mentions them, and,
// where Mattermost hides addresses, links or unlinks it at their word.
func (a *App) address(u *model.User, change AddressChange) i18n.Text {
	if a.Authors == nil || u.Email == "" {
		return i18n.T("command.me.unavailable", "Builds cannot match your commits to you here: your account has no e-mail address the plugin can read.")
	}
	address := markdown.Code(u.Email)
	if a.Authors.AddressesShown() {
		return i18n.T("command.me.shown", "Mattermost shows e-mail addresses here, so a failed build whose changes carry `{{.Address}}` mentions you; "+
			"there is nothing to link.", "Address", address)
	}
	var err error
	switch change {
	case AddressLink:
		err = a.Authors.Link(u)
	case AddressUnlink:
		err = a.Authors.Unlink(u)
	}
	if err != nil {
		return i18n.T("command.me.not_saved", "That was not saved; try again.")
	}
	linked, err := a.Authors.Linked(u)
	switch {
	case err != nil:
		return i18n.T("command.me.not_read", "The plugin could not read whether your address is linked; try again.")
	case linked:
		return i18n.T("command.me.linked", "A failed build whose changes carry `{{.Address}}` mentions you. `/build me unlink` stops that.", "Address", address)
	}
	return i18n.T("command.me.unlinked", "Mattermost hides e-mail addresses here, so a failed build whose changes carry `{{.Address}}` mentions you only once you "+
		"link it: `/build me link`. The channel then learns the address is yours when a build of yours fails.", "Address", address)
}

// MeView is what the plugin's page in Mattermost's settings shows a user: their settings for
// direct messages, and the address of their commits and whether it is matched to them.
type MeView struct {
	OwnBuilds notify.OwnBuilds `json:"own_builds"`
	Breaks    bool             `json:"breaks"`
	Email     string           `json:"email"`
	// Matched says whether builds whose changes carry Email are matched to the user: Mattermost
	// shows addresses, or the user linked theirs.
	Matched bool `json:"matched"`
}

// ErrNoSettings is returned when the plugin keeps no settings for direct messages here.
var ErrNoSettings = errors.New("the plugin keeps no settings for direct messages here")

// MeSettings reads the user's settings page. Mattermost vouches for the user; the settings are
// theirs alone, so no channel or team decides.
func (a *App) MeSettings(userID string) (MeView, error) {
	if a.Notify == nil {
		return MeView{}, ErrNoSettings
	}
	settings, err := a.Notify.Settings(userID)
	if err != nil {
		return MeView{}, err
	}
	view := MeView{OwnBuilds: settings.OwnBuilds, Breaks: settings.Breaks}
	if u, err := a.MM.GetUser(userID); err == nil && a.Authors != nil {
		view.Email = u.Email
		view.Matched = a.Authors.AddressesShown()
		if !view.Matched {
			view.Matched, _ = a.Authors.Linked(u)
		}
	}
	return view, nil
}

// SetMeSettings writes the user's settings from their settings page.
func (a *App) SetMeSettings(userID string, settings notify.Settings) (MeView, error) {
	if a.Notify == nil {
		return MeView{}, ErrNoSettings
	}
	if !settings.OwnBuilds.Valid() {
		return MeView{}, fmt.Errorf("own builds %q: %w", settings.OwnBuilds, ErrInvalidSettings)
	}
	if err := a.Notify.SetSettings(userID, settings); err != nil {
		return MeView{}, err
	}
	return a.MeSettings(userID)
}

// ErrInvalidSettings is a settings page's answer the plugin does not know.
var ErrInvalidSettings = errors.New("not one of the choices")
