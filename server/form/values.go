package form

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
)

// maxListedChoices keeps an error that names the choices readable.
const maxListedChoices = 10

// Check checks the values a person gave, by full name, as Buildbot would, and gives the force
// call's parameters: every offered field's value (its default when left empty, as Buildbot does),
// and every hidden field's default. The owner is left to the caller, and files to Buildbot.
// Problems come back by full name, worded for the person, and no parameters with them.
func (f Form) Check(submitted map[string]any) (map[string]any, map[string]i18n.Text) {
	values := map[string]any{}
	problems := map[string]i18n.Text{}
	for _, p := range f.Params {
		switch {
		case p.Omitted:
			continue
		case p.Hidden:
			if p.Default != nil {
				values[p.FullName] = p.Default
			}
			continue
		}
		v, problem := p.check(submitted[p.FullName])
		if !problem.IsZero() {
			problems[p.FullName] = problem
			continue
		}
		values[p.FullName] = v
	}
	if len(problems) > 0 {
		return nil, problems
	}
	return values, nil
}

func requiredProblem() i18n.Text { return i18n.T("form.required", "A value is required.") }

func (p Param) check(raw any) (any, i18n.Text) {
	switch {
	case p.Type == typeBool:
		return p.checkBool(raw)
	case p.Type == typeInt:
		return p.checkInt(raw)
	case p.Multiple:
		return p.checkList(raw)
	}
	s, ok := singleText(raw)
	if !ok {
		return nil, i18n.T("form.one_value", "Give one value.")
	}
	// A stray space around a one-line value is a slip; the textarea keeps what was typed.
	if p.Type != typeTextarea {
		s = strings.TrimSpace(s)
	}
	if strings.TrimSpace(s) == "" {
		if p.Required {
			return nil, requiredProblem()
		}
		// Buildbot checks its default too; a default it refuses is the admin's to fix, and the
		// person learns of it here rather than from Buildbot.
		s, _ = p.Default.(string)
	}
	if problem := p.checkText(s); !problem.IsZero() {
		return nil, problem
	}
	return s, i18n.Text{}
}

func (p Param) checkBool(raw any) (any, i18n.Text) {
	switch v := raw.(type) {
	case bool:
		return v, i18n.Text{}
	case nil:
		return p.Default, i18n.Text{}
	case string:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "":
			return p.Default, i18n.Text{}
		case "true", "yes", "on", "1":
			return true, i18n.Text{}
		case "false", "no", "off", "0":
			return false, i18n.Text{}
		}
	}
	return nil, i18n.T("form.bool", "Answer true or false.")
}

func (p Param) checkInt(raw any) (any, i18n.Text) {
	s, ok := singleText(raw)
	if !ok {
		return nil, i18n.T("form.one_number", "Give one whole number.")
	}
	s = strings.TrimSpace(s)
	if s == "" {
		if p.Required || p.Default == nil {
			return nil, requiredProblem()
		}
		return p.Default, i18n.Text{}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return nil, i18n.T("form.not_number", "{{.Value}} is not a whole number.", "Value", quote(s))
	}
	// Buildbot applies maxsize and regex to the value as sent, and a number has no length: it
	// fails with a server error. Its own web UI sends numbers, so text is sent only then.
	if p.MaxSize > 0 || p.Regex != "" {
		if problem := p.checkText(s); !problem.IsZero() {
			return nil, problem
		}
		return s, i18n.Text{}
	}
	return n, i18n.Text{}
}

func (p Param) checkList(raw any) (any, i18n.Text) {
	list, ok := listValues(raw)
	if !ok {
		return nil, i18n.T("form.list", "Give values separated by commas.")
	}
	if len(list) == 0 {
		if p.Required {
			return nil, requiredProblem()
		}
		list, _ = p.Default.([]string)
	}
	for _, v := range list {
		if problem := p.checkText(v); !problem.IsZero() {
			return nil, problem
		}
	}
	return list, i18n.Text{}
}

