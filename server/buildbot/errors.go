package buildbot

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/markdown"
)

// Kind says what went wrong talking to Buildbot, so callers can react without parsing text.
type Kind int

// The kinds of failure.
const (
	KindUnreachable  Kind = iota + 1 // no connection
	KindTimeout                      // no answer in time
	KindUnauthorized                 // login or proxy credentials refused (401)
	KindForbidden                    // Buildbot's authz refused the action (403)
	KindNotFound                     // no such endpoint or object (404)
	KindBadReply                     // an answer that is not what Buildbot sends
	KindRejected                     // Buildbot understood and said no (JSON-RPC error, 400)
	KindNotSupported                 // this Buildbot version lacks the feature
	KindServerError                  // Buildbot, or a proxy in front of it, failed (HTTP 5xx)
)

// The operations whose failures callers tell apart: a force or a change that timed out may have
// started a build anyway.
//
//i18n:verbatim names of operations, for the log
const (
	OpForce      = "force"
	OpChangeHook = "change hook"
)

// ErrNotSupported is matched with errors.Is by every KindNotSupported error.
var ErrNotSupported = errors.New("not supported by this Buildbot")

// Error is every failure of this package. Its text never holds credentials: requests carry them in
// headers, and errors only name the URL the admin configured and what Buildbot said.
type Error struct {
	Kind Kind
	// Op names the call, e.g. "GET api/v2/builders" or "force".
	Op      string
	BaseURL string
	// PublicURL, when set, is the address users are told instead of BaseURL.
	PublicURL string
	Status    int
	// Message says more, often in Buildbot's own words, which are escaped to stay inert in chat.
	Message i18n.Text
	Timeout time.Duration
	Err     error
	// Fields is Buildbot's complaint about a force's values as it sent it: an object of messages
	// by field full name, which a form shows beside each field.
	Fields json.RawMessage
}

// Error is the log's account of the failure; UserMessage words it for people.
//
//i18n:verbatim the log is English
func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "buildbot %s at %s: ", e.Op, e.BaseURL)
	switch e.Kind {
	case KindUnreachable:
		b.WriteString("unreachable")
	case KindTimeout:
		fmt.Fprintf(&b, "no answer within %s", e.Timeout)
	case KindUnauthorized:
		b.WriteString("credentials refused")
	case KindForbidden:
		b.WriteString("forbidden")
	case KindNotFound:
		b.WriteString("not found")
	case KindBadReply:
		b.WriteString("unexpected reply")
	case KindRejected:
		b.WriteString("rejected")
	case KindNotSupported:
		b.WriteString("not supported")
	case KindServerError:
		b.WriteString("server error")
	}
	if e.Status != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.Status)
	}
	if !e.Message.IsZero() {
		fmt.Fprintf(&b, ": %s", e.Message.English())
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrNotSupported) work for every unsupported feature.
func (e *Error) Is(target error) bool { return target == ErrNotSupported && e.Kind == KindNotSupported }

// KindOf returns the Kind of a package error, or 0 for any other error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

