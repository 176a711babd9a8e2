package api

import (
	"fmt"
	"net/http"
	"runtime/debug"
	"sync"
)

// Logger hears of what went wrong serving a request.
type Logger interface {
	LogError(msg string, keyValuePairs ...any)
}

// withRecovery answers a request whose handler panicked with a 500 and logs the panic with what was
// asked: the plugin runs as one process, and a panic left to rise would end it for every user.
func withRecovery(log Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			stack := debug.Stack()
			if carried, ok := v.(*carriedPanic); ok {
				v, stack = carried.value, carried.stack
			}
			if log != nil {
				log.LogError("A request to the Buildbot plugin panicked", "method", r.Method, "path", r.URL.Path,
					"user_id", r.Header.Get(userHeader), "panic", fmt.Sprint(v), "stack", string(stack))
			}
			writeError(w, http.StatusInternalServerError, "the plugin failed on an unexpected error; the Mattermost server log has the details")
		}()
		next.ServeHTTP(w, r)
	})
}

// carriedPanic is a panic raised again on the request's goroutine, with the stack where it happened.
type carriedPanic struct {
	value any
	stack []byte
}

// inParallel runs fs at once and waits for them all. A panic in one is raised again here, on the
// request's goroutine, where withRecovery answers it: on a goroutine of its own it would end the plugin.
func inParallel(fs ...func()) {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first *carriedPanic
	)
	for _, f := range fs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if v := recover(); v != nil {
					mu.Lock()
					defer mu.Unlock()
					if first == nil {
						first = &carriedPanic{value: v, stack: debug.Stack()}
					}
				}
			}()
			f()
		}()
	}
	wg.Wait()
	if first != nil {
		panic(first)
	}
}
