import {fetchBotUserId} from './client';

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
