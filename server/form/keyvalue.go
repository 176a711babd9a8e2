package form

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
)

// maxListedKeys keeps the list of known names in an error short.
const maxListedKeys = 12

// SplitWords splits a command's text at spaces, keeping quoted text ("a b", 'a b', or the
// curly quotes phones type) in one word without its quotes: environment="staging eu".
func SplitWords(text string) ([]string, error) {
	var words []string
	var word strings.Builder
	inWord := false
	var closing rune
	for _, r := range text {
		switch {
		case closing != 0 && r == closing:
			closing = 0
		case closing != 0:
			word.WriteRune(r)
		case r == '"' || r == '\'' || r == '“':
			closing, inWord = closingQuote(r), true
		case unicode.IsSpace(r):
			if inWord {
				words = append(words, word.String())
				word.Reset()
				inWord = false
			}
		default:
			word.WriteRune(r)
			inWord = true
		}
	}
	if closing != 0 {
		return nil, i18n.NewError(i18n.T("form.quote_not_closed", "A quote is not closed in `{{.Word}}`: end it with {{.Quote}}.",
			"Word", Shorten(word.String()), "Quote", string(closing)))
	}
	if inWord {
		words = append(words, word.String())
	}
	return words, nil
}

func closingQuote(r rune) rune {
	if r == '“' {
		return '”'
	}
	return r
}

// FromWords reads name=value words for the form and checks them with the rest of its fields, as
// Check does. fill holds values the caller has from elsewhere by full name (the branch and
// revision /build was given); a word overrides them. A name is a field's name, or its full name
// where codebases share names. Lists of several values are separated by commas.
func (f Form) FromWords(words []string, fill map[string]any) (map[string]any, error) {
	// As in the dialog, every field starts at its default: Buildbot wants a value for a required
	// field even when it has a default.
	submitted := make(map[string]any, len(f.Params)+len(words))
	for _, p := range f.Params {
		if p.Shown() {
			submitted[p.FullName] = p.Default
		}
	}
	for name, v := range fill {
		submitted[name] = v
	}
	var problems []i18n.Text
	given := map[string]bool{}
	for _, w := range words {
		key, value, ok := strings.Cut(w, "=")
		if !ok || key == "" {
			problems = append(problems, i18n.T("form.not_name_value", "`{{.Word}}` is not name=value.", "Word", Shorten(w)))
			continue
		}
		p, problem := f.find(key)
		switch {
		case !problem.IsZero():
			problems = append(problems, problem)
			continue
		case given[p.FullName]:
			problems = append(problems, i18n.T("form.given_twice", "`{{.Name}}` is given twice.", "Name", Shorten(key)))
			continue
		}
		given[p.FullName] = true
		submitted[p.FullName] = value
	}
	if len(problems) > 0 {
		return nil, i18n.NewError(i18n.Join("\n", problems...))
	}
	values, fieldProblems := f.Check(submitted)
	if len(fieldProblems) == 0 {
		return values, nil
	}
	for _, p := range f.Params {
		if problem, ok := fieldProblems[p.FullName]; ok {
			// A field's problem may quote the value in a code span, which this line's would break.
			inCode := i18n.After(problem, func(s string) string { return strings.ReplaceAll(s, "`", "'") })
			problems = append(problems, i18n.Join(": ", i18n.Raw("`"+f.key(p)+"`"), inCode))
		}
	}
	return nil, i18n.NewError(i18n.Join("\n", problems...))
}

// find resolves a typed name: a full name first, then a field's own name if one field has it,
// then either without regard to case.
func (f Form) find(key string) (Param, i18n.Text) {
	for _, same := range []func(a, b string) bool{func(a, b string) bool { return a == b }, strings.EqualFold} {
		for _, p := range f.Params {
			if same(p.FullName, key) {
				return f.settable(p, key)
			}
		}
		var named []Param
		for _, p := range f.Params {
			if same(p.Name, key) && p.Shown() {
				named = append(named, p)
			}
		}
		switch len(named) {
		case 0:
		case 1:
			return named[0], i18n.Text{}
		default:
			full := make([]string, len(named))
			for i, p := range named {
				full[i] = p.FullName
			}
			return Param{}, i18n.T("form.several_fields", "`{{.Name}}` names several fields: use `{{.First}}` or `{{.Second}}`.",
				"Name", Shorten(key), "First", full[0], "Second", strings.Join(full[1:], "` or `"))
		}
	}
	keys := f.keys()
	if len(keys) == 0 {
		return Param{}, i18n.T("form.no_fields", "`{{.Name}}` is not a field of {{.Scheduler}}, which takes none from chat.", "Name", Shorten(key), "Scheduler", f.Scheduler)
	}
	if len(keys) > maxListedKeys {
		return Param{}, i18n.T("form.unknown_field.more", "`{{.Name}}` is not a field of {{.Scheduler}}: use `{{.Fields}}` and {{.More}} more.",
			"Name", Shorten(key), "Scheduler", f.Scheduler, "Fields", strings.Join(keys[:maxListedKeys], "`, `"), "More", len(keys)-maxListedKeys)
	}
	return Param{}, i18n.T("form.unknown_field", "`{{.Name}}` is not a field of {{.Scheduler}}: use `{{.Fields}}`.",
		"Name", Shorten(key), "Scheduler", f.Scheduler, "Fields", strings.Join(keys, "`, `"))
}

