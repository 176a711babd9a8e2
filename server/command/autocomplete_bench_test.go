package command

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/catalog"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
)

// A keystroke of /build must answer at once however large the Buildbot. `make bench` prints the
// cost per keystroke for catalogs of growing size.
func BenchmarkAutocomplete(b *testing.B) {
	// Like the plugin's bundle, one localizer keeps its templates parsed across keystrokes.
	english := i18n.English()
	for _, size := range []struct{ repos, branches int }{{10, 10}, {200, 100}, {200, 2000}} {
		src := catalog.Sources{}
		for r := 0; r < size.repos; r++ {
			src.Builders = append(src.Builders, buildbot.Builder{BuilderID: r + 1, Name: fmt.Sprintf("repo-%03d", r), MasterIDs: []int{1}})
		}
		for i := 0; i < size.branches; i++ {
			v, _ := json.Marshal(fmt.Sprintf("feature/branch-%04d", i))
			src.Builds = append(src.Builds, buildbot.Build{BuilderID: 1, StartedAt: buildbot.Time(i), Properties: buildbot.Properties{"branch": {Value: v}}})
		}
		ix := catalog.Build(src, time.Now())
		b.Run(fmt.Sprintf("first word, %d repos", size.repos), func(b *testing.B) {
			for range b.N {
				Suggest(ix, "build ", "build ", nil, english)
			}
		})
		b.Run(fmt.Sprintf("branches, %d of them", size.branches), func(b *testing.B) {
			for range b.N {
				Suggest(ix, "build repo-000 ", "build repo-000 ", nil, english)
			}
		})
	}
}
