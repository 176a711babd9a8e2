package buildbot

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
)

// Result is a finished build's or request's outcome. Buildbot sends null while running.
type Result int

// Buildbot's result codes.
const (
	Success Result = iota
	Warnings
	Failure
	Skipped
	Exception
	Retry
	Cancelled
)

var resultNames = []string{"success", "warnings", "failure", "skipped", "exception", "retry", "cancelled"}

func (r Result) String() string {
	if r >= 0 && int(r) < len(resultNames) {
		return resultNames[r]
	}
	return "result " + strconv.Itoa(int(r))
}

// Time is an epoch-seconds timestamp, sent by Buildbot as an integer or a float; zero when null.
type Time float64

// UnmarshalJSON accepts numbers and null.
func (t *Time) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*t = 0
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("time: %w", err)
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Errorf("time: %v is not a time", f)
	}
	*t = Time(f)
	return nil
}

// Time is the timestamp as a time.Time; the zero time when it is zero.
func (t Time) Time() time.Time {
	if t == 0 {
		return time.Time{}
	}
	return time.UnixMilli(int64(float64(t) * 1000))
}

// Property is one build or change property: Buildbot sends [value, source].
type Property struct {
	Value  json.RawMessage
	Source string
}

// UnmarshalJSON reads the [value, source] pair.
func (p *Property) UnmarshalJSON(b []byte) error {
	var pair []json.RawMessage
	if err := json.Unmarshal(b, &pair); err != nil || len(pair) == 0 {
		// Change properties are sometimes plain values; keep them whole.
		p.Value = append(json.RawMessage(nil), b...)
		return nil //nolint:nilerr // a plain value is a valid property, not an error
	}
	p.Value = pair[0]
	if len(pair) > 1 {
		_ = json.Unmarshal(pair[1], &p.Source)
	}
	return nil
}

// String returns the value as text: strings unquoted, anything else as its JSON.
func (p Property) String() string {
	var s string
	if err := json.Unmarshal(p.Value, &s); err == nil {
		return s
	}
	return string(p.Value)
}

// Properties are a build's properties by name.
type Properties map[string]Property

// Get returns a property's value as text, or "" when absent.
func (p Properties) Get(name string) string {
	if prop, ok := p[name]; ok {
		return prop.String()
	}
	return ""
}

