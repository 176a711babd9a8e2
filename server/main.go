package main

import (
	"os"
	"runtime/debug"

	"github.com/mattermost/mattermost/server/public/plugin"
)

// gcPercent is the garbage collector's target: the heap grows to one and a half times what is
// live, not twice (Go's default). The plugin holds the builds it follows in memory, and at ten
// thousand of them the default's headroom alone was 20 MB; collecting more often costs a few
// milliseconds a tick. GOGC in the environment overrides it.
const gcPercent = 50

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	plugin.ClientMain(&Plugin{})
}
