package buildbot

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/markdown"
)

// list reads a collection: Buildbot wraps it as {"<key>": [...], "meta": {...}}.
func list[T any](ctx context.Context, c *Client, key string, q Query, segments ...string) ([]T, error) {
	op := "GET " + strings.Join(segments, "/")
	query, err := q.values()
	if err != nil {
		return nil, c.fail(KindRejected, op, 0, i18n.Raw(markdown.Text(err.Error())), nil)
	}
	var envelope map[string]json.RawMessage
	if err := c.getJSON(ctx, query, &envelope, segments...); err != nil {
		return nil, err
	}
	raw, ok := envelope[key]
	if !ok {
		return nil, c.fail(KindBadReply, op, http.StatusOK, i18n.T("buildbot.reply.missing_key", "no `{{.Key}}` in the reply", "Key", key), nil)
	}
	var items []T
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, c.fail(KindBadReply, op, http.StatusOK, i18n.T("buildbot.reply.not_list", "`{{.Key}}` is not a list of {{.Key}}", "Key", key), nil)
	}
	return items, nil
}

// one reads a single object, which Buildbot returns as a one-element collection.
func one[T any](ctx context.Context, c *Client, key string, q Query, segments ...string) (T, error) {
	items, err := list[T](ctx, c, key, q, segments...)
	var zero T
	if err != nil {
		return zero, err
	}
	if len(items) == 0 {
		return zero, c.fail(KindNotFound, "GET "+strings.Join(segments, "/"), http.StatusOK, i18n.Text{}, nil)
	}
	return items[0], nil
}

func itoa(i int) string { return strconv.Itoa(i) }

// Builders lists every builder, including ones no master runs any more (see Builder.Active).
func (c *Client) Builders(ctx context.Context) ([]Builder, error) {
	return list[Builder](ctx, c, "builders", Query{}, "api", "v2", "builders")
}

// Builder reads one builder by id.
func (c *Client) Builder(ctx context.Context, id int) (Builder, error) {
	return one[Builder](ctx, c, "builders", Query{}, "api", "v2", "builders", itoa(id))
}

// Builds lists builds matching q.
func (c *Client) Builds(ctx context.Context, q Query) ([]Build, error) {
	return list[Build](ctx, c, "builds", q, "api", "v2", "builds")
}

// Build reads one build; q may ask for properties.
func (c *Client) Build(ctx context.Context, id int, q Query) (Build, error) {
	return one[Build](ctx, c, "builds", q, "api", "v2", "builds", itoa(id))
}

// BuildRequestBuilds lists the builds started for one build request.
func (c *Client) BuildRequestBuilds(ctx context.Context, brid int, q Query) ([]Build, error) {
	return list[Build](ctx, c, "builds", q, "api", "v2", "buildrequests", itoa(brid), "builds")
}

// ChangeBuilds lists the builds a change caused.
func (c *Client) ChangeBuilds(ctx context.Context, changeID int, q Query) ([]Build, error) {
	return list[Build](ctx, c, "builds", q, "api", "v2", "changes", itoa(changeID), "builds")
}

// BuildRequests lists build requests matching q.
func (c *Client) BuildRequests(ctx context.Context, q Query) ([]BuildRequest, error) {
	return list[BuildRequest](ctx, c, "buildrequests", q, "api", "v2", "buildrequests")
}

// Buildsets lists buildsets matching q.
func (c *Client) Buildsets(ctx context.Context, q Query) ([]Buildset, error) {
	return list[Buildset](ctx, c, "buildsets", q, "api", "v2", "buildsets")
}

// Buildset reads one buildset.
func (c *Client) Buildset(ctx context.Context, bsid int) (Buildset, error) {
	return one[Buildset](ctx, c, "buildsets", Query{}, "api", "v2", "buildsets", itoa(bsid))
}

