package buildbot

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
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

// ErrNotSupported is matched with errors.Is by every KindNotSupported error.
var ErrNotSupported = errors.New("not supported by this Buildbot")

// Error is every failure of this package. Its text never holds credentials: requests carry them in
// headers, and errors only name the URL the admin configured and what Buildbot said.
type Error struct {
	Kind Kind
	// Op names the call, e.g. "GET api/v2/builders" or "force".
	Op      string
	BaseURL string
	Status  int
	// Message says more, often in Buildbot's own words, which are escaped to stay inert in chat.
	Message string
	Timeout time.Duration
	Err     error
	// Fields is Buildbot's complaint about a force's values as it sent it: an object of messages
	// by field full name, which a form shows beside each field.
	Fields json.RawMessage
}

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
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
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

// UserMessage turns an error from this package into one sentence a chat user can act on. It is the
// one place where the wording lives.
func UserMessage(err error) string {
	var e *Error
	if !errors.As(err, &e) {
		return fmt.Sprintf("Talking to Buildbot failed: %v.", err)
	}
	at := "Buildbot at " + e.BaseURL
	switch e.Kind {
	case KindUnreachable:
		return fmt.Sprintf("%s is unreachable: %s. Check that it runs and that the Mattermost server can reach it.", at, networkReason(e.Err))
	case KindTimeout:
		return fmt.Sprintf("%s did not answer within %s.", at, e.Timeout)
	case KindUnauthorized:
		if e.Message != "" {
			return fmt.Sprintf("%s refused %s.", at, e.Message)
		}
		return fmt.Sprintf("%s refused the plugin's credentials (HTTP %d): check the authentication settings.", at, e.Status)
	case KindForbidden:
		if e.Message != "" {
			return "Buildbot refused: " + e.Message + "."
		}
		return fmt.Sprintf("%s refused the request (HTTP 403): the plugin's Buildbot user lacks the role it needs.", at)
	case KindNotFound:
		if e.Message != "" {
			return fmt.Sprintf("%s: %s.", at, e.Message)
		}
		return fmt.Sprintf("%s has nothing at %s: is the Buildbot URL right?", at, e.Op)
	case KindBadReply:
		return fmt.Sprintf("%s gave an answer the plugin does not understand (%s): is the Buildbot URL pointing at Buildbot?", at, e.Message)
	case KindRejected:
		if e.Message != "" {
			return "Buildbot refused: " + e.Message + "."
		}
		status := ""
		if e.Status != 0 {
			status = fmt.Sprintf(" (HTTP %d)", e.Status)
		}
		return fmt.Sprintf("%s refused %s%s without saying why; its log (twistd.log) may.", at, e.Op, status)
	case KindNotSupported:
		return fmt.Sprintf("%s does not support this (%s).", at, e.Op)
	case KindServerError:
		return serverErrorMessage(at, e)
	}
	return e.Error()
}

// serverErrorMessage tells a gateway's answer (the proxy in front of Buildbot could not reach it)
// from Buildbot's own failure, whose details are in its log.
func serverErrorMessage(at string, e *Error) string {
	switch e.Status {
	case 502, 503, 504:
		return fmt.Sprintf("%s could not be reached through the proxy in front of it (HTTP %d): check that Buildbot runs. The plugin keeps trying.", at, e.Status)
	}
	said := ""
	if e.Message != "" {
		said = ": " + e.Message
	}
	return fmt.Sprintf("%s failed with HTTP %d%s. Its log (twistd.log) may say why; the plugin keeps trying.", at, e.Status, said)
}

func networkReason(err error) string {
	if err == nil {
		return "no connection"
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return "the connection closed in the middle of a reply"
	}
	if errors.Is(err, io.EOF) {
		return "the connection closed before a reply"
	}
	msg := err.Error()
	for _, known := range []string{"connection refused", "no such host", "network is unreachable", "connection reset by peer", "certificate"} {
		if strings.Contains(msg, known) {
			return known
		}
	}
	return "no connection"
}
