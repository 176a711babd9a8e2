package health

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/markdown"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/markdown/markdowntest"
)

const linkBase = "https://ci.example.com/"

func TestMessageOfEachKind(t *testing.T) {
	for _, tc := range []struct {
		name    string
		inc     incident
		repos   []string
		want    []string
		notWant []string
	}{
		{
			name:  "worker missing",
			inc:   incident{kind: workerMissing, workerID: 3, worker: "w1", away: 5*time.Minute + 30*time.Second},
			repos: []string{"app", "lib"},
			want: []string{":warning: Worker `w1` is missing: it has not been connected to Buildbot for 5 minutes 30 seconds.",
				" Builds of **app**, **lib** wait until it is back.", "[Open in Buildbot](https://ci.example.com/#/workers/3)"},
		},
		{
			name:    "worker missing of no known repo",
			inc:     incident{kind: workerMissing, workerID: 3, worker: "w1", away: time.Hour},
			want:    []string{"for 1 hour.", "[Open in Buildbot](https://ci.example.com/#/workers/3)"},
			notWant: []string{"Builds of"},
		},
		{
			name:    "worker reported missing",
			inc:     incident{kind: workerMissing, workerID: 3, worker: "w1", reported: true},
			repos:   []string{"app"},
			want:    []string{":warning: Buildbot reports worker `w1` missing.", "Builds of **app**", "(https://ci.example.com/#/workers/3)"},
			notWant: []string{"has not been connected"},
		},
		{
			name: "worker back",
			inc:  incident{kind: workerBack, workerID: 3, worker: "w1", away: time.Hour + 5*time.Minute},
			want: []string{":white_check_mark: Worker `w1` is back, after 1 hour 5 minutes away."},
		},
		{
			name: "Buildbot down",
			inc:  incident{kind: buildbotDown, away: 45 * time.Second, reason: errors.New("connection refused")},
			want: []string{":warning: Buildbot has not answered for 45 seconds.", "Talking to Buildbot failed: connection refused.",
				"catch up once it answers"},
		},
		{
			name: "Buildbot back",
			inc:  incident{kind: buildbotBack, away: 51 * time.Hour},
			want: []string{":white_check_mark: Buildbot answers again, after 2 days 3 hours without an answer."},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.inc.message(linkBase, tc.repos).English()
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("%q does not say %q", got, w)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(got, w) {
					t.Errorf("%q says %q", got, w)
				}
			}
		})
	}
	if got := (incident{kind: "unknown"}).message(linkBase, nil).English(); got != "" {
		t.Errorf("an unknown kind reads %q", got)
	}
}

// hostile is what someone with access to Buildbot's configuration could name a worker or a repo,
// or what a failing Buildbot or proxy could answer with.
var hostile = []string{
	"@channel deploy",
	"a` @here `b",
	"`@all`",
	"[x](https://evil.example)",
	"<https://evil.example>",
	"see https://evil.example and www.evil.example",
	"line one\n# heading\n- item",
	"**bold** _it_ | table |",
}

// Whatever Buildbot names things, a post mentions no one and links only to the worker's page.
func TestMessageKeepsBuildbotsTextInert(t *testing.T) {
	for _, s := range hostile {
		for _, inc := range []incident{
			{kind: workerMissing, workerID: 3, worker: s, away: time.Minute},
			{kind: workerMissing, workerID: 3, worker: s, reported: true},
			{kind: workerBack, workerID: 3, worker: s, away: time.Minute},
			{kind: buildbotDown, away: time.Minute, reason: errors.New(s)},
			{kind: buildbotDown, away: time.Minute, reason: &buildbot.Error{Kind: buildbot.KindRejected, BaseURL: linkBase, Op: "GET api/v2/workers", Message: i18n.Raw(markdown.Text(s))}},
		} {
			t.Run(fmt.Sprintf("%s %q", inc.kind, s), func(t *testing.T) {
				message := inc.message(linkBase, []string{s, "app"}).English()
				read := markdowntest.Read(message)
				if len(read.Mentions) > 0 {
					t.Errorf("%q mentions %v", message, read.Mentions)
				}
				var wantLinks []string
				if inc.kind == workerMissing {
					wantLinks = []string{buildbot.WorkerURL(linkBase, 3)}
				}
				if strings.Join(read.Links, " ") != strings.Join(wantLinks, " ") {
					t.Errorf("%q links to %v, want %v", message, read.Links, wantLinks)
				}
				if len(read.Blocks) > 0 || strings.ContainsAny(message, "\r\n") {
					t.Errorf("%q is not one paragraph: %v", message, read.Blocks)
				}
			})
		}
	}
}

func TestRepoList(t *testing.T) {
	for _, tc := range []struct {
		repos []string
		want  string
	}{
		{[]string{"app"}, "**app**"},
		{[]string{"a", "b", "c", "d", "e"}, "**a**, **b**, **c**, **d**, **e**"},
		{[]string{"a", "b", "c", "d", "e", "f"}, "**a**, **b**, **c**, **d**, **e** and 1 more"},
		{[]string{"a", "b", "c", "d", "e", "f", "g", "h"}, "**a**, **b**, **c**, **d**, **e** and 3 more"},
		{[]string{"@all", "my_repo"}, "**@\u2060all**, **my\\_repo**"},
	} {
		if got := repoList(tc.repos).English(); got != tc.want {
			t.Errorf("repoList(%q) = %q, want %q", tc.repos, got, tc.want)
		}
	}
}

func TestDuration(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0 seconds"},
		{time.Second, "1 second"},
		{1400 * time.Millisecond, "1 second"},
		{45 * time.Second, "45 seconds"},
		{59600 * time.Millisecond, "1 minute"},
		{time.Minute + time.Second, "1 minute 1 second"},
		{5 * time.Minute, "5 minutes"},
		{5*time.Minute + 30*time.Second, "5 minutes 30 seconds"},
		// Past ten minutes, seconds are noise.
		{12*time.Minute + 30*time.Second, "12 minutes"},
		{time.Hour, "1 hour"},
		{time.Hour + 5*time.Minute, "1 hour 5 minutes"},
		{time.Hour + 5*time.Minute + 30*time.Second, "1 hour 5 minutes"},
		{23*time.Hour + 59*time.Minute, "23 hours 59 minutes"},
		{24 * time.Hour, "1 day"},
		{24*time.Hour + 59*time.Minute, "1 day"},
		{51 * time.Hour, "2 days 3 hours"},
		{25 * time.Hour, "1 day 1 hour"},
	} {
		if got := duration(tc.d).English(); got != tc.want {
			t.Errorf("duration(%s) = %q, want %q", tc.d, got, tc.want)
		}
	}
}
