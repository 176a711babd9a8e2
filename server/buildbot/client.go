// Package buildbot is a client for Buildbot's web API (3.x and 4.x): typed reads over REST,
// control calls over JSON-RPC, the change hook, and the ways a client authenticates.
package buildbot

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strings"
	"time"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/markdown"
)

// DefaultTimeout bounds a call when Options.Timeout is not set.
const DefaultTimeout = 10 * time.Second

// maxBody caps what one reply may hold, so a misbehaving server cannot exhaust memory. The
// plugin's largest replies (a page of builds with their properties, a log's last lines) are a few
// hundred KiB.
const maxBody = 8 << 20

func tooLarge() i18n.Text {
	return i18n.T("buildbot.body.too_large", "a reply over {{.MiB}} MiB", "MiB", maxBody>>20)
}

// defaultKeepAlive is how often the WebSocket is pinged: a proxy that stops forwarding without
// closing the connection is noticed within this and the timeout.
const defaultKeepAlive = 30 * time.Second

// Options configure a Client.
type Options struct {
	// BaseURL is where Buildbot is served, possibly below a sub-path: https://host/buildbot/.
	BaseURL string
	// PublicURL is the address people know Buildbot by, when BaseURL is one only the Mattermost
	// server reaches: what goes wrong is told to users with it, never with BaseURL.
	PublicURL string
	Auth      Auth
	// Timeout bounds every call, on top of any deadline of the caller's context.
	Timeout time.Duration
	// ChangeHookPath is below BaseURL; default change_hook/base.
	ChangeHookPath     string
	ChangeHookUsername string
	ChangeHookPassword string
	// HTTPClient is for tests; the default follows no redirects, since Buildbot's login answers
	// with one whose cookies must be kept.
	HTTPClient *http.Client
}

// Client talks to one Buildbot. It is safe for concurrent use.
type Client struct {
	base    *url.URL
	opts    Options
	http    *http.Client
	timeout time.Duration
	auth    Auth

	// session holds the login cookies for AuthLogin. sessionSlot is its lock, a channel of one
	// so that a call waiting behind a login that hangs gives up when its context ends.
	sessionSlot chan struct{}
	session     []*http.Cookie
	rpcID       int64
	// keepAlive is unexported: no admin needs another interval, only tests a shorter one.
	keepAlive time.Duration
}

// New checks the options and makes a Client. Its errors are worded for the admin who typed the URL.
func New(opts Options) (*Client, error) {
	base, err := ParseBaseURL(opts.BaseURL)
	if err != nil {
		return nil, err
	}
	c := &Client{base: base, opts: opts, http: opts.HTTPClient, timeout: opts.Timeout, auth: opts.Auth,
		sessionSlot: make(chan struct{}, 1), keepAlive: defaultKeepAlive}
	if c.http == nil {
		c.http = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.auth == nil {
		c.auth = AuthNone{}
	}
	if c.opts.ChangeHookPath == "" {
		c.opts.ChangeHookPath = "change_hook/base"
	}
	return c, nil
}

// URLProblem is what is wrong with an address, worded to follow the name of the setting that
// holds it ("Buildbot URL `ci` has no scheme: ...").
type URLProblem struct{ Problem i18n.Text }

func (e *URLProblem) Error() string {
	return "the Buildbot URL " + e.Problem.English() //i18n:verbatim the log is English
}

// ParseBaseURL checks a Buildbot URL and returns it with a trailing slash, so relative paths
// resolve under it (Buildbot may live under a sub-path). Errors are *URLProblem.
func ParseBaseURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	problem := func(t i18n.Text) error { return &URLProblem{Problem: t} }
	// These messages reach chat and the server log: they never echo credentials.
	shown := markdown.Code(hideCredentials(raw))
	notValid := i18n.T("buildbot.url.not_valid", "`{{.URL}}` is not a valid URL.", "URL", shown)
	switch {
	case raw == "":
		return nil, problem(i18n.T("buildbot.url.empty", "is empty: enter the address of your Buildbot, e.g. `https://ci.example.com/`."))
	case schemeLength(raw) == 0 && strings.Contains(raw, "://"):
		return nil, problem(notValid)
	case schemeLength(raw) == 0:
		return nil, problem(i18n.T("buildbot.url.no_scheme", "`{{.URL}}` has no scheme: write it as `https://{{.Host}}`.", "URL", shown, "Host", strings.TrimPrefix(shown, "//")))
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, problem(notValid)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, problem(i18n.T("buildbot.url.scheme", "`{{.URL}}` uses `{{.Scheme}}:`; only `http://` and `https://` work.", "URL", shown, "Scheme", markdown.Code(u.Scheme)))
	case u.Host == "":
		return nil, problem(i18n.T("buildbot.url.no_host", "`{{.URL}}` has no host name.", "URL", shown))
	case u.User != nil:
		return nil, problem(i18n.T("buildbot.url.credentials", "`{{.URL}}` contains credentials; put them in the authentication settings instead.", "URL", shown))
	}
	u.RawQuery, u.Fragment = "", ""
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	u.RawPath = ""
	return u, nil
}

