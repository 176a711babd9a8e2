package i18n_test

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"text/template"
	"text/template/parse"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The server's code is read as source: the English of every message is in the call that uses it,
// and what a person reads must go through such a call.
const (
	serverDir   = ".."
	germanFiles = "../../assets/i18n/active*.de.json"
)

// message is one i18n.T or i18n.Plural call as the code writes it.
type message struct {
	id, one, other string
	fields         []string
	at             string
}

// source is the server's non-test Go code, parsed.
type source struct {
	fset  *token.FileSet
	files map[string]*ast.File
}

func readSource(t *testing.T, dir string) source {
	t.Helper()
	src := source{fset: token.NewFileSet(), files: map[string]*ast.File{}}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		// Packages of fakes for tests (kvtest, buildbottest, ...) never reach a person.
		if d.IsDir() && path != dir && strings.HasSuffix(d.Name(), "test") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(src.fset, path, nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		src.files[path] = f
		return nil
	})
	require.NoError(t, err)
	require.NotEmpty(t, src.files)
	return src
}

// i18nCall says whether a call is i18n.<name>(...) from this package.
func i18nCall(call *ast.CallExpr, name string) bool {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != name {
		return false
	}
	pkg, ok := sel.X.(*ast.Ident)
	return ok && pkg.Name == "i18n"
}

// literal reads a string literal, or literals joined with +.
func literal(e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.BinaryExpr:
		a, okA := literal(e.X)
		b, okB := literal(e.Y)
		return a + b, okA && okB && e.Op == token.ADD
	}
	return "", false
}

// messages finds every message in the code, failing on one whose id, English or field names are
// not written out where it is used: a translator and this test must be able to read them.
func (src source) messages(t *testing.T) []message {
	t.Helper()
	var out []message
	for _, f := range src.files {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			plural := i18nCall(call, "Plural")
			if !plural && !i18nCall(call, "T") {
				return true
			}
			at := src.fset.Position(call.Pos()).String()
			texts := 2
			if plural {
				texts = 3
			}
			var words []string
			for _, arg := range call.Args[:texts] {
				s, ok := literal(arg)
				if !assert.True(t, ok, "%s: the id and English of a message must be string literals", at) {
					return true
				}
				words = append(words, s)
			}
			m := message{id: words[0], other: words[len(words)-1], at: at}
			if plural {
				m.one = words[1]
				m.fields = append(m.fields, "Count")
			}
			pairs := call.Args[texts:]
			if plural {
				pairs = call.Args[texts+1:]
			}
			for i := 0; i < len(pairs); i += 2 {
				name, ok := literal(pairs[i])
				assert.True(t, ok, "%s: the field names of a message must be string literals", at)
				m.fields = append(m.fields, name)
			}
			assert.False(t, call.Ellipsis.IsValid(), "%s: a message's fields must be written out", at)
			out = append(out, m)
			return true
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

var idPattern = regexp.MustCompile(`^[a-z]+(\.[a-z0-9_]+)+$`)

// fieldsOf lists the {{.Name}} fields a template reads.
func fieldsOf(t *testing.T, where, text string) []string {
	t.Helper()
	tmpl, err := template.New(where).Parse(text)
	if !assert.NoError(t, err, "%s: %q is not a template", where, text) {
		return nil
	}
	var fields []string
	var walk func(parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n != nil {
				for _, c := range n.Nodes {
					walk(c)
				}
			}
		case *parse.ActionNode:
			walk(n.Pipe)
		case *parse.PipeNode:
			for _, c := range n.Cmds {
				walk(c)
			}
		case *parse.CommandNode:
			for _, a := range n.Args {
				walk(a)
			}
		case *parse.FieldNode:
			fields = append(fields, n.Ident[0])
		case *parse.IfNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		}
	}
	walk(tmpl.Root)
	slices.Sort(fields)
	return slices.Compact(fields)
}

func TestEveryMessageHasOneIDOneEnglishAndTheFieldsItReads(t *testing.T) {
	msgs := readSource(t, serverDir).messages(t)
	require.NotEmpty(t, msgs)
	byID := map[string]message{}
	for _, m := range msgs {
		assert.Regexp(t, idPattern, m.id, "%s: ids are dotted lower-case words", m.at)
		if first, seen := byID[m.id]; seen {
			assert.Equal(t, first.other, m.other, "%s: id %s has other English at %s", m.at, m.id, first.at)
			assert.Equal(t, first.one, m.one, "%s: id %s has other English at %s", m.at, m.id, first.at)
			continue
		}
		byID[m.id] = m
		given := slices.Clone(m.fields)
		slices.Sort(given)
		used := fieldsOf(t, m.at, m.other)
		if m.one != "" {
			used = slices.Compact(slices.Sorted(slices.Values(append(used, fieldsOf(t, m.at, m.one)...))))
		}
		assert.Subset(t, given, used, "%s: %s reads fields it is not given", m.at, m.id)
	}
}

// germanEntry is one message of the German file: a string, or its plural forms.
type germanEntry struct {
	One, Other string
}

func (e *germanEntry) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, &e.Other); err == nil {
		return nil
	}
	var forms struct{ One, Other string }
	err := json.Unmarshal(b, &forms)
	e.One, e.Other = forms.One, forms.Other
	return err
}

