package buildbot

import (
	"fmt"
	"net/url"
	"strconv"
)

// Query narrows a list read. Buildbot answers an unknown parameter with 400 but silently ignores an
// unknown operator (returning everything), so operators are checked here.
type Query struct {
	Filters []Filter
	// Fields limits the fields returned; every filtered or ordered field must be among them.
	Fields []string
	// Order sorts, e.g. "-buildid" for newest first.
	Order  []string
	Limit  int
	Offset int
	// Properties asks for build properties by name; "*" for all.
	Properties []string
}

// Filter is one condition, field__op=value. Repeating a filter on a field ORs it.
type Filter struct {
	Field string
	Op    string
	Value string
}

var knownOps = map[string]bool{"eq": true, "ne": true, "lt": true, "le": true, "gt": true, "ge": true, "contains": true, "in": true, "notin": true}

// Where builds a filter; value is formatted with %v (true, 12, "main").
func Where(field, op string, value any) Filter {
	return Filter{Field: field, Op: op, Value: fmt.Sprint(value)}
}

func (q Query) values() (url.Values, error) {
	v := url.Values{}
	for _, f := range q.Filters {
		if !knownOps[f.Op] {
			return nil, fmt.Errorf("unknown filter operator %q on %s", f.Op, f.Field)
		}
		v.Add(f.Field+"__"+f.Op, f.Value)
	}
	for _, f := range q.Fields {
		v.Add("field", f)
	}
	for _, o := range q.Order {
		v.Add("order", o)
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	if q.Offset > 0 {
		v.Set("offset", strconv.Itoa(q.Offset))
	}
	for _, p := range q.Properties {
		v.Add("property", p)
	}
	return v, nil
}
