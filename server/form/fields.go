// Package form turns a Buildbot force scheduler's fields into what chat can offer: a Mattermost
// dialog, name=value words on the command line, and the checked values of the force call.
package form

import (
	"encoding/json"
	"fmt"
	"html"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/markdown"
)

// Role says what Buildbot does with a parameter besides making it a build property.
type Role string

// The roles. Branch, revision, repository and project go into a codebase's source stamp.
const (
	RoleProperty   Role = ""
	RoleOwner      Role = "owner"
	RoleReason     Role = "reason"
	RolePriority   Role = "priority"
	RoleBranch     Role = "branch"
	RoleRevision   Role = "revision"
	RoleRepository Role = "repository"
	RoleProject    Role = "project"
)

// Buildbot's parameter types, as its spec names them.
const (
	typeNested   = "nested"
	typeText     = "text"
	typeTextarea = "textarea"
	typeInt      = "int"
	typeBool     = "bool"
	typeList     = "list"
	typeFixed    = "fixed"
	typeUsername = "username"
	typeFile     = "file"
)

// labelSeparator joins a group's label to its fields' labels; short, as display names are 24 bytes.
const labelSeparator = " › "

// Param is one value of a force scheduler's form, taken out of its groups.
type Param struct {
	Name string
	// FullName is the key the force call takes: the names of the named groups and the field,
	// joined with "_".
	FullName string
	// Label is the field's label with its groups' labels before it.
	Label string
	// Help is Buildbot's tooltip as plain text.
	Help string
	// Type is Buildbot's: text, textarea, int, bool, list, fixed, username, file or another.
	Type string
	// Default is what Buildbot uses when no value is given: a string, int64, bool or []string
	// (a multiple list), or the decoded JSON for a fixed field; nil when there is none.
	Default  any
	Choices  []string
	Strict   bool
	Multiple bool
	// Required is Buildbot's flag, or true for a strict list whose default is not a choice:
	// Buildbot refuses that default, so a value must be chosen.
	Required bool
	// Regex is the pattern as Buildbot has it (Python syntax), "" when there is none.
	Regex   string
	MaxSize int
	// Hidden fields are not offered but sent as their default: fixed and hidden fields, and the
	// priority.
	Hidden bool
	// Omitted fields are neither offered nor sent: the owner and a codebase's repository and
	// project, which the plugin sets, and what chat cannot carry (files).
	Omitted bool
	Role    Role
	// Codebase is the codebase a source field (branch, revision, repository, project) belongs to.
	Codebase string
	// Property is where the value lands among the build's properties: the property's name, then
	// the keys inside it for fields of named groups. Nil when it lands elsewhere.
	Property []string

	// pattern is Regex anchored at the start as Python's re.match is; nil when Go's RE2 cannot
	// compile it (lookarounds, backreferences), and then Buildbot alone judges.
	pattern *regexp.Regexp
}

// Shown says whether the dialog and the command line offer the parameter.
func (p Param) Shown() bool { return !p.Hidden && !p.Omitted }

// Form is a force scheduler's parameters in the order Buildbot shows them.
type Form struct {
	Scheduler string
	Params    []Param
	// Notes tell the user what the form leaves out that Buildbot's own form has.
	Notes []Note
}

// Note is a field the form leaves out, and why: data rather than words, since a form is shared
// between servers through the KV store and each reader words it in their language.
type Note struct {
	// Label is Buildbot's, as it shows the field.
	Label string
	// Kind is noteFile, notePatch, or the type of field the plugin does not know.
	Kind string
}

// The reasons a field is left out, besides a type the plugin does not know.
const (
	noteFile  = "file"
	notePatch = "patch"
)

// Text is the note in a sentence; the label is Buildbot's, escaped.
func (n Note) Text() i18n.Text {
	label := markdown.Text(n.Label)
	switch n.Kind {
	case notePatch:
		return i18n.T("form.note.patch", "{{.Label}} is left out: a patch is a file upload, which chat cannot send. Buildbot's web UI can.", "Label", label)
	case noteFile:
		return i18n.T("form.note.file", "{{.Label}} is left out: it is a file upload, which chat cannot send. Buildbot's web UI can.", "Label", label)
	}
	return i18n.T("form.note.unknown_type", "{{.Label}} is left out: the plugin does not know Buildbot fields of type {{.Type}}. Buildbot uses its default.",
		"Label", label, "Type", markdown.Text(strconv.Quote(n.Kind)))
}

// Unfilled lists the offered fields a person must fill that have no value in have (by full name)
// and no default Buildbot would use.
func (f Form) Unfilled(have map[string]any) []Param {
	var out []Param
	for _, p := range f.Params {
		if p.Shown() && p.Required && have[p.FullName] == nil && (p.Default == nil || p.Default == "") {
			out = append(out, p)
		}
	}
	return out
}

// Lookup finds the parameter with a role; codebase is "" for roles outside codebases.
func (f Form) Lookup(role Role, codebase string) (Param, bool) {
	for _, p := range f.Params {
		if p.Role == role && p.Codebase == codebase {
			return p, true
		}
	}
	return Param{}, false
}

