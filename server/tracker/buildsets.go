package tracker

import (
	"context"
	"errors"
	"fmt"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
)

// buildsets finds, for one discover, the buildset of a subscribed build and which channels follow
// its requests already: a push's builds start one by one, and only the first of each buildset
// costs reads.
type buildsets struct {
	store  Store
	source string
	// following holds the requests each channel follows in a subscribed entry, read from the
	// store at first need.
	following map[channelRequest]bool
	// read holds the buildsets read during this discover, by each of their requests.
	read map[int]buildset
}

type channelRequest struct {
	channelID string
	requestID int
}

// buildset is a Buildbot buildset and its build requests, one per builder it runs on; id is 0
// when it could not be read.
type buildset struct {
	id       int
	requests []buildbot.BuildRequest
}

func newBuildsets(store Store, source string) *buildsets {
	return &buildsets{store: store, source: source, read: map[int]buildset{}}
}

// followed says whether a channel follows a build request already. A store that cannot list its
// entries says no: the entry's id still makes one per channel and buildset.
func (f *buildsets) followed(channelID string, requestID int) bool {
	if f.following == nil {
		f.following = map[channelRequest]bool{}
		all, err := f.store.List()
		if err == nil {
			for _, tr := range all {
				if tr.Watch != nil && tr.Props.From(f.source) {
					f.follow(tr.ChannelID, tr)
				}
			}
		}
	}
	return f.following[channelRequest{channelID, requestID}]
}

// follow notes the requests of a channel's entry.
func (f *buildsets) follow(channelID string, tr *Tracked) {
	for _, r := range tr.Props.Rows {
		f.following[channelRequest{channelID, r.RequestID}] = true
	}
}

// errNoBuildset is a build request Buildbot lists in no buildset it answers for.
var errNoBuildset = errors.New("no buildset lists the build request")

// of reads the buildset of a build request, with all its requests, in two reads.
func (f *buildsets) of(ctx context.Context, bb *buildbot.Client, requestID int) (buildset, error) {
	if set, ok := f.read[requestID]; ok {
		return set, nil
	}
	own, err := bb.BuildRequests(ctx, buildbot.Query{Filters: []buildbot.Filter{buildbot.Where("buildrequestid", "eq", requestID)}})
	if err != nil {
		return buildset{}, fmt.Errorf("read build request %d: %w", requestID, err)
	}
	if len(own) == 0 {
		return buildset{}, fmt.Errorf("read build request %d: %w", requestID, errNoBuildset)
	}
	requests, err := bb.BuildRequests(ctx, buildbot.Query{Filters: []buildbot.Filter{buildbot.Where("buildsetid", "eq", own[0].BuildsetID)},
		Order: []string{"buildrequestid"}})
	if err != nil {
		return buildset{}, fmt.Errorf("read the build requests of buildset %d: %w", own[0].BuildsetID, err)
	}
	set := buildset{id: own[0].BuildsetID, requests: requests}
	for _, r := range requests {
		f.read[r.BuildRequestID] = set
	}
	if _, ok := f.read[requestID]; !ok {
		return buildset{}, fmt.Errorf("read buildset %d of build request %d: %w", set.id, requestID, errNoBuildset)
	}
	return set, nil
}