// SourceStamps lists source stamps matching q; distinct branches per repository come from here.
func (c *Client) SourceStamps(ctx context.Context, q Query) ([]SourceStamp, error) {
	return list[SourceStamp](ctx, c, "sourcestamps", q, "api", "v2", "sourcestamps")
}

// Changes lists changes matching q.
func (c *Client) Changes(ctx context.Context, q Query) ([]Change, error) {
	return list[Change](ctx, c, "changes", q, "api", "v2", "changes")
}

// BuildChanges lists the changes a build brought since the last successful build of its builder
// on the same branch: who may have broken it.
func (c *Client) BuildChanges(ctx context.Context, buildID int) ([]Change, error) {
	return list[Change](ctx, c, "changes", Query{}, "api", "v2", "builds", itoa(buildID), "changes")
}

// Steps lists a build's steps.
func (c *Client) Steps(ctx context.Context, buildID int, q Query) ([]Step, error) {
	return list[Step](ctx, c, "steps", q, "api", "v2", "builds", itoa(buildID), "steps")
}

// Logs lists the logs of one step of a build, by step number.
func (c *Client) Logs(ctx context.Context, buildID, stepNumber int) ([]Log, error) {
	return list[Log](ctx, c, "logs", Query{}, "api", "v2", "builds", itoa(buildID), "steps", itoa(stepNumber), "logs")
}

// TestResultSets lists the test result sets a build's steps recorded.
func (c *Client) TestResultSets(ctx context.Context, buildID int, q Query) ([]TestResultSet, error) {
	return list[TestResultSet](ctx, c, "test_result_sets", q, "api", "v2", "builds", itoa(buildID), "test_result_sets")
}

// TestResults lists the results of one test result set.
func (c *Client) TestResults(ctx context.Context, setID int, q Query) ([]TestResult, error) {
	return list[TestResult](ctx, c, "test_results", q, "api", "v2", "test_result_sets", itoa(setID), "results")
}

// ForceSchedulers lists the force schedulers with their form fields.
func (c *Client) ForceSchedulers(ctx context.Context) ([]ForceScheduler, error) {
	return list[ForceScheduler](ctx, c, "forceschedulers", Query{}, "api", "v2", "forceschedulers")
}

// ForceScheduler reads one force scheduler with its form fields, as a form is made from it.
func (c *Client) ForceScheduler(ctx context.Context, name string) (ForceScheduler, error) {
	found, err := list[ForceScheduler](ctx, c, "forceschedulers", Query{}, "api", "v2", "forceschedulers", name)
	if err != nil {
		return ForceScheduler{}, err
	}
	if len(found) == 0 {
		return ForceScheduler{}, c.fail(KindNotFound, "GET api/v2/forceschedulers/"+name, http.StatusOK, //i18n:verbatim the request, as the log names it
			i18n.T("buildbot.no_force_scheduler", "no force scheduler {{.Name}}", "Name", markdown.Text(name)), nil)
	}
	return found[0], nil
}

// Projects lists projects; masters before 4.0 have none and answer ErrNotSupported.
func (c *Client) Projects(ctx context.Context) ([]Project, error) {
	projects, err := list[Project](ctx, c, "projects", Query{}, "api", "v2", "projects")
	if KindOf(err) == KindNotFound {
		return nil, c.fail(KindNotSupported, "GET api/v2/projects", http.StatusNotFound, //i18n:verbatim the request, as the log names it
			i18n.T("buildbot.projects_need_4", "projects need Buildbot 4"), nil)
	}
	return projects, err
}

// Workers lists workers and the masters they are connected to.
func (c *Client) Workers(ctx context.Context) ([]Worker, error) {
	return list[Worker](ctx, c, "workers", Query{}, "api", "v2", "workers")
}

// Masters lists the masters of the Buildbot installation.
func (c *Client) Masters(ctx context.Context) ([]Master, error) {
	return list[Master](ctx, c, "masters", Query{}, "api", "v2", "masters")
}
