package buildbot

import (
	"context"
	"encoding/base64"
	"net/http"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/markdown"
)

// Auth is how the client identifies itself to Buildbot.
type Auth interface {
	apply(ctx context.Context, c *Client, req *http.Request) error
	// secrets are what must never appear in an error, in every form a server might echo them.
	secrets() []string
}

// AuthNone sends no credentials: Buildbot treats the plugin as an anonymous user.
type AuthNone struct{}

func (AuthNone) apply(context.Context, *Client, *http.Request) error { return nil }

func (AuthNone) secrets() []string { return nil }

// AuthHeader sends a fixed header on every request, for a Buildbot behind a proxy that checks it.
type AuthHeader struct{ Name, Value string }

func (a AuthHeader) apply(_ context.Context, _ *Client, req *http.Request) error {
	req.Header.Set(a.Name, a.Value)
	return nil
}

func (a AuthHeader) secrets() []string { return []string{a.Value} }

// AuthBasic sends HTTP Basic on every request, for a Buildbot behind a proxy that checks it.
// Buildbot itself ignores Basic on its API.
type AuthBasic struct{ Username, Password string }

func (a AuthBasic) apply(_ context.Context, _ *Client, req *http.Request) error {
	req.SetBasicAuth(a.Username, a.Password)
	return nil
}

func (a AuthBasic) secrets() []string { return basicSecrets(a.Username, a.Password) }

// AuthLogin logs in as a Buildbot user (UserPasswordAuth, HTPasswdAuth, CustomAuth): Buildbot has
// no API tokens, so the client sends Basic to auth/login once and then the session cookie.
type AuthLogin struct{ Username, Password string }

func (a AuthLogin) apply(ctx context.Context, c *Client, req *http.Request) error {
	cookies, err := c.loginSession(ctx, a)
	if err != nil {
		return err
	}
	for _, cookie := range cookies {
		req.AddCookie(cookie)
	}
	return nil
}

func (a AuthLogin) secrets() []string { return basicSecrets(a.Username, a.Password) }

func basicSecrets(user, password string) []string {
	return []string{password, base64.StdEncoding.EncodeToString([]byte(user + ":" + password))}
}

// authenticate adds the client's credentials to a request. An Authorization the request brings
// (the change hook's Basic) is for the endpoint it calls and wins over the client's, which is
// for Buildbot's API or a proxy; the client's other headers and cookies are still sent.
func (c *Client) authenticate(ctx context.Context, req *http.Request) error {
	own := req.Header.Values("Authorization")
	if err := c.auth.apply(ctx, c, req); err != nil {
		return err
	}
	if len(own) > 0 {
		req.Header["Authorization"] = own
	}
	return nil
}

// lockSession takes the session's lock, or gives up with a timeout when ctx ends first: a login
// that hangs must hold up the calls waiting for it no longer than their own deadline.
func (c *Client) lockSession(ctx context.Context, op string) error {
	select {
	case c.sessionSlot <- struct{}{}:
		return nil
	case <-ctx.Done():
		return c.transportError(ctx, op, ctx.Err())
	}
}

func (c *Client) unlockSession() { <-c.sessionSlot }

// loginSession returns the session cookies, logging in first when there are none. The lock makes
// concurrent calls wait for one login instead of each starting their own.
func (c *Client) loginSession(ctx context.Context, a AuthLogin) ([]*http.Cookie, error) {
	const op = "login"
	if err := c.lockSession(ctx, op); err != nil {
		return nil, err
	}
	defer c.unlockSession()
	if c.session != nil {
		return c.session, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.endpoint("auth", "login").String(), nil)
	if err != nil {
		return nil, c.fail(KindBadReply, op, 0, i18n.Text{}, err)
	}
	req.SetBasicAuth(a.Username, a.Password)
	req.Header.Set("User-Agent", "mattermost-plugin-buildbot")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.transportError(ctx, op, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return nil, c.fail(KindUnauthorized, op, resp.StatusCode,
			i18n.T("buildbot.login.wrong_password", "the login for user `{{.User}}`: wrong username or password", "User", markdown.Code(c.blank(a.Username))), nil)
	case resp.StatusCode == http.StatusNotFound:
		return nil, c.fail(KindNotFound, op, resp.StatusCode,
			i18n.T("buildbot.login.no_page", "no login page at auth/login: is authentication enabled in `c['www']['auth']`?"), nil)
	case resp.StatusCode >= 400:
		return nil, c.fail(KindBadReply, op, resp.StatusCode, i18n.T("buildbot.login.status", "the login answered HTTP {{.Status}}", "Status", resp.StatusCode), nil)
	}
	// Buildbot sets the session cookie twice, first for an anonymous session: the last one wins.
	latest := map[string]*http.Cookie{}
	var order []string
	for _, cookie := range resp.Cookies() {
		if _, seen := latest[cookie.Name]; !seen {
			order = append(order, cookie.Name)
		}
		latest[cookie.Name] = &http.Cookie{Name: cookie.Name, Value: cookie.Value}
	}
	if len(order) == 0 {
		return nil, c.fail(KindUnauthorized, op, resp.StatusCode,
			i18n.T("buildbot.login.no_cookie", "the login for user `{{.User}}`: Buildbot set no session cookie", "User", markdown.Code(c.blank(a.Username))), nil)
	}
	cookies := make([]*http.Cookie, 0, len(order))
	for _, name := range order {
		cookies = append(cookies, latest[name])
	}
	c.session = cookies
	return cookies, nil
}

// dropSession forgets the session, so the next call logs in again.
func (c *Client) dropSession(ctx context.Context, op string) error {
	if err := c.lockSession(ctx, op); err != nil {
		return err
	}
	c.session = nil
	c.unlockSession()
	return nil
}
