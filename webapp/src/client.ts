import {Client4} from '@mattermost/client';

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
