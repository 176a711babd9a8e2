package main

import (
	"context"
	"fmt"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"
	"github.com/mattermost/mattermost/server/public/pluginapi"

	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/access"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/api"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/app"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/authors"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/buildbot"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/catalog"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/command"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/config"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/health"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/i18n"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/notify"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/route"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/subscription"
	"github.com/mattermost-plugin-buildbot/mattermost-plugin-buildbot/server/tracker"
)

// Plugin wires Mattermost's hooks to the packages that do the work.
type Plugin struct {
	plugin.MattermostPlugin

	client   *pluginapi.Client
	snapshot atomic.Pointer[config.Snapshot]
	router   http.Handler
	// postsAllowed keeps the gate's recent answers on where subscriptions may post.
	postsAllowed postsAllowed
	words        *i18n.Bundle
	app          *app.App
	command      *command.Handler
	catalog      *catalog.Catalog
	tracker      *tracker.Tracker
	health       *health.Monitor
	// ticking keeps this node's ticks from overlapping.
	ticking sync.Mutex
	// kicks ask for a tick, merged over kickGap; urgent ones, for a result, at once.
	kicks  chan struct{}
	urgent chan struct{}
	push   *tracker.Push
	// previews shows what pasted Buildbot links point at.
	previews previewing
	// followingEvents and lastScheduledPoll (Unix ms) say what this node does, for the status route.
	followingEvents   atomic.Bool
	lastScheduledPoll atomic.Int64
	// lifetime ends when the plugin is disabled: every poll, refresh and subscription derives its
	// context from it, so none outlives the plugin, whatever the timeouts.
	lifetime context.Context
	stop     context.CancelFunc
	done     sync.WaitGroup
	botID    string
}

