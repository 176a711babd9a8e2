package buildbot

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

// Contract tests: every call of the client against the real masters e2e/stack/buildbot.sh starts
// (see its master.cfg). `make e2e` sets the URLs; without them these tests skip, so `go test` stays
// fast and offline.
var contractMasters = []struct{ env, major string }{
	{"MMBB_CONTRACT_BB4_URL", "4."},
	{"MMBB_CONTRACT_BB37_URL", "3.7"},
}

func forEachMaster(t *testing.T, test func(t *testing.T, url, major string)) {
	ran := false
	for _, m := range contractMasters {
		url := os.Getenv(m.env)
		if url == "" {
			continue
		}
		ran = true
		t.Run("Buildbot "+m.major, func(t *testing.T) { test(t, url, m.major) })
	}
	if !ran {
		t.Skip("no real Buildbot: set MMBB_CONTRACT_BB4_URL / MMBB_CONTRACT_BB37_URL (make e2e does)")
	}
}

func contractClient(t *testing.T, url string, auth Auth) *Client {
	t.Helper()
	c, err := New(Options{BaseURL: url, Auth: auth, Timeout: 10 * time.Second, ChangeHookUsername: "hook", ChangeHookPassword: "hook-pass"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var admin = AuthLogin{Username: "admin", Password: "admin-pass"}

// eventually polls until check returns true, for builds that take a few seconds.
func eventually(t *testing.T, within time.Duration, what string, check func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		ok, err := check()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func builderID(t *testing.T, c *Client, name string) int {
	t.Helper()
	builders, err := c.Builders(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range builders {
		if b.Name == name && b.Active() {
			return b.BuilderID
		}
	}
	t.Fatalf("no active builder %q", name)
	return 0
}

func TestContractReads(t *testing.T) {
	forEachMaster(t, func(t *testing.T, url, major string) {
		ctx := context.Background()
		c := contractClient(t, url, AuthNone{})

		version, err := c.Version(ctx)
		if err != nil || !strings.HasPrefix(version, major) {
			t.Fatalf("version %q, %v", version, err)
		}
		builders, err := c.Builders(ctx)
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]bool{}
		for _, b := range builders {
			names[b.Name] = b.Active()
		}
		for _, want := range []string{"project-example", "failing-example", "slow-example", "docs-example"} {
			if !names[want] {
				t.Errorf("builder %s missing or inactive in %v", want, names)
			}
		}
		if b, err := c.Builder(ctx, builderID(t, c, "docs-example")); err != nil || b.Name != "docs-example" || len(b.Tags) != 2 {
			t.Errorf("builder by id: %+v, %v", b, err)
		}

		schedulers, err := c.ForceSchedulers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		found := map[string]ForceScheduler{}
		for _, s := range schedulers {
			found[s.Name] = s
		}
		if !found["force"].Serves("project-example") || found["force-choice"].Serves("project-example") {
			t.Errorf("schedulers %+v", found)
		}
		branch, ok := found["force-choice"].Field("branch")
		if !ok || len(branch.Choices) != 3 || branch.DefaultString() != "main" {
			t.Errorf("force-choice branch field %+v", branch)
		}
		if branch, ok := found["force"].Field("branch"); !ok || branch.DefaultString() != "main" {
			t.Errorf("force branch field %+v", branch)
		}

		// The stack's master has a worker that runs builds and one that never connects; both
		// list the builders they serve, which is how health knows whose worker is away.
		workers, err := c.Workers(ctx)
		connected := map[string]int{}
		for _, w := range workers {
			connected[w.Name] = len(w.ConnectedTo)
			if len(w.ConfiguredOn) == 0 || w.ConfiguredOn[0].BuilderID == 0 {
				t.Errorf("worker %s lists no builders: %+v", w.Name, w)
			}
		}
		if err != nil || len(workers) != 2 || connected["local-worker"] != 1 || connected["parked-worker"] != 0 {
			t.Errorf("workers %+v, %v", workers, err)
		}
		masters, err := c.Masters(ctx)
		if err != nil || len(masters) != 1 || !masters[0].Active {
			t.Errorf("masters %+v, %v", masters, err)
		}

		projects, err := c.Projects(ctx)
		if major == "4." {
			if err != nil || len(projects) != 1 || projects[0].Name != "project-example" {
				t.Errorf("projects %+v, %v", projects, err)
			}
		} else if !errors.Is(err, ErrNotSupported) {
			t.Errorf("3.x projects: want ErrNotSupported, got %v", err)
		}
	})
}

func TestContractForceFollowAndRebuild(t *testing.T) {
	forEachMaster(t, func(t *testing.T, url, _ string) {
		ctx := context.Background()
		c := contractClient(t, url, admin)
		id := builderID(t, c, "project-example")
		branch := fmt.Sprintf("contract-%d", time.Now().UnixNano())

		res, err := c.Force(ctx, "force", ForceParams{
			BuilderID: id, Branch: branch, Revision: "abc123", Project: "project-example",
			Reason: "contract test", Username: "Contract Test <contract@example.com>",
		})
		if err != nil {
			t.Fatal(err)
		}
		brid, ok := res.BuildRequests[id]
		if !ok || res.BuildsetID == 0 {
			t.Fatalf("force result %+v", res)
		}

		var build Build
		eventually(t, 60*time.Second, "the forced build completes", func() (bool, error) {
			builds, err := c.BuildRequestBuilds(ctx, brid, Query{Properties: []string{"*"}})
			if err != nil || len(builds) == 0 {
				return false, err
			}
			build = builds[0]
			return build.Complete, nil
		})
		// A logged-in session makes its Buildbot user the owner; the form's username is not used.
		if build.Results == nil || *build.Results != Success || build.Properties.Get("branch") != branch ||
			build.Properties.Get("revision") != "abc123" || build.Properties.Get("owner") != "admin" {
			t.Fatalf("build %+v", build)
		}

		builds, err := c.Builds(ctx, Query{Filters: []Filter{Where("builderid", "eq", id)}, Order: []string{"-buildid"}, Limit: 1})
		if err != nil || len(builds) != 1 || builds[0].BuildID != build.BuildID {
			t.Errorf("newest build %+v, %v", builds, err)
		}
		requests, err := c.BuildRequests(ctx, Query{Filters: []Filter{Where("buildsetid", "eq", res.BuildsetID)}})
		if err != nil || len(requests) != 1 || !requests[0].Complete || requests[0].BuildRequestID != brid {
			t.Errorf("build requests %+v, %v", requests, err)
		}
		sets, err := c.Buildsets(ctx, Query{Filters: []Filter{Where("bsid", "eq", res.BuildsetID)}})
		if err != nil || len(sets) != 1 || sets[0].BSID != res.BuildsetID {
			t.Errorf("buildsets %+v, %v", sets, err)
		}
		bs, err := c.Buildset(ctx, res.BuildsetID)
		if err != nil || len(bs.SourceStamps) != 1 || bs.SourceStamps[0].Branch != branch || bs.Reason == "" {
			t.Errorf("buildset %+v, %v", bs, err)
		}
		stamps, err := c.SourceStamps(ctx, Query{Filters: []Filter{Where("branch", "eq", branch)}})
		if err != nil || len(stamps) != 1 || stamps[0].Project != "project-example" {
			t.Errorf("source stamps %+v, %v", stamps, err)
		}

		steps, err := c.Steps(ctx, build.BuildID, Query{})
		if err != nil || len(steps) < 3 {
			t.Fatalf("steps %+v, %v", steps, err)
		}
		var shown Step
		for _, s := range steps {
			if s.Name == "show properties" {
				shown = s
			}
		}
		logs, err := c.Logs(ctx, build.BuildID, shown.Number)
		if err != nil || len(logs) == 0 {
			t.Fatalf("logs %+v, %v", logs, err)
		}
		lines, err := c.LogLines(ctx, logs[0], 0, logs[0].NumLines)
		if err != nil || len(lines) == 0 || !strings.HasPrefix(lines[0], "branch="+branch) {
			t.Errorf("log lines %q, %v", lines, err)
		}

		again, err := c.Rebuild(ctx, build.BuildID)
		if err != nil || again.BuildsetID == res.BuildsetID || again.BuildRequests[id] == 0 {
			t.Fatalf("rebuild %+v, %v", again, err)
		}
		eventually(t, 60*time.Second, "the rebuild completes", func() (bool, error) {
			builds, err := c.BuildRequestBuilds(ctx, again.BuildRequests[id], Query{Properties: []string{"branch"}})
			if err != nil || len(builds) == 0 {
				return false, err
			}
			return builds[0].Complete && builds[0].Properties.Get("branch") == branch, nil
		})

		// The tracker reads windows of request ids: both ends of a range filter hold on both.
		window := []Filter{Where("buildrequestid", "ge", brid), Where("buildrequestid", "le", brid)}
		requests, err = c.BuildRequests(ctx, Query{Filters: window, Order: []string{"buildrequestid"}, Limit: 1000})
		if err != nil || len(requests) != 1 || requests[0].BuildRequestID != brid {
			t.Errorf("requests in [%d, %d]: %+v, %v", brid, brid, requests, err)
		}
		// Asked for only the fields a BuildRequest holds, Buildbot answers the same request.
		fewer, err := c.BuildRequests(ctx, Query{Filters: window, Fields: BuildRequestFields, Order: []string{"buildrequestid"}, Limit: 1000})
		if err != nil || len(fewer) != 1 || !reflect.DeepEqual(fewer[0], requests[0]) {
			t.Errorf("requests in [%d, %d] with fields %v: %+v, %v; without: %+v", brid, brid, BuildRequestFields, fewer, err, requests)
		}
		builds, err = c.Builds(ctx, Query{Filters: window, Order: []string{"buildid"}, Limit: 1000})
		if err != nil || len(builds) != 1 || builds[0].BuildID != build.BuildID {
			t.Errorf("builds of requests in [%d, %d]: %+v, %v", brid, brid, builds, err)
		}
	})
}

func TestContractStopAndCancel(t *testing.T) {
	forEachMaster(t, func(t *testing.T, url, _ string) {
		ctx := context.Background()
		c := contractClient(t, url, admin)
		id := builderID(t, c, "slow-example")
		force := func(branch string) int {
			res, err := c.Force(ctx, "force", ForceParams{BuilderID: id, Branch: branch, Reason: "contract test"})
			if err != nil {
				t.Fatal(err)
			}
			return res.BuildRequests[id]
		}
		running := force("stop-me")
		var build Build
		eventually(t, 30*time.Second, "the slow build starts", func() (bool, error) {
			builds, err := c.BuildRequestBuilds(ctx, running, Query{})
			if err != nil || len(builds) == 0 {
				return false, err
			}
			build = builds[0]
			return true, nil
		})
		// One build per worker and builder: this request waits behind the running one.
		queued := force("cancel-me")
		// The tracker asks for claimed requests only: the queued one is left out until cancelled.
		claimed := func() map[int]bool {
			window := []Filter{Where("buildrequestid", "ge", running), Where("buildrequestid", "le", queued), Claimed}
			reqs, err := c.BuildRequests(ctx, Query{Filters: window, Fields: BuildRequestFields, Order: []string{"buildrequestid"}, Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			ids := map[int]bool{}
			for _, r := range reqs {
				ids[r.BuildRequestID] = r.Claimed
			}
			return ids
		}
		if ids := claimed(); !ids[running] || len(ids) != 1 {
			t.Errorf("claimed requests in [%d, %d] while %d waits: %v", running, queued, queued, ids)
		}

		if err := c.CancelBuildRequest(ctx, queued, "contract test"); err != nil {
			t.Fatalf("cancel: %v", err)
		}
		if err := c.StopBuild(ctx, build.BuildID, "contract test"); err != nil {
			t.Fatalf("stop: %v", err)
		}
		eventually(t, 30*time.Second, "the stopped build ends cancelled", func() (bool, error) {
			b, err := c.Build(ctx, build.BuildID, Query{})
			return b.Complete && b.Results != nil && *b.Results == Cancelled, err
		})
		eventually(t, 30*time.Second, "the cancelled request ends cancelled without a build", func() (bool, error) {
			reqs, err := c.BuildRequests(ctx, Query{Filters: []Filter{Where("buildrequestid", "eq", queued)}})
			if err != nil || len(reqs) != 1 {
				return false, err
			}
			builds, err := c.BuildRequestBuilds(ctx, queued, Query{})
			return reqs[0].Complete && reqs[0].Results != nil && *reqs[0].Results == Cancelled && len(builds) == 0, err
		})
		if ids := claimed(); !ids[running] || !ids[queued] {
			t.Errorf("claimed requests in [%d, %d] once %d was cancelled: %v", running, queued, queued, ids)
		}
	})
}

func TestContractRefusals(t *testing.T) {
	forEachMaster(t, func(t *testing.T, url, _ string) {
		ctx := context.Background()
		id := builderID(t, contractClient(t, url, AuthNone{}), "project-example")

		for name, auth := range map[string]Auth{"anonymous": AuthNone{}, "a viewer": AuthLogin{Username: "viewer", Password: "viewer-pass"}} {
			_, err := contractClient(t, url, auth).Force(ctx, "force", ForceParams{BuilderID: id, Reason: "must be refused"})
			if KindOf(err) != KindForbidden || UserMessage(err).English() != "Buildbot refused: you need to have role 'admins'." {
				t.Errorf("%s: got %v / %q", name, err, UserMessage(err).English())
			}
		}

		_, err := contractClient(t, url, AuthLogin{Username: "admin", Password: "not-the-admin-pass"}).Builders(ctx)
		if KindOf(err) != KindUnauthorized || !strings.Contains(UserMessage(err).English(), "wrong username or password") {
			t.Errorf("wrong password: %v", err)
		}

		_, err = contractClient(t, url, admin).Force(ctx, "no-such-scheduler", ForceParams{BuilderID: id})
		if KindOf(err) != KindRejected {
			t.Errorf("unknown scheduler: %v", err)
		}
	})
}

func TestContractChangeHook(t *testing.T) {
	forEachMaster(t, func(t *testing.T, url, _ string) {
		ctx := context.Background()
		c := contractClient(t, url, AuthNone{})
		marker := fmt.Sprintf("contract-%d", time.Now().UnixNano())
		branch := "hook-" + marker

		noCreds, err := New(Options{BaseURL: url})
		if err != nil {
			t.Fatal(err)
		}
		if err := noCreds.PostChange(ctx, ChangeRequest{Author: "x", Comments: "y"}); KindOf(err) != KindUnauthorized {
			t.Errorf("the hook without credentials: %v", err)
		}

		err = c.PostChange(ctx, ChangeRequest{
			Author: "Contract Test <contract@example.com>", Comments: "from the contract test", Branch: branch, Revision: "def456",
			Category: "mattermost", Repository: "https://git.example.com/project-example",
			Project: "mattermost_build_project-example_" + branch, Properties: map[string]string{"mattermost_marker": marker},
		})
		if err != nil {
			t.Fatal(err)
		}

		var change Change
		eventually(t, 10*time.Second, "the change is recorded", func() (bool, error) {
			changes, err := c.Changes(ctx, Query{Order: []string{"-changeid"}, Limit: 10})
			for _, ch := range changes {
				if ch.Properties.Get("mattermost_marker") == marker {
					change = ch
					return true, nil
				}
			}
			return false, err
		})
		if change.Branch != branch || change.Category != "mattermost" || change.Revision != "def456" {
			t.Errorf("change %+v", change)
		}
		eventually(t, 60*time.Second, "the change's build completes with the marker", func() (bool, error) {
			builds, err := c.ChangeBuilds(ctx, change.ChangeID, Query{Properties: []string{"mattermost_marker"}})
			if err != nil || len(builds) == 0 {
				return false, err
			}
			return builds[0].Complete && builds[0].Properties.Get("mattermost_marker") == marker, nil
		})
	})
}

func TestContractWebSocketPushesBuildEvents(t *testing.T) {
	forEachMaster(t, func(t *testing.T, url, _ string) {
		c := contractClient(t, url, admin)
		id := builderID(t, c, "docs-example")
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()

		events := make(chan Event, 100)
		done := make(chan error, 1)
		go func() { done <- c.Consume(ctx, []string{"builds/*/*"}, func() {}, func(e Event) { events <- e }) }()
		time.Sleep(500 * time.Millisecond) // let the subscription start
		if _, err := c.Force(ctx, "force", ForceParams{BuilderID: id, Reason: "websocket contract"}); err != nil {
			t.Fatal(err)
		}
		// The tracker shows a result from this event alone, without reading the build again.
		awaitFinished(t, events, done, cancel, func(e Event) bool {
			b, ok := e.FinishedBuild()
			if !ok || b.BuilderID != id || b.Number == 0 || b.CompleteAt == 0 || *b.Results != Success {
				t.Errorf("a finished event without the whole build: %s", e.Message)
			}
			return true
		})
	})
}

// awaitFinished reads events until one about a finished build that match accepts, then ends the
// subscription and checks it ended cleanly.
func awaitFinished(t *testing.T, events <-chan Event, done <-chan error, cancel context.CancelFunc, match func(Event) bool) {
	t.Helper()
	for {
		select {
		case e := <-events:
			if strings.HasSuffix(e.Key, "/finished") && match(e) {
				cancel()
				if err := <-done; err != nil {
					t.Fatalf("consume: %v", err)
				}
				return
			}
		case err := <-done:
			t.Fatalf("the subscription ended early: %v", err)
		}
	}
}

// Buildbot acknowledges every path, which is when the tracker re-reads its state, and answers
// pings: a subscription kept quiet over several short keep-alive intervals stays up and still
// delivers. The socket's client has a short timeout, so an unanswered ping would end it in time.
func TestContractWebSocketIsReadyAndStaysAlive(t *testing.T) {
	forEachMaster(t, func(t *testing.T, url, _ string) {
		c := contractClient(t, url, admin)
		id := builderID(t, c, "docs-example")
		socket, err := New(Options{BaseURL: url, Auth: admin, Timeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		socket.keepAlive = 300 * time.Millisecond
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()

		ready := make(chan struct{})
		events := make(chan Event, 1000)
		done := make(chan error, 1)
		go func() {
			done <- socket.Consume(ctx, []string{"builds/*/*", "buildrequests/*/*"}, func() { close(ready) }, func(e Event) { events <- e })
		}()
		select {
		case <-ready:
		case err := <-done:
			t.Fatalf("the subscription ended before Buildbot acknowledged it: %v", err)
		case <-time.After(10 * time.Second):
			t.Fatal("Buildbot did not acknowledge the subscription within 10s")
		}
		quiet := time.After(2 * time.Second)
		for waiting := true; waiting; {
			select {
			case <-events:
			case err := <-done:
				t.Fatalf("the subscription ended while kept open: %v", err)
			case <-quiet:
				waiting = false
			}
		}

		res, err := c.Force(ctx, "force", ForceParams{BuilderID: id, Reason: "websocket keep-alive contract"})
		if err != nil {
			t.Fatal(err)
		}
		awaitFinished(t, events, done, cancel, func(e Event) bool {
			refs, ok := e.Refs()
			return ok && refs.RequestID == res.BuildRequests[id]
		})
	})
}

// A step that records test results through Buildbot's own API (tests-example in master.cfg): the
// set counts its passed and failed tests, and its failed results are read by value "0".
func TestContractTestResults(t *testing.T) {
	forEachMaster(t, func(t *testing.T, url, _ string) {
		ctx := context.Background()
		c := contractClient(t, url, admin)
		id := builderID(t, c, "tests-example")
		res, err := c.Force(ctx, "force", ForceParams{BuilderID: id, Branch: "contract-tests", Revision: "bad-contract", Reason: "contract test"})
		if err != nil {
			t.Fatal(err)
		}
		var build Build
		eventually(t, 60*time.Second, "the tests build finishes", func() (bool, error) {
			builds, err := c.BuildRequestBuilds(ctx, res.BuildRequests[id], Query{})
			if err != nil || len(builds) == 0 {
				return false, err
			}
			build = builds[0]
			return build.Complete, nil
		})
		if build.Results == nil || *build.Results != Failure {
			t.Fatalf("build %+v", build)
		}
		sets, err := c.TestResultSets(ctx, build.BuildID, Query{})
		if err != nil || len(sets) != 1 {
			t.Fatalf("sets %+v, %v", sets, err)
		}
		s := sets[0]
		if s.Category != CategoryPassFail || s.ValueUnit != "boolean" || !s.Complete || s.TestsPassed == nil || *s.TestsPassed != 10 ||
			s.TestsFailed == nil || *s.TestsFailed != 2 {
			t.Errorf("set %+v", s)
		}
		failed, err := c.TestResults(ctx, s.TestResultSetID, Query{Filters: []Filter{Where("value", "eq", "0")}, Limit: 10})
		if err != nil || len(failed) != 2 {
			t.Fatalf("failed results %+v, %v", failed, err)
		}
		var names []string
		for _, r := range failed {
			names = append(names, *r.TestName)
			if r.TestCodePath == nil || r.Line == nil || r.Value != "0" {
				t.Errorf("result %+v", r)
			}
		}
		if strings.Join(names, ",") != "test_parse_empty,test_render_unicode" {
			t.Errorf("failed tests %v", names)
		}
	})
}
