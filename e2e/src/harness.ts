// A page that loads the built webapp bundle the way Mattermost's webapp would: React, ReactDOM and
// ReactIntl as globals, a registerPlugin that records the registry calls, the plugin initialized
// once on load, and a renderer for posts that, like Mattermost, wraps the component in an
// IntlProvider with the plugin's strings for the user's locale and draws the post's attachment buttons after it, in an
// element with Mattermost's id. A post of no plugin's type is drawn as its message followed by the
// components registered for every message (registerPostMessageAttachmentComponent, given the post's
// id, which they read from the store, as Mattermost's PostMessageView does), and deliverEvent hands
// a WebSocket event to the handler the plugin registered for it; renderAdminSetting draws a custom
// System Console setting the plugin registered. The store is a small redux store: dispatch runs
// the plugin's registered reducers on state['plugins-buildbot'], and setCurrentChannel sets the
// channel, team (and user) the webapp shows. renderChannelHeader draws the registered channel
// header buttons, renderRHS opens the registered right-hand sidebar component (under its title,
// the theme's CSS variables set on the page, as Mattermost's webapp sets them), clickAppBar clicks
// a registered App Bar icon, and the sidebar's own show, hide and toggle actions, dispatched, open
// and close it; reconnect runs the reconnect handler. It also forwards /api/v4 and /plugins/ to
// the real Mattermost server, so the card learns the bot's id and its buttons reach the server
// from the same origin with the user's session cookies.
import fs from 'node:fs';
import http from 'node:http';
import type {AddressInfo} from 'node:net';
import path from 'node:path';

import {repoRoot} from './env';

