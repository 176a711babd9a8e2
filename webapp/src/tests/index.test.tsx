import {act, render, screen} from '@testing-library/react';
import type {Post} from '@mattermost/types/posts';
import type {ComponentType} from 'react';
import {IntlProvider} from 'react-intl';

import {translations} from '../translations';
import type {PluginClass, PluginRegistry, RightHandSidebar} from '../types/registry';
import type {Theme} from '../types/theme';

const toggleRHS = {type: 'test/toggle_rhs'};

function fakeRegistry(): jest.Mocked<PluginRegistry> {
    return {
        registerPostTypeComponent: jest.fn(),
        registerWebSocketEventHandler: jest.fn(),
        registerReducer: jest.fn(),
        registerTranslations: jest.fn(),
        registerRightHandSidebarComponent: jest.fn<RightHandSidebar, Parameters<PluginRegistry['registerRightHandSidebarComponent']>>(
            () => ({id: 'rhs1', showRHSPlugin: {type: 'test/show_rhs'}, hideRHSPlugin: {type: 'test/hide_rhs'}, toggleRHSPlugin: toggleRHS})),
        registerChannelHeaderButtonAction: jest.fn(),
    };
}

const onSite = (state: object = {}) => ({getState: () => ({entities: {general: {config: {SiteURL: 'https://chat.example.com'}}}, ...state}), dispatch: jest.fn()});

test('the bundle registers itself under the id from plugin.json', async () => {
    const registered: Array<[string, PluginClass]> = [];
    window.registerPlugin = (id, plugin) => registered.push([id, plugin]);

    await import('../index');

    expect(registered).toHaveLength(1);
    expect(registered[0]?.[0]).toBe('buildbot');
});

test('initialize registers English strings as the fallback for any locale', async () => {
    const {Plugin} = await import('../index');
    const registry = fakeRegistry();

    new Plugin().initialize(registry, {getState: () => ({}), dispatch: jest.fn()});

    const lookup = registry.registerTranslations.mock.calls[0]?.[0];
    expect(lookup?.('fr')['buildbot.plugin.name']).toBe('Buildbot');
});

test('initialize registers the card for the plugin\'s post type', async () => {
    const {Plugin} = await import('../index');
    const registry = fakeRegistry();

    new Plugin().initialize(registry, onSite());

    expect(registry.registerPostTypeComponent).toHaveBeenCalledWith('custom_buildbot_build', expect.any(Function));
});

test('a status post drawn before the server names the bot becomes a card once it does', async () => {
    let respond: (response: Response) => void = () => undefined;
    const fetchMock = jest.fn<Promise<Response>, Parameters<typeof fetch>>(() => new Promise((resolve) => {
        respond = resolve;
    }));
    window.fetch = fetchMock;
    const {Plugin} = await import('../index');
    const registry = fakeRegistry();
    new Plugin().initialize(registry, onSite());
    const BuildPost = registry.registerPostTypeComponent.mock.calls[0]?.[1] as ComponentType<{post: Post; theme: Theme}>;
    const theme: Theme = {
        centerChannelBg: '#ffffff', centerChannelColor: '#3f4350', linkColor: '#386fe5', buttonBg: '#1c58d9', buttonColor: '#ffffff',
        onlineIndicator: '#06d6a0', awayIndicator: '#ffbc1f', dndIndicator: '#d24b4e', errorTextColor: '#d24b4e',
    };
    const build = {version: 1, state: 'failure', repo: 'project-example', requested_by: 'alice', buildbot_url: 'https://ci.example.com/',
        rows: [{builder: 'compile', builder_id: 1, request_id: 7, build_id: 3, number: 12, state: 'failure', url: 'https://ci.example.com/#/builders/1/builds/12'}]};
    const post = {id: 'post1', user_id: 'botuserid1', message: 'compile failed', props: {buildbot_build: build}} as unknown as Post;

    render(
        <IntlProvider locale='en' messages={translations.en}>
            <BuildPost post={post} theme={theme}/>
        </IntlProvider>,
    );
    expect(screen.getByText('compile failed')).toBeInTheDocument();
    expect(screen.queryByRole('button', {name: 'Rebuild'})).not.toBeInTheDocument();

    await act(async () => respond({ok: true, status: 200, json: async () => ({user_id: 'botuserid1'})} as Response));

    expect(screen.getByRole('button', {name: 'Rebuild'})).toBeInTheDocument();
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(fetchMock.mock.calls[0]?.[0]).toBe('https://chat.example.com/plugins/buildbot/api/v1/bot');
});

