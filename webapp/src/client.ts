import {Client4} from '@mattermost/client';

import {id as pluginId} from './manifest';

// postActionClient clicks a post's button through Mattermost's post-action route, the path mobile
// takes too, so the server checks the same rules whoever clicks.
export function postActionClient(siteURL: string): (postId: string, actionId: string) => Promise<void> {
    const client = new Client4();
    client.setUrl(siteURL);
    return async (postId, actionId) => {
        await client.doPostAction(postId, actionId);
    };
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
