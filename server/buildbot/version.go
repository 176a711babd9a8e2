package buildbot

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
)

// Version asks Buildbot for its version. Both 3.x and 4.x serve the web UI's settings as JSON at
// `config`, with a `versions` list of [name, version] pairs (Python, Buildbot, Twisted, ...).
func (c *Client) Version(ctx context.Context) (string, error) {
	const op = "GET config" //i18n:verbatim the request, as the log names it
	var cfg struct {
		Versions [][]json.RawMessage `json:"versions"`
	}
	if err := c.getJSON(ctx, url.Values{}, &cfg, "config"); err != nil {
		return "", err
	}
	for _, pair := range cfg.Versions {
		var name, version string
		if len(pair) == 2 && json.Unmarshal(pair[0], &name) == nil && name == "Buildbot" && json.Unmarshal(pair[1], &version) == nil {
			return version, nil
		}
	}
	return "", c.fail(KindBadReply, op, http.StatusOK, i18n.T("buildbot.no_version", "no Buildbot version in `config`"), nil)
}
