import {id as pluginId} from './manifest';

// postActionClient clicks a post's button through Mattermost's post-action route, the path mobile
// takes too, so the server checks the same rules whoever clicks. It sends what Mattermost's own
// webapp sends: the session cookie, the header that marks a script's request, and the CSRF token
// Mattermost keeps in the MMCSRF cookie, which it requires of a cookie-authenticated POST. A refusal
// throws the server's words for the card to show.
export function postActionClient(siteURL: string): (postId: string, actionId: string) => Promise<void> {
    return async (postId, actionId) => {
        const response = await fetch(`${siteURL}/api/v4/posts/${encodeURIComponent(postId)}/actions/${encodeURIComponent(actionId)}`, {
            method: 'POST',
            credentials: 'include',
            headers: {'Content-Type': 'application/json', 'X-Requested-With': 'XMLHttpRequest', 'X-CSRF-Token': csrfToken()},
            body: JSON.stringify({selected_option: ''}),
        });
        if (!response.ok) {
            throw new Error(await refusalOf(response));
        }
    };
}

function csrfToken(): string {
    const cookie = document.cookie.split(';').map((c) => c.trim()).find((c) => c.startsWith('MMCSRF='));
    return cookie ? cookie.slice('MMCSRF='.length) : '';
}

// refusalOf reads Mattermost's error, {"message": ...}, or says which status came back.
async function refusalOf(response: Response): Promise<string> {
    const body: unknown = await response.json().catch(() => null);
    const message = typeof body === 'object' && body !== null && 'message' in body ? body.message : null;
    return typeof message === 'string' && message !== '' ? message : `HTTP ${response.status}`;
}

// siteURLOf reads the server's address from the webapp's store, else the page's origin.
export function siteURLOf(state: unknown): string {
    const config = (state as {entities?: {general?: {config?: {SiteURL?: unknown}}}} | undefined)?.entities?.general?.config;
    return typeof config?.SiteURL === 'string' && config.SiteURL ? config.SiteURL : window.location.origin;
}

// fetchBotUserId asks the plugin's server which user is its bot; null when it cannot tell. The
// session cookie authenticates it, which Mattermost accepts on a plugin route only from a request
// that says, as its own webapp's do, that it was made by script.
export async function fetchBotUserId(siteURL: string): Promise<string | null> {
    try {
        const response = await fetch(`${siteURL}/plugins/${pluginId}/api/v1/bot`, {headers: {'X-Requested-With': 'XMLHttpRequest'}});
        if (!response.ok) {
            return null;
        }
        const body: unknown = await response.json();
        const userId = typeof body === 'object' && body !== null && 'user_id' in body ? body.user_id : null;
        return typeof userId === 'string' && userId !== '' ? userId : null;
    } catch {
        return null;
    }
}