// Flatten reads a force scheduler's all_fields. Buildbot puts the owner, reason and priority in an
// anonymous first group, then the codebases, then the properties.
func Flatten(s buildbot.ForceScheduler) (Form, error) {
	fl := flattener{form: Form{Scheduler: s.Name}, seen: map[string]bool{}}
	for i, field := range s.AllFields {
		switch {
		case i == 0 && field.Type == typeNested && field.Name == "":
			fl.firstGroup(field.Fields)
		case isCodebase(field):
			fl.codebase(field)
		default:
			fl.walk(field, scope{})
		}
	}
	if fl.err != nil {
		return Form{}, fmt.Errorf("force scheduler %s: %w", s.Name, fl.err)
	}
	return fl.form, nil
}

type flattener struct {
	form Form
	seen map[string]bool
	err  error
}

// scope is what a group passes to its fields.
type scope struct {
	label    string
	hidden   bool
	property []string
}

// firstGroup reads the group Buildbot makes of its username, reason and priority parameters, in
// that order, whatever their names. The owner is the plugin's to set, so it is never offered.
// The reason is offered (as Buildbot offers it): a few words on why are worth a field, and it
// stays optional unless the admin made it required. The priority is not offered: it jumps the
// build queue for everyone, which a chat form should not make as easy as typing a number; it
// is sent as its default.
func (fl *flattener) firstGroup(fields []buildbot.ForceField) {
	roles := []Role{RoleOwner, RoleReason, RolePriority}
	for i, field := range fields {
		role := RoleProperty
		if i < len(roles) {
			role = roles[i]
		}
		p, ok := fl.leaf(field, scope{})
		if !ok {
			continue
		}
		p.Role = role
		switch role {
		case RoleOwner:
			p.Omitted, p.Property = true, nil
		case RoleReason:
			p.Property = []string{"reason"}
		case RolePriority:
			p.Hidden, p.Property = true, nil
		}
		fl.add(p)
	}
}

// sourceRoles are the children Buildbot's CodebaseParameter makes.
var sourceRoles = map[string]Role{"branch": RoleBranch, "revision": RoleRevision, "repository": RoleRepository, "project": RoleProject}

// isCodebase tells a codebase from another group. Buildbot's spec has no codebase key (the
// CodebaseParameter's spec_attributes leave it out), so a group is taken for a codebase when its
// children are only those a CodebaseParameter makes: branch, revision, repository, project and
// an optional patch group. Its codebase is its name, which Buildbot sets to the codebase unless
// the admin gave another.
func isCodebase(field buildbot.ForceField) bool {
	if field.Type != typeNested {
		return false
	}
	sources := 0
	for _, child := range field.Fields {
		switch _, ok := sourceRoles[child.Name]; {
		case ok:
			sources++
		case child.Name == "patch" && child.Type == typeNested:
		default:
			return false
		}
	}
	return sources > 0
}

func (fl *flattener) codebase(group buildbot.ForceField) {
	// Buildbot labels a codebase "Codebase: <name>" unless told otherwise; the name is enough.
	label := cleanLabel(group.Label, "")
	if label == "Codebase: "+group.Name {
		label = group.Name
	}
	sc := scope{label: label, hidden: group.Hide}
	for _, child := range group.Fields {
		if child.Type == typeNested {
			// A patch is a file upload with options; without the file the options mean nothing.
			fl.form.Notes = append(fl.form.Notes, Note{Label: joinLabel(label, fieldLabel(child)), Kind: notePatch})
			continue
		}
		p, ok := fl.leaf(child, sc)
		if !ok {
			continue
		}
		p.Role, p.Codebase, p.Property = sourceRoles[child.Name], group.Name, nil
		// Where the code comes from is the plugin's to say: a repository typed in chat would build
		// a stranger's code under the repo's name, and the catalog would learn that name.
		if p.Role == RoleRepository || p.Role == RoleProject {
			p.Omitted = true
		}
		fl.add(p)
	}
}

// walk flattens a property or a group of them. A named group's values land in one property, a
// dictionary; an anonymous group's land in its parent's.
func (fl *flattener) walk(field buildbot.ForceField, sc scope) {
	if field.Type != typeNested {
		if p, ok := fl.leaf(field, sc); ok {
			fl.add(p)
		}
		return
	}
	inner := scope{
		label:    joinLabel(sc.label, cleanLabel(field.Label, field.Name)),
		hidden:   sc.hidden || field.Hide,
		property: sc.property,
	}
	if field.Name != "" {
		inner.property = append(append([]string(nil), sc.property...), field.Name)
	}
	for _, child := range field.Fields {
		fl.walk(child, inner)
	}
}

