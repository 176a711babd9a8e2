package buildbot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/markdown"
)

// ForceParams are what a force scheduler's form would send. Buildbot drops parameters the
// scheduler does not define, silently.
type ForceParams struct {
	BuilderID  int
	Branch     string
	Revision   string
	Repository string
	Project    string
	Reason     string
	// Username must be empty or "Name <email>": Buildbot's default username field refuses
	// anything else.
	Username string
	// Values are a form's values by full name (form.Form.Check); they win over the fields above,
	// builderid and username aside, so a form's own branch or reason field keeps what was chosen.
	Values map[string]any
}

// ForceResult identifies what Buildbot queued: one buildset, one request per builder.
type ForceResult struct {
	BuildsetID int
	// BuildRequests maps builder id to build request id.
	BuildRequests map[int]int
}

// Force asks a force scheduler for a build. Buildbot does not check that the scheduler serves the
// builder; use ForceScheduler.Serves first.
func (c *Client) Force(ctx context.Context, scheduler string, p ForceParams) (ForceResult, error) {
	params := map[string]any{
		"builderid":  p.BuilderID,
		"branch":     p.Branch,
		"revision":   p.Revision,
		"repository": p.Repository,
		"project":    p.Project,
		"reason":     p.Reason,
		"username":   p.Username,
	}
	for name, value := range p.Values {
		if name != "builderid" && name != "username" && name != "owner" {
			params[name] = value
		}
	}
	var raw json.RawMessage
	if err := c.rpc(ctx, OpForce, params, &raw, "api", "v2", "forceschedulers", scheduler); err != nil {
		return ForceResult{}, err
	}
	return c.decodeBuildset(OpForce, raw)
}

// Rebuild starts the same build again; the new buildset remembers the original.
func (c *Client) Rebuild(ctx context.Context, buildID int) (ForceResult, error) {
	var raw json.RawMessage
	if err := c.rpc(ctx, "rebuild", map[string]any{}, &raw, "api", "v2", "builds", itoa(buildID)); err != nil {
		return ForceResult{}, err
	}
	return c.decodeBuildset("rebuild", raw)
}

// StopBuild stops a running build; it ends as cancelled.
func (c *Client) StopBuild(ctx context.Context, buildID int, reason string) error {
	return c.rpc(ctx, "stop", map[string]any{"reason": reason}, nil, "api", "v2", "builds", itoa(buildID))
}

// CancelBuildRequest cancels a request that no build has started for yet.
func (c *Client) CancelBuildRequest(ctx context.Context, brid int, reason string) error {
	return c.rpc(ctx, "cancel", map[string]any{"reason": reason}, nil, "api", "v2", "buildrequests", itoa(brid))
}

// decodeBuildset reads [bsid, {"<builderid>": brid}].
func notBuildset() i18n.Text {
	return i18n.T("buildbot.force.not_buildset", "the result is not [buildset, requests]")
}

func (c *Client) decodeBuildset(op string, raw json.RawMessage) (ForceResult, error) {
	var pair []json.RawMessage
	if err := json.Unmarshal(raw, &pair); err != nil || len(pair) != 2 {
		return ForceResult{}, c.fail(KindBadReply, op, http.StatusOK, notBuildset(), nil)
	}
	var res ForceResult
	var requests map[string]int
	if json.Unmarshal(pair[0], &res.BuildsetID) != nil || json.Unmarshal(pair[1], &requests) != nil {
		return ForceResult{}, c.fail(KindBadReply, op, http.StatusOK, notBuildset(), nil)
	}
	res.BuildRequests = make(map[int]int, len(requests))
	for builder, brid := range requests {
		id, err := strconv.Atoi(builder)
		if err != nil {
			return ForceResult{}, c.fail(KindBadReply, op, http.StatusOK, i18n.T("buildbot.force.builder_id", "a builder id is not a number"), nil)
		}
		res.BuildRequests[id] = brid
	}
	return res, nil
}

type rpcRequest struct {
	JSONRPC string         `json:"jsonrpc"`
	Method  string         `json:"method"`
	ID      int64          `json:"id"`
	Params  map[string]any `json:"params"`
}

type rpcReply struct {
	Result json.RawMessage `json:"result"`
	Error  *rpcError       `json:"error"`
}

// invalidParams is JSON-RPC's code for a force whose form values Buildbot refused; its message is
// then an object of complaints by field full name (data/forceschedulers.py, both majors).
const invalidParams = -32602

type rpcError struct {
	Code    int             `json:"code"`
	Message json.RawMessage `json:"message"`
}

// text flattens the message: a string, or an object of field -> complaint (form validation).
func (e *rpcError) text() string {
	var s string
	if json.Unmarshal(e.Message, &s) == nil {
		return s
	}
	var fields map[string]any
	if json.Unmarshal(e.Message, &fields) == nil && len(fields) > 0 {
		names := make([]string, 0, len(fields))
		for name := range fields {
			names = append(names, name)
		}
		sort.Strings(names)
		parts := make([]string, 0, len(names))
		for _, name := range names {
			parts = append(parts, fmt.Sprintf("%s: %v", name, fields[name]))
		}
		return strings.Join(parts, "; ")
	}
	return shortText(e.Message)
}

// rpc calls a JSON-RPC 2.0 method on an endpoint. out may be nil.
func (c *Client) rpc(ctx context.Context, method string, params map[string]any, out *json.RawMessage, segments ...string) error {
	body, err := json.Marshal(rpcRequest{JSONRPC: "2.0", Method: method, ID: atomic.AddInt64(&c.rpcID, 1), Params: params})
	if err != nil {
		return c.fail(KindRejected, method, 0, i18n.Raw(markdown.Text(err.Error())), nil)
	}
	u := c.endpoint(segments...).String()
	r, err := c.do(ctx, method, func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
		if err == nil {
			req.Header.Set("Content-Type", "application/json")
		}
		return req, err
	})
	if err != nil {
		return err
	}

	var reply rpcReply
	decodeErr := json.Unmarshal(r.body, &reply)
	if decodeErr == nil && reply.Error != nil {
		text := reply.Error.text()
		msg := c.quote(text)
		switch {
		case r.status == http.StatusForbidden || reply.Error.Code == -32600 && strings.Contains(text, "role"):
			return c.fail(KindForbidden, method, r.status, msg, nil)
		case r.status == http.StatusNotFound:
			return c.fail(KindNotFound, method, r.status, msg, nil)
		case reply.Error.Code == -32601:
			return c.fail(KindNotSupported, method, r.status, msg, nil)
		default:
			err := c.fail(KindRejected, method, r.status, msg, nil)
			if reply.Error.Code == invalidParams {
				err.Fields = json.RawMessage(c.blank(string(reply.Error.Message)))
			}
			return err
		}
	}
	if r.status != http.StatusOK {
		return c.statusError(method, r)
	}
	if decodeErr != nil {
		return c.fail(KindBadReply, method, r.status, describeBody(r), nil)
	}
	if out != nil {
		*out = reply.Result
	}
	return nil
}
