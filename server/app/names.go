package app

import (
	"regexp"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/form"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
)

// Limits on the names a user may give, checked before anything is sent to Buildbot.
const (
	MaxRepoLength     = 100
	MaxBranchLength   = 200
	MaxRevisionLength = 100
)

// The same checks Buildbot's own chat bots apply to a forced branch and revision (the defaults
// of c['validation']), so whatever passes here Buildbot accepts too. Buildbot's patterns are
// Python's, where \w is any Unicode letter or digit and _; Go's \w is ASCII only.
var (
	branchPattern   = regexp.MustCompile(`^[\p{L}\p{N}_.+/~-]*$`)
	revisionPattern = regexp.MustCompile(`^[ \p{L}\p{N}_.\-/]*$`)
	repoPattern     = regexp.MustCompile(`^[\p{L}\p{N}_.+/~-]+$`)
)

// CheckNames checks a repo, branch and revision a user gave; an empty one is not checked. The
// error carries the user's words (i18n.TextOf).
func CheckNames(repo, branch, revision string) error {
	switch {
	case repo != "" && !ValidRepo(repo):
		return i18n.NewError(i18n.T("command.parse.bad_repo", "`{{.Repo}}` is not a repo name: use letters, digits and `._-+/~`, at most {{.Max}} characters.",
			"Repo", form.Shorten(repo), "Max", MaxRepoLength))
	case len(branch) > MaxBranchLength || !branchPattern.MatchString(branch):
		return i18n.NewError(i18n.T("command.parse.bad_branch", "`{{.Branch}}` is not a branch name Buildbot accepts: use letters, digits and `._-+/~`, at most {{.Max}} characters.",
			"Branch", form.Shorten(branch), "Max", MaxBranchLength))
	case len(revision) > MaxRevisionLength || !revisionPattern.MatchString(revision):
		return i18n.NewError(i18n.T("command.parse.bad_revision", "`{{.Revision}}` is not a revision Buildbot accepts: use letters, digits and `._-/`, at most {{.Max}} characters.",
			"Revision", form.Shorten(revision), "Max", MaxRevisionLength))
	}
	return nil
}

// ValidRepo says whether a word can name a repo.
func ValidRepo(repo string) bool {
	return len(repo) <= MaxRepoLength && repoPattern.MatchString(repo)
}
