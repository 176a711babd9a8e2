package buildbot

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/markdown"
)

// fakeBuildbot serves handlers by "METHOD /path" and records every request.
type fakeBuildbot struct {
	t        *testing.T
	mu       sync.Mutex
	routes   map[string]http.HandlerFunc
	requests []*http.Request
	bodies   []string
}

func newFake(t *testing.T) (*fakeBuildbot, *httptest.Server) {
	f := &fakeBuildbot{t: t, routes: map[string]http.HandlerFunc{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.requests = append(f.requests, r)
		f.bodies = append(f.bodies, string(body))
		h, ok := f.routes[r.Method+" "+r.URL.EscapedPath()]
		f.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeBuildbot) on(route string, h http.HandlerFunc) { f.routes[route] = h }

func (f *fakeBuildbot) last() (*http.Request, string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests[len(f.requests)-1], f.bodies[len(f.bodies)-1]
}

func jsonReply(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
	}
}

func newClient(t *testing.T, base string, mutate ...func(*Options)) *Client {
	t.Helper()
	opts := Options{BaseURL: base, Timeout: 2 * time.Second}
	for _, m := range mutate {
		m(&opts)
	}
	c, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func TestNewChecksTheURL(t *testing.T) {
	tests := []struct {
		raw, want, err string
	}{
		{"", "", "is empty"},
		{"ci.example.com", "", "has no scheme: write it as `https://ci.example.com`"},
		{"ftp://ci.example.com/", "", "only `http://` and `https://` work"},
		{"https:///x", "", "has no host"},
		{"https://bob:s3cret@ci.example.com/", "", "`https://…@ci.example.com/` contains credentials"},
		{"https://ci.example.com", "https://ci.example.com/", ""},
		{"https://example.com/buildbot", "https://example.com/buildbot/", ""},
		{" http://127.0.0.1:8010/?x=1#y ", "http://127.0.0.1:8010/", ""},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.raw), func(t *testing.T) {
			c, err := New(Options{BaseURL: tt.raw})
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("want an error containing %q, got %v", tt.err, err)
				}
				return
			}
			if err != nil || c.BaseURL() != tt.want {
				t.Fatalf("got %v, %v; want %q", c, err, tt.want)
			}
		})
	}
}

func TestEveryCallStaysBelowASubPath(t *testing.T) {
	f, srv := newFake(t)
	f.on("GET /buildbot/api/v2/builders", jsonReply(`{"builders":[{"builderid":1,"name":"a","masterids":[1]}],"meta":{"total":1}}`))
	f.on("GET /buildbot/config", jsonReply(`{"versions":[["Python","3.11"],["Buildbot","4.3.0"]]}`))
	c := newClient(t, srv.URL+"/buildbot")

	builders, err := c.Builders(context.Background())
	if err != nil || len(builders) != 1 || builders[0].Name != "a" || !builders[0].Active() {
		t.Fatalf("builders %+v, %v", builders, err)
	}
	if v, err := c.Version(context.Background()); err != nil || v != "4.3.0" {
		t.Fatalf("version %q, %v", v, err)
	}
}

func TestPathSegmentsAreEscaped(t *testing.T) {
	f, srv := newFake(t)
	f.on("POST /api/v2/forceschedulers/my%20force%2Fx", jsonReply(`{"jsonrpc":"2.0","id":1,"result":[7,{"3":9}]}`))
	c := newClient(t, srv.URL)

	res, err := c.Force(context.Background(), "my force/x", ForceParams{BuilderID: 3})
	if err != nil || res.BuildsetID != 7 || res.BuildRequests[3] != 9 {
		t.Fatalf("got %+v, %v", res, err)
	}
}

func TestQueryEncoding(t *testing.T) {
	f, srv := newFake(t)
	f.on("GET /api/v2/builds", jsonReply(`{"builds":[],"meta":{}}`))
	c := newClient(t, srv.URL)

	_, err := c.Builds(context.Background(), Query{
		Filters:    []Filter{Where("builderid", "eq", 1), Where("builderid", "eq", 2), Where("complete", "eq", false)},
		Order:      []string{"-buildid"},
		Limit:      5,
		Properties: []string{"branch"},
	})
	if err != nil {
		t.Fatal(err)
	}
	r, _ := f.last()
	q := r.URL.Query()
	if got := q["builderid__eq"]; len(got) != 2 || got[0] != "1" || got[1] != "2" {
		t.Errorf("repeated filter lost: %v", got)
	}
	if q.Get("complete__eq") != "false" || q.Get("order") != "-buildid" || q.Get("limit") != "5" || q.Get("property") != "branch" {
		t.Errorf("query %v", q)
	}
}

