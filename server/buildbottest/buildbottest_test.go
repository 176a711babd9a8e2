package buildbottest

import (
	"context"
	"io"
	"net/http"
	"reflect"
	"testing"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
)

// Worker must build what the client reads from Buildbot's own reply, and the fake must serve it so
// the client reads it back the same, or the tests that read workers would feed the plugin a shape
// Buildbot never sends.
func TestFakeBuildbotAnswersAsBuildbotDoes(t *testing.T) {
	const reply = `{"workers":[
		{"workerid":1,"name":"w1","connected_to":[{"masterid":1}],"configured_on":[{"builderid":5,"masterid":1}]},
		{"workerid":2,"name":"w2","connected_to":[],"configured_on":[]}],"meta":{"total":2}}`
	want := []buildbot.Worker{Worker(1, true, 5), Worker(2, false)}
	original := NewClient(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, reply)
	}))
	fake := (&Server{Workers: want}).Client(t)
	for name, c := range map[string]*buildbot.Client{"Buildbot": original, "the fake": fake} {
		got, err := c.Workers(context.Background())
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: Workers = %+v, %v, want %+v", name, got, err, want)
		}
	}
}
