package panel

import (
	"slices"
	"sync"
)

// readOnce keeps what Buildbot said of things that never change once they exist (a buildset, a
// build's changes), so each is read once, however many reads of the board show it. The ids are
// those of one Buildbot: another one's same ids are other things.
type readOnce[V any] struct {
	mu     sync.Mutex
	source string
	known  map[int]V
}

// maxRemembered bounds what a readOnce keeps between reads of the board.
const maxRemembered = 2000

// fill reads from the Buildbot source names, at once, up to most of the ids it does not know yet;
// the others wait for a later read of the board. A read that fails is tried again next time.
func (c *readOnce[V]) fill(source string, ids []int, most int, read func(id int) (V, error)) {
	c.mu.Lock()
	if c.source != source {
		c.source, c.known = source, nil
	}
	var due []int
	for _, id := range ids {
		if _, ok := c.known[id]; !ok && !slices.Contains(due, id) && len(due) < most {
			due = append(due, id)
		}
	}
	c.mu.Unlock()
	var wg sync.WaitGroup
	for _, id := range due {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := read(id)
			if err != nil {
				return
			}
			c.mu.Lock()
			defer c.mu.Unlock()
			if c.source != source {
				return
			}
			if c.known == nil || len(c.known) >= maxRemembered {
				c.known = map[int]V{}
			}
			c.known[id] = v
		}()
	}
	wg.Wait()
}

// get is what was read of id, if it was.
func (c *readOnce[V]) get(id int) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.known[id]
	return v, ok
}
