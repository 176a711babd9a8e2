// Package authors finds the Mattermost user a commit's author address belongs to, as far as
// Mattermost's privacy settings allow. A failed build mentions the authors of its changes; naming
// the user of an address Mattermost hides would tell the channel whose address it is, so where
// addresses are hidden only an address its user linked (/build me link) is matched.
package authors

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/pluginapi"
)

// Users is what the directory asks Mattermost of its users.
type Users interface {
	GetByEmail(email string) (*model.User, error)
	Get(userID string) (*model.User, error)
}

// Directory matches commit addresses to Mattermost users.
type Directory struct {
	KV    *pluginapi.KVService
	Users Users
	// EmailsShown says whether Mattermost shows users' e-mail addresses to others
	// (PrivacySettings.ShowEmailAddress).
	EmailsShown func() bool
}

// linkPrefix keys a linked address by its hash, so the KV store holds no address in clear.
const linkPrefix = "author_"

func linkKey(email string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return linkPrefix + hex.EncodeToString(sum[:16])
}

// UsernameByEmail names the active user a commit address belongs to (UserByEmail).
func (d *Directory) UsernameByEmail(email string) (string, bool) {
	u, ok := d.UserByEmail(email)
	if !ok {
		return "", false
	}
	return u.Username, true
}

// UserByEmail finds the active user a commit address belongs to: any user's, where Mattermost
// shows addresses; where it hides them, only a user who linked that address, while it is still
// their account's.
func (d *Directory) UserByEmail(email string) (*model.User, bool) {
	if d.EmailsShown() {
		u, err := d.Users.GetByEmail(email)
		if err != nil || !active(u) {
			return nil, false
		}
		return u, true
	}
	var userID string
	if err := d.KV.Get(linkKey(email), &userID); err != nil || userID == "" {
		return nil, false
	}
	u, err := d.Users.Get(userID)
	if err != nil || !active(u) || !strings.EqualFold(u.Email, strings.TrimSpace(email)) {
		return nil, false
	}
	return u, true
}

func active(u *model.User) bool { return u != nil && u.DeleteAt == 0 && !u.IsBot }

// Link lets builds whose changes name the user's account address mention them.
func (d *Directory) Link(u *model.User) error {
	if _, err := d.KV.Set(linkKey(u.Email), u.Id); err != nil {
		return fmt.Errorf("link the address of %s: %w", u.Id, err)
	}
	return nil
}

// Unlink stops it.
func (d *Directory) Unlink(u *model.User) error {
	if err := d.KV.Delete(linkKey(u.Email)); err != nil {
		return fmt.Errorf("unlink the address of %s: %w", u.Id, err)
	}
	return nil
}

// AddressesShown says whether every address is matched, Mattermost showing them anyway.
func (d *Directory) AddressesShown() bool { return d.EmailsShown() }

// Linked says whether the user's account address is linked to them.
func (d *Directory) Linked(u *model.User) (bool, error) {
	var userID string
	if err := d.KV.Get(linkKey(u.Email), &userID); err != nil {
		return false, fmt.Errorf("read the link of %s: %w", u.Id, err)
	}
	return userID == u.Id, nil
}