// OnActivate runs after OnConfigurationChange has loaded the settings. Bad settings do not stop
// activation: /build and the status route explain them instead.
func (p *Plugin) OnActivate() error {
	p.client = pluginapi.NewClient(p.API, p.Driver)
	p.lifetime, p.stop = context.WithCancel(context.Background())
	words, err := i18n.Load(p.API)
	if err != nil {
		return err
	}

	botID, err := p.client.Bot.EnsureBot(&model.Bot{
		Username:    botUsername,
		DisplayName: "Buildbot",
		Description: words.Server().String(i18n.T("plugin.bot.description", "Posts the builds started with /build and the ones Buildbot announces.")),
	}, pluginapi.ProfileImagePath("assets/icon.png"))
	if err != nil {
		return fmt.Errorf("ensure bot account: %w", err)
	}
	if err := p.checkBotAccount(botID); err != nil {
		return err
	}
	p.botID = botID
	p.words = words

	mm := mattermost{p.client}
	actionURL := route.URL(manifestID, route.Actions)
	subs := &subscription.KVStore{KV: &p.client.KV}
	people := &authors.Directory{KV: &p.client.KV, Users: &p.client.User, EmailsShown: p.emailsShown}
	gate := &access.Gate{MM: mm}
	personal := &notify.Store{KV: &p.client.KV}
	notifier := &notify.Notifier{Store: personal, MM: mm, Users: people, BotID: botID, Words: words, SiteURL: p.siteURL, Log: p.API,
		May: func(userID, channelID, teamID string) bool {
			_, err := gate.Check(p.currentSnapshot(), access.Request{Action: access.View, UserID: userID, ChannelID: channelID, TeamID: teamID})
			return err == nil
		}}
	p.tracker = &tracker.Tracker{Store: &tracker.KVStore{KV: &p.client.KV}, Posts: mm, ActionURL: actionURL, BotID: botID, Log: p.API, Subs: subs, Users: people,
		Words: words, Notify: notifier}
	p.health = &health.Monitor{Store: health.KVStore{KV: &p.client.KV}, Subs: subs, Posts: mm, BotID: botID, Log: p.API, Words: words}
	p.catalog = catalog.New(p.catalogSource, catalog.KVShared{KV: &p.client.KV})
	board, panelLive := p.startPanel()
	p.app = &app.App{
		Snapshot: p.currentSnapshot, Catalog: p.catalog, MM: mm, BotID: botID,
		Tracker: p.tracker, ActionURL: actionURL, Once: mm, Log: p.API,
		Subs: subs, Dialogs: mm, FormURL: route.URL(manifestID, route.BuildForm), Words: words,
		Gate: gate, Authors: people, Notify: personal, SiteURL: p.siteURL,
		Board: board, ChatPosts: &tracker.KVStore{KV: &p.client.KV}, Publish: p.API.PublishWebSocketEvent,
		PostsChanged: panelLive.PostsChanged,
	}
	p.tracker.PostsChanged = panelLive.PostsChanged
	p.command = &command.Handler{App: p.app, Words: words}
	if err := p.client.SlashCommand.Register(command.Definition(words.Server())); err != nil {
		return fmt.Errorf("register /%s: %w", command.Trigger, err)
	}
	p.previews = p.startPreviews()
	p.router = api.NewRouter(api.Deps{
		Snapshot:    p.currentSnapshot,
		Permissions: mm,
		Actions:     p.app,
		Forms:       p.app,
		Rules:       p.app,
		Me:          p.app,
		Lists:       &command.Lists{Catalog: p.catalog, Subs: subs, Words: words},
		Previews:    p.previews.app,
		Panel:       p.app,
		BotID:       botID,
		PluginID:    manifestID,
		Version:     manifestVersion,
		Node:        p.nodeStatus,
		Events:      p.eventsStatus,
		Words:       words,
		Log:         p.API,
	})
	p.push = &tracker.Push{
		Source: func() *buildbot.Client {
			snap := p.currentSnapshot()
			if !snap.Ready() || !snap.Config.PushEnabled() {
				return nil
			}
			return snap.Buildbot
		},
		Kick: p.kick,
		Notice: func(e buildbot.Event) tracker.Need {
			need := p.tracker.Notice(e)
			p.previews.live.Notice(e)
			panelLive.Notice(e)
			if p.health.Notice(e) {
				need = max(need, tracker.TickSoon)
			}
			return need
		},
		OnError: func(err error) { p.API.LogDebug("Buildbot's event stream ended", "error", err.Error()) },
		OnState: p.noteEvents,
		OnPanic: func(v any, stack []byte) { p.logPanic(v, stack, "job", "event-follow") },
	}
	p.kicks, p.urgent = make(chan struct{}, 1), make(chan struct{}, 1)
	p.done.Add(3)
	go p.pollOnKick(p.lifetime)
	go p.lead(p.lifetime)
	go func() {
		defer p.done.Done()
		defer p.recoverPanic("catalog-follow")
		// The leader shares a new index at each catalog refresh, so looking more often finds
		// nothing new: at the poll interval it was a KV read a tick on every server. A name the
		// index lacks refreshes it at once anyway (app.index).
		p.catalog.Follow(p.lifetime,
			func() time.Duration { return p.currentSnapshot().Config.CatalogRefresh() },
			func() time.Duration { return p.currentSnapshot().Config.RequestTimeout() },
			func(err error) { p.API.LogDebug("Refreshing what Buildbot can build failed", "error", err.Error()) },
			func(v any, stack []byte) { p.logPanic(v, stack, "job", "catalog-follow") },
		)
	}()
	return nil
}

// siteURL is Mattermost's address, for links to posts.
func (p *Plugin) siteURL() string {
	if url := p.API.GetConfig().ServiceSettings.SiteURL; url != nil {
		return strings.TrimSuffix(*url, "/")
	}
	return ""
}

// botUsername is the account the plugin posts as.
const botUsername = "buildbot"

