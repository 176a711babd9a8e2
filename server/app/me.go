package app

import (
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/access"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/markdown"
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

// Me says whether a failed build whose changes carry the user's address mentions them, and,
// where Mattermost hides addresses, links or unlinks it at their word.
func (a *App) Me(who Actor, change AddressChange) i18n.Text {
	grant, denied, ok := a.check(a.Snapshot(), who, access.Personal)
	if !ok {
		return denied
	}
	u := grant.User
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