const page = `<!doctype html>
<html><head><meta charset="utf-8"><title>Buildbot card harness</title>
<style>body{margin:0;padding:16px;font:14px/1.4 sans-serif;width:640px}#rhs{width:400px}</style></head>
<body><div id="root"></div><div id="channel-header"></div><div id="rhs"></div>
<script src="/react.js"></script><script src="/react-dom.js"></script><script src="/react-intl.js"></script>
<script>
window.Redux = {}; window.ReactRedux = {}; window.PropTypes = {};
window.registered = {postTypes: {}, translations: null, postMessageAttachments: [], websocket: {}, reconnect: [], adminSettings: {},
    rhs: null, appBar: [], channelHeader: [], reducers: []};
window.registerPlugin = function (id, plugin) { window.plugin = {id: id, instance: plugin}; };
// The store holds the posts drawn, as Mattermost's holds the channel's, the channel, team and user
// shown, and the plugin's own state, and tells its readers of any change.
window.posts = {};
window.current = {channelId: '', teamId: '', userId: ''};
window.pluginState = undefined;
window.storeListeners = [];
function tellStore() { window.storeListeners.forEach(function (l) { l(); }); }
window.store = {
    getState: function () {
        return {
            entities: {general: {config: {SiteURL: location.origin}}, posts: {posts: window.posts},
                channels: {currentChannelId: window.current.channelId}, teams: {currentTeamId: window.current.teamId},
                users: {currentUserId: window.current.userId}},
            'plugins-buildbot': window.pluginState,
        };
    },
    subscribe: function (listener) {
        window.storeListeners.push(listener);
        return function () { window.storeListeners = window.storeListeners.filter(function (l) { return l !== listener; }); };
    },
    dispatch: function (action) {
        if (action.type === 'harness/show_rhs') { drawRHS(true); }
        if (action.type === 'harness/hide_rhs') { drawRHS(false); }
        if (action.type === 'harness/toggle_rhs') { drawRHS(!window.rhsOpen); }
        window.pluginState = window.registered.reducers.reduce(function (state, reducer) { return reducer(state, action); }, window.pluginState);
        tellStore();
        return action;
    },
};
// setCurrentChannel is the user opening a channel of a team; userId, when given, signs them in.
window.setCurrentChannel = function (channelId, teamId, userId) {
    window.current = {channelId: channelId, teamId: teamId, userId: userId || window.current.userId};
    tellStore();
};
// setTheme sets the theme's CSS variables on the page, those it gives; the channel text's RGB
// triplet comes from its hex colour when not given.
var themeVariables = {centerChannelBg: '--center-channel-bg', centerChannelColor: '--center-channel-color',
    centerChannelColorRgb: '--center-channel-color-rgb', linkColor: '--link-color', buttonBg: '--button-bg',
    onlineIndicator: '--online-indicator', awayIndicator: '--away-indicator', errorTextColor: '--error-text'};
function setTheme(theme) {
    var root = document.documentElement.style;
    document.body.style.background = theme.centerChannelBg;
    Object.keys(themeVariables).forEach(function (key) {
        if (theme[key]) { root.setProperty(themeVariables[key], theme[key]); }
    });
    var hex = /^#([0-9a-f]{6})$/i.exec(theme.centerChannelColor || '');
    if (!theme.centerChannelColorRgb && hex) {
        root.setProperty('--center-channel-color-rgb', [0, 2, 4].map(function (i) { return parseInt(hex[1].slice(i, i + 2), 16); }).join(', '));
    }
}
function withIntl(locale, child) {
    return React.createElement(ReactIntl.IntlProvider, {locale: locale, messages: window.registered.translations(locale)}, child);
}
// The sidebar is drawn in the locale renderRHS last gave, and unmounted when closed.
window.rhsOpen = false;
window.rhsLocale = 'en';
function drawRHS(open) {
    var rhs = window.registered.rhs;
    var h = React.createElement;
    window.rhsOpen = open && Boolean(rhs);
    if (!window.rhsRoot) { window.rhsRoot = ReactDOM.createRoot(document.getElementById('rhs')); }
    window.rhsRoot.render(window.rhsOpen ? withIntl(window.rhsLocale, h('div', {id: 'rhs-container', style: {color: 'var(--center-channel-color)'}},
        h('h2', {className: 'sidebar--right__title'}, rhs.title), h(rhs.component))) : null);
}
window.renderRHS = function (theme, locale) {
    setTheme(theme);
    window.rhsLocale = locale || 'en';
    drawRHS(true);
};
// renderChannelHeader draws the header buttons; a click runs the button's action with the channel.
window.renderChannelHeader = function (theme, locale) {
    setTheme(theme);
    var h = React.createElement;
    if (!window.headerRoot) { window.headerRoot = ReactDOM.createRoot(document.getElementById('channel-header')); }
    window.headerRoot.render(withIntl(locale || 'en', h('div', {className: 'channel-header__icons'}, window.registered.channelHeader.map(function (b, i) {
        return h('button', {key: i, type: 'button', title: b.tooltipText, onClick: function () { b.action({id: window.current.channelId}); }}, b.icon);
    }))));
};
window.clickAppBar = function (i) {
    var icon = window.registered.appBar[i];
    if (icon) { icon.action({id: window.current.channelId}, null); }
    return Boolean(icon);
};
window.reconnect = function () { window.registered.reconnect.forEach(function (handler) { handler(); }); };
window.deliverEvent = function (message) {
    var handler = window.registered.websocket[message.event];
    if (handler) { handler(message); }
    return Boolean(handler);
};
window.renderPost = function (post, theme, locale) {
    locale = locale || 'en';
    document.body.style.background = theme.centerChannelBg;
    window.posts = Object.assign({}, window.posts, {[post.id]: post});
    window.storeListeners.forEach(function (l) { l(); });
    var Component = window.registered.postTypes[post.props.type || post.type];
    var h = React.createElement;
    var body = Component ? h(Component, {post: post, theme: theme}) : h('div', null,
        h('p', {className: 'post-message__text'}, post.message),
        window.registered.postMessageAttachments.map(function (C, i) { return h(C, {key: i, postId: post.id, theme: theme}); }));
    var attachments = (post.props.attachments || []).map(function (a, i) {
        return h('div', {key: i, className: 'attachment'}, a.title ? h('span', {className: 'attachment__title'}, a.title) : null,
            (a.actions || []).map(function (action) {
                return h('button', {key: action.id, type: 'button'}, action.name);
            }));
    });
    if (!window.cardRoot) { window.cardRoot = ReactDOM.createRoot(document.getElementById('root')); }
    window.cardRoot.render(h(ReactIntl.IntlProvider, {locale: locale, messages: window.registered.translations(locale)},
        h('div', null, body, h('div', {id: 'messageAttachmentList_' + post.id}, attachments))));
};
// renderAdminSetting draws a custom setting as the System Console does, with Mattermost's theme
// variables on the page, which the System Console's own styles set.
window.renderAdminSetting = function (key, theme, locale) {
    locale = locale || 'en';
    setTheme(theme);
    var Component = window.registered.adminSettings[key];
    var h = React.createElement;
    if (!window.cardRoot) { window.cardRoot = ReactDOM.createRoot(document.getElementById('root')); }
    window.cardRoot.render(h(ReactIntl.IntlProvider, {locale: locale, messages: window.registered.translations(locale)},
        h('div', {id: 'admin-setting-' + key}, Component ? h(Component, {id: key, value: null, disabled: false, onChange: function () {}, setSaveNeeded: function () {}}) : null)));
};
</script>
<script src="/main.js"></script>
<script>
window.plugin.instance.initialize({
    registerPostTypeComponent: function (type, component) { window.registered.postTypes[type] = component; return type; },
    registerPostMessageAttachmentComponent: function (component) { window.registered.postMessageAttachments.push(component); return 'pma'; },
    registerWebSocketEventHandler: function (event, handler) { window.registered.websocket[event] = handler; },
    registerReconnectHandler: function (handler) { window.registered.reconnect.push(handler); },
    registerReducer: function (reducer) {
        window.registered.reducers.push(reducer);
        window.pluginState = reducer(window.pluginState, {type: 'harness/init'});
    },
    registerRightHandSidebarComponent: function (component, title) {
        window.registered.rhs = {component: component, title: title};
        return {id: 'rhs', showRHSPlugin: {type: 'harness/show_rhs'}, hideRHSPlugin: {type: 'harness/hide_rhs'}, toggleRHSPlugin: {type: 'harness/toggle_rhs'}};
    },
    registerAppBarComponent: function (iconUrl, action, tooltipText) {
        window.appBarIds = (window.appBarIds || 0) + 1;
        var id = 'appbar' + window.appBarIds;
        window.registered.appBar.push({id: id, iconUrl: iconUrl, action: action, tooltipText: tooltipText});
        return id;
    },
    unregisterComponent: function (id) {
        window.registered.appBar = window.registered.appBar.filter(function (c) { return c.id !== id; });
    },
    registerChannelHeaderButtonAction: function (icon, action, dropdownText, tooltipText) {
        window.registered.channelHeader.push({icon: icon, action: action, dropdownText: dropdownText, tooltipText: tooltipText});
        return 'header' + window.registered.channelHeader.length;
    },
    registerTranslations: function (getter) { window.registered.translations = getter; },
    registerAdminConsoleCustomSetting: function (key, component) { window.registered.adminSettings[key] = component; },
}, window.store);
</script>
</body></html>`;