// schemeLength is the length of the "scheme://" raw starts with, or 0.
func schemeLength(raw string) int {
	end := strings.Index(raw, "://")
	if end <= 0 {
		return 0
	}
	for i, r := range raw[:end] {
		letter := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
		if !letter && (i == 0 || !strings.ContainsRune("0123456789+-.", r)) {
			return 0
		}
	}
	return end + len("://")
}

// hideCredentials shows raw with whatever stands before an "@" after the scheme as "…". It takes
// the last "@" of the whole rest: a password may hold "/", "?" or "#", which would end the
// authority early, and hiding too much of an address the admin typed is the safer mistake.
func hideCredentials(raw string) string {
	start := schemeLength(raw)
	if start == 0 && strings.HasPrefix(raw, "//") {
		start = len("//")
	}
	at := strings.LastIndex(raw[start:], "@")
	if at < 0 {
		return raw
	}
	return raw[:start] + "…" + raw[start+at:]
}

// BaseURL is the Buildbot URL the client calls, with a trailing slash.
func (c *Client) BaseURL() string { return c.base.String() }

// Fingerprint names the Buildbot the client calls without giving its address away, for posts to
// carry: the ids in a post mean something to that Buildbot only.
func (c *Client) Fingerprint() string {
	sum := sha256.Sum256([]byte(strings.ToLower(c.base.String())))
	return hex.EncodeToString(sum[:8])
}

// endpoint joins path segments below the base URL, escaping each one, so a builder named
// "a/b c" stays one segment.
func (c *Client) endpoint(segments ...string) *url.URL {
	escaped := make([]string, len(segments))
	for i, s := range segments {
		escaped[i] = url.PathEscape(s)
	}
	u := *c.base
	u.Path = c.base.Path + strings.Join(segments, "/")
	u.RawPath = c.base.EscapedPath() + strings.Join(escaped, "/")
	return &u
}

// rawEndpoint resolves a configured relative path (such as the change hook's) below the base URL.
func (c *Client) rawEndpoint(path string) *url.URL {
	rel := &url.URL{Path: strings.TrimPrefix(path, "/")}
	return c.base.ResolveReference(rel)
}

// fail makes the package's error. Its message often quotes the server, and a proxy may echo the
// credentials it was sent: what it quotes goes through quote or quoteBody, which blank them out,
// as chat users see these messages.
func (c *Client) fail(kind Kind, op string, status int, message i18n.Text, err error) *Error {
	return &Error{Kind: kind, Op: op, BaseURL: c.base.String(), PublicURL: c.opts.PublicURL, Status: status, Message: message, Timeout: c.timeout, Err: err}
}

// blank removes every credential the client sends from text: its own and the change hook's. A
// password that is a common word blanks that word out of the server's text too; that is the
// safer mistake.
func (c *Client) blank(text string) string {
	secrets := c.auth.secrets()
	if c.opts.ChangeHookUsername != "" || c.opts.ChangeHookPassword != "" {
		secrets = append(secrets, basicSecrets(c.opts.ChangeHookUsername, c.opts.ChangeHookPassword)...)
	}
	for _, secret := range secrets {
		if len(secret) >= 4 {
			text = strings.ReplaceAll(text, secret, "…")
		}
	}
	return text
}

// quote makes Buildbot's own words fit to put in a chat message: credentials blanked out while
// they are still whole, then Markdown, mentions and links made inert.
func (c *Client) quote(text string) i18n.Text {
	return i18n.Raw(markdown.Text(c.blank(text)))
}

// quoteBody quotes a short piece of a reply's body. It is blanked before it is cut short, which
// could leave a piece of a secret that no longer matches.
func (c *Client) quoteBody(body []byte) i18n.Text {
	return i18n.Raw(markdown.Text(shortText([]byte(c.blank(string(body))))))
}

// requestBuilder makes a fresh request for each attempt, since a retry cannot reuse a sent body.
type requestBuilder func(ctx context.Context) (*http.Request, error)

// reply is one HTTP answer, read whole.
type reply struct {
	status int
	header http.Header
	body   []byte
}