func TestAnUnknownFilterOperatorIsRefusedBeforeBuildbotIgnoresIt(t *testing.T) {
	f, srv := newFake(t)
	c := newClient(t, srv.URL)

	_, err := c.Builds(context.Background(), Query{Filters: []Filter{Where("number", "gte", 3)}})
	if KindOf(err) != KindRejected || !strings.Contains(err.Error(), `"gte"`) {
		t.Fatalf("want a rejected query, got %v", err)
	}
	if len(f.requests) != 0 {
		t.Fatal("the query was sent anyway")
	}
}

func loginRoute(f *fakeBuildbot, logins *int32) {
	f.on("GET /auth/login", func(w http.ResponseWriter, r *http.Request) {
		atomic.AddInt32(logins, 1)
		user, pass, ok := r.BasicAuth()
		if !ok || user != "admin" || pass != "admin-pass" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		// Buildbot sets an anonymous session first, then the user's.
		http.SetCookie(w, &http.Cookie{Name: "TWISTED_SESSION", Value: "anonymous", Path: "/"})
		http.SetCookie(w, &http.Cookie{Name: "TWISTED_SESSION", Value: fmt.Sprintf("admin-%d", atomic.LoadInt32(logins)), Path: "/"})
		http.Redirect(w, r, "/", http.StatusFound)
	})
}

