package form

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mattermost/mattermost/server/public/model"
)

// maxListedKeys keeps the list of known names in an error short.
const maxListedKeys = 12

// InputError is a mistake in what the user typed, worded for them.
type InputError struct{ Message string }

func (e *InputError) Error() string { return e.Message }

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
		return nil, &InputError{Message: fmt.Sprintf("A quote is not closed in `%s`: end it with %c.", Shorten(word.String()), closing)}
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
	var problems []string
	given := map[string]bool{}
	for _, w := range words {
		key, value, ok := strings.Cut(w, "=")
		if !ok || key == "" {
			problems = append(problems, fmt.Sprintf("`%s` is not name=value.", Shorten(w)))
			continue
		}
		p, problem := f.find(key)
		switch {
		case problem != "":
			problems = append(problems, problem)
			continue
		case given[p.FullName]:
			problems = append(problems, fmt.Sprintf("`%s` is given twice.", Shorten(key)))
			continue
		}
		given[p.FullName] = true
		submitted[p.FullName] = value
	}
	if len(problems) > 0 {
		return nil, &InputError{Message: strings.Join(problems, "\n")}
	}
	values, fieldProblems := f.Check(submitted)
	if len(fieldProblems) == 0 {
		return values, nil
	}
	for _, p := range f.Params {
		if problem, ok := fieldProblems[p.FullName]; ok {
			problems = append(problems, fmt.Sprintf("`%s`: %s", f.key(p), strings.ReplaceAll(problem, "`", "'")))
		}
	}
	return nil, &InputError{Message: strings.Join(problems, "\n")}
}

// find resolves a typed name: a full name first, then a field's own name if one field has it,
// then either without regard to case.
func (f Form) find(key string) (Param, string) {
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
			return named[0], ""
		default:
			full := make([]string, len(named))
			for i, p := range named {
				full[i] = "`" + p.FullName + "`"
			}
			return Param{}, fmt.Sprintf("`%s` names several fields: use %s.", Shorten(key), strings.Join(full, " or "))
		}
	}
	keys := f.keys()
	if len(keys) == 0 {
		return Param{}, fmt.Sprintf("`%s` is not a field of %s, which takes none from chat.", Shorten(key), f.Scheduler)
	}
	more := ""
	if len(keys) > maxListedKeys {
		more = fmt.Sprintf(" and %d more", len(keys)-maxListedKeys)
		keys = keys[:maxListedKeys]
	}
	return Param{}, fmt.Sprintf("`%s` is not a field of %s: use `%s`%s.", Shorten(key), f.Scheduler, strings.Join(keys, "`, `"), more)
}

func (f Form) settable(p Param, key string) (Param, string) {
	switch {
	case p.Shown():
		return p, ""
	case p.Role == RoleOwner:
		return Param{}, fmt.Sprintf("`%s` is not set from chat: the plugin fills it in, and the build's reason names you.", Shorten(key))
	case p.Type == typeFile:
		return Param{}, fmt.Sprintf("`%s` is a file upload, which chat cannot send.", Shorten(key))
	}
	return Param{}, fmt.Sprintf("`%s` cannot be set from chat: Buildbot uses its default.", Shorten(key))
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
func (f Form) Suggest(partial string, typed []string) []model.AutocompleteListItem {
	items := []model.AutocompleteListItem{}
	key, value, hasValue := strings.Cut(partial, "=")
	if !hasValue {
		given := map[string]bool{}
		for _, w := range typed {
			if k, _, ok := strings.Cut(w, "="); ok {
				if p, problem := f.find(k); problem == "" {
					given[p.FullName] = true
				}
			}
		}
		for _, p := range f.Params {
			name := f.key(p)
			if !p.Shown() || given[p.FullName] || !hasPrefixFold(name, key) {
				continue
			}
			items = append(items, model.AutocompleteListItem{Item: name + "=", Hint: hint(p), HelpText: p.Label})
		}
		return items
	}
	p, problem := f.find(key)
	if problem != "" {
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
			item.HelpText = "The default"
		}
		items = append(items, item)
	}
	return items
}

// hint says what a field takes, for the autocomplete list.
func hint(p Param) string {
	switch p.input() {
	case inputBool:
		return "true|false"
	case inputNumber:
		return "number"
	case inputRadio, inputSelect:
		return strings.Join(p.Choices, "|")
	case inputMultiselect:
		return strings.Join(p.Choices, ",")
	}
	if p.Required {
		return "required"
	}
	return ""
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
