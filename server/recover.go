package main

import (
	"fmt"
	"runtime/debug"
)

// The plugin runs as one process: a panic left to rise in a hook or on a goroutine of its own
// would end it, and /build, the buttons and the status posts with it, for every user. Each entry
// point recovers.

// logPanic logs a panic the plugin recovered from, with the stack where it happened and what it was
// doing, as name, value pairs.
func (p *Plugin) logPanic(value any, stack []byte, doing ...any) {
	p.API.LogError("The Buildbot plugin recovered from a panic",
		append(doing, "panic", fmt.Sprint(value), "stack", string(stack))...)
}

// recoverPanic, deferred by background work, logs a panic and lets the work go on at its next turn.
func (p *Plugin) recoverPanic(job string) {
	if v := recover(); v != nil {
		p.logPanic(v, debug.Stack(), "job", job)
	}
}