// Builder is one entry of api/v2/builders.
type Builder struct {
	BuilderID   int      `json:"builderid"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Tags        []string `json:"tags"`
	MasterIDs   []int    `json:"masterids"`
	// ProjectID is set by 4.x masters for builders in a project.
	ProjectID *int `json:"projectid"`
}

// Active says whether a master runs the builder; removed builders stay listed without one.
func (b Builder) Active() bool { return len(b.MasterIDs) > 0 }

// Build is one entry of api/v2/builds.
type Build struct {
	BuildID        int        `json:"buildid"`
	Number         int        `json:"number"`
	BuilderID      int        `json:"builderid"`
	BuildRequestID int        `json:"buildrequestid"`
	WorkerID       int        `json:"workerid"`
	MasterID       int        `json:"masterid"`
	StartedAt      Time       `json:"started_at"`
	CompleteAt     Time       `json:"complete_at"`
	Complete       bool       `json:"complete"`
	StateString    string     `json:"state_string"`
	Results        *Result    `json:"results"`
	Properties     Properties `json:"properties"`
}

// BuildRequestFields are the fields a BuildRequest holds, for a Query's Fields: Buildbot's full
// request is twice the size, and a tick following a thousand requests waited on the rest.
var BuildRequestFields = []string{"buildrequestid", "buildsetid", "builderid", "claimed", "complete", "results", "submitted_at", "complete_at"}

// Claimed keeps the build requests that are no longer queued: Buildbot claims a request before
// it starts, cancels or collapses it, and a claim stays once the request completes. A request
// left out waits for a worker (or was handed back to wait again).
var Claimed = Filter{Field: "claimed", Op: "eq", Value: "true"}

// BuildRequest is one entry of api/v2/buildrequests.
type BuildRequest struct {
	BuildRequestID int `json:"buildrequestid"`
	BuildsetID     int `json:"buildsetid"`
	BuilderID      int `json:"builderid"`
	// Priority orders the queue on Buildbot 3.9 and later; the tracker does not ask for it.
	Priority    int     `json:"priority"`
	Claimed     bool    `json:"claimed"`
	Complete    bool    `json:"complete"`
	Results     *Result `json:"results"`
	SubmittedAt Time    `json:"submitted_at"`
	CompleteAt  Time    `json:"complete_at"`
}

// SourceStamp is what a buildset builds: repository, branch and revision.
type SourceStamp struct {
	SSID       int    `json:"ssid"`
	Revision   string `json:"revision"`
	Branch     string `json:"branch"`
	Repository string `json:"repository"`
	Project    string `json:"project"`
	Codebase   string `json:"codebase"`
	CreatedAt  Time   `json:"created_at"`
}

// Buildset is one entry of api/v2/buildsets.
type Buildset struct {
	BSID         int           `json:"bsid"`
	Reason       string        `json:"reason"`
	SubmittedAt  Time          `json:"submitted_at"`
	Complete     bool          `json:"complete"`
	CompleteAt   Time          `json:"complete_at"`
	Results      *Result       `json:"results"`
	SourceStamps []SourceStamp `json:"sourcestamps"`
	// RebuiltBuildID is set by 4.x masters on a rebuild's buildset.
	RebuiltBuildID *int `json:"rebuilt_buildid"`
}

// Change is one entry of api/v2/changes.
type Change struct {
	ChangeID    int         `json:"changeid"`
	Author      string      `json:"author"`
	Comments    string      `json:"comments"`
	Revision    string      `json:"revision"`
	Branch      string      `json:"branch"`
	Category    string      `json:"category"`
	Repository  string      `json:"repository"`
	Project     string      `json:"project"`
	Codebase    string      `json:"codebase"`
	WhenAt      Time        `json:"when_timestamp"`
	Properties  Properties  `json:"properties"`
	SourceStamp SourceStamp `json:"sourcestamp"`
}

// Step is one entry of api/v2/builds/{id}/steps.
type Step struct {
	StepID      int       `json:"stepid"`
	Number      int       `json:"number"`
	Name        string    `json:"name"`
	BuildID     int       `json:"buildid"`
	StateString string    `json:"state_string"`
	Results     *Result   `json:"results"`
	StartedAt   Time      `json:"started_at"`
	CompleteAt  Time      `json:"complete_at"`
	Complete    bool      `json:"complete"`
	Hidden      bool      `json:"hidden"`
	URLs        []StepURL `json:"urls"`
}

// StepURL is a link a step published.
type StepURL struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// Log is one log of a step.
type Log struct {
	LogID    int    `json:"logid"`
	Name     string `json:"name"`
	Slug     string `json:"slug"`
	StepID   int    `json:"stepid"`
	Type     string `json:"type"`
	NumLines int    `json:"num_lines"`
	Complete bool   `json:"complete"`
}

// TestResultSet is one entry of api/v2/builds/{id}/test_result_sets: a step's test results of one
// kind (Buildbot 2.9 and later). TestsPassed and TestsFailed are counted by Buildbot for the
// pass/fail categories only, else nil.
type TestResultSet struct {
	TestResultSetID int     `json:"test_result_setid"`
	BuilderID       int     `json:"builderid"`
	BuildID         int     `json:"buildid"`
	StepID          int     `json:"stepid"`
	Description     *string `json:"description"`
	Category        string  `json:"category"`
	ValueUnit       string  `json:"value_unit"`
	TestsPassed     *int    `json:"tests_passed"`
	TestsFailed     *int    `json:"tests_failed"`
	Complete        bool    `json:"complete"`
}

// Test result set categories whose results say whether each test passed.
const (
	CategoryPassFail = "pass_fail"
	CategoryPassOnly = "pass_only"
	CategoryFailOnly = "fail_only"
)

// TestResult is one entry of api/v2/test_result_sets/{id}/results. Value is always a string; in a
// pass_fail set of boolean unit, "0" is a failed test and "1" a passed one.
type TestResult struct {
	TestResultID    int     `json:"test_resultid"`
	TestResultSetID int     `json:"test_result_setid"`
	TestName        *string `json:"test_name"`
	TestCodePath    *string `json:"test_code_path"`
	Line            *int    `json:"line"`
	DurationNS      *int64  `json:"duration_ns"`
	Value           string  `json:"value"`
}

// ForceScheduler is one entry of api/v2/forceschedulers.
type ForceScheduler struct {
	Name         string       `json:"name"`
	Label        string       `json:"label"`
	ButtonName   string       `json:"button_name"`
	BuilderNames []string     `json:"builder_names"`
	AllFields    []ForceField `json:"all_fields"`
}

// Serves says whether the scheduler lists the builder. Buildbot does not check this when forcing,
// so callers must.
func (f ForceScheduler) Serves(builder string) bool {
	for _, name := range f.BuilderNames {
		if name == builder {
			return true
		}
	}
	return false
}

// Field finds a field by name at any depth (codebase fields nest inside a group).
func (f ForceScheduler) Field(name string) (ForceField, bool) {
	return findField(f.AllFields, name)
}

func findField(fields []ForceField, name string) (ForceField, bool) {
	for _, field := range fields {
		if field.Name == name || field.FullName == name {
			return field, true
		}
		if found, ok := findField(field.Fields, name); ok {
			return found, true
		}
	}
	return ForceField{}, false
}

// ForceField is one parameter of a force scheduler's form. Groups (type nested) hold Fields;
// codebases are such groups too, with no key that says so.
type ForceField struct {
	Name     string          `json:"name"`
	FullName string          `json:"fullName"`
	Label    string          `json:"label"`
	Type     string          `json:"type"`
	Default  json.RawMessage `json:"default"`
	Required bool            `json:"required"`
	// Regex is null from Buildbot 3.7 to 4.3 even when one is set: the spec holds a compiled
	// pattern, which the REST encoder turns into null.
	Regex     *string      `json:"regex"`
	Choices   []string     `json:"choices"`
	Strict    bool         `json:"strict"`
	Multiple  bool         `json:"multiple"`
	Hide      bool         `json:"hide"`
	MaxSize   *int         `json:"maxsize"`
	Tooltip   string       `json:"tooltip"`
	NeedEmail bool         `json:"need_email"`
	Fields    []ForceField `json:"fields"`
}

// DefaultString is the field's default as text, "" when it has none or it is not a string.
func (f ForceField) DefaultString() string {
	var s string
	if json.Unmarshal(f.Default, &s) == nil {
		return s
	}
	return ""
}

// Project is one entry of api/v2/projects (4.x masters).
type Project struct {
	ProjectID   int    `json:"projectid"`
	Name        string `json:"name"`
	Slug        string `json:"slug"`
	Description string `json:"description"`
}

// Worker is one entry of api/v2/workers.
type Worker struct {
	WorkerID    int    `json:"workerid"`
	Name        string `json:"name"`
	Paused      bool   `json:"paused"`
	ConnectedTo []struct {
		MasterID int `json:"masterid"`
	} `json:"connected_to"`
	ConfiguredOn []struct {
		BuilderID int `json:"builderid"`
		MasterID  int `json:"masterid"`
	} `json:"configured_on"`
}

// Master is one entry of api/v2/masters.
type Master struct {
	MasterID   int    `json:"masterid"`
	Name       string `json:"name"`
	Active     bool   `json:"active"`
	LastActive Time   `json:"last_active"`
}
