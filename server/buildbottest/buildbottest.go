// Package buildbottest is the one fake Buildbot for the unit tests of every package: one fake
// keeps them all to the same answers, which the e2e suite checks against a real Buildbot. Server
// answers the REST calls the plugin makes and pushes events on its WebSocket, recording what it
// was sent; NewClient serves a test's own answers where a scenario needs them.
package buildbottest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
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

// Server is a Buildbot 4.3.0 with four builders (app-compile, app-docs and tools on the force
// scheduler "force", deploy-prod on none unless Schedulers says so), two finished builds, no
// workers, and a record of what was forced, posted to the change hook and read. Its zero value is
// ready to Start, or to give a Client. Tests read and set the fields between requests; Mu guards
// them during one.
//
// The lists of builds and build requests honour the field__eq filters, as Buildbot does, on the
// fields their items carry: an item that leaves a field out is kept, since a test's answer leaves
// out what it does not care about. builds/<id> and builders/<id> answer the item of that id from
// their list.
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
	// BuildRequests replaces the list of build requests when set; RequestBuilds answers
	// buildrequests/<id>/builds and Steps builds/<id>/steps, which are not found when unset.
	BuildRequests, RequestBuilds, Steps string
	// ForceDelay holds the answer to a force that long: a Buildbot busy with a burst of them.
	ForceDelay time.Duration
	// Schedulers replaces the list of force schedulers when set.
	Schedulers string
	// Version replaces the Buildbot version GET config reports when set.
	Version string
	// Buildsets answers buildsets/<id> with the buildset of that id from its list
	// ({"buildsets":[...]}); BuildChanges answers builds/<id>/changes. Both are not found when unset.
	Buildsets, BuildChanges string
	// ReadDelay holds the answer to every GET that long, before it is read: a slow Buildbot, for the
	// tests of reads that callers share.
	ReadDelay time.Duration
	// Workers are what GET api/v2/workers lists.
	Workers []buildbot.Worker
	// Down answers every request with 503, as the proxy in front of a Buildbot that is down does.
	Down bool
	// Events are pushed on each WebSocket connection, each as soon as a subscription covering its
	// key is acknowledged, as Buildbot pushes them.
	Events []buildbot.Event
	// Requests counts every request, those refused while Down included. Being atomic, it can be
	// read while requests are under way.
	Requests atomic.Int64

	url string
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
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(srv.Close)
	f.url = srv.URL
	return srv.URL
}

// Client is a client of the fake, which it starts unless it was started.
func (f *Server) Client(t testing.TB) *buildbot.Client {
	t.Helper()
	if f.url == "" {
		f.Start(t)
	}
	return client(t, f.url)
}

// NewClient is a client of a Buildbot that answers with handler until the test ends, for the
// scenarios Server does not play.
func NewClient(t testing.TB, handler http.Handler) *buildbot.Client {
	t.Helper()
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	return client(t, srv.URL)
}

