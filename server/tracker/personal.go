package tracker

import (
	"context"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/post"
)

// Notifier tells people of builds in direct messages (package notify).
type Notifier interface {
	// Ended hears of a build with a post once all of it ended.
	Ended(tr *Tracked)
	// Broke hears of a row that failed after a success on its builder and branch, with the
	// addresses of the authors of its build's changes.
	Broke(tr *Tracked, row post.Row, authors []string)
	// Involved hears of the authors of the changes of a subscribed build that ended.
	Involved(tr *Tracked, authors []string)
}

// breaks finds, among the rows that failed this tick, those whose builder and branch passed
// before them: their changes broke it. Only failures with a post are looked at (the messages link
// to it), and only when someone is told of them; a previous result nobody recorded costs a read of
// the builds before it.
func (t *Tracker) breaks(ctx context.Context, bb *buildbot.Client, newlyFailed map[*Tracked][]int, r *results) map[*Tracked][]int {
	if t.Notify == nil {
		return nil
	}
	broke := map[*Tracked][]int{}
	for tr, rows := range newlyFailed {
		if tr.Pending && !tr.announce {
			continue
		}
		for _, i := range rows {
			previous := r.previous(ctx, bb, tr.Props.Rows[i], tr.Props.Branch)
			if previous != nil && (*previous == buildbot.Success || *previous == buildbot.Warnings) {
				broke[tr] = append(broke[tr], i)
			}
		}
	}
	return broke
}

// tell hands the builds that ended or broke this tick to the notifier, once their posts are made:
// the messages link to them. The messages that need no read of Buildbot go first.
func (t *Tracker) tell(ctx context.Context, bb *buildbot.Client, all []*Tracked, newlyDone, broke map[*Tracked][]int, r *results) {
	if t.Notify == nil {
		return
	}
	var ended []*Tracked
	for _, tr := range all {
		if tr.PostID != "" && len(newlyDone[tr]) > 0 && tr.Done() {
			ended = append(ended, tr)
			t.Notify.Ended(tr)
		}
	}
	for _, tr := range all {
		for _, i := range broke[tr] {
			if row := tr.Props.Rows[i]; tr.PostID != "" {
				t.Notify.Broke(tr, row, t.authors(ctx, bb, row.BuildID, r))
			}
		}
	}
	// A chat build's force has no changes; a subscribed push's builds share theirs.
	for _, tr := range ended {
		if tr.Watch == nil {
			continue
		}
		for _, row := range tr.Props.Rows {
			if row.BuildID != 0 {
				t.Notify.Involved(tr, t.authors(ctx, bb, row.BuildID, r))
				break
			}
		}
	}
}

// authors lists the addresses of the authors of a build's changes, once each.
func (t *Tracker) authors(ctx context.Context, bb *buildbot.Client, buildID int, r *results) []string {
	changes, err := r.changes(ctx, bb, buildID)
	if err != nil {
		return nil
	}
	var emails []string
	seen := map[string]bool{}
	for _, c := range changes {
		if email := emailOf(c.Author); email != "" && !seen[email] {
			seen[email] = true
			emails = append(emails, email)
		}
	}
	return emails
}
