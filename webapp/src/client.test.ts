import {fetchBotUserId, postActionClient} from './client';

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