test('initialize puts the builds panel in the sidebar, opened from the App Bar and the channel header', async () => {
    window.fetch = jest.fn<Promise<Response>, Parameters<typeof fetch>>(() => new Promise(() => undefined));
    const {Plugin} = await import('../index');
    const registry = {...fakeRegistry(), registerAppBarComponent: jest.fn()};
    const store = onSite();

    new Plugin().initialize(registry, store);

    expect(registry.registerReducer).toHaveBeenCalledWith(expect.any(Function));
    expect(registry.registerRightHandSidebarComponent).toHaveBeenCalledWith(expect.any(Function), 'Buildbot builds');
    expect(registry.registerAppBarComponent).toHaveBeenCalledWith(expect.stringMatching(/^data:image\/svg\+xml/), expect.any(Function), 'Buildbot builds');
    expect(registry.registerChannelHeaderButtonAction).toHaveBeenCalledWith(expect.anything(), expect.any(Function), 'Buildbot builds', 'Buildbot builds');
    expect(registry.registerWebSocketEventHandler).toHaveBeenCalledWith('custom_buildbot_panel', expect.any(Function));
    expect(registry.registerWebSocketEventHandler).toHaveBeenCalledWith('custom_buildbot_panel_subscriptions', expect.any(Function));

    registry.registerAppBarComponent.mock.calls[0]?.[1]();
    registry.registerChannelHeaderButtonAction.mock.calls[0]?.[1]();
    expect(store.dispatch.mock.calls.filter(([action]) => action === toggleRHS)).toHaveLength(2);
});

test('a server without an App Bar still gets the channel header button', async () => {
    const {Plugin} = await import('../index');
    const registry = fakeRegistry();

    new Plugin().initialize(registry, onSite());

    expect(registry.registerChannelHeaderButtonAction).toHaveBeenCalledTimes(1);
});

test('a German user gets the panel\'s title in German', async () => {
    const {Plugin} = await import('../index');
    const registry = fakeRegistry();

    new Plugin().initialize(registry, onSite({entities: {users: {currentUserId: 'u1', profiles: {u1: {locale: 'de'}}}}}));

    expect(registry.registerRightHandSidebarComponent).toHaveBeenCalledWith(expect.any(Function), 'Buildbot-Builds');
});

test('one reconnect handler, the only one Mattermost keeps for a plugin, reads the badge again', async () => {
    const fetchMock = jest.fn<Promise<Response>, Parameters<typeof fetch>>(async () => ({ok: true, status: 200, json: async () => ({count: 0})} as Response));
    window.fetch = fetchMock;
    const {Plugin} = await import('../index');
    const registry = {...fakeRegistry(), registerPostMessageAttachmentComponent: jest.fn(), registerReconnectHandler: jest.fn()};
    new Plugin().initialize(registry, onSite({entities: {general: {config: {SiteURL: 'https://chat.example.com'}}, channels: {currentChannelId: 'c1'}, teams: {currentTeamId: 't1'}}}));
    const badgeReads = () => fetchMock.mock.calls.filter(([url]) => String(url).includes('/panel/red_count?channel_id=c1&team_id=t1')).length;
    await act(async () => undefined);
    expect(badgeReads()).toBe(1);

    expect(registry.registerReconnectHandler).toHaveBeenCalledTimes(1);
    registry.registerReconnectHandler.mock.calls[0]?.[0]();
    await act(async () => undefined);

    expect(badgeReads()).toBe(2);
});
