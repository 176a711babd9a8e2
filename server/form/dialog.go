package form

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
)

// radioMaxChoices is the most choices shown as radio buttons, all visible at once; more go in a
// select, which a person can type into to filter.
const radioMaxChoices = 4

// Elements are the dialog's fields, one per offered parameter, named by full name. values fill
// them in by full name (from FromBuild, or the branch and revision /build was given); the rest
// show Buildbot's defaults. A field left empty means Buildbot's default, as in Buildbot's form.
func (f Form) Elements(values map[string]any, l i18n.Localizer) []model.DialogElement {
	elements := []model.DialogElement{}
	for _, p := range f.Params {
		if !p.Shown() {
			continue
		}
		v, ok := values[p.FullName]
		if !ok {
			v = p.Default
		}
		elements = append(elements, p.element(v, l))
	}
	return elements
}

// input is how a parameter is asked for.
type input int

const (
	inputText input = iota
	inputNumber
	inputTextarea
	inputBool
	inputRadio
	inputSelect
	inputMultiselect
)

func (p Param) input() input {
	switch {
	case p.Type == typeInt:
		return inputNumber
	case p.Type == typeTextarea:
		return inputTextarea
	case p.Type == typeBool:
		return inputBool
	// A list that takes other values, or whose choices Buildbot computes and does not report
	// over REST (workers, builds to inherit from), is typed, with the choices as hints.
	case p.Type != typeList || !p.Strict || len(p.Choices) == 0:
		return inputText
	case p.Multiple:
		return inputMultiselect
	case len(p.Choices) <= radioMaxChoices:
		return inputRadio
	}
	return inputSelect
}

func (p Param) element(value any, l i18n.Localizer) model.DialogElement {
	e := model.DialogElement{Name: p.FullName, Optional: !p.Required}
	var help []string
	var long bool
	e.DisplayName, long = fit(p.Label, model.DialogElementDisplayNameMaxLength)
	if long {
		help = append(help, p.Label+".")
	}
	if p.Help != "" {
		help = append(help, p.Help)
	}
	switch p.input() {
	case inputNumber:
		e.Type, e.SubType = "text", "number"
		e.Default = fitDefault(scalarText(value), model.DialogElementTextMaxLength)
	case inputTextarea:
		e.Type = "textarea"
		e.MaxLength = maxLength(p.MaxSize, model.DialogElementTextareaMaxLength)
		e.Default = fitDefault(scalarText(value), model.DialogElementTextareaMaxLength)
	case inputBool:
		// Mattermost takes a bool that is not optional for one that must be ticked.
		e.Type, e.Optional = "bool", true
		b, _ := value.(bool)
		e.Default = strconv.FormatBool(b)
	case inputRadio, inputSelect:
		e.Type = "select"
		if p.input() == inputRadio {
			e.Type = "radio"
		}
		e.Options = options(p.Choices)
		if s, ok := value.(string); ok && contains(p.Choices, s) {
			e.Default = s
		}
	case inputMultiselect:
		e.Type, e.MultiSelect = "select", true
		e.Options = options(p.Choices)
		e.Default = multiDefault(p.Choices, value)
	default:
		e.Type = "text"
		e.MaxLength = maxLength(p.MaxSize, model.DialogElementTextMaxLength)
		e.Default = fitDefault(ValueText(value), model.DialogElementTextMaxLength)
		if len(p.Choices) > 0 {
			help = append(help, l.String(i18n.T("form.help.example", "For example {{.Choices}}.", "Choices", strings.Join(p.Choices, ", "))))
		}
		if p.Multiple {
			help = append(help, l.String(i18n.T("form.help.commas", "Separate values with commas.")))
		}
	}
	e.HelpText, _ = fit(strings.Join(help, " "), model.DialogElementHelpTextMaxLength)
	return e
}