func (f Form) settable(p Param, key string) (Param, i18n.Text) {
	switch {
	case p.Shown():
		return p, i18n.Text{}
	case p.Role == RoleOwner:
		return Param{}, i18n.T("form.owner", "`{{.Name}}` is not set from chat: the plugin fills it in, and the build's reason names you.", "Name", Shorten(key))
	case p.Type == typeFile:
		return Param{}, i18n.T("form.file_field", "`{{.Name}}` is a file upload, which chat cannot send.", "Name", Shorten(key))
	case p.Role == RoleRepository || p.Role == RoleProject:
		return Param{}, i18n.T("form.source", "`{{.Name}}` is not set from chat: the plugin builds the repo you name, from its own repository.", "Name", Shorten(key))
	}
	return Param{}, i18n.T("form.not_settable", "`{{.Name}}` cannot be set from chat: Buildbot uses its default.", "Name", Shorten(key))
}

// key is the name a person types for a parameter: its own name, or its full name when another
// offered field has the same name.
func (f Form) key(p Param) string {
	for _, other := range f.Params {
		if other.FullName != p.FullName && other.Name == p.Name && other.Shown() {
			return p.FullName
		}
	}
	return p.Name
}

func (f Form) keys() []string {
	var keys []string
	for _, p := range f.Params {
		if p.Shown() {
			keys = append(keys, f.key(p))
		}
	}
	return keys
}

// Suggest completes the word being typed: the names of fields not yet given, as "name=", and
// after "name=" the field's choices (true and false for a yes-or-no field; after a comma, the
// choices not yet listed). typed are the words before it.
func (f Form) Suggest(partial string, typed []string, l i18n.Localizer) []model.AutocompleteListItem {
	items := []model.AutocompleteListItem{}
	key, value, hasValue := strings.Cut(partial, "=")
	if !hasValue {
		given := map[string]bool{}
		for _, w := range typed {
			if k, _, ok := strings.Cut(w, "="); ok {
				if p, problem := f.find(k); problem.IsZero() {
					given[p.FullName] = true
				}
			}
		}
		for _, p := range f.Params {
			name := f.key(p)
			if !p.Shown() || given[p.FullName] || !hasPrefixFold(name, key) {
				continue
			}
			items = append(items, model.AutocompleteListItem{Item: name + "=", Hint: l.String(hint(p)), HelpText: p.Label})
		}
		return items
	}
	p, problem := f.find(key)
	if !problem.IsZero() {
		return items
	}
	var choices []string
	switch p.Type {
	case typeBool:
		choices = []string{"true", "false"}
	case typeList:
		choices = p.Choices
	}
	before := ""
	if p.Multiple {
		if i := strings.LastIndex(value, ","); i >= 0 {
			before, value = value[:i+1], value[i+1:]
		}
	}
	listed := map[string]bool{}
	for _, v := range strings.Split(before, ",") {
		listed[strings.TrimSpace(v)] = true
	}
	for _, c := range choices {
		if listed[c] || !hasPrefixFold(c, value) {
			continue
		}
		item := model.AutocompleteListItem{Item: key + "=" + quoteWord(before+c)}
		if c == scalarText(p.Default) {
			item.HelpText = l.String(i18n.T("form.suggest.default", "The default"))
		}
		items = append(items, item)
	}
	return items
}

// hint says what a field takes, for the autocomplete list.
func hint(p Param) i18n.Text {
	switch p.input() {
	case inputBool:
		return i18n.T("form.hint.bool", "true|false")
	case inputNumber:
		return i18n.T("form.hint.number", "number")
	case inputRadio, inputSelect:
		return i18n.Raw(strings.Join(p.Choices, "|"))
	case inputMultiselect:
		return i18n.Raw(strings.Join(p.Choices, ","))
	}
	if p.Required {
		return i18n.T("form.hint.required", "required")
	}
	return i18n.Text{}
}

func hasPrefixFold(s, prefix string) bool {
	return strings.HasPrefix(strings.ToLower(s), strings.ToLower(prefix))
}

// quoteWord quotes a value SplitWords would otherwise cut.
func quoteWord(s string) string {
	if strings.ContainsFunc(s, unicode.IsSpace) || strings.ContainsAny(s, `'"“`) {
		if strings.Contains(s, `"`) {
			return "'" + s + "'"
		}
		return `"` + s + `"`
	}
	return s
}

// Shorten keeps an echoed input readable and free of Markdown that would break the message.
func Shorten(s string) string {
	s = strings.ReplaceAll(s, "`", "'")
	if utf8.RuneCountInString(s) > 40 {
		return string([]rune(s)[:40]) + "…"
	}
	return s
}