func client(t testing.TB, url string) *buildbot.Client {
	t.Helper()
	c, err := buildbot.New(buildbot.Options{BaseURL: url})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Worker is a worker as GET api/v2/workers lists it: named w<id>, connected to master 1 if
// connected, and configured on builders on master 1.
func Worker(id int, connected bool, builders ...int) buildbot.Worker {
	// Buildbot lists no master or builder as [], not null.
	w := buildbot.Worker{
		WorkerID: id,
		Name:     fmt.Sprintf("w%d", id),
		ConnectedTo: []struct {
			MasterID int `json:"masterid"`
		}{},
		ConfiguredOn: []struct {
			BuilderID int `json:"builderid"`
			MasterID  int `json:"masterid"`
		}{},
	}
	if connected {
		w.ConnectedTo = append(w.ConnectedTo, struct {
			MasterID int `json:"masterid"`
		}{MasterID: 1})
	}
	for _, b := range builders {
		w.ConfiguredOn = append(w.ConfiguredOn, struct {
			BuilderID int `json:"builderid"`
			MasterID  int `json:"masterid"`
		}{BuilderID: b, MasterID: 1})
	}
	return w
}

// serve answers one request as Buildbot would, and records it.
func (f *Server) serve(w http.ResponseWriter, r *http.Request) {
	f.Requests.Add(1)
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if delay := f.ReadDelay; delay > 0 && r.Method == http.MethodGet {
		f.Mu.Unlock()
		time.Sleep(delay)
		f.Mu.Lock()
	}
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
	if f.Down {
		http.Error(w, http.StatusText(http.StatusServiceUnavailable), http.StatusServiceUnavailable)
		return
	}
	if parts := strings.Split(r.URL.Path, "/"); r.Method == http.MethodGet && len(parts) == 6 && parts[5] == "builds" && parts[3] == "buildrequests" && f.RequestBuilds != "" {
		_, _ = io.WriteString(w, f.RequestBuilds)
		return
	}
	if parts := strings.Split(r.URL.Path, "/"); r.Method == http.MethodGet && len(parts) == 6 && parts[5] == "steps" && parts[3] == "builds" && f.Steps != "" {
		_, _ = io.WriteString(w, f.Steps)
		return
	}
	if parts := strings.Split(r.URL.Path, "/"); r.Method == http.MethodGet && len(parts) == 6 && parts[5] == "changes" && parts[3] == "builds" && f.BuildChanges != "" {
		_, _ = io.WriteString(w, f.BuildChanges)
		return
	}
	if parts := strings.Split(r.URL.Path, "/"); r.Method == http.MethodGet && len(parts) == 5 && parts[1] == "api" {
		if list, ok := map[string]string{"builds": f.builds(), "builders": f.builders(), "buildsets": f.Buildsets}[parts[3]]; ok {
			item := itemOf(list, parts[3], map[string]string{"builds": "buildid", "builders": "builderid", "buildsets": "bsid"}[parts[3]], parts[4])
			if item == "" {
				http.NotFound(w, r)
				return
			}
			_, _ = io.WriteString(w, item)
			return
		}
	}
	if name, ok := strings.CutPrefix(r.URL.Path, "/api/v2/forceschedulers/"); ok && r.Method == http.MethodGet {
		_, _ = io.WriteString(w, f.scheduler(name))
		return
	}
	switch r.Method + " " + r.URL.Path {
	case "GET /ws":
		// The connection outlives the request: Mu is not held while it lasts.
		events := slices.Clone(f.Events)
		f.Mu.Unlock()
		push(w, r, events)
		f.Mu.Lock()
	case "GET /config":
		_, _ = fmt.Fprintf(w, `{"versions":[["Python","3.12.3"],["Buildbot",%q],["Twisted","24.3.0"]]}`, or(f.Version, "4.3.0"))
	case "GET /api/v2/workers":
		workers := f.Workers
		if workers == nil {
			workers = []buildbot.Worker{}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"workers": workers, "meta": map[string]int{"total": len(workers)}})
	case "GET /api/v2/builders":
		_, _ = io.WriteString(w, f.builders())
	case "GET /api/v2/forceschedulers":
		_, _ = io.WriteString(w, or(f.Schedulers, `{"forceschedulers":[{"name":"force","builder_names":["app-compile","app-docs","tools"],
			"all_fields":[{"name":"","type":"nested","fields":[{"name":"branch","fullName":"branch","type":"text","default":"main"}]}]}]}`))
	case "GET /api/v2/projects":
		http.NotFound(w, r)
	case "GET /api/v2/builds":
		_, _ = io.WriteString(w, filtered(f.builds(), "builds", r.URL.Query()))
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
		_, _ = io.WriteString(w, filtered(or(f.BuildRequests, `{"buildrequests":[{"buildrequestid":41}]}`), "buildrequests", r.URL.Query()))
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
}

func (f *Server) builders() string {
	return or(f.Builders, `{"builders":[{"builderid":1,"name":"app-compile","masterids":[1]},{"builderid":2,"name":"app-docs","masterids":[1]},{"builderid":3,"name":"tools","masterids":[1]},{"builderid":4,"name":"deploy-prod","masterids":[1]}]}`)
}

func (f *Server) builds() string {
	return or(f.Builds, `{"builds":[{"buildid":10,"number":8,"builderid":4,"complete":true,"results":0,"properties":{"branch":["main","x"]}},{"buildid":9,"number":4,"builderid":3,"complete":true,"results":2,"properties":{"branch":["dev","x"],"revision":["0123456789abcdef","x"]}}]}`)
}

// items reads a list answer such as {"builds":[...]}; nil when it is not one.
func items(answer, key string) []map[string]json.RawMessage {
	var all map[string][]map[string]json.RawMessage
	if json.Unmarshal([]byte(answer), &all) != nil {
		return nil
	}
	return all[key]
}

// asFilter is a field's JSON value as a filter names it: true, 12, main.
func asFilter(raw json.RawMessage) string {
	var v any
	d := json.NewDecoder(strings.NewReader(string(raw)))
	d.UseNumber()
	if d.Decode(&v) != nil {
		return string(raw)
	}
	return fmt.Sprint(v)
}

// filtered keeps the items of a list answer that every field__eq filter of query matches, as
// Buildbot does; an item without the field is kept. An answer that is not a list is left as it is.
func filtered(answer, key string, query url.Values) string {
	list := items(answer, key)
	if list == nil {
		return answer
	}
	kept := []map[string]json.RawMessage{}
	for _, item := range list {
		matches := true
		for param, values := range query {
			field, ok := strings.CutSuffix(param, "__eq")
			if raw, carried := item[field]; ok && carried && !slices.Contains(values, asFilter(raw)) {
				matches = false
			}
		}
		if matches {
			kept = append(kept, item)
		}
	}
	out, _ := json.Marshal(map[string]any{key: kept})
	return string(out)
}

// itemOf answers a read of one item by id from a list answer, as a list of that one item; "" when
// the list has none of that id.
func itemOf(answer, key, idField, id string) string {
	for _, item := range items(answer, key) {
		if asFilter(item[idField]) == id {
			out, _ := json.Marshal(map[string]any{key: []map[string]json.RawMessage{item}})
			return string(out)
		}
	}
	return ""
}

// push acknowledges each subscription as Buildbot does, and then pushes the events it covers that
// were not pushed yet, until the client hangs up.
func push(w http.ResponseWriter, r *http.Request, events []buildbot.Event) {
	conn, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
	if err != nil {
		return
	}
	defer conn.Close()
	pushed := make([]bool, len(events))
	for {
		var cmd struct {
			Path string `json:"path"`
			ID   int    `json:"_id"`
		}
		if conn.ReadJSON(&cmd) != nil {
			return
		}
		_ = conn.WriteJSON(map[string]any{"msg": "OK", "code": http.StatusOK, "_id": cmd.ID})
		for i, e := range events {
			if !pushed[i] && covers(cmd.Path, e.Key) {
				pushed[i] = true
				_ = conn.WriteJSON(e)
			}
		}
	}
}

// covers says whether a subscription path such as "builds/*/*" covers an event key such as
// "builds/5/finished": as in Buildbot, * stands for any one part.
func covers(path, key string) bool {
	p, k := strings.Split(path, "/"), strings.Split(key, "/")
	if len(p) != len(k) {
		return false
	}
	for i := range p {
		if p[i] != "*" && p[i] != k[i] {
			return false
		}
	}
	return true
}