func TestLoginKeepsTheLastSessionCookie(t *testing.T) {
	f, srv := newFake(t)
	var logins int32
	loginRoute(f, &logins)
	f.on("GET /api/v2/masters", func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie("TWISTED_SESSION"); err != nil || c.Value != "admin-1" {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		jsonReply(`{"masters":[{"masterid":1,"name":"m","active":true}]}`)(w, r)
	})
	c := newClient(t, srv.URL, func(o *Options) { o.Auth = AuthLogin{Username: "admin", Password: "admin-pass"} })

	for range 3 {
		if _, err := c.Masters(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if logins != 1 {
		t.Fatalf("logged in %d times, want once", logins)
	}
}

func TestAnExpiredSessionLogsInAgainOnce(t *testing.T) {
	f, srv := newFake(t)
	var logins int32
	loginRoute(f, &logins)
	f.on("GET /api/v2/masters", func(w http.ResponseWriter, r *http.Request) {
		if c, _ := r.Cookie("TWISTED_SESSION"); c == nil || c.Value != "admin-2" {
			w.WriteHeader(http.StatusForbidden) // the first session has "expired"
			return
		}
		jsonReply(`{"masters":[]}`)(w, r)
	})
	c := newClient(t, srv.URL, func(o *Options) { o.Auth = AuthLogin{Username: "admin", Password: "admin-pass"} })

	if _, err := c.Masters(context.Background()); err != nil {
		t.Fatal(err)
	}
	if logins != 2 {
		t.Fatalf("logged in %d times, want twice", logins)
	}
}

func TestConcurrentCallsLogInOnce(t *testing.T) {
	f, srv := newFake(t)
	var logins int32
	loginRoute(f, &logins)
	f.on("GET /api/v2/masters", jsonReply(`{"masters":[]}`))
	c := newClient(t, srv.URL, func(o *Options) { o.Auth = AuthLogin{Username: "admin", Password: "admin-pass"} })

	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Masters(context.Background()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if logins != 1 {
		t.Fatalf("logged in %d times, want once", logins)
	}
}

func TestAWrongPasswordSaysSoAndNeverShowsIt(t *testing.T) {
	f, srv := newFake(t)
	var logins int32
	loginRoute(f, &logins)
	c := newClient(t, srv.URL, func(o *Options) { o.Auth = AuthLogin{Username: "admin", Password: "hunter2-secret"} })

	_, err := c.Builders(context.Background())
	if KindOf(err) != KindUnauthorized {
		t.Fatalf("want unauthorized, got %v", err)
	}
	msg := UserMessage(err).English()
	if !strings.Contains(msg, "refused the login for user `admin`: wrong username or password") {
		t.Errorf("message %q", msg)
	}
	if strings.Contains(msg+err.Error(), "hunter2-secret") {
		t.Errorf("the password leaked: %q", msg)
	}
}

func TestHeaderAndBasicAreSentOnEveryRequest(t *testing.T) {
	tests := []struct {
		name  string
		auth  Auth
		check func(r *http.Request) bool
	}{
		{"a header", AuthHeader{Name: "X-Api-Key", Value: "k-secret"}, func(r *http.Request) bool { return r.Header.Get("X-Api-Key") == "k-secret" }},
		{"HTTP Basic", AuthBasic{Username: "u", Password: "p-secret"}, func(r *http.Request) bool {
			u, p, ok := r.BasicAuth()
			return ok && u == "u" && p == "p-secret"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, srv := newFake(t)
			f.on("GET /api/v2/builders", func(w http.ResponseWriter, r *http.Request) {
				if !tt.check(r) {
					w.WriteHeader(http.StatusUnauthorized)
					return
				}
				jsonReply(`{"builders":[]}`)(w, r)
			})
			c := newClient(t, srv.URL, func(o *Options) { o.Auth = tt.auth })
			for range 2 {
				if _, err := c.Builders(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// A proxy that quotes the request back in its error page must not put the credentials in chat.
func TestCredentialsAServerEchoesAreBlankedOut(t *testing.T) {
	tests := []struct {
		name   string
		auth   Auth
		leaked []string
	}{
		{"a header", AuthHeader{Name: "X-Api-Key", Value: "k-secret"}, []string{"k-secret"}},
		{"HTTP Basic", AuthBasic{Username: "u", Password: "p-secret"}, []string{"p-secret", "dTpwLXNlY3JldA=="}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, srv := newFake(t)
			f.on("GET /api/v2/builders", func(w http.ResponseWriter, r *http.Request) {
				user, password, _ := r.BasicAuth()
				w.WriteHeader(http.StatusBadRequest)
				_, _ = fmt.Fprintf(w, "refused key=%s authorization=%q user=%s password=%s", r.Header.Get("X-Api-Key"), r.Header.Get("Authorization"), user, password)
			})
			_, err := newClient(t, srv.URL, func(o *Options) { o.Auth = tt.auth }).Builders(context.Background())
			if err == nil {
				t.Fatal("want an error")
			}
			for _, secret := range tt.leaked {
				if strings.Contains(err.Error()+UserMessage(err).English(), secret) {
					t.Fatalf("%q leaked in %q", secret, err.Error())
				}
			}
		})
	}
}

// An internal address (a cluster's service name, a private IP) is the server's business: users
// read Buildbot's public address in every failure, whatever went wrong.
func TestFailuresNameThePublicAddressNotTheInternalOne(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	internal := closed.URL + "/"
	closed.Close()
	f, srv := newFake(t)
	f.on("GET /api/v2/builders", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusInternalServerError) })

	for _, base := range []string{internal, srv.URL + "/"} {
		c, err := New(Options{BaseURL: base, PublicURL: "https://ci.example.com/", Timeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Builders(context.Background())
		text := UserMessage(err).English()
		if !strings.Contains(text, "Buildbot at https://ci.example.com/ ") || strings.Contains(text, "127.0.0.1") {
			t.Errorf("%s: %q", base, text)
		}
	}
}

func TestFailuresAreWordedForUsersWithoutSecrets(t *testing.T) {
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Second):
		}
	}))
	t.Cleanup(slow.Close)
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()

	f, srv := newFake(t)
	f.on("GET /api/v2/builders", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, "<html><body>Welcome to nginx</body></html>")
	})
	f.on("GET /api/v2/builds", jsonReply(`{"builds": [{"buildid": 1,`))
	f.on("GET /api/v2/masters", jsonReply(`{"workers": []}`))
	f.on("GET /api/v2/workers", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusBadGateway) })
	f.on("GET /api/v2/builds/1/steps/2/logs", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, "exceptions.KeyError")
	})
	huge := func(length bool) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			if length {
				w.Header().Set("Content-Length", strconv.Itoa(maxBody+1))
			}
			_, _ = io.WriteString(w, `{"changes": [`)
			_, _ = w.Write(bytes.Repeat([]byte(" "), maxBody))
		}
	}
	f.on("GET /api/v2/changes", huge(false))
	f.on("GET /api/v2/forceschedulers", huge(true))
	f.on("GET /api/v2/buildrequests", func(w http.ResponseWriter, _ *http.Request) {
		conn, _, _ := w.(http.Hijacker).Hijack()
		_ = conn.Close()
	})
	f.on("GET /api/v2/projects", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", "1000")
		_, _ = io.WriteString(w, `{"projects": [`)
	})

	secrets := Options{Auth: AuthHeader{Name: "X-Key", Value: "the-secret-value"}, Timeout: 100 * time.Millisecond}
	client := func(base string) *Client {
		return newClient(t, base, func(o *Options) { o.Auth, o.Timeout = secrets.Auth, secrets.Timeout })
	}
	// Reading a reply past the cap takes longer than the short timeout of the others.
	roomy := func(base string) *Client {
		return newClient(t, base, func(o *Options) { o.Auth, o.Timeout = secrets.Auth, 30*time.Second })
	}
	tests := []struct {
		name string
		call func() error
		kind Kind
		want string
	}{
		{"a slow Buildbot", func() error { _, err := client(slow.URL).Builders(context.Background()); return err },
			KindTimeout, "did not answer within 100ms"},
		{"nothing listening", func() error { _, err := client(closedURL).Builders(context.Background()); return err },
			KindUnreachable, "is unreachable: connection refused"},
		{"an HTML page", func() error { _, err := client(srv.URL).Builders(context.Background()); return err },
			KindBadReply, "an HTML page instead of JSON"},
		{"truncated JSON", func() error { _, err := client(srv.URL).Builds(context.Background(), Query{}); return err },
			KindBadReply, "not valid JSON"},
		{"the wrong collection", func() error { _, err := client(srv.URL).Masters(context.Background()); return err },
			KindBadReply, "no `masters` in the reply"},
		{"a proxy's 502", func() error { _, err := client(srv.URL).Workers(context.Background()); return err },
			KindServerError, "could not be reached through the proxy in front of it (HTTP 502)"},
		{"Buildbot's own 500", func() error { _, err := client(srv.URL).Logs(context.Background(), 1, 2); return err },
			KindServerError, "failed with HTTP 500: exceptions.KeyError. Its log (twistd.log) may say why"},
		{"a reply too big to read", func() error { _, err := roomy(srv.URL).Changes(context.Background(), Query{}); return err },
			KindBadReply, "a reply over 8 MiB"},
		{"a reply that announces its size is too big", func() error { _, err := roomy(srv.URL).ForceSchedulers(context.Background()); return err },
			KindBadReply, "a reply over 8 MiB"},
		{"a reply cut short", func() error { _, err := client(srv.URL).Projects(context.Background()); return err },
			KindUnreachable, "the connection closed in the middle of a reply"},
		{"a connection closed before a reply", func() error { _, err := client(srv.URL).BuildRequests(context.Background(), Query{}); return err },
			KindUnreachable, "the connection closed before a reply"},
		{"a missing endpoint", func() error { _, err := client(srv.URL).Steps(context.Background(), 1, Query{}); return err },
			KindNotFound, "has nothing at GET api/v2/builds/1/steps"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if KindOf(err) != tt.kind {
				t.Fatalf("want kind %d, got %v", tt.kind, err)
			}
			msg := UserMessage(err).English()
			if !strings.Contains(msg, tt.want) {
				t.Errorf("message %q lacks %q", msg, tt.want)
			}
			if strings.Contains(msg+err.Error(), "the-secret-value") {
				t.Errorf("the secret leaked: %q / %q", msg, err.Error())
			}
		})
	}
}

