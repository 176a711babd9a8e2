package buildbot

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// FuzzReplies feeds arbitrary bodies to the decoders of a list read, a control call and the
// version: whatever Buildbot (or a proxy in front of it) sends, the client returns data or an
// error of this package, and never panics.
func FuzzReplies(f *testing.F) {
	for _, seed := range []string{
		`{"builds":[{"buildid":1,"results":null,"properties":{"branch":["main","x"]}}],"meta":{"total":1}}`,
		`{"builds":[{"started_at":1e400}]}`,
		`{"jsonrpc":"2.0","id":1,"result":[1,{"2":3}]}`,
		`{"jsonrpc":"2.0","id":1,"error":{"code":-32600,"message":{"username":"bad"}}}`,
		`{"versions":[["Buildbot",4]]}`,
		`<html>`, ``, `null`, `[]`,
	} {
		f.Add(seed, 200)
		f.Add(seed, 403)
	}
	f.Fuzz(func(t *testing.T, body string, status int) {
		if status < 200 || status > 599 {
			status = 500
		}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(status)
			_, _ = io.WriteString(w, body)
		}))
		defer srv.Close()
		c, err := New(Options{BaseURL: srv.URL, Timeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		check := func(err error) {
			if err != nil && KindOf(err) == 0 {
				t.Fatalf("an error outside the package's kinds: %v", err)
			}
			if err != nil && UserMessage(err).English() == "" {
				t.Fatal("an empty user message")
			}
		}
		_, err = c.Builds(ctx, Query{})
		check(err)
		_, err = c.Force(ctx, "force", ForceParams{})
		check(err)
		_, err = c.Version(ctx)
		check(err)
	})
}
