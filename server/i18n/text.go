// Package i18n words what the plugin tells people in their language. Code that speaks to a person
// returns a Text, never a string: a Text names its translation id and its English, and becomes a
// string only where the reader is known (the user for an ephemeral answer, the server's default
// locale for a post everyone reads).
package i18n

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"text/template"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
)

// Text is something to tell a person, not yet in their language. Its zero value says nothing.
type Text struct {
	msg   *goi18n.Message
	data  map[string]any
	count *int
	// raw is text that is not language: a name, a link, markdown built from Buildbot's words.
	raw   string
	parts []Text
	sep   string
	// after changes the worded parts as a whole, e.g. to make them inert in markdown.
	after func(string) string
}

// T is the message id, worded in English as other, a Go template whose fields are given as
// name, value pairs. A value may be a Text, worded in the same language first.
func T(id, other string, pairs ...any) Text {
	return Text{msg: &goi18n.Message{ID: id, Other: other}, data: dataOf(pairs)}
}

// Plural is T for a message that depends on count, which the templates read as {{.Count}}.
func Plural(id, one, other string, count int, pairs ...any) Text {
	data := dataOf(pairs)
	if data == nil {
		data = map[string]any{}
	}
	data["Count"] = count
	return Text{msg: &goi18n.Message{ID: id, One: one, Other: other}, data: data, count: &count}
}

// Raw is text that reads the same in every language: a name, a number, a table cell of Buildbot's
// words. It is never a sentence.
func Raw(s string) Text { return Text{raw: s} }

// Join puts texts one after another with sep, which is punctuation or markup, never words.
func Join(sep string, parts ...Text) Text {
	kept := make([]Text, 0, len(parts))
	for _, p := range parts {
		if !p.IsZero() {
			kept = append(kept, p)
		}
	}
	if len(kept) == 1 {
		return kept[0]
	}
	return Text{parts: kept, sep: sep}
}

// After is t worded and then passed through f, for words that must be changed as a whole once
// they are in the reader's language, such as text escaped to stay inert in markdown.
func After(t Text, f func(string) string) Text {
	if t.IsZero() {
		return t
	}
	return Text{parts: []Text{t}, after: f}
}

// IsZero says whether the text says nothing.
func (t Text) IsZero() bool { return t.msg == nil && t.raw == "" && len(t.parts) == 0 }

// ID is the message's translation id, or "" for raw and joined text.
func (t Text) ID() string {
	if t.msg == nil {
		return ""
	}
	return t.msg.ID
}

// English words the text in English: for tests and for the server's log.
func (t Text) English() string { return English().String(t) }

func dataOf(pairs []any) map[string]any {
	if len(pairs) == 0 {
		return nil
	}
	data := make(map[string]any, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		name, _ := pairs[i].(string)
		data[name] = pairs[i+1]
	}
	return data
}

// Localizer words texts in one language. Its zero value words English.
type Localizer struct {
	// l holds the translations; nil words everything in English.
	l *goi18n.Localizer
	// english keeps the English templates parsed, for every localizer of a bundle.
	english *englishTemplates
	// warn hears of a message the bundle could not word, which a test should have caught.
	warn func(id string, err error)
}

// English is a localizer that knows only the English written in the code.
func English() Localizer { return Localizer{english: &englishTemplates{}} }

// englishTemplates are the code's English, parsed once: go-i18n would parse a message's default
// anew on every call, and autocomplete words one per repo on every keystroke.
type englishTemplates struct{ parsed sync.Map }

func (e *englishTemplates) execute(msg *goi18n.Message, count *int, data map[string]any) (string, error) {
	src := msg.Other
	// English has two forms: one for exactly 1, other for the rest.
	if count != nil && *count == 1 && msg.One != "" {
		src = msg.One
	}
	var tmpl *template.Template
	if e != nil {
		if cached, ok := e.parsed.Load(src); ok {
			tmpl = cached.(*template.Template)
		}
	}
	if tmpl == nil {
		var err error
		if tmpl, err = template.New(msg.ID).Parse(src); err != nil {
			return "", fmt.Errorf("parse %s: %w", msg.ID, err)
		}
		if e != nil {
			e.parsed.Store(src, tmpl)
		}
	}
	var b strings.Builder
	if err := tmpl.Execute(&b, data); err != nil {
		return "", fmt.Errorf("word %s: %w", msg.ID, err)
	}
	return b.String(), nil
}

// String words t.
func (l Localizer) String(t Text) string {
	switch {
	case t.msg != nil:
		return l.message(t)
	case len(t.parts) > 0:
		var b strings.Builder
		for i, p := range t.parts {
			if i > 0 {
				b.WriteString(t.sep)
			}
			b.WriteString(l.String(p))
		}
		if t.after != nil {
			return t.after(b.String())
		}
		return b.String()
	}
	return t.raw
}

func (l Localizer) message(t Text) string {
	// The message's own data is left as it is: a Text may be worded in several languages.
	data := make(map[string]any, len(t.data))
	for name, v := range t.data {
		if inner, ok := v.(Text); ok {
			v = l.String(inner)
		}
		data[name] = v
	}
	if l.l != nil {
		lc := &goi18n.LocalizeConfig{MessageID: t.msg.ID, TemplateData: data}
		if t.count != nil {
			lc.PluralCount = *t.count
		}
		s, err := l.l.Localize(lc)
		if err == nil {
			return s
		}
		// A message the language lacks is worded in English, which is no fault.
		var missing *goi18n.MessageNotFoundErr
		if !errors.As(err, &missing) {
			l.warned(t.msg.ID, err)
		}
	}
	s, err := l.english.execute(t.msg, t.count, data)
	if err != nil {
		l.warned(t.msg.ID, err)
		return t.msg.Other
	}
	return s
}

func (l Localizer) warned(id string, err error) {
	if l.warn != nil {
		l.warn(id, err)
	}
}

// Error is an error worded for a person: whoever tells them shows Text in their language, the
// log reads the English.
type Error struct{ Text Text }

// NewError is an error that says t.
func NewError(t Text) error { return &Error{Text: t} }

func (e *Error) Error() string { return e.Text.English() }

// TextOf finds the words for a person in err's chain.
func TextOf(err error) (Text, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e.Text, true
	}
	return Text{}, false
}