func TestACallerDeadlineShorterThanTheTimeoutWins(t *testing.T) {
	slow := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	t.Cleanup(slow.Close)
	c := newClient(t, slow.URL, func(o *Options) { o.Timeout = time.Minute })
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()

	start := time.Now()
	_, err := c.Builders(ctx)
	if KindOf(err) != KindTimeout || time.Since(start) > 5*time.Second {
		t.Fatalf("got %v after %s", err, time.Since(start))
	}
}

func TestJSONRPCErrors(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		kind   Kind
		want   string
	}{
		{"a refused role", http.StatusForbidden, `{"jsonrpc":"2.0","id":1,"error":{"code":-32600,"message":"you need to have role 'admins'"}}`,
			KindForbidden, "Buildbot refused: you need to have role 'admins'."},
		{"a form error as an object", http.StatusBadRequest, `{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":{"username":"Invalid input","branch":"bad"}}}`,
			KindRejected, "Buildbot refused: branch: bad; username: Invalid input."},
		{"an unknown scheduler", http.StatusInternalServerError, `{"jsonrpc":"2.0","id":1,"error":{"code":-32603,"message":"no such force scheduler"}}`,
			KindRejected, "Buildbot refused: no such force scheduler."},
		{"an error without a message", http.StatusInternalServerError, `{"jsonrpc":"2.0","id":1,"error":{"code":-32603,"message":""}}`,
			KindRejected, "refused force (HTTP 500) without saying why; its log (twistd.log) may."},
		{"an unknown method", http.StatusBadRequest, `{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"invalid method"}}`,
			KindNotSupported, "does not support this (force)"},
		{"a result that is not a buildset", http.StatusOK, `{"jsonrpc":"2.0","id":1,"result":"ok"}`,
			KindBadReply, "the result is not [buildset, requests]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, srv := newFake(t)
			f.on("POST /api/v2/forceschedulers/force", func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			})
			_, err := newClient(t, srv.URL).Force(context.Background(), "force", ForceParams{BuilderID: 1})
			if KindOf(err) != tt.kind || !strings.Contains(UserMessage(err).English(), tt.want) {
				t.Fatalf("got kind %d, %q", KindOf(err), UserMessage(err).English())
			}
		})
	}
	t.Run("a form error keeps Buildbot's complaints by field", func(t *testing.T) {
		f, srv := newFake(t)
		f.on("POST /api/v2/forceschedulers/force", func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":{"ticket":"'Ticket' needs to be specified"}}}`)
		})
		_, err := newClient(t, srv.URL).Force(context.Background(), "force", ForceParams{BuilderID: 1})
		var e *Error
		if !errors.As(err, &e) || string(e.Fields) != `{"ticket":"'Ticket' needs to be specified"}` {
			t.Fatalf("got %v", err)
		}
	})
}

