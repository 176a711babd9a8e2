package buildbot

import (
	"context"
	"net/http"
	"strings"
)

// LogRaw reads a log's text, keeping at most limit bytes of its end, since the end is where a
// failure shows. Buildbot 3.x can only serve the whole log, so the tail is cut here.
func (c *Client) LogRaw(ctx context.Context, logID, limit int) (string, error) {
	segments := []string{"api", "v2", "logs", itoa(logID), "raw"}
	op := "GET " + strings.Join(segments, "/")
	u := c.endpoint(segments...).String()
	r, err := c.do(ctx, op, func(ctx context.Context) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err == nil {
			req.Header.Set("Accept", "text/plain")
		}
		return req, err
	})
	if err != nil {
		return "", err
	}
	if r.status != http.StatusOK {
		return "", c.statusError(op, r)
	}
	body := r.body
	if limit > 0 && len(body) > limit {
		body = body[len(body)-limit:]
	}
	return string(body), nil
}
