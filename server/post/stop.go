package post

import (
	"regexp"
	"strings"
)

// StopReason is the reason the plugin gives Buildbot when a Mattermost user stops a build. Buildbot
// keeps it in the build's state text, which is how the post learns who stopped it.
func StopReason(username string) string {
	return "Stopped by @" + username + " from Mattermost" //i18n:verbatim Buildbot keeps it and Stopped reads it back
}

// Buildbot words a stopped build's state "cancelled (<reason>) <the step's own words>".
var (
	stoppedFromMattermost = regexp.MustCompile(`^cancelled \(Stopped by @([a-z0-9._-]+) from Mattermost\)`)
	stoppedElsewhere      = regexp.MustCompile(`^cancelled \(([^)]*)\)`)
)

// Stopped reads who stopped a cancelled build from Buildbot's state text: the Mattermost user the
// plugin named in its reason, or else the reason someone gave Buildbot.
func Stopped(stateString string) (username, reason string) {
	if m := stoppedFromMattermost.FindStringSubmatch(stateString); m != nil {
		return m[1], ""
	}
	if m := stoppedElsewhere.FindStringSubmatch(stateString); m != nil {
		return "", strings.TrimSpace(m[1])
	}
	return "", ""
}