func TestForceSendsTheFormAndDecodesTheRequests(t *testing.T) {
	f, srv := newFake(t)
	f.on("POST /api/v2/forceschedulers/force", jsonReply(`{"jsonrpc":"2.0","id":1,"result":[12,{"1":30,"4":31}]}`))
	c := newClient(t, srv.URL)

	res, err := c.Force(context.Background(), "force", ForceParams{
		BuilderID: 1, Branch: "main", Revision: "abc", Repository: "r", Project: "p", Reason: "why",
		Username: "Alice <alice@example.com>",
		Values:   map[string]any{"owner": "mallory", "builderid": 9, "username": "mallory", "deploy": true, "suites": []string{"unit"}, "reason": "form's"},
	})
	if err != nil || res.BuildsetID != 12 || res.BuildRequests[1] != 30 || res.BuildRequests[4] != 31 {
		t.Fatalf("got %+v, %v", res, err)
	}
	r, body := f.last()
	if r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("content type %q", r.Header.Get("Content-Type"))
	}
	var sent rpcRequest
	if err := json.Unmarshal([]byte(body), &sent); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"builderid": float64(1), "branch": "main", "revision": "abc", "repository": "r", "project": "p",
		"reason": "form's", "username": "Alice <alice@example.com>", "deploy": true, "suites": []any{"unit"}}
	if sent.JSONRPC != "2.0" || sent.Method != "force" || len(sent.Params) != len(want) {
		t.Fatalf("sent %+v", sent)
	}
	for k, v := range want {
		if !reflect.DeepEqual(sent.Params[k], v) {
			t.Errorf("param %s = %v, want %v", k, sent.Params[k], v)
		}
	}
}

func TestRebuildStopAndCancel(t *testing.T) {
	f, srv := newFake(t)
	f.on("POST /api/v2/builds/5", func(w http.ResponseWriter, r *http.Request) {
		var req rpcRequest
		_ = json.NewDecoder(r.Body).Decode(&req)
		switch req.Method {
		case "rebuild":
			jsonReply(`{"jsonrpc":"2.0","id":1,"result":[8,{"2":40}]}`)(w, r)
		case "stop":
			jsonReply(`{"jsonrpc":"2.0","id":1,"result":null}`)(w, r)
		}
	})
	f.on("POST /api/v2/buildrequests/41", jsonReply(`{"jsonrpc":"2.0","id":1,"result":null}`))
	c := newClient(t, srv.URL)
	ctx := context.Background()

	if res, err := c.Rebuild(ctx, 5); err != nil || res.BuildsetID != 8 || res.BuildRequests[2] != 40 {
		t.Fatalf("rebuild %+v, %v", res, err)
	}
	if err := c.StopBuild(ctx, 5, "asked in chat"); err != nil {
		t.Fatalf("stop %v", err)
	}
	_, body := f.last()
	if !strings.Contains(body, `"reason":"asked in chat"`) {
		t.Errorf("stop body %s", body)
	}
	if err := c.CancelBuildRequest(ctx, 41, "asked in chat"); err != nil {
		t.Fatalf("cancel %v", err)
	}
}

func TestChangeHook(t *testing.T) {
	f, srv := newFake(t)
	f.on("POST /hooks/base", func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "hook" || p != "hook-pass" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		_, _ = io.WriteString(w, "1 change found")
	})
	hook := func(user, pass, path string) *Client {
		return newClient(t, srv.URL, func(o *Options) {
			o.ChangeHookUsername, o.ChangeHookPassword, o.ChangeHookPath = user, pass, path
		})
	}
	change := ChangeRequest{
		Author: "alice", Comments: "from chat", Branch: "main", Revision: "abc", Category: "mattermost",
		Repository: "https://git/x", Project: "mattermost_build_x_main", When: time.Unix(1700000000, 0),
		Files: []string{"a.go"}, Properties: map[string]string{"mattermost_post_id": "p1"},
	}

	if err := hook("hook", "hook-pass", "hooks/base").PostChange(context.Background(), change); err != nil {
		t.Fatal(err)
	}
	r, body := f.last()
	if r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		t.Errorf("content type %q", r.Header.Get("Content-Type"))
	}
	for _, want := range []string{"author=alice", "category=mattermost", "project=mattermost_build_x_main", "when_timestamp=1700000000",
		"files=%5B%22a.go%22%5D", "properties=%7B%22mattermost_post_id%22%3A%22p1%22%7D"} {
		if !strings.Contains(body, want) {
			t.Errorf("form %q lacks %q", body, want)
		}
	}

	err := hook("hook", "nope-secret", "hooks/base").PostChange(context.Background(), change)
	if KindOf(err) != KindUnauthorized || !strings.Contains(UserMessage(err).English(), "refused the change hook's credentials") || strings.Contains(UserMessage(err).English(), "nope-secret") {
		t.Errorf("wrong credentials: %q", UserMessage(err).English())
	}
	err = hook("", "", "change_hook/base").PostChange(context.Background(), change)
	if KindOf(err) != KindNotFound || !strings.Contains(UserMessage(err).English(), "no change hook at change_hook/base") {
		t.Errorf("missing hook: %q", UserMessage(err).English())
	}
}

