package authors

import (
	"errors"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/kvtest"
)

type users map[string]*model.User

func (u users) Get(id string) (*model.User, error) {
	if user, ok := u[id]; ok {
		return user, nil
	}
	return nil, errors.New("no such user")
}

func (u users) GetByEmail(email string) (*model.User, error) {
	for _, user := range u {
		if user.Email == email {
			return user, nil
		}
	}
	return nil, errors.New("no such user")
}

func directory(t *testing.T, shown bool) (*Directory, users) {
	kv, _ := kvtest.New(t)
	people := users{
		"a": {Id: "a", Username: "alice", Email: "alice@example.com"},
		"b": {Id: "b", Username: "bob", Email: "bob@example.com"},
		"g": {Id: "g", Username: "gone", Email: "gone@example.com", DeleteAt: 1},
	}
	return &Directory{KV: kv, Users: people, EmailsShown: func() bool { return shown }}, people
}

func TestWhereMattermostShowsAddressesEveryActiveUsersAddressIsMatched(t *testing.T) {
	d, _ := directory(t, true)
	for email, want := range map[string]string{"alice@example.com": "alice", "bob@example.com": "bob", "gone@example.com": "", "who@example.com": ""} {
		if got, ok := d.UsernameByEmail(email); got != want || ok != (want != "") {
			t.Errorf("%s: %q %v", email, got, ok)
		}
	}
}

// Naming the user of an address Mattermost hides would tell the channel whose address it is.
func TestWhereMattermostHidesAddressesOnlyALinkedAddressIsMatched(t *testing.T) {
	d, people := directory(t, false)
	if got, ok := d.UsernameByEmail("alice@example.com"); ok {
		t.Fatalf("an address nobody linked named %q", got)
	}

	if err := d.Link(people["a"]); err != nil {
		t.Fatal(err)
	}
	if got, ok := d.UsernameByEmail(" Alice@Example.com"); !ok || got != "alice" {
		t.Fatalf("the linked address: %q %v", got, ok)
	}
	if _, ok := d.UsernameByEmail("bob@example.com"); ok {
		t.Fatal("bob's address, which bob never linked, was matched")
	}
	if linked, _ := d.Linked(people["b"]); linked {
		t.Fatal("bob reads as linked")
	}

	// An account whose address changed no longer answers to the old one.
	people["a"].Email = "alice@new.example.com"
	if _, ok := d.UsernameByEmail("alice@example.com"); ok {
		t.Fatal("the address alice left still names her")
	}
	people["a"].Email = "alice@example.com"

	if err := d.Unlink(people["a"]); err != nil {
		t.Fatal(err)
	}
	if _, ok := d.UsernameByEmail("alice@example.com"); ok {
		t.Fatal("an unlinked address was matched")
	}
}
