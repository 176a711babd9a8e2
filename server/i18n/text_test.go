package i18n

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"
)

func german(t *testing.T, messages map[string]string) Localizer {
	t.Helper()
	b := goi18n.NewBundle(language.English)
	for id, other := range messages {
		require.NoError(t, b.AddMessages(language.German, &goi18n.Message{ID: id, One: other, Other: other}))
	}
	return Localizer{l: goi18n.NewLocalizer(b, "de"), english: &englishTemplates{}}
}

func TestTextIsWordedInTheReadersLanguage(t *testing.T) {
	de := german(t, map[string]string{
		"test.unknown": "Buildbot kennt `{{.Name}}` nicht.",
		"test.refused": "Nicht gebaut. {{.Why}}",
		"test.why":     "Buildbot antwortet nicht.",
	})
	unknown := T("test.unknown", "Buildbot has nothing called `{{.Name}}`.", "Name", "web-app")
	assert.Equal(t, "Buildbot kennt `web-app` nicht.", de.String(unknown))
	assert.Equal(t, "Buildbot has nothing called `web-app`.", unknown.English())

	nested := T("test.refused", "Not built. {{.Why}}", "Why", T("test.why", "Buildbot does not answer."))
	assert.Equal(t, "Nicht gebaut. Buildbot antwortet nicht.", de.String(nested))
	assert.Equal(t, "Not built. Buildbot does not answer.", nested.English(), "the nested text is worded anew for each reader")
}

func TestAMessageWithoutGermanFallsBackToEnglish(t *testing.T) {
	de := german(t, nil)
	assert.Equal(t, "Type a repo.", de.String(T("test.missing", "Type a repo.")))
}

func TestPluralPicksTheFormForTheCount(t *testing.T) {
	one := Plural("test.builds", "{{.Count}} build", "{{.Count}} builds", 1)
	many := Plural("test.builds", "{{.Count}} build", "{{.Count}} builds", 3)
	assert.Equal(t, "1 build", one.English())
	assert.Equal(t, "3 builds", many.English())
}

func TestJoinKeepsOrderAndDropsEmptyParts(t *testing.T) {
	list := Join("\n- ", Raw("a"), Text{}, T("test.b", "b"), Raw("c"))
	assert.Equal(t, "a\n- b\n- c", list.English())
	assert.True(t, Join(", ").IsZero())
	assert.True(t, Text{}.IsZero())
	assert.Empty(t, Text{}.English())
}

func TestErrorCarriesItsWordsThroughWrapping(t *testing.T) {
	err := fmt.Errorf("force web-app: %w", NewError(T("test.refused_branch", "No builder takes `{{.Branch}}`.", "Branch", "main")))
	text, ok := TextOf(err)
	require.True(t, ok)
	assert.Equal(t, "No builder takes `main`.", text.English())
	assert.Equal(t, "force web-app: No builder takes `main`.", err.Error())
	_, ok = TextOf(errors.New("plain"))
	assert.False(t, ok)
}

func TestANilBundleWordsInEnglish(t *testing.T) {
	var b *Bundle
	text := T("test.hello", "Hello, @{{.User}}.", "User", "ada")
	assert.Equal(t, "Hello, @ada.", b.User("someone").String(text))
	assert.Equal(t, "Hello, @ada.", b.Server().String(text))
}

func TestAfterChangesTheWordedText(t *testing.T) {
	de := german(t, map[string]string{"test.down": "Buildbot unter {{.URL}} antwortet nicht."})
	down := After(T("test.down", "Buildbot at {{.URL}} does not answer.", "URL", "https://ci/"), strings.ToUpper)
	assert.Equal(t, "BUILDBOT UNTER HTTPS://CI/ ANTWORTET NICHT.", de.String(down))
	assert.True(t, After(Text{}, strings.ToUpper).IsZero())
}
