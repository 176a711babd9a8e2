import {previewsClient} from './client';
import {registerPreviews} from './components/link_previews/register';
import {PREVIEW_EVENT, parsePreviewEvent, parsePreviews, previewLinksOf} from './previews';
import type {PluginRegistry} from './types/registry';

const link = 'https://ci.example.com/#/builders/3/builds/12';
const preview = {version: 1, state: 'building', repo: 'tools', requested_by: '', buildbot_url: link,
    rows: [{builder: 'tools', builder_id: 3, request_id: 41, state: 'building', url: link}]};

test('the marker the server writes names the previewed links; anything else is no preview', () => {
    expect(previewLinksOf({buildbot_previews: {version: 1, links: [link]}})).toEqual([link]);
    for (const props of [{}, {buildbot_previews: {version: 2, links: [link]}}, {buildbot_previews: {version: 1, links: []}},
        {buildbot_previews: {version: 1, links: [3]}}, null]) {
        expect(previewLinksOf(props)).toBeNull();
    }
});

test('the route\'s answer reads as status posts\' props do, and one malformed status refuses it all', () => {
    expect(parsePreviews({previews: [preview]})?.[0]?.rows[0]?.builderId).toBe(3);
    expect(parsePreviews({previews: [preview, {...preview, buildbot_url: 'javascript:alert(1)'}]})).toBeNull();
    expect(parsePreviews({error: 'no previews'})).toBeNull();
});

test('an event names a channel, builders and when it was sent', () => {
    expect(parsePreviewEvent({channel_id: 'c', builder_ids: [3, 4], at: 17})).toEqual({channelId: 'c', builderIds: [3, 4], at: 17});
    expect(parsePreviewEvent({channel_id: 'c', builder_ids: ['3'], at: 17})).toBeNull();
    expect(parsePreviewEvent({builder_ids: [3], at: 17})).toBeNull();
});

test('the client reads a post\'s previews as the signed-in user, after the event it names', async () => {
    const fetchMock = jest.fn<Promise<Response>, Parameters<typeof fetch>>().mockResolvedValue({ok: true, status: 200, json: async () => ({previews: [preview]})} as Response);
    window.fetch = fetchMock;

    const got = await previewsClient('https://chat.example.com')('post1', 1700000000123);

    expect(got[0]?.repo).toBe('tools');
    expect(fetchMock.mock.calls[0]?.[0]).toBe('https://chat.example.com/plugins/buildbot/api/v1/previews/post1?after=1700000000123');
    expect(fetchMock.mock.calls[0]?.[1]).toMatchObject({credentials: 'include', headers: {'X-Requested-With': 'XMLHttpRequest'}});

    fetchMock.mockResolvedValue({ok: false, status: 403, json: async () => ({error: 'You cannot read it.'})} as Response);
    await expect(previewsClient('https://chat.example.com')('post1')).rejects.toThrow('HTTP 403');
});

test('the previews register a component for every message and the plugin\'s event, and hand back what a reconnect does', () => {
    const registry = {
        registerPostTypeComponent: jest.fn(),
        registerWebSocketEventHandler: jest.fn(),
        registerReducer: jest.fn(),
        registerTranslations: jest.fn(),
        registerPostMessageAttachmentComponent: jest.fn(),
        registerReconnectHandler: jest.fn(),
        registerRightHandSidebarComponent: jest.fn(),
        registerChannelHeaderButtonAction: jest.fn(),
    } satisfies PluginRegistry;

    const reconnected = registerPreviews(registry, {getState: () => ({}), dispatch: jest.fn()}, 'https://chat.example.com');

    expect(PREVIEW_EVENT).toBe('custom_buildbot_preview');
    expect(registry.registerWebSocketEventHandler).toHaveBeenCalledWith(PREVIEW_EVENT, expect.any(Function));
    expect(registry.registerPostMessageAttachmentComponent).toHaveBeenCalledWith(expect.any(Function));
    // Mattermost keeps one reconnect handler per plugin, so index.tsx registers the one for all parts.
    expect(reconnected).toEqual(expect.any(Function));
    expect(registry.registerReconnectHandler).not.toHaveBeenCalled();
});
