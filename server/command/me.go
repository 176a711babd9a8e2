package command

import (
	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/markdown"
)

// me answers /build me: whether a failed build whose changes carry the user's address mentions
// them, and, where Mattermost hides addresses, links or unlinks it at their word.
func (h *Handler) me(u *model.User, word string) i18n.Text {
	if h.Authors == nil || u.Email == "" {
		return i18n.T("command.me.unavailable", "Builds cannot match your commits to you here: your account has no e-mail address the plugin can read.")
	}
	address := markdown.Code(u.Email)
	if h.Authors.AddressesShown() {
		return i18n.T("command.me.shown", "Mattermost shows e-mail addresses here, so a failed build whose changes carry `{{.Address}}` mentions you; "+
			"there is nothing to link.", "Address", address)
	}
	var err error
	switch word {
	case meLink:
		err = h.Authors.Link(u)
	case meUnlink:
		err = h.Authors.Unlink(u)
	}
	if err != nil {
		return i18n.T("command.me.not_saved", "That was not saved; try again.")
	}
	linked, err := h.Authors.Linked(u)
	switch {
	case err != nil:
		return i18n.T("command.me.not_read", "The plugin could not read whether your address is linked; try again.")
	case linked:
		return i18n.T("command.me.linked", "A failed build whose changes carry `{{.Address}}` mentions you. `/build me unlink` stops that.", "Address", address)
	}
	return i18n.T("command.me.unlinked", "Mattermost hides e-mail addresses here, so a failed build whose changes carry `{{.Address}}` mentions you only once you "+
		"link it: `/build me link`. The channel then learns the address is yours when a build of yours fails.", "Address", address)
}
