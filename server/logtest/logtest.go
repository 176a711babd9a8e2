// Package logtest records what code under test logs, for unit tests that check a log line.
package logtest

import "sync"

// Errors records each LogError call as its message ("msg") and its name, value pairs.
type Errors struct {
	mu    sync.Mutex
	lines []map[string]string
}

// LogError records one line.
func (l *Errors) LogError(msg string, keyValuePairs ...any) {
	line := map[string]string{"msg": msg}
	for i := 0; i+1 < len(keyValuePairs); i += 2 {
		name, _ := keyValuePairs[i].(string)
		line[name], _ = keyValuePairs[i+1].(string)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, line)
}

// Logged is every line recorded so far.
func (l *Errors) Logged() []map[string]string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]map[string]string(nil), l.lines...)
}
