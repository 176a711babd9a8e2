package buildbot

import (
	"fmt"
	"net/url"
	"strings"
)

// Buildbot's web UI routes with the URL fragment, so these links work under any sub-path.

// BuildURL links to a build page: <base>#/builders/{builderid}/builds/{number}.
func BuildURL(base string, builderID, number int) string {
	return fmt.Sprintf("%s#/builders/%d/builds/%d", withSlash(base), builderID, number)
}

// BuildRequestURL links to a build request page, for a request no build has started for yet.
func BuildRequestURL(base string, brid int) string {
	return fmt.Sprintf("%s#/buildrequests/%d", withSlash(base), brid)
}

// ChangeURL links to a change's page.
func ChangeURL(base string, changeID int) string {
	return fmt.Sprintf("%s#/changes/%d", withSlash(base), changeID)
}

// BuilderURL links to a builder's page.
func BuilderURL(base string, builderID int) string {
	return fmt.Sprintf("%s#/builders/%d", withSlash(base), builderID)
}

// WorkerURL links to a worker's page.
func WorkerURL(base string, workerID int) string {
	return fmt.Sprintf("%s#/workers/%d", withSlash(base), workerID)
}

func withSlash(s string) string {
	if strings.HasSuffix(s, "/") {
		return s
	}
	return s + "/"
}

// LogURL links to a step's log in the web UI, where it can be read as it grows.
func LogURL(base string, builderID, number, step int, slug string) string {
	return fmt.Sprintf("%s#/builders/%d/builds/%d/steps/%d/logs/%s", withSlash(base), builderID, number, step, url.PathEscape(slug))
}