func TestGermanWordsEveryMessageWithTheSameFields(t *testing.T) {
	msgs := readSource(t, serverDir).messages(t)
	files, err := filepath.Glob(germanFiles)
	require.NoError(t, err)
	require.NotEmpty(t, files)
	german := map[string]germanEntry{}
	for _, file := range files {
		raw, err := os.ReadFile(file)
		require.NoError(t, err)
		var part map[string]germanEntry
		require.NoError(t, json.Unmarshal(raw, &part), file)
		for id, e := range part {
			_, twice := german[id]
			assert.False(t, twice, "%s is in two German files", id)
			german[id] = e
		}
	}

	inCode := map[string]bool{}
	for _, m := range msgs {
		if inCode[m.id] {
			continue
		}
		inCode[m.id] = true
		de, ok := german[m.id]
		if !assert.True(t, ok, "%s: %s has no German", m.at, m.id) {
			continue
		}
		assert.NotEmpty(t, de.Other, "%s: %s has no German", m.at, m.id)
		english := fieldsOf(t, m.id, m.other)
		assert.Equal(t, english, fieldsOf(t, m.id+" (de)", de.Other), "%s: the German reads other fields", m.id)
		if m.one != "" {
			assert.NotEmpty(t, de.One, "%s: %s is plural in English, so in German too", m.at, m.id)
		}
	}
	for id := range german {
		assert.True(t, inCode[id], "the German file has %s, which the code no longer uses", id)
	}
}

// sentence is a string with at least two words in it: what a person reads.
var sentence = regexp.MustCompile(`\p{L}{2,}[,:;.?!']*\s+\p{L}{2,}`)

// verbatim marks words for a program, not a person: "//i18n:verbatim <why>" on a line or the line
// above covers that line, in a declaration's doc comment the whole declaration; e.g. the reason the
// plugin gives Buildbot and reads back.
const verbatim = "//i18n:verbatim "

// verbatimLines lists the lines of a file that a verbatim directive covers.
func (src source) verbatimLines(f *ast.File) map[int]bool {
	lines := map[int]bool{}
	for _, group := range f.Comments {
		for _, c := range group.List {
			if strings.HasPrefix(c.Text, verbatim) {
				line := src.fset.Position(c.Pos()).Line
				lines[line], lines[line+1] = true, true
			}
		}
	}
	for _, decl := range f.Decls {
		var doc *ast.CommentGroup
		switch d := decl.(type) {
		case *ast.GenDecl:
			doc = d.Doc
		case *ast.FuncDecl:
			doc = d.Doc
		}
		if doc == nil || !slices.ContainsFunc(doc.List, func(c *ast.Comment) bool { return strings.HasPrefix(c.Text, verbatim) }) {
			continue
		}
		for line := src.fset.Position(decl.Pos()).Line; line <= src.fset.Position(decl.End()).Line; line++ {
			lines[line] = true
		}
	}
	return lines
}

// notForPeople are the calls whose strings no user reads: errors wrapped for the log, log lines,
// patterns, the HTTP routes' error bodies (for programs, as Buildbot's API words its own). An error
// that reaches a user is worded by the code that tells them.
func notForPeople(call *ast.CallExpr) bool {
	switch fun := call.Fun.(type) {
	case *ast.SelectorExpr:
		name := fun.Sel.Name
		if pkg, ok := fun.X.(*ast.Ident); ok {
			switch pkg.Name + "." + name {
			case "fmt.Errorf", "errors.New", "regexp.MustCompile", "i18n.T", "i18n.Plural":
				return true
			}
		}
		return strings.HasPrefix(name, "Log") || strings.HasPrefix(name, "warn")
	case *ast.Ident:
		return fun.Name == "panic" || fun.Name == "warn" || fun.Name == "writeError"
	}
	return false
}

// untranslated lists the sentences in the code that do not go through a message.
func (src source) untranslated() []string {
	var found []string
	for _, f := range src.files {
		skipLines := src.verbatimLines(f)
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ImportSpec:
				return false
			case *ast.CallExpr:
				if notForPeople(n) {
					return false
				}
			case *ast.Field:
				return n.Tag == nil
			case *ast.BasicLit:
				s, ok := literal(n)
				if ok && sentence.MatchString(s) && !skipLines[src.fset.Position(n.Pos()).Line] {
					found = append(found, src.fset.Position(n.Pos()).String()+": "+strconv.Quote(s))
				}
			}
			return true
		})
	}
	sort.Strings(found)
	return found
}

func TestNoSentenceReachesAPersonWithoutATranslationID(t *testing.T) {
	found := readSource(t, serverDir).untranslated()
	assert.Empty(t, found, "wrap these in i18n.T with an id (or, for log lines and wrapped errors, pass them to the logger or fmt.Errorf):\n%s",
		strings.Join(found, "\n"))
}

func TestTheSentenceCheckFindsAStringWithoutAnID(t *testing.T) {
	dir := t.TempDir()
	code := `package x

import ("fmt"; "errors"; "github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n")

func answer(name string) (string, i18n.Text, error) {
	if name == "" {
		return "", i18n.T("x.empty", "Type a name first."), errors.New("empty name given")
	}
	return fmt.Sprintf("Buildbot has nothing called %s.", name), i18n.Raw(name), fmt.Errorf("look up %s: not found", name)
}

//i18n:verbatim Buildbot reads this back
const reason = "Stopped from chat"

`
	require.NoError(t, os.WriteFile(filepath.Join(dir, "x.go"), []byte(code), 0o600))
	found := readSource(t, dir).untranslated()
	require.Len(t, found, 1)
	assert.Contains(t, found[0], "Buildbot has nothing called")
}

func TestRawAndJoinCarryNoWords(t *testing.T) {
	src := readSource(t, serverDir)
	for _, f := range src.files {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 || !i18nCall(call, "Raw") && !i18nCall(call, "Join") {
				return true
			}
			if s, ok := literal(call.Args[0]); ok {
				assert.NotRegexp(t, `\p{L}{2,}`, s, "%s: words go in a message with an id, not in i18n.Raw or a separator",
					src.fset.Position(call.Pos()))
			}
			return true
		})
	}
}
