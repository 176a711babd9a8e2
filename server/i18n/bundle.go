package i18n

import (
	"encoding/json"
	"fmt"
	"path/filepath"

	mmi18n "github.com/mattermost/mattermost/server/public/pluginapi/i18n"
	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Dir is where the bundle keeps the translations, one active.<locale>.json per language; English
// is the code's own.
const Dir = "assets/i18n"

// Bundle holds the translations the plugin ships. A nil Bundle words everything in English.
type Bundle struct {
	b       *mmi18n.Bundle
	api     mmi18n.PluginAPI
	english *englishTemplates
}

// Load reads the bundle's translations.
func Load(api mmi18n.PluginAPI) (*Bundle, error) {
	b, err := mmi18n.InitBundle(api, Dir)
	if err != nil {
		return nil, fmt.Errorf("load translations from %s: %w", Dir, err)
	}
	return &Bundle{b: b, api: api, english: &englishTemplates{}}, nil
}

// User words texts in the user's language, for what only they see.
func (b *Bundle) User(userID string) Localizer {
	if b == nil {
		return English()
	}
	return b.wrap(b.b.GetUserLocalizer(userID))
}

// Server words texts in the server's default language, for posts everyone in a channel reads:
// Mattermost has no language per channel.
func (b *Bundle) Server() Localizer {
	if b == nil {
		return English()
	}
	return b.wrap(b.b.GetServerLocalizer())
}

func (b *Bundle) wrap(l *mmi18n.Localizer) Localizer {
	return Localizer{l: l, english: b.english, warn: func(id string, err error) {
		b.api.LogWarn("A message could not be worded", "id", id, "error", err.Error())
	}}
}

// Files words texts in locale with the translations in dir, as the bundle would, without a
// Mattermost server: for tests that read the German the plugin ships.
func Files(dir, locale string) (Localizer, error) {
	b := goi18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	files, err := filepath.Glob(filepath.Join(dir, "active.*.json"))
	if err != nil {
		return Localizer{}, fmt.Errorf("list translations in %s: %w", dir, err)
	}
	for _, file := range files {
		if _, err := b.LoadMessageFile(file); err != nil {
			return Localizer{}, fmt.Errorf("load %s: %w", file, err)
		}
	}
	return Localizer{l: goi18n.NewLocalizer(b, locale), english: &englishTemplates{}}, nil
}