func TestChangeHookRejection(t *testing.T) {
	f, srv := newFake(t)
	f.on("POST /change_hook/base", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, "Error processing changes.")
	})
	err := newClient(t, srv.URL).PostChange(context.Background(), ChangeRequest{Author: "a"})
	if KindOf(err) != KindRejected || !strings.Contains(UserMessage(err).English(), "the change hook refused the change: Error processing changes.") {
		t.Fatalf("got %q", UserMessage(err).English())
	}
}

func TestProjectsOnAMasterWithoutThemIsNotSupported(t *testing.T) {
	_, srv := newFake(t)
	_, err := newClient(t, srv.URL).Projects(context.Background())
	if !errors.Is(err, ErrNotSupported) {
		t.Fatalf("want ErrNotSupported, got %v", err)
	}
}

func TestVersionWithoutABuildbotEntry(t *testing.T) {
	f, srv := newFake(t)
	f.on("GET /config", jsonReply(`{"versions":[["Python","3.11"]]}`))
	_, err := newClient(t, srv.URL).Version(context.Background())
	if KindOf(err) != KindBadReply {
		t.Fatalf("got %v", err)
	}
}

func TestLogLinesReadsOnlyTheLinesAskedForAndKeepsTheOutput(t *testing.T) {
	f, srv := newFake(t)
	var query string
	f.on("GET /api/v2/logs/3/contents", func(w http.ResponseWriter, r *http.Request) {
		query = r.URL.RawQuery
		_, _ = io.WriteString(w, `{"logchunks":[{"firstline":990,"content":"ofirst\nomiddle\nelast line\nhprogram finished with exit code 2\nhelapsedTime=1.0\n"}]}`)
	})
	c := newClient(t, srv.URL)

	got, err := c.LogLines(context.Background(), Log{LogID: 3, Type: "s", NumLines: 1000}, 990, 10)

	if err != nil || strings.Join(got, "\n") != "first\nmiddle\nlast line" {
		t.Fatalf("got %q, %v", got, err)
	}
	if query != "limit=10&offset=990" {
		t.Fatalf("query %q", query)
	}
	f.on("GET /api/v2/logs/4/contents", jsonReply(`{"logchunks":[{"firstline":0,"content":"plain text\nlog\n"}]}`))
	if got, err := c.LogLines(context.Background(), Log{LogID: 4, Type: "t", NumLines: 2}, 0, 5); err != nil || strings.Join(got, "\n") != "plain text\nlog" {
		t.Fatalf("text log: got %q, %v", got, err)
	}
}

func TestDecodingBuildRecords(t *testing.T) {
	f, srv := newFake(t)
	f.on("GET /api/v2/builds/9", jsonReply(`{"builds":[{"buildid":9,"number":3,"builderid":2,"started_at":1700000000.5,
		"complete_at":null,"complete":false,"results":null,"state_string":"building","extra":"ignored",
		"properties":{"branch":["main","Force Build Form"],"owner":["Alice <a@x>","Force Build Form"],"n":[3,"x"]}}]}`))
	b, err := newClient(t, srv.URL).Build(context.Background(), 9, Query{Properties: []string{"*"}})
	if err != nil {
		t.Fatal(err)
	}
	if b.Results != nil || b.StartedAt != 1700000000.5 || b.CompleteAt != 0 || b.Properties.Get("branch") != "main" ||
		b.Properties.Get("n") != "3" || b.Properties["owner"].Source != "Force Build Form" || b.Properties.Get("absent") != "" {
		t.Fatalf("decoded %+v", b)
	}
}

func TestResultNames(t *testing.T) {
	for r, want := range map[Result]string{Success: "success", Warnings: "warnings", Failure: "failure", Skipped: "skipped",
		Exception: "exception", Retry: "retry", Cancelled: "cancelled", Result(9): "result 9"} {
		if r.String() != want {
			t.Errorf("%d: %q", r, r.String())
		}
	}
}

func TestLinks(t *testing.T) {
	if got := BuildURL("https://ci/bb", 2, 7); got != "https://ci/bb/#/builders/2/builds/7" {
		t.Error(got)
	}
	if got := BuildRequestURL("https://ci/", 5); got != "https://ci/#/buildrequests/5" {
		t.Error(got)
	}
}

