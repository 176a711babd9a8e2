// Package buildbottest is a fake Buildbot for unit tests: an httptest server answering the REST
// calls the plugin makes, with canned builders, schedulers and builds, recording what it was sent.
// The e2e suite checks the same calls against a real Buildbot.
package buildbottest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// ParamsSchedulers serves deploy-prod through a scheduler whose form has a bool, a choice and a
// required ticket without a default, as Buildbot 4.x reports them.
const ParamsSchedulers = `{"forceschedulers":[
 {"name":"force","builder_names":["app-compile","app-docs","tools"],
  "all_fields":[{"name":"","type":"nested","fields":[{"name":"branch","fullName":"branch","type":"text","default":"main"}]}]},
 {"name":"params","builder_names":["deploy-prod"],"all_fields":[
  {"name":"","fullName":null,"type":"nested","label":"","fields":[
   {"name":"username","fullName":"username","type":"username","label":"Your name:","default":""},
   {"name":"reason","fullName":"reason","type":"text","label":"reason","default":"force build"}]},
  {"name":"","fullName":null,"type":"nested","label":"Source","fields":[
   {"name":"branch","fullName":"branch","type":"text","label":"branch","default":"main"},
   {"name":"revision","fullName":"revision","type":"text","label":"revision","default":""},
   {"name":"repository","fullName":"repository","type":"text","label":"repository","default":""}]},
  {"name":"deploy","fullName":"deploy","type":"bool","label":"Deploy","default":false},
  {"name":"environment","fullName":"environment","type":"list","label":"Environment","default":"staging","strict":true,"choices":["staging","production"]},
  {"name":"ticket","fullName":"ticket","type":"text","label":"Ticket","default":"","required":true}]}]}`

// Server is a Buildbot's REST API with four builders (app-compile, app-docs and tools on the force
// scheduler "force", deploy-prod on none unless Schedulers says so), two finished builds, and a
// record of what was forced, posted to the change hook and read. Its zero value is ready to Start.
// The fields are read and set by tests between requests; Mu guards them during one.
type Server struct {
	Mu      sync.Mutex
	Forced  []map[string]any
	Changes []string
	// Controls counts the calls that would change something on Buildbot, reads the others by path.
	Controls int
	Reads    map[string]int
	Bodies   []string
	// Builders, Builds and ForceResult replace the usual answers when set.
	Builders, Builds, ForceResult string
	// ForceDelay holds the answer to a force that long: a Buildbot busy with a burst of them.
	ForceDelay time.Duration
	// Schedulers replaces the list of force schedulers when set.
	Schedulers string
}

// scheduler answers GET forceschedulers/<name> from the list.
func (f *Server) scheduler(name string) string {
	var all struct {
		ForceSchedulers []json.RawMessage `json:"forceschedulers"`
	}
	_ = json.Unmarshal([]byte(f.Schedulers), &all)
	for _, raw := range all.ForceSchedulers {
		var s struct{ Name string }
		if json.Unmarshal(raw, &s) == nil && s.Name == name {
			return `{"forceschedulers":[` + string(raw) + `]}`
		}
	}
	return `{"forceschedulers":[]}`
}

func or(s, otherwise string) string {
	if s != "" {
		return s
	}
	return otherwise
}

// lastTag is the request tag of the newest change posted, as Buildbot would record it.
func (f *Server) lastTag() string {
	if len(f.Changes) == 0 {
		return ""
	}
	form, _ := url.ParseQuery(f.Changes[len(f.Changes)-1])
	var props map[string]string
	_ = json.Unmarshal([]byte(form.Get("properties")), &props)
	return props["mattermost_request"]
}

// Start serves the fake until the test ends, and returns its URL.
func (f *Server) Start(t testing.TB) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.Mu.Lock()
		defer f.Mu.Unlock()
		if r.Method == http.MethodPost {
			f.Controls++
			body, _ := io.ReadAll(r.Body)
			f.Bodies = append(f.Bodies, string(body))
			r.Body = io.NopCloser(strings.NewReader(string(body)))
		} else {
			if f.Reads == nil {
				f.Reads = map[string]int{}
			}
			f.Reads[r.URL.Path]++
		}
		if name, ok := strings.CutPrefix(r.URL.Path, "/api/v2/forceschedulers/"); ok && r.Method == http.MethodGet {
			_, _ = io.WriteString(w, f.scheduler(name))
			return
		}
		switch r.Method + " " + r.URL.Path {
		case "GET /api/v2/builders":
			_, _ = io.WriteString(w, or(f.Builders, `{"builders":[{"builderid":1,"name":"app-compile","masterids":[1]},{"builderid":2,"name":"app-docs","masterids":[1]},{"builderid":3,"name":"tools","masterids":[1]},{"builderid":4,"name":"deploy-prod","masterids":[1]}]}`))
		case "GET /api/v2/forceschedulers":
			_, _ = io.WriteString(w, or(f.Schedulers, `{"forceschedulers":[{"name":"force","builder_names":["app-compile","app-docs","tools"],
				"all_fields":[{"name":"","type":"nested","fields":[{"name":"branch","fullName":"branch","type":"text","default":"main"}]}]}]}`))
		case "GET /api/v2/projects":
			http.NotFound(w, r)
		case "GET /api/v2/builds":
			_, _ = io.WriteString(w, or(f.Builds, `{"builds":[{"buildid":10,"number":8,"builderid":4,"complete":true,"results":0,"properties":{"branch":["main","x"]}},{"buildid":9,"number":4,"builderid":3,"complete":true,"results":2,"properties":{"branch":["dev","x"],"revision":["0123456789abcdef","x"]}}]}`))
		case "GET /api/v2/sourcestamps":
			_, _ = io.WriteString(w, `{"sourcestamps":[]}`)
		case "POST /api/v2/forceschedulers/params":
			var req struct{ Params map[string]any }
			_ = json.NewDecoder(r.Body).Decode(&req)
			f.Forced = append(f.Forced, req.Params)
			_, _ = io.WriteString(w, or(f.ForceResult, fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"result":[5,{"%v":6}]}`, req.Params["builderid"])))
		case "POST /api/v2/forceschedulers/force":
			var req struct{ Params map[string]any }
			_ = json.NewDecoder(r.Body).Decode(&req)
			f.Forced = append(f.Forced, req.Params)
			f.Mu.Unlock()
			time.Sleep(f.ForceDelay)
			f.Mu.Lock()
			_, _ = io.WriteString(w, or(f.ForceResult, fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"result":[5,{"%v":6}]}`, req.Params["builderid"])))
		case "POST /change_hook/base":
			body, _ := io.ReadAll(r.Body)
			f.Changes = append(f.Changes, string(body))
			_, _ = io.WriteString(w, "1 change found")
		case "GET /api/v2/changes":
			_, _ = io.WriteString(w, `{"changes":[{"changeid":8,"properties":{"mattermost_request":["`+f.lastTag()+`","Change"]}}]}`)
		case "GET /api/v2/buildrequests":
			_, _ = io.WriteString(w, `{"buildrequests":[{"buildrequestid":41}]}`)
		case "POST /api/v2/builds/9":
			var req struct{ Method string }
			_ = json.NewDecoder(r.Body).Decode(&req)
			if req.Method == "rebuild" {
				_, _ = io.WriteString(w, `{"jsonrpc":"2.0","id":1,"result":[7,{"3":8}]}`)
				return
			}
			_, _ = io.WriteString(w, `{"jsonrpc":"2.0","id":1,"result":null}`)
		case "POST /api/v2/buildrequests/6":
			_, _ = io.WriteString(w, `{"jsonrpc":"2.0","id":1,"result":null}`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