// leaf reads one field. Fields chat cannot carry are kept, omitted, so their names stay known.
func (fl *flattener) leaf(field buildbot.ForceField, sc scope) (Param, bool) {
	switch {
	case field.FullName == "":
		fl.fail(fmt.Errorf("a %s field in %q has no name", field.Type, sc.label))
		return Param{}, false
	case len(field.FullName) > model.DialogElementNameMaxLength:
		fl.fail(fmt.Errorf("the field %q has a name longer than a dialog takes", field.FullName[:40]+"…"))
		return Param{}, false
	}
	label := fieldLabel(field)
	if label == "" {
		label = field.FullName
	}
	p := Param{
		Name:     field.Name,
		FullName: field.FullName,
		Label:    joinLabel(sc.label, label),
		Help:     plainText(field.Tooltip),
		Type:     field.Type,
		Choices:  field.Choices,
		Strict:   field.Strict,
		Multiple: field.Multiple,
		Required: field.Required,
		Hidden:   sc.hidden || field.Hide || field.Type == typeFixed,
		Property: append(append([]string(nil), sc.property...), field.Name),
	}
	if field.MaxSize != nil {
		p.MaxSize = *field.MaxSize
	}
	if field.Regex != nil && *field.Regex != "" {
		p.Regex = *field.Regex
		p.pattern, _ = regexp.Compile("^(?:" + p.Regex + ")")
	}
	p.Default = decodeDefault(p, field.Default)

	switch field.Type {
	case typeText, typeTextarea, typeInt, typeBool, typeList, typeFixed:
	case typeUsername:
		p.Omitted = true
	case typeFile:
		p.Omitted = true
		if !p.Hidden {
			fl.form.Notes = append(fl.form.Notes, Note{Label: p.Label, Kind: noteFile})
		}
	default:
		p.Omitted = true
		if !p.Hidden {
			fl.form.Notes = append(fl.form.Notes, Note{Label: p.Label, Kind: field.Type})
		}
	}
	if p.Type == typeList && p.Strict && !p.Multiple && len(p.Choices) > 0 && !contains(p.Choices, p.Default) {
		p.Required = true
	}
	return p, true
}

func (fl *flattener) add(p Param) {
	if fl.seen[p.FullName] {
		fl.fail(fmt.Errorf("two fields are named %q", p.FullName))
		return
	}
	fl.seen[p.FullName] = true
	fl.form.Params = append(fl.form.Params, p)
}

func (fl *flattener) fail(err error) {
	if fl.err == nil {
		fl.err = err
	}
}

// decodeDefault turns Buildbot's default into the value the force call takes for the field.
func decodeDefault(p Param, raw json.RawMessage) any {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		v = nil
	}
	switch {
	case p.Type == typeFixed:
		return v
	case p.Type == typeBool:
		// Buildbot forces true only for a literal true: its default "" means false.
		b, _ := v.(bool)
		return b
	case p.Type == typeInt:
		n, ok := toInt(v)
		if !ok {
			return nil
		}
		return n
	case p.Multiple:
		// Buildbot's web UI reads a single default of a multiple field as a list of one.
		items, isList := v.([]any)
		if !isList && scalarText(v) != "" {
			items = []any{v}
		}
		list := make([]string, len(items))
		for i, item := range items {
			list[i] = scalarText(item)
		}
		return list
	}
	return scalarText(v)
}

// toInt reads an int field's value: a JSON number without a fraction, or its text.
func toInt(v any) (int64, bool) {
	switch n := v.(type) {
	case float64:
		if n != math.Trunc(n) || math.Abs(n) > 1<<53 {
			return 0, false
		}
		return int64(n), true
	case string:
		i, err := strconv.ParseInt(strings.TrimSpace(n), 10, 64)
		return i, err == nil
	}
	return 0, false
}

// scalarText is a JSON scalar as text, "" for null.
func scalarText(v any) string {
	switch s := v.(type) {
	case nil:
		return ""
	case string:
		return s
	case float64:
		return strconv.FormatFloat(s, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(s)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// cleanLabel drops the colon Buildbot's default labels end with, which reads oddly in a dialog.
func cleanLabel(label, name string) string {
	label = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(label), ":"))
	if label == "" {
		return name
	}
	return label
}

// fieldLabel is a field's own label. Buildbot labels a field with its name when the admin gave
// no label; a capital makes it read like the others.
func fieldLabel(field buildbot.ForceField) string {
	label := cleanLabel(field.Label, field.Name)
	if label != field.Name || label == "" {
		return label
	}
	first, size := utf8.DecodeRuneInString(label)
	return string(unicode.ToUpper(first)) + label[size:]
}

func joinLabel(group, label string) string {
	switch {
	case group == "":
		return label
	case label == "":
		return group
	}
	return group + labelSeparator + label
}

var tags = regexp.MustCompile(`<[^>]*>`)

// plainText strips the HTML Buildbot's web UI allows in tooltips.
func plainText(s string) string {
	return strings.Join(strings.Fields(html.UnescapeString(tags.ReplaceAllString(s, " "))), " ")
}

func contains(choices []string, v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	for _, c := range choices {
		if c == s {
			return true
		}
	}
	return false
}
