package buildlog

import "strings"

// maxFailed bounds the tests a report names; Counts keeps the runner's own total.
const maxFailed = 200

// failedTests collects the names of failed tests in order of first appearance, each once, up to
// maxFailed of them.
type failedTests struct {
	names []string
	// state is listed or dropped for each name met, so that neither comes back.
	state map[string]nameState
}

type nameState int

const (
	listed nameState = iota + 1
	dropped
)

func (f *failedTests) add(name string) {
	if name == "" || f.state[name] != 0 || len(f.names) >= maxFailed {
		return
	}
	if f.state == nil {
		f.state = map[string]nameState{}
	}
	f.state[name] = listed
	f.names = append(f.names, name)
}

// drop takes a name off the list for good, as when a subtest names the failure more precisely
// than its parent.
func (f *failedTests) drop(name string) {
	switch f.state[name] {
	case dropped:
		return
	case listed:
		for i, n := range f.names {
			if n == name {
				f.names = append(f.names[:i], f.names[i+1:]...)
				break
			}
		}
	}
	if f.state == nil {
		f.state = map[string]nameState{}
	}
	f.state[name] = dropped
}

func (f *failedTests) len() int { return len(f.names) }

// tests is the list as Report has it: nil when empty, and with names of their own, so that a
// report kept does not keep the log.
func (f *failedTests) tests() []Test {
	if len(f.names) == 0 {
		return nil
	}
	tests := make([]Test, len(f.names))
	for i, n := range f.names {
		tests[i] = Test{Name: strings.Clone(n)}
	}
	return tests
}
