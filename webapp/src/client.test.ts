import {fetchBotUserId, meSettingsClient, panelClient, PluginRefusal, pluginStatusClient, postActionClient, refusalText, type PanelClient} from './client';

function answer(status: number, body: unknown): Response {
    return {ok: status >= 200 && status < 300, status, json: async () => body} as Response;
}

describe('fetchBotUserId', () => {
    test('asks the plugin\'s route on the site with the header Mattermost wants before it trusts the session cookie', async () => {
        const fetchMock = jest.fn<Promise<Response>, Parameters<typeof fetch>>().mockResolvedValue(answer(200, {user_id: 'botuserid1'}));
        window.fetch = fetchMock;

        expect(await fetchBotUserId('https://chat.example.com/team-chat')).toBe('botuserid1');
        expect(fetchMock).toHaveBeenCalledWith('https://chat.example.com/team-chat/plugins/buildbot/api/v1/bot', {headers: {'X-Requested-With': 'XMLHttpRequest'}});
    });

    test.each([
        ['a refusal', () => Promise.resolve(answer(401, {error: 'log in to Mattermost first'}))],
        ['an answer without an id', () => Promise.resolve(answer(200, {user_id: 7}))],
        ['an empty id', () => Promise.resolve(answer(200, {user_id: ''}))],
        ['an answer that is not JSON', () => Promise.resolve({ok: true, status: 200, json: () => Promise.reject(new SyntaxError('Unexpected token <'))} as Response)],
        ['a network failure', () => Promise.reject(new TypeError('Failed to fetch'))],
    ])('knows no bot after %s', async (_, respond) => {
        window.fetch = jest.fn<Promise<Response>, Parameters<typeof fetch>>(respond);

        expect(await fetchBotUserId('https://chat.example.com')).toBeNull();
    });
});

describe('postActionClient', () => {
    afterEach(() => {
        document.cookie = 'MMCSRF=; expires=Thu, 01 Jan 1970 00:00:00 GMT';
    });

    test('posts the click to Mattermost\'s post-action route with the session, the script header and the CSRF token', async () => {
        document.cookie = 'MMCSRF=csrf-token-1';
        const fetchMock = jest.fn<Promise<Response>, Parameters<typeof fetch>>().mockResolvedValue(answer(200, {}));
        window.fetch = fetchMock;

        await postActionClient('https://chat.example.com/team-chat')('post1', 'rebuild');

        expect(fetchMock).toHaveBeenCalledWith('https://chat.example.com/team-chat/api/v4/posts/post1/actions/rebuild', {
            method: 'POST',
            credentials: 'include',
            headers: {'Content-Type': 'application/json', 'X-Requested-With': 'XMLHttpRequest', 'X-CSRF-Token': 'csrf-token-1'},
            body: JSON.stringify({selected_option: ''}),
        });
    });

    test('a refusal throws the server\'s words, or the status when it has none', async () => {
        window.fetch = jest.fn<Promise<Response>, Parameters<typeof fetch>>().mockResolvedValue(answer(403, {message: 'You do not have the appropriate permissions.'}));
        await expect(postActionClient('https://chat.example.com')('post1', 'stop')).rejects.toThrow('You do not have the appropriate permissions.');

        window.fetch = jest.fn<Promise<Response>, Parameters<typeof fetch>>().mockResolvedValue(
            {ok: false, status: 502, json: () => Promise.reject(new SyntaxError('Unexpected token <'))} as Response);
        await expect(postActionClient('https://chat.example.com')('post1', 'stop')).rejects.toThrow('HTTP 502');
    });
});

