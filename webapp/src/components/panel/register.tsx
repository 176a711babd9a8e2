import iconUrl from '../../../../assets/icon.svg';
import {panelClient} from '../../client';
import {messages} from '../../messages';
import {PANEL_EVENT, PANEL_SUBSCRIPTIONS_EVENT, parsePanelEvent, parseSubscriptionsEvent} from '../../panel/answers';
import {panelController} from '../../panel/controller';
import {panelReducer, panelSource} from '../../panel/reducer';
import {textOf} from '../../translations';
import type {PluginRegistry, PluginStore} from '../../types/registry';
import {viewerLocale} from '../../viewer';

import {HeaderIcon} from './header_icon';
import {BuildsPanel} from './panel';

// registerPanel puts the builds panel in the right-hand sidebar, opened from the App Bar and the
// channel header, whose button counts the channel's red builders. Its state lives in the plugin's
// reducer; the server's WebSocket events say when to read it again. It returns what to do on a
// reconnect, as Mattermost keeps a single reconnect handler per plugin.
export function registerPanel(registry: PluginRegistry, store: PluginStore, siteURL: string): () => void {
    registry.registerReducer(panelReducer);
    const controller = panelController(panelClient(siteURL), store);
    const source = panelSource(store);
    const Panel = () => (
        <BuildsPanel
            controller={controller}
            source={source}
        />
    );
    // Mattermost shows the title and the tooltips as plain text, worded once at start.
    const title = textOf(viewerLocale(store.getState()), messages.panelTitle);
    const {toggleRHSPlugin} = registry.registerRightHandSidebarComponent(Panel, title);
    const toggle = () => {
        store.dispatch(toggleRHSPlugin);
    };
    // An App Bar icon is an image, so the count is drawn into it, and the icon registered anew
    // when the count changes: with the App Bar shown, Mattermost hides the channel header button.
    let appBarId: string | undefined;
    let appBarCount: number | null | undefined;
    const drawAppBar = () => {
        const count = source.get().redCount;
        if (count === appBarCount) {
            return;
        }
        appBarCount = count;
        if (appBarId) {
            registry.unregisterComponent?.(appBarId);
        }
        appBarId = registry.registerAppBarComponent?.(count ? iconWithCount(iconUrl, count) : iconUrl, toggle, title);
    };
    drawAppBar();
    source.subscribe(drawAppBar);
    registry.registerChannelHeaderButtonAction(
        <HeaderIcon
            source={source}
            iconUrl={iconUrl}
        />,
        toggle,
        title,
        title,
    );
    registry.registerWebSocketEventHandler(PANEL_EVENT, (message) => {
        const event = parsePanelEvent(message.data);
        if (event) {
            controller.buildsChanged(event);
        }
    });
    registry.registerWebSocketEventHandler(PANEL_SUBSCRIPTIONS_EVENT, (message) => {
        const event = parseSubscriptionsEvent(message.data);
        if (event) {
            controller.subscriptionsChanged(event.channelId);
        }
    });
    controller.start();
    return controller.reconnected;
}

// iconWithCount is the icon with a red badge carrying the count, as an SVG data: URL.
export function iconWithCount(icon: string, count: number): string {
    const text = count > 99 ? '99+' : String(count);
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="32" height="32" viewBox="0 0 32 32">' +
        `<image href="${icon}" xlink:href="${icon}" x="0" y="4" width="24" height="24"/>` +
        '<circle cx="23" cy="9" r="9" fill="#d24b4e"/>' +
        `<text x="23" y="13" font-family="sans-serif" font-size="${text.length > 2 ? 8 : 11}" font-weight="700" text-anchor="middle" fill="#ffffff">${text}</text>` +
        '</svg>';
    return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}
