package buildbot

import (
	"context"
	"strings"
)

// logChunk is one entry of api/v2/logs/{id}/contents.
type logChunk struct {
	Content string `json:"content"`
}

// LogLines returns the output among limit lines of a log from offset, reading only those lines
// from Buildbot however long the log is. In stdio logs ("s") Buildbot stores each line with its
// stream first: o (stdout), e (stderr) or h (Buildbot's header); output lines are kept, headers
// dropped.
func (c *Client) LogLines(ctx context.Context, log Log, offset, limit int) ([]string, error) {
	chunks, err := list[logChunk](ctx, c, "logchunks", Query{Offset: offset, Limit: limit}, "api", "v2", "logs", itoa(log.LogID), "contents")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, chunk := range chunks {
		for _, line := range strings.Split(strings.TrimSuffix(chunk.Content, "\n"), "\n") {
			if log.Type != "s" {
				out = append(out, line)
				continue
			}
			if line == "" || line[0] == 'h' {
				continue
			}
			out = append(out, line[1:])
		}
	}
	return out, nil
}
