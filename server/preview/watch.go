package preview

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"
)

// A preview of a running build, or of a builder, changes after its message was posted. The node
// that posted it is not always the one that follows Buildbot's events, so the channels that show
// such previews are kept in the KV store, under one key, by builder: an event about a build
// (which names its builder) is then a lookup in memory, whatever the number of previews.

// WatchFor is how long a channel hears of a builder's builds after a message there previewed
// one. The webapp reads a card's state when it draws it anyway; this only keeps it live.
const WatchFor = 24 * time.Hour

// maxWatches bounds the list: past it, the watches closest to their end go first.
const maxWatches = 1000

// watchesKey is the KV key of the list.
const watchesKey = "preview_watches"

// KV is the part of the plugin API's KV store the watches use.
type KV interface {
	Get(key string, o any) error
	SetAtomicWithRetries(key string, valueFunc func(oldValue []byte) (newValue any, err error)) error
}

// Watch is one channel showing previews of a builder's builds, until Until (Unix seconds).
type Watch struct {
	BuilderID int    `json:"b"`
	ChannelID string `json:"c"`
	Until     int64  `json:"u"`
}

// Watches keeps which channels show live previews of which builders.
type Watches struct {
	KV KV
	// Now is the clock; nil is time.Now.
	Now func() time.Time

	mu sync.Mutex
	// noted remembers what this node wrote lately, so a channel that pastes link after link to one
	// builder writes once an hour, not once a message.
	noted map[Watch]time.Time
	// wrote is when this node last wrote the list: a list read before is out of date here at once,
	// while another node's write is seen once the list is read again.
	wrote time.Time
}

func (w *Watches) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

// Add notes that a channel shows live previews of these builders, for WatchFor.
func (w *Watches) Add(channelID string, builderIDs []int) error {
	now := w.now()
	var fresh []int
	w.mu.Lock()
	if w.noted == nil {
		w.noted = map[Watch]time.Time{}
	}
	for _, id := range builderIDs {
		key := Watch{BuilderID: id, ChannelID: channelID}
		if at, ok := w.noted[key]; !ok || now.Sub(at) > time.Hour {
			fresh = append(fresh, id)
		}
	}
	w.mu.Unlock()
	if len(fresh) == 0 {
		return nil
	}
	until := now.Add(WatchFor).Unix()
	err := w.KV.SetAtomicWithRetries(watchesKey, func(old []byte) (any, error) {
		list := decode(old)
		list = slices.DeleteFunc(list, func(x Watch) bool {
			return x.Until <= now.Unix() || (x.ChannelID == channelID && slices.Contains(fresh, x.BuilderID))
		})
		for _, id := range fresh {
			list = append(list, Watch{BuilderID: id, ChannelID: channelID, Until: until})
		}
		if len(list) > maxWatches {
			slices.SortStableFunc(list, func(a, b Watch) int { return int(b.Until - a.Until) })
			list = list[:maxWatches]
		}
		return json.Marshal(list)
	})
	if err != nil {
		return fmt.Errorf("note previews of builders %v in channel %s: %w", fresh, channelID, err)
	}
	w.mu.Lock()
	w.wrote = time.Now()
	for _, id := range fresh {
		w.noted[Watch{BuilderID: id, ChannelID: channelID}] = now
	}
	if len(w.noted) > maxWatches {
		w.noted = map[Watch]time.Time{}
	}
	w.mu.Unlock()
	return nil
}

// writtenSince says whether this node wrote the list after t.
func (w *Watches) writtenSince(t time.Time) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.wrote.After(t)
}

// List reads the watches that have not ended, by builder.
func (w *Watches) List() (map[int][]string, error) {
	var raw []byte
	if err := w.KV.Get(watchesKey, &raw); err != nil {
		return nil, fmt.Errorf("read the channels that show previews: %w", err)
	}
	now := w.now().Unix()
	byBuilder := map[int][]string{}
	for _, x := range decode(raw) {
		if x.Until > now && !slices.Contains(byBuilder[x.BuilderID], x.ChannelID) {
			byBuilder[x.BuilderID] = append(byBuilder[x.BuilderID], x.ChannelID)
		}
	}
	return byBuilder, nil
}

// decode reads the stored list; what does not read is an empty list, which the next write mends.
func decode(raw []byte) []Watch {
	var list []Watch
	if len(raw) > 0 && json.Unmarshal(raw, &list) != nil {
		return nil
	}
	return list
}