func options(choices []string) []*model.PostActionOptions {
	opts := make([]*model.PostActionOptions, len(choices))
	for i, c := range choices {
		opts[i] = &model.PostActionOptions{Text: c, Value: c}
	}
	return opts
}

// multiDefault is Mattermost's form of a multiselect's default: values joined by commas, from
// which it removes every space. Values it would misread are left out, and the field starts empty.
func multiDefault(choices []string, value any) string {
	list, _ := value.([]string)
	for _, v := range list {
		if !contains(choices, v) || strings.ContainsAny(v, ", ") {
			return ""
		}
	}
	return strings.Join(list, ",")
}

// ValueText is a value as a person reads and types it: a list comma-separated.
func ValueText(value any) string {
	if list, ok := value.([]string); ok {
		return strings.Join(list, ",")
	}
	return scalarText(value)
}

// maxLength is the smaller of Buildbot's maxsize and Mattermost's limit for the element.
func maxLength(maxSize, limit int) int {
	if maxSize > 0 && maxSize < limit {
		return maxSize
	}
	return limit
}

// fitDefault leaves out a default Mattermost would refuse; the empty field still means it.
func fitDefault(s string, limit int) string {
	if len(s) > limit {
		return ""
	}
	return s
}

// fit cuts s to limit bytes, as Mattermost counts, ending it with an ellipsis when cut.
func fit(s string, limit int) (string, bool) {
	if len(s) <= limit {
		return s, false
	}
	const ellipsis = "…"
	cut := s[:limit-len(ellipsis)]
	for !utf8.ValidString(cut) {
		cut = cut[:len(cut)-1]
	}
	return strings.TrimRight(cut, " ") + ellipsis, true
}

// FromBuild gives the values a build was forced with, by full name, to fill a dialog that runs
// it again with changes: properties for the properties and reason, source stamps for the
// codebases. Values the build does not have are left out, so their fields show defaults.
func (f Form) FromBuild(props buildbot.Properties, stamps []buildbot.SourceStamp) map[string]any {
	values := map[string]any{}
	for _, p := range f.Params {
		if !p.Shown() {
			continue
		}
		if source := sourceValue(p, stamps); source != "" {
			values[p.FullName] = source
			continue
		}
		if len(p.Property) == 0 {
			continue
		}
		prop, ok := props[p.Property[0]]
		if !ok {
			continue
		}
		if v, ok := p.fromJSON(dig(prop.Value, p.Property[1:])); ok {
			values[p.FullName] = v
		}
	}
	return values
}

func sourceValue(p Param, stamps []buildbot.SourceStamp) string {
	for _, ss := range stamps {
		if ss.Codebase != p.Codebase {
			continue
		}
		switch p.Role {
		case RoleBranch:
			return ss.Branch
		case RoleRevision:
			return ss.Revision
		case RoleRepository:
			return ss.Repository
		case RoleProject:
			return ss.Project
		}
	}
	return ""
}

// dig follows a named group's keys into the dictionary property Buildbot made of it.
func dig(raw json.RawMessage, keys []string) json.RawMessage {
	for _, key := range keys {
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil {
			return nil
		}
		raw = obj[key]
	}
	return raw
}

// fromJSON reads a property's value as the parameter's kind of value.
func (p Param) fromJSON(raw json.RawMessage) (any, bool) {
	var v any
	if len(raw) == 0 || json.Unmarshal(raw, &v) != nil || v == nil {
		return nil, false
	}
	switch {
	case p.Type == typeBool:
		b, ok := v.(bool)
		return b, ok
	case p.Type == typeInt:
		n, ok := toInt(v)
		return n, ok
	case p.Multiple:
		items, ok := v.([]any)
		if !ok {
			return nil, false
		}
		list := make([]string, len(items))
		for i, item := range items {
			list[i] = scalarText(item)
		}
		return list, true
	}
	switch v.(type) {
	case []any, map[string]any:
		return nil, false
	}
	return scalarText(v), true
}