// hangLogin makes the fake take logins and never answer them; the channel hears each one start.
func hangLogin(t *testing.T, f *fakeBuildbot) <-chan struct{} {
	started := make(chan struct{}, 10)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) }) // before srv.Close, which waits for the handler
	f.on("GET /auth/login", func(_ http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	return started
}

// A Buildbot (or a proxy in front of it) that takes the login and never answers holds nothing up
// for longer than the client's timeout: neither the calls waiting for that login nor the socket.
func TestAHungLoginHoldsNothingUpBeyondTheTimeout(t *testing.T) {
	f, srv := newFake(t)
	loginStarted := hangLogin(t, f)
	f.on("GET /api/v2/builders", jsonReply(`{"builders":[]}`))
	c := newClient(t, srv.URL, func(o *Options) {
		o.Auth = AuthLogin{Username: "admin", Password: "admin-pass"}
		o.Timeout = 300 * time.Millisecond
	})

	consumed := make(chan error, 1)
	go func() { consumed <- c.Consume(context.Background(), []string{"builds/*/*"}, func() {}, func(Event) {}) }()
	select {
	case <-loginStarted:
	case <-time.After(5 * time.Second):
		t.Fatal("the socket never logged in")
	}
	started := time.Now()
	called := make(chan error, 1)
	go func() { _, err := c.Builders(context.Background()); called <- err }()

	select {
	case err := <-called:
		if KindOf(err) != KindTimeout || !strings.Contains(UserMessage(err).English(), "did not answer within 300ms") {
			t.Errorf("the waiting call: want a timeout, got %v", err)
		}
	case <-time.After(time.Second):
		t.Fatal("a call still waits for the hung login after a second")
	}
	select {
	case err := <-consumed:
		if KindOf(err) != KindTimeout {
			t.Errorf("the socket: want a timeout, got %v", err)
		}
	case <-time.After(time.Second - time.Since(started)):
		t.Fatal("the socket still waits for its hung login after a second")
	}
}

// A call that waits for another's login gives up at its own deadline, even when that login may
// go on for longer.
func TestACallWaitingForAnotherCallsLoginKeepsItsOwnDeadline(t *testing.T) {
	f, srv := newFake(t)
	loginStarted := hangLogin(t, f)
	f.on("GET /api/v2/builders", jsonReply(`{"builders":[]}`))
	f.on("GET /api/v2/masters", jsonReply(`{"masters":[]}`))
	c := newClient(t, srv.URL, func(o *Options) {
		o.Auth = AuthLogin{Username: "admin", Password: "admin-pass"}
		o.Timeout = 5 * time.Second
	})
	go func() { _, _ = c.Masters(context.Background()) }()
	select {
	case <-loginStarted:
	case <-time.After(5 * time.Second):
		t.Fatal("the first call never logged in")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()

	called := make(chan error, 1)
	go func() { _, err := c.Builders(ctx); called <- err }()

	select {
	case err := <-called:
		if KindOf(err) != KindTimeout {
			t.Fatalf("want a timeout, got %v", err)
		}
	case <-time.After(time.Second):
		t.Fatal("the call still waits for the other's login a second after its deadline")
	}
}

func TestTheChangeHooksCredentialsWinOverTheClients(t *testing.T) {
	tests := []struct {
		name  string
		auth  Auth
		proxy func(r *http.Request) bool
	}{
		{"HTTP Basic for a proxy", AuthBasic{Username: "proxy", Password: "proxy-pass"}, func(*http.Request) bool { return true }},
		{"an Authorization header for a proxy", AuthHeader{Name: "Authorization", Value: "Bearer proxy-token"}, func(*http.Request) bool { return true }},
		{"another header for a proxy, which is still sent", AuthHeader{Name: "X-Proxy-Key", Value: "proxy-key"}, func(r *http.Request) bool {
			return r.Header.Get("X-Proxy-Key") == "proxy-key"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, srv := newFake(t)
			f.on("POST /change_hook/base", func(w http.ResponseWriter, r *http.Request) {
				if u, p, ok := r.BasicAuth(); !ok || u != "hook" || p != "hook-pass" || !tt.proxy(r) {
					w.WriteHeader(http.StatusUnauthorized)
					return
				}
				_, _ = io.WriteString(w, "1 change found")
			})
			c := newClient(t, srv.URL, func(o *Options) {
				o.Auth, o.ChangeHookUsername, o.ChangeHookPassword = tt.auth, "hook", "hook-pass"
			})
			if err := c.PostChange(context.Background(), ChangeRequest{Author: "a", Comments: "c"}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestAChangeHookThatEchoesItsCredentialsDoesNotLeakThem(t *testing.T) {
	f, srv := newFake(t)
	f.on("POST /change_hook/base", func(w http.ResponseWriter, r *http.Request) {
		_, password, _ := r.BasicAuth()
		w.WriteHeader(http.StatusBadRequest)
		_, _ = fmt.Fprintf(w, "refused authorization=%q password=%s", r.Header.Get("Authorization"), password)
	})
	c := newClient(t, srv.URL, func(o *Options) { o.ChangeHookUsername, o.ChangeHookPassword = "hook", "hook-secret-pass" })

	err := c.PostChange(context.Background(), ChangeRequest{Author: "a", Comments: "c"})
	if KindOf(err) != KindRejected {
		t.Fatalf("want a rejection, got %v", err)
	}
	for _, secret := range []string{"hook-secret-pass", base64.StdEncoding.EncodeToString([]byte("hook:hook-secret-pass"))} {
		if strings.Contains(err.Error()+UserMessage(err).English(), secret) {
			t.Errorf("%q leaked in %q / %q", secret, err.Error(), UserMessage(err).English())
		}
	}
}

func TestURLProblemsNeverShowCredentials(t *testing.T) {
	tests := []struct {
		raw  string
		want []string
	}{
		{"admin:s3cret-pw@ci.example.com", []string{"`…@ci.example.com` has no scheme", "write it as `https://…@ci.example.com`"}},
		{"//admin:s3cret-pw@ci.example.com", []string{"`//…@ci.example.com` has no scheme", "write it as `https://…@ci.example.com`"}},
		{"admin:s3cret-pw@ci.example.com/?next=https://x", []string{"`…@ci.example.com/?next=https://x` is not a valid URL"}},
		{"ftp://admin:s3cret-pw@ci.example.com/", []string{"`ftp://…@ci.example.com/` uses `ftp:`", "only `http://` and `https://` work"}},
		{"https://admin:s3cret-pw@ci.example.com/%zz", []string{"`https://…@ci.example.com/%zz` is not a valid URL"}},
		{"https://admin:s3cret/pw@ci.example.com/", []string{"`https://…@ci.example.com/` is not a valid URL"}},
		{"https://admin:s3cret-pw@/x", []string{"`https://…@/x` has no host name"}},
		{"https://admin:s3cret-pw@ci.example.com/", []string{"`https://…@ci.example.com/` contains credentials", "authentication settings"}},
		{"http://admin@ci.example.com/", []string{"`http://…@ci.example.com/` contains credentials"}},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			_, err := ParseBaseURL(tt.raw)
			var problem *URLProblem
			if !errors.As(err, &problem) {
				t.Fatalf("want a URL problem, got %v", err)
			}
			for _, leaked := range []string{"s3cret", "admin"} {
				if strings.Contains(problem.Problem.English(), leaked) {
					t.Errorf("%q leaked in %q", leaked, problem.Problem.English())
				}
			}
			for _, want := range tt.want {
				if !strings.Contains(problem.Problem.English(), want) {
					t.Errorf("%q lacks %q", problem.Problem.English(), want)
				}
			}
		})
	}
}

// Buildbot's words reach chat: they must not mention anyone, link anywhere or format the message.
func TestBuildbotsWordsAreInertInChat(t *testing.T) {
	tests := []struct {
		name, route string
		status      int
		body        string
		call        func(c *Client) error
		want        string
	}{
		{"a JSON-RPC error", "POST /api/v2/forceschedulers/force", http.StatusBadRequest,
			`{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"@channel see [x](https://evil.example)"}}`,
			func(c *Client) error { _, err := c.Force(context.Background(), "force", ForceParams{}); return err },
			"Buildbot refused: " + markdown.Text("@channel see [x](https://evil.example)") + "."},
		{"a JSON-RPC form error", "POST /api/v2/forceschedulers/force", http.StatusBadRequest,
			`{"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":{"branch":"@here bad"}}}`,
			func(c *Client) error { _, err := c.Force(context.Background(), "force", ForceParams{}); return err },
			"Buildbot refused: " + markdown.Text("branch: @here bad") + "."},
		{"a refused read", "GET /api/v2/builders", http.StatusBadRequest, "@all **look** at <https://evil.example>",
			func(c *Client) error { _, err := c.Builders(context.Background()); return err },
			"Buildbot refused: " + markdown.Text("@all **look** at <https://evil.example>") + "."},
		{"the change hook's refusal", "POST /change_hook/base", http.StatusBadRequest, "@channel # [x](https://evil.example)",
			func(c *Client) error { return c.PostChange(context.Background(), ChangeRequest{Author: "a"}) },
			"Buildbot refused: the change hook refused the change: " + markdown.Text("@channel # [x](https://evil.example)") + "."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, srv := newFake(t)
			f.on(tt.route, func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			})
			msg := UserMessage(tt.call(newClient(t, srv.URL))).English()
			if msg != tt.want {
				t.Errorf("got  %q\nwant %q", msg, tt.want)
			}
			live := strings.NewReplacer(`\]`, "", `\*`, "", `\<`, "").Replace(msg) // what escaping left
			for _, raw := range []string{"@channel", "@here", "@all", "](", "**", "<https"} {
				if strings.Contains(live, raw) {
					t.Errorf("%q is live in %q", raw, msg)
				}
			}
		})
	}
}