const files: Record<string, string> = {
    '/react.js': path.join(repoRoot, 'node_modules', 'react', 'umd', 'react.production.min.js'),
    '/react-dom.js': path.join(repoRoot, 'node_modules', 'react-dom', 'umd', 'react-dom.production.min.js'),
    '/react-intl.js': path.join(repoRoot, 'node_modules', 'react-intl', 'react-intl.iife.js'),
    '/main.js': path.join(repoRoot, 'webapp', 'dist', 'main.js'),
};

export interface Harness {
    url: string;
    close: () => Promise<void>;
}

export async function startHarness(mattermostURL: string): Promise<Harness> {
    const target = new URL(mattermostURL);
    const server = http.createServer((req, res) => {
        const url = req.url ?? '/';
        if (url === '/') {
            res.writeHead(200, {'Content-Type': 'text/html'}).end(page);
            return;
        }
        const file = files[url];
        if (file) {
            res.writeHead(200, {'Content-Type': 'text/javascript'}).end(fs.readFileSync(file));
            return;
        }
        if (!url.startsWith('/api/v4/') && !url.startsWith('/plugins/')) {
            res.writeHead(404).end();
            return;
        }
        const upstream = http.request({host: target.hostname, port: target.port, method: req.method, path: url, headers: {...req.headers, host: target.host}}, (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
        });
        upstream.on('error', () => res.writeHead(502).end());
        req.pipe(upstream);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const {port} = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}/`,
        close: () => new Promise((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
        }),
    };
}
