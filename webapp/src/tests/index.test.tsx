import {act, render, screen} from '@testing-library/react';
import type {Post} from '@mattermost/types/posts';
import type {ComponentType} from 'react';
import {IntlProvider} from 'react-intl';

import {translations} from '../translations';
import type {PluginClass, PluginRegistry} from '../types/registry';
import type {Theme} from '../types/theme';

function fakeRegistry(): jest.Mocked<PluginRegistry> {
    return {
        registerPostTypeComponent: jest.fn(),
        registerWebSocketEventHandler: jest.fn(),
        registerReducer: jest.fn(),
        registerTranslations: jest.fn(),
    };
}

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

    new Plugin().initialize(registry, {getState: () => ({})});

    const lookup = registry.registerTranslations.mock.calls[0]?.[0];
    expect(lookup?.('fr')['buildbot.plugin.name']).toBe('Buildbot');
});

test('initialize registers the card for the plugin\'s post type', async () => {
    const {Plugin} = await import('../index');
    const registry = fakeRegistry();

    new Plugin().initialize(registry, {getState: () => ({entities: {general: {config: {SiteURL: 'https://chat.example.com'}}}})});

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
    new Plugin().initialize(registry, {getState: () => ({entities: {general: {config: {SiteURL: 'https://chat.example.com'}}}})});
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
