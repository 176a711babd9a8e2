package buildbot

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
)

// ChangeRequest is a change to post to Buildbot's generic change hook (the `base` dialect).
type ChangeRequest struct {
	Author     string
	Comments   string
	Revision   string
	Branch     string
	Category   string
	Repository string
	Project    string
	Codebase   string
	Revlink    string
	When       time.Time
	Files      []string
	// Properties land on the change, the buildset and its builds; a unique one lets the caller
	// find the builds the change caused, since the hook returns no id.
	Properties map[string]string
}

// PostChange sends a change to the change hook. Schedulers then decide what to build.
func (c *Client) PostChange(ctx context.Context, ch ChangeRequest) error {
	const op = OpChangeHook
	form := url.Values{}
	set := func(key, value string) {
		if value != "" {
			form.Set(key, value)
		}
	}
	set("author", ch.Author)
	set("comments", ch.Comments)
	set("revision", ch.Revision)
	set("branch", ch.Branch)
	set("category", ch.Category)
	set("repository", ch.Repository)
	set("project", ch.Project)
	set("codebase", ch.Codebase)
	set("revlink", ch.Revlink)
	if !ch.When.IsZero() {
		form.Set("when_timestamp", strconv.FormatInt(ch.When.Unix(), 10))
	}
	if len(ch.Files) > 0 {
		files, _ := json.Marshal(ch.Files)
		form.Set("files", string(files))
	}
	if len(ch.Properties) > 0 {
		props, _ := json.Marshal(ch.Properties)
		form.Set("properties", string(props))
	}
	body := form.Encode()
	u := c.rawEndpoint(c.opts.ChangeHookPath).String()

	r, err := c.do(ctx, op, func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "text/plain")
		if c.opts.ChangeHookUsername != "" {
			req.SetBasicAuth(c.opts.ChangeHookUsername, c.opts.ChangeHookPassword)
		}
		return req, nil
	})
	if err != nil {
		return err
	}
	switch r.status {
	case http.StatusOK:
		return nil
	case http.StatusUnauthorized:
		return c.fail(KindUnauthorized, op, r.status, i18n.T("buildbot.change_hook.credentials", "the change hook's credentials"), nil)
	case http.StatusNotFound:
		return c.fail(KindNotFound, op, r.status, i18n.T("buildbot.change_hook.missing",
			"no change hook at {{.Path}}: enable it with c['www']['change_hook_dialects']", "Path", c.opts.ChangeHookPath), nil)
	case http.StatusBadRequest, http.StatusInternalServerError:
		return c.fail(KindRejected, op, r.status, i18n.T("buildbot.change_hook.refused", "the change hook refused the change: {{.Said}}", "Said", c.quoteBody(r.body)), nil)
	}
	return c.statusError(op, r)
}