describe('panelClient', () => {
    const where = {channelId: 'c1', teamId: 't1'};
    const base = 'https://chat.example.com/plugins/buildbot/api/v1/panel';
    let fetchMock: jest.Mock<Promise<Response>, Parameters<typeof fetch>>;
    const client = () => panelClient('https://chat.example.com');

    beforeEach(() => {
        document.cookie = 'MMCSRF=csrf-token-1';
        fetchMock = jest.fn<Promise<Response>, Parameters<typeof fetch>>().mockResolvedValue(answer(200, {message: 'Done.'}));
        window.fetch = fetchMock;
    });

    afterEach(() => {
        document.cookie = 'MMCSRF=; expires=Thu, 01 Jan 1970 00:00:00 GMT';
    });

    test('reads the builds for the channel as the signed-in user, no older than the event that asked', async () => {
        fetchMock.mockResolvedValue(answer(200, {read_at: 5, repos: [], red: [], red_count: 2}));

        expect(await client().builds(where, 1765000000000)).toEqual({readAt: 5, repos: [], red: [], redCount: 2});
        expect(fetchMock).toHaveBeenCalledWith(`${base}/builds?channel_id=c1&team_id=t1&after=1765000000000`,
            {credentials: 'include', headers: {'X-Requested-With': 'XMLHttpRequest'}});

        await client().builds(where);
        expect(fetchMock).toHaveBeenLastCalledWith(`${base}/builds?channel_id=c1&team_id=t1`, expect.anything());
    });

    test.each<[string, (c: PanelClient) => Promise<unknown>, unknown, string, unknown]>([
        ['the viewer\'s builds', (c) => c.mine(where), {builds: []}, `${base}/mine?channel_id=c1&team_id=t1`, []],
        ['the badge', (c) => c.redCount(where), {count: 3}, `${base}/red_count?channel_id=c1&team_id=t1`, 3],
        ['a repo\'s branches', (c) => c.branches(where, 'web app'), {branches: ['main']}, `${base}/branches?channel_id=c1&team_id=t1&repo=web+app`, ['main']],
    ])('reads %s', async (_, call, body, url, want) => {
        fetchMock.mockResolvedValue(answer(200, body));

        expect(await call(client())).toEqual(want);
        expect(fetchMock.mock.calls[0]?.[0]).toBe(url);
    });

    test.each<[string, (c: PanelClient) => Promise<string>, string, string, unknown]>([
        ['a subscription', (c) => c.subscribe(where, {repo: 'webapp', branch: '', events: ['finished']}), 'PUT', 'subscriptions',
            {channel_id: 'c1', team_id: 't1', repo: 'webapp', branch: '', events: ['finished']}],
        ['a removal', (c) => c.unsubscribe(where, {repo: 'webapp', branch: 'main'}), 'DELETE', 'subscriptions',
            {channel_id: 'c1', team_id: 't1', repo: 'webapp', branch: 'main'}],
        ['a stop of a running build', (c) => c.stop(where, {buildId: 12}), 'POST', 'stop', {channel_id: 'c1', team_id: 't1', build_id: 12}],
        ['a stop of a queued build', (c) => c.stop(where, {requestId: 44}), 'POST', 'stop', {channel_id: 'c1', team_id: 't1', request_id: 44}],
    ])('sends %s with the CSRF token, and reads the server\'s message', async (_, call, method, route, body) => {
        expect(await call(client())).toBe('Done.');

        const [url, init] = fetchMock.mock.calls[0] ?? [];
        expect(url).toBe(`${base}/${route}`);
        expect(init).toMatchObject({method, credentials: 'include',
            headers: {'Content-Type': 'application/json', 'X-CSRF-Token': 'csrf-token-1', 'X-Requested-With': 'XMLHttpRequest'}});
        expect(JSON.parse(String(init?.body))).toEqual(body);
    });

    test('a refusal throws the server\'s words, which refusalText reads back', async () => {
        fetchMock.mockResolvedValue(answer(403, {error: 'Buildbot is not allowed in this channel.'}));

        const refused = await client().builds(where).catch((e: unknown) => e);

        expect(refused).toBeInstanceOf(PluginRefusal);
        expect(refusalText(refused)).toBe('Buildbot is not allowed in this channel.');
    });

    test('a failure without the server\'s words names the status, and has no words for the user', async () => {
        fetchMock.mockResolvedValue({ok: false, status: 502, json: () => Promise.reject(new SyntaxError('Unexpected token <'))} as Response);

        const failed = await client().stop(where, {buildId: 1}).catch((e: unknown) => e);

        expect(failed).toEqual(new Error('HTTP 502'));
        expect(refusalText(failed)).toBe('');
        expect(refusalText(new TypeError('Failed to fetch'))).toBe('');
    });

    test('the other routes still name only the status of a refusal', async () => {
        fetchMock.mockResolvedValue(answer(403, {error: 'You are not a system admin.'}));

        await expect(pluginStatusClient('https://chat.example.com')()).rejects.toThrow(/^HTTP 403$/);
        await expect(meSettingsClient('https://chat.example.com').load()).rejects.toThrow(/^HTTP 403$/);
    });
});