// checkBotAccount refuses to run as a person. Mattermost's EnsureBot hands back the id of a
// person's account that already has the bot's username, and only logs it: the plugin would then
// post as that person, and take every post the person writes for its own status posts.
func (p *Plugin) checkBotAccount(userID string) error {
	user, appErr := p.API.GetUser(userID)
	if appErr != nil {
		return fmt.Errorf("read the bot account: %w", appErr)
	}
	if !user.IsBot {
		return fmt.Errorf("the username @%s belongs to a person's account, and the plugin posts as a bot of that name: "+
			"rename that account (System Console > User Management > Users), or make it the bot with "+
			"`mattermost user convert %s --bot`, then enable the plugin again", botUsername, botUsername)
	}
	return nil
}

// OnDeactivate stops the background work within moments: the lifetime's end cancels whatever
// waits on Buildbot, so nothing waits out a timeout, and the leader lock goes to another node. Tracked builds stay in
// the KV store and are picked up again on activation.
func (p *Plugin) OnDeactivate() error {
	if p.stop != nil {
		p.stop()
	}
	p.done.Wait()
	return nil
}

// catalogSource gives the catalog the Buildbot of the settings in force.
func (p *Plugin) catalogSource() catalog.Setup {
	return catalog.SetupFor(p.currentSnapshot())
}

// OnConfigurationChange swaps in a new snapshot of the settings. It never fails on bad values, so
// the plugin keeps running and can say what is wrong.
func (p *Plugin) OnConfigurationChange() error {
	raw := new(config.Configuration)
	if err := p.API.LoadPluginConfiguration(raw); err != nil {
		p.API.LogError("The Buildbot plugin could not read its settings", "error", err.Error())
		raw = new(config.Configuration)
	}
	snap := config.NewSnapshot(raw)
	for _, problem := range snap.Problems {
		p.API.LogWarn("Buildbot plugin setting needs attention", "setting", problem.Setting, "problem", problem.Message.English())
	}
	p.snapshot.Store(snap)
	// The catalog and the event stream belong to the Buildbot of the old settings: renew them.
	if p.catalog != nil {
		p.catalog.Reset()
		go p.refreshCatalog()
	}
	if p.push != nil {
		p.push.Restart()
	}
	return nil
}

func (p *Plugin) currentSnapshot() *config.Snapshot {
	if snap := p.snapshot.Load(); snap != nil {
		return snap
	}
	return config.NewSnapshot(new(config.Configuration))
}

// emailsShown says whether Mattermost shows users' e-mail addresses to one another.
func (p *Plugin) emailsShown() bool {
	cfg := p.API.GetConfig()
	return cfg != nil && cfg.PrivacySettings.ShowEmailAddress != nil && *cfg.PrivacySettings.ShowEmailAddress
}

// ExecuteCommand answers /build. A panic is answered too: the user is told it failed and the
// server log has why.
func (p *Plugin) ExecuteCommand(_ *plugin.Context, args *model.CommandArgs) (resp *model.CommandResponse, _ *model.AppError) {
	defer func() {
		if v := recover(); v != nil {
			p.logPanic(v, debug.Stack(), "command", args.Command, "user_id", args.UserId)
			text := i18n.T("plugin.command.panicked", "`/build` failed on an unexpected error, which the Mattermost server log records. "+
				"Check whether what you asked for happened before you try again.")
			resp = &model.CommandResponse{ResponseType: model.CommandResponseTypeEphemeral, Text: p.words.User(args.UserId).String(text)}
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout(p.currentSnapshot().Config))
	defer cancel()
	text := p.command.Execute(ctx, args)
	return &model.CommandResponse{ResponseType: model.CommandResponseTypeEphemeral, Text: text}, nil
}

// ServeHTTP serves the routes of package api, whose router recovers a panic into a 500.
func (p *Plugin) ServeHTTP(_ *plugin.Context, w http.ResponseWriter, r *http.Request) {
	p.router.ServeHTTP(w, r)
}

// commandTimeout bounds a whole /build by the request timeout the admin chose: the user is
// waiting, and a slow Buildbot must be reported within it, however many calls the command makes.
func commandTimeout(cfg *config.Configuration) time.Duration {
	return cfg.RequestTimeout()
}