// checkText applies Buildbot's checks of one value: the choices of a strict list, the maxsize
// (in characters, as Python counts) and the regex.
func (p Param) checkText(s string) i18n.Text {
	if p.Type == typeList && p.Strict && len(p.Choices) > 0 && !contains(p.Choices, s) {
		return i18n.T("form.not_choice", "{{.Value}} is not a choice: choose {{.Choices}}.", "Value", quote(s), "Choices", choiceList(p.Choices))
	}
	if n := utf8.RuneCountInString(s); p.MaxSize > 0 && n > p.MaxSize {
		return i18n.T("form.too_long", "At most {{.Max}} characters, not {{.Length}}.", "Max", p.MaxSize, "Length", n)
	}
	if p.pattern != nil && !p.pattern.MatchString(s) {
		return i18n.T("form.pattern", "{{.Value}} does not match the pattern {{.Pattern}}.", "Value", quote(s), "Pattern", p.Regex)
	}
	return i18n.Text{}
}

// singleText reads one value: Mattermost sends text, and numbers for number fields.
func singleText(raw any) (string, bool) {
	switch v := raw.(type) {
	case nil:
		return "", true
	case string:
		return v, true
	case float64, bool:
		return scalarText(v), true
	case int64:
		return strconv.FormatInt(v, 10), true
	case int:
		return strconv.Itoa(v), true
	}
	return "", false
}

// listValues reads a multiple field: a list of values, or their text separated by commas.
// Empty values are dropped, as Buildbot drops blank ones.
func listValues(raw any) ([]string, bool) {
	var items []string
	switch v := raw.(type) {
	case nil:
	case string:
		items = strings.Split(v, ",")
	case []string:
		items = v
	case []any:
		for _, item := range v {
			s, ok := item.(string)
			if !ok {
				return nil, false
			}
			items = append(items, s)
		}
	default:
		return nil, false
	}
	list := []string{}
	for _, item := range items {
		if item = strings.TrimSpace(item); item != "" {
			list = append(list, item)
		}
	}
	return list, true
}

func choiceList(choices []string) i18n.Text {
	shown := choices
	if len(shown) > maxListedChoices {
		shown = shown[:maxListedChoices]
	}
	quoted := make([]string, len(shown))
	for i, c := range shown {
		quoted[i] = quote(c)
	}
	text := i18n.Raw(strings.Join(quoted, ", "))
	if len(choices) > len(shown) {
		return i18n.Plural("form.more_choices", "{{.Choices}} (or one more)", "{{.Choices}} (or one of {{.Count}} more)", len(choices)-len(shown), "Choices", text)
	}
	return text
}

// quote shows a value in a sentence; an empty one would vanish without the quotes.
func quote(s string) string { return strconv.Quote(s) }

// BuildbotErrors reads the message of Buildbot's invalid_params answer to a force call
// (JSON-RPC code -32602). Buildbot collects every field's ValidationError into a dictionary of
// full name to text and sends it whole as the message (data/forceschedulers.py raises
// BadJsonRpc2(e.errors, JSONRPC_CODES["invalid_params"]); www/rest.py writes it unchanged, and
// Buildbot's own web UI reads it the same way, in ForceBuildModal.tsx). The offered fields' texts
// come back by full name for the dialog; the rest (the owner, a group, a hidden field, or a
// message that is plain text) come back as one sentence.
// Buildbot's texts are in its own words and stay so.
func (f Form) BuildbotErrors(message json.RawMessage) (map[string]i18n.Text, i18n.Text) {
	var byField map[string]any
	if err := json.Unmarshal(message, &byField); err != nil {
		var text string
		if json.Unmarshal(message, &text) == nil {
			return nil, i18n.Raw(text)
		}
		return nil, i18n.Raw(string(message))
	}
	shown := map[string]bool{}
	for _, p := range f.Params {
		shown[p.FullName] = p.Shown()
	}
	fields := map[string]i18n.Text{}
	var other []string
	for name, v := range byField {
		text := scalarText(v)
		if shown[name] {
			fields[name] = i18n.Raw(text)
			continue
		}
		// Buildbot names the field in some of its texts already.
		if name == "" || strings.HasPrefix(text, name+":") {
			other = append(other, text)
			continue
		}
		other = append(other, name+": "+text)
	}
	sort.Strings(other)
	return fields, i18n.Raw(strings.Join(other, "; "))
}
