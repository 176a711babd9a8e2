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

// Stopped reads a cancelled build's state text: the reason it was stopped with, and the Mattermost
// user it names when it is the plugin's own reason. Anyone can give Buildbot that reason, so the
// user is only a claim until the plugin's own record of who clicked Stop confirms it.
func Stopped(stateString string) (username, reason string) {
	if m := stoppedFromMattermost.FindStringSubmatch(stateString); m != nil {
		username = m[1]
	}
	if m := stoppedElsewhere.FindStringSubmatch(stateString); m != nil {
		reason = strings.TrimSpace(m[1])
	}
	return username, reason
}
