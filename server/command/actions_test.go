package command

import (
	"context"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/config"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/post"
)

func click(h *Handler, user, postID, action string) string {
	return h.Act(context.Background(), &model.PostActionIntegrationRequest{UserId: user, PostId: postID, TeamId: "t",
		Context: map[string]any{"action": action}})
}

func TestButtonsOfABuildOnAnotherBuildbotAreRefusedAndSendNothing(t *testing.T) {
	before, now := &fakeBuildbot{}, &fakeBuildbot{}
	mm := newMM()
	if got := run(handlerFor(&config.Configuration{BuildbotURL: before.serve(t)}, mm), "alice", "builds", "/build tools"); got != "" {
		t.Fatal(got)
	}
	// The build ran and finished there, so both buttons would have something to act on.
	status := mm.posts[0]
	props, _ := post.Decode(status)
	props.Rows[0].BuildID, props.Rows[0].State = 9, post.StateFailure
	post.Apply(status, props, "/x")
	running := &model.Post{Id: model.NewId(), ChannelId: "builds"}
	props.Rows[0].State = post.StateBuilding
	post.Apply(running, props, "/x")
	mm.posts = append(mm.posts, running)

	h := handlerFor(&config.Configuration{BuildbotURL: now.serve(t)}, mm)
	for _, c := range []struct{ postID, action string }{{status.Id, post.ActionRebuild}, {running.Id, post.ActionStop}} {
		if got := click(h, "alice", c.postID, c.action); !strings.Contains(got, "ran on a Buildbot the plugin no longer uses") {
			t.Errorf("%s answered %q", c.action, got)
		}
	}
	if now.controls != 0 || len(mm.posts) != 2 {
		t.Fatalf("%d control calls to the Buildbot in use, %d posts", now.controls, len(mm.posts))
	}
}

func TestStopOnABuildOfTheBuildbotInUseReachesIt(t *testing.T) {
	bb := &fakeBuildbot{}
	mm := newMM()
	h := handlerFor(&config.Configuration{BuildbotURL: bb.serve(t)}, mm)
	if got := run(h, "alice", "builds", "/build tools"); got != "" {
		t.Fatal(got)
	}
	forced := bb.controls

	click(h, "alice", mm.posts[0].Id, post.ActionStop)

	if bb.controls != forced+1 {
		t.Fatalf("Stop made %d control calls", bb.controls-forced)
	}
}
