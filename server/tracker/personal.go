package tracker

import (
	"context"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/post"
)

// Notifier tells people of builds in direct messages (package notify).
type Notifier interface {
	// Ended hears of a build with a post once all of it ended, with the addresses of the authors
	// of its changes where they were read (a subscribed build's).
	Ended(tr *Tracked, authors []string)
	// Broke hears of a row that failed after a success on its builder and branch, with the
	// addresses of the authors of its build's changes.
	Broke(tr *Tracked, row post.Row, authors []string)
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

// tell hands a build that ended or broke this tick to the notifier, once its post is made: the
// messages link to it.
func (t *Tracker) tell(ctx context.Context, bb *buildbot.Client, tr *Tracked, broke []int, r *results) {
	if t.Notify == nil || tr.PostID == "" {
		return
	}
	for _, i := range broke {
		row := tr.Props.Rows[i]
		t.Notify.Broke(tr, row, t.authors(ctx, bb, row.BuildID, r))
	}
	if !tr.Done() {
		return
	}
	var authors []string
	// A chat build's force has no changes; a subscribed push's builds share theirs.
	if tr.Watch != nil {
		for _, row := range tr.Props.Rows {
			if row.BuildID != 0 {
				authors = t.authors(ctx, bb, row.BuildID, r)
				break
			}
		}
	}
	t.Notify.Ended(tr, authors)
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