// UserMessage turns an error into one sentence a chat user can act on: the words an error carries
// for people, or, for an error from this package, what went wrong talking to Buildbot. It is the
// one place where that wording lives.
func UserMessage(err error) i18n.Text {
	if text, ok := i18n.TextOf(err); ok {
		return text
	}
	var e *Error
	if !errors.As(err, &e) {
		return i18n.T("buildbot.failed", "Talking to Buildbot failed: {{.Error}}.", "Error", markdown.Text(err.Error()))
	}
	at := e.BaseURL
	if e.PublicURL != "" {
		at = e.PublicURL
	}
	switch e.Kind {
	case KindUnreachable:
		return i18n.T("buildbot.unreachable", "Buildbot at {{.URL}} is unreachable: {{.Reason}}. Check that it runs and that the Mattermost server can reach it.",
			"URL", at, "Reason", networkReason(e.Err))
	case KindTimeout:
		return i18n.T("buildbot.timeout", "Buildbot at {{.URL}} did not answer within {{.Timeout}}.", "URL", at, "Timeout", e.Timeout.String())
	case KindUnauthorized:
		if !e.Message.IsZero() {
			return i18n.T("buildbot.unauthorized.said", "Buildbot at {{.URL}} refused {{.What}}.", "URL", at, "What", e.Message)
		}
		return i18n.T("buildbot.unauthorized", "Buildbot at {{.URL}} refused the plugin's credentials (HTTP {{.Status}}): check the authentication settings.",
			"URL", at, "Status", e.Status)
	case KindForbidden:
		if !e.Message.IsZero() {
			return refused(e.Message)
		}
		return i18n.T("buildbot.forbidden", "Buildbot at {{.URL}} refused the request (HTTP 403): the plugin's Buildbot user lacks the role it needs.", "URL", at)
	case KindNotFound:
		if !e.Message.IsZero() {
			return i18n.T("buildbot.not_found.said", "Buildbot at {{.URL}}: {{.What}}.", "URL", at, "What", e.Message)
		}
		return i18n.T("buildbot.not_found", "Buildbot at {{.URL}} has nothing at {{.Op}}: is the Buildbot URL right?", "URL", at, "Op", e.Op)
	case KindBadReply:
		return i18n.T("buildbot.bad_reply", "Buildbot at {{.URL}} gave an answer the plugin does not understand ({{.What}}): is the Buildbot URL pointing at Buildbot?",
			"URL", at, "What", e.Message)
	case KindRejected:
		if !e.Message.IsZero() {
			return refused(e.Message)
		}
		status := ""
		if e.Status != 0 {
			status = fmt.Sprintf(" (HTTP %d)", e.Status)
		}
		return i18n.T("buildbot.rejected", "Buildbot at {{.URL}} refused {{.Op}}{{.Status}} without saying why; its log (twistd.log) may.",
			"URL", at, "Op", e.Op, "Status", status)
	case KindNotSupported:
		return i18n.T("buildbot.not_supported", "Buildbot at {{.URL}} does not support this ({{.Op}}).", "URL", at, "Op", e.Op)
	case KindServerError:
		return serverErrorMessage(at, e)
	}
	return i18n.Raw(markdown.Text(e.Error()))
}

func refused(said i18n.Text) i18n.Text {
	return i18n.T("buildbot.refused", "Buildbot refused: {{.What}}.", "What", said)
}

// serverErrorMessage tells a gateway's answer (the proxy in front of Buildbot could not reach it)
// from Buildbot's own failure, whose details are in its log.
func serverErrorMessage(at string, e *Error) i18n.Text {
	switch e.Status {
	case 502, 503, 504:
		return i18n.T("buildbot.gateway", "Buildbot at {{.URL}} could not be reached through the proxy in front of it (HTTP {{.Status}}): check that Buildbot runs. The plugin keeps trying.",
			"URL", at, "Status", e.Status)
	}
	if !e.Message.IsZero() {
		return i18n.T("buildbot.server_error.said", "Buildbot at {{.URL}} failed with HTTP {{.Status}}: {{.What}}. Its log (twistd.log) may say why; the plugin keeps trying.",
			"URL", at, "Status", e.Status, "What", e.Message)
	}
	return i18n.T("buildbot.server_error", "Buildbot at {{.URL}} failed with HTTP {{.Status}}. Its log (twistd.log) may say why; the plugin keeps trying.",
		"URL", at, "Status", e.Status)
}

func networkReason(err error) i18n.Text {
	noConnection := i18n.T("buildbot.reason.no_connection", "no connection")
	switch {
	case err == nil:
		return noConnection
	case errors.Is(err, io.ErrUnexpectedEOF):
		return i18n.T("buildbot.reason.closed_mid_reply", "the connection closed in the middle of a reply")
	case errors.Is(err, io.EOF):
		return i18n.T("buildbot.reason.closed_before_reply", "the connection closed before a reply")
	}
	msg := err.Error()
	// The system's own words for these, which people search for as they are.
	for _, known := range []string{"connection refused", "no such host", "network is unreachable", "connection reset by peer", "certificate"} { //i18n:verbatim the system's error text
		if strings.Contains(msg, known) {
			return i18n.Raw(known)
		}
	}
	return noConnection
}
