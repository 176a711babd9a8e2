package tracker

import (
	"context"
	"sort"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/post"
)

// notePreviousFailures gives each row that finished this tick, after a failed build on its
// builder and branch, the first build of that run of failures: a failure continues it, a success
// ends it. The previous result is taken as the tick and the store know it (every finished build
// records its own), so a result from Buildbot's event reaches its post without waiting for a
// read; only a row shown after a failure costs one.
func (t *Tracker) notePreviousFailures(ctx context.Context, bb *buildbot.Client, tr *Tracked, rows []int, r *results) {
	if tr.Pending && !tr.announce {
		return
	}
	for _, i := range rows {
		row := &tr.Props.Rows[i]
		result, ok := row.State.Result()
		if !ok || (result != buildbot.Success && result != buildbot.Warnings && result != buildbot.Failure) {
			continue
		}
		if previous, _ := r.known(bb.Fingerprint(), *row, tr.Props.Branch); previous != nil && *previous == buildbot.Failure {
			row.BrokenSince = t.brokenSince(ctx, bb, r, *row, tr.Props.Branch)
		}
	}
}

// brokenSince finds the first of the failed builds just before row's on its builder and branch,
// among the maxBefore before it, with how many failed, its revision and, when the privacy
// settings let the plugin match an address to a Mattermost user, who made its change.
func (t *Tracker) brokenSince(ctx context.Context, bb *buildbot.Client, r *results, row post.Row, branch string) *post.Broken {
	builds := r.buildsBefore(ctx, bb, row)
	var first *buildbot.Build
	failures := 0
	for i, b := range builds {
		if b.Properties.Get("branch") != branch || b.Results == nil || *b.Results == buildbot.Retry {
			continue
		}
		if *b.Results != buildbot.Failure {
			break
		}
		first, failures = &builds[i], failures+1
	}
	if first == nil {
		return nil
	}
	revision := first.Properties.Get("got_revision")
	if revision == "" {
		revision = first.Properties.Get("revision")
	}
	return &post.Broken{Number: first.Number, URL: buildbot.BuildURL(t.opts.LinkBase, row.BuilderID, first.Number), At: int64(first.CompleteAt),
		Failures: failures, Revision: post.ShortRevision(revision), Author: t.changeAuthor(ctx, bb, first.BuildID)}
}

// changeAuthor is the Mattermost user who made the oldest change of a build, found by the
// address in its author; "" when there is none, when the privacy settings keep addresses
// unmatched, or when the settings do not let posts mention authors.
func (t *Tracker) changeAuthor(ctx context.Context, bb *buildbot.Client, buildID int) string {
	if t.Users == nil || !t.opts.MentionAuthors {
		return ""
	}
	changes, err := bb.BuildChanges(ctx, buildID)
	if err != nil || len(changes) == 0 {
		return ""
	}
	sort.Slice(changes, func(i, j int) bool { return changes[i].ChangeID < changes[j].ChangeID })
	if email := emailOf(changes[0].Author); email != "" {
		if username, ok := t.Users.UsernameByEmail(email); ok {
			return username
		}
	}
	return ""
}