// do sends one request with the client's timeout and authentication. op names it in errors.
// With AuthLogin, a 403 may mean the session expired: it logs in again once and retries.
func (c *Client) do(ctx context.Context, op string, build requestBuilder) (*reply, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()

	r, err := c.send(ctx, op, build)
	if err != nil {
		return nil, err
	}
	if r.status == http.StatusForbidden {
		if _, ok := c.auth.(AuthLogin); ok {
			if err := c.dropSession(ctx, op); err != nil {
				return nil, err
			}
			return c.send(ctx, op, build)
		}
	}
	return r, nil
}

func (c *Client) send(ctx context.Context, op string, build requestBuilder) (*reply, error) {
	req, err := build(ctx)
	if err != nil {
		return nil, c.fail(KindBadReply, op, 0, i18n.Text{}, err)
	}
	req.Header.Set("User-Agent", "mattermost-plugin-buildbot")
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	if err := c.authenticate(ctx, req); err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.transportError(ctx, op, err)
	}
	defer resp.Body.Close()
	// A reply past the cap is refused whole: cut at the cap, it would read as broken JSON and hide
	// what went wrong.
	if resp.ContentLength > maxBody {
		return nil, c.fail(KindBadReply, op, resp.StatusCode, tooLarge(), nil)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return nil, c.transportError(ctx, op, err)
	}
	if len(body) > maxBody {
		// The plugin's heap is a few MiB; the runtime would keep the pages this reply took for
		// minutes, and a Buildbot that sends such replies sends them on every poll.
		debug.FreeOSMemory()
		return nil, c.fail(KindBadReply, op, resp.StatusCode, tooLarge(), nil)
	}
	return &reply{status: resp.StatusCode, header: resp.Header, body: body}, nil
}

func (c *Client) transportError(ctx context.Context, op string, err error) error {
	var netErr net.Error
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()) {
		return c.fail(KindTimeout, op, 0, i18n.Text{}, nil)
	}
	if errors.Is(ctx.Err(), context.Canceled) {
		return c.fail(KindTimeout, op, 0, i18n.T("buildbot.reason.cancelled", "the request was cancelled"), nil)
	}
	// url.Error repeats the URL; keep only the cause.
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		err = urlErr.Err
	}
	return c.fail(KindUnreachable, op, 0, i18n.Text{}, err)
}

// statusError maps a non-success HTTP status to an Error, keeping a short piece of the body as
// Buildbot's words when it is plain text.
func (c *Client) statusError(op string, r *reply) error {
	switch r.status {
	case http.StatusUnauthorized:
		return c.fail(KindUnauthorized, op, r.status, i18n.Text{}, nil)
	case http.StatusForbidden:
		return c.fail(KindForbidden, op, r.status, i18n.Text{}, nil)
	case http.StatusNotFound:
		return c.fail(KindNotFound, op, r.status, i18n.Text{}, nil)
	case http.StatusBadRequest:
		return c.fail(KindRejected, op, r.status, c.quoteBody(r.body), nil)
	}
	if r.status >= 500 && r.status <= 599 {
		return c.fail(KindServerError, op, r.status, c.quoteBody(r.body), nil)
	}
	return c.fail(KindBadReply, op, r.status, i18n.Raw(fmt.Sprintf("HTTP %d", r.status)), nil)
}

// shortText is a body fit to quote: one line, no HTML page, bounded.
func shortText(body []byte) string {
	s := strings.Join(strings.Fields(string(body)), " ")
	if strings.HasPrefix(s, "<") {
		return ""
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// getJSON reads GET <segments>?<query> into out.
func (c *Client) getJSON(ctx context.Context, query url.Values, out any, segments ...string) error {
	u := c.endpoint(segments...)
	u.RawQuery = query.Encode()
	op := "GET " + strings.Join(segments, "/")
	r, err := c.do(ctx, op, func(ctx context.Context) (*http.Request, error) {
		return http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	})
	if err != nil {
		return err
	}
	if r.status != http.StatusOK {
		return c.statusError(op, r)
	}
	if err := json.Unmarshal(r.body, out); err != nil {
		return c.fail(KindBadReply, op, r.status, describeBody(r), nil)
	}
	return nil
}

func describeBody(r *reply) i18n.Text {
	ct := r.header.Get("Content-Type")
	switch {
	case len(bytes.TrimSpace(r.body)) == 0:
		return i18n.T("buildbot.body.empty", "an empty body")
	case strings.Contains(ct, "html") || bytes.HasPrefix(bytes.TrimSpace(r.body), []byte("<")):
		return i18n.T("buildbot.body.html", "an HTML page instead of JSON")
	default:
		return i18n.T("buildbot.body.not_json", "not valid JSON")
	}
}
