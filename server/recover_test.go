package main

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/app"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/catalog"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/command"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/config"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/logtest"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/tracker"
)

// errorLog is the part of Mattermost's API the recovered panics use: it records each error logged.
// Any other call panics on the nil API.
type errorLog struct {
	plugin.API
	logtest.Errors
}

func (l *errorLog) LogError(msg string, keyValuePairs ...any) {
	l.Errors.LogError(msg, keyValuePairs...)
}

func (l *errorLog) LogDebug(string, ...any) {}

func pluginWithErrorLog() (*Plugin, *errorLog) {
	log := &errorLog{}
	p := &Plugin{}
	p.SetAPI(log)
	return p, log
}

// ready gives the plugin settings that reach Buildbot, so a poll goes as far as its cluster lock,
// which these tests leave out.
func ready(p *Plugin) {
	p.snapshot.Store(config.NewSnapshot(&config.Configuration{BuildbotURL: "https://ci.example.com/"}))
}

func TestACommandThatPanicsIsAnsweredAndTheNextOneRuns(t *testing.T) {
	p, log := pluginWithErrorLog()
	var calls atomic.Int32
	p.command = &command.Handler{App: &app.App{Snapshot: func() *config.Snapshot {
		if calls.Add(1) == 1 {
			panic("no settings")
		}
		return p.currentSnapshot()
	}}}
	args := &model.CommandArgs{Command: "/build list", UserId: "user-id"}

	resp, appErr := p.ExecuteCommand(nil, args)

	if appErr != nil || resp == nil || resp.ResponseType != model.CommandResponseTypeEphemeral ||
		!strings.Contains(resp.Text, "`/build` failed on an unexpected error") {
		t.Fatalf("answered %+v, %v", resp, appErr)
	}
	lines := log.Logged()
	if len(lines) != 1 || lines[0]["command"] != "/build list" || lines[0]["user_id"] != "user-id" || lines[0]["panic"] != "no settings" ||
		!strings.Contains(lines[0]["stack"], "ExecuteCommand") {
		t.Fatalf("logged %v", lines)
	}

	if resp, _ := p.ExecuteCommand(nil, args); !strings.Contains(resp.Text, "**Buildbot URL** is empty") {
		t.Fatalf("the next command answered %q", resp.Text)
	}
}

// A cluster job runs on a goroutine of pluginapi's, which recovers nothing. Each job here panics on
// every run: both runs are logged with the job's name, so the second went on, past the locks the
// first held.
func TestAJobThatPanicsIsLoggedAndItsNextRunGoesOn(t *testing.T) {
	tests := []struct {
		name    string
		arrange func(p *Plugin)
		run     func(p *Plugin)
		job     string
		// where is a frame the logged stack must show.
		where string
	}{
		{
			name: "the catalog refresh, whose settings panic",
			arrange: func(p *Plugin) {
				p.catalog = catalog.New(func() catalog.Setup { panic("no settings") }, nil)
			},
			run:   (*Plugin).refreshCatalog,
			job:   "catalog-refresh",
			where: "(*Catalog).Refresh",
		},
		{
			name:    "the scheduled poll, which has no cluster lock to take",
			arrange: ready,
			run:     (*Plugin).scheduledPoll,
			job:     "poll",
			where:   "(*Plugin).poll",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, log := pluginWithErrorLog()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			p.lifetime = ctx
			tt.arrange(p)

			done := make(chan struct{})
			go func() { tt.run(p); tt.run(p); close(done) }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("the second run did not finish")
			}

			lines := log.Logged()
			if len(lines) != 2 {
				t.Fatalf("logged %v, want both runs' panics", lines)
			}
			for _, line := range lines {
				if line["job"] != tt.job || line["panic"] == "" || !strings.Contains(line["stack"], tt.where) {
					t.Errorf("logged %v", line)
				}
			}
		})
	}
}

// The polls that Buildbot's events ask for run on the plugin's own goroutine: one that panics
// leaves it polling.
func TestAPollThatPanicsLeavesTheEventsPolling(t *testing.T) {
	p, log := pluginWithErrorLog()
	ready(p)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p.lifetime = ctx
	p.kicks, p.urgent = make(chan struct{}, 1), make(chan struct{}, 1)
	p.done.Add(1)
	go p.pollOnKick(ctx)

	for want := 1; want <= 2; want++ {
		p.kick(tracker.TickNow)
		deadline := time.Now().Add(10 * time.Second)
		for len(log.Logged()) < want && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		if n := len(log.Logged()); n != want {
			t.Fatalf("after kick %d, %d polls panicked", want, n)
		}
	}
	cancel()
	p.done.Wait()
}
