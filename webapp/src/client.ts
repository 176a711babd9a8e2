import type {BuildStatus} from './build_status';
import {id as pluginId} from './manifest';
import {parseMeSettings, type MeSettings} from './me_settings';
import {parsePluginStatus, type PluginStatus} from './plugin_status';
import {parsePreviews} from './previews';

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

// callPlugin calls one of the plugin's routes as the signed-in user, with the session cookie and
// the header Mattermost asks of its own webapp's requests, and reads the answer with parse: one
// that is not ok, or does not parse, throws, naming the status.
async function callPlugin<T>(url: string, parse: (body: unknown) => T | null, init: RequestInit = {}): Promise<T> {
    const response = await fetch(url, {credentials: 'include', ...init, headers: {'X-Requested-With': 'XMLHttpRequest', ...init.headers}});
    const parsed = response.ok ? parse(await response.json().catch(() => null)) : null;
    if (parsed === null) {
        throw new Error(`HTTP ${response.status}`);
    }
    return parsed;
}

// meSettingsClient reads and saves the signed-in user's settings for direct messages about builds
// through the plugin's route; a save carries the CSRF token Mattermost requires of a cookie's PUT.
export function meSettingsClient(siteURL: string) {
    const url = `${siteURL}/plugins/${pluginId}/api/v1/me/settings`;
    // The token is read at each call, as the session's cookie holds it then.
    const headers = () => ({'Content-Type': 'application/json', 'X-CSRF-Token': csrfToken()});
    return {
        load: () => callPlugin(url, parseMeSettings, {method: 'GET', headers: headers()}),
        save: (s: Pick<MeSettings, 'ownBuilds' | 'breaks'>) => callPlugin(url, parseMeSettings,
            {method: 'PUT', headers: headers(), body: JSON.stringify({own_builds: s.ownBuilds, breaks: s.breaks})}),
    };
}

export type MeSettingsClient = ReturnType<typeof meSettingsClient>;

// previewsClient reads the live state of a message's previews from the plugin's route, as the
// signed-in user; after (epoch ms) asks for state read no earlier than the event that announced it.
export function previewsClient(siteURL: string): (postId: string, after?: number) => Promise<BuildStatus[]> {
    return (postId, after) => {
        const query = after === undefined ? '' : `?after=${after}`;
        return callPlugin(`${siteURL}/plugins/${pluginId}/api/v1/previews/${encodeURIComponent(postId)}${query}`, parsePreviews);
    };
}

// pluginStatusClient reads the plugin's status route, which answers system admins only, for the
// System Console's check.
export function pluginStatusClient(siteURL: string): () => Promise<PluginStatus> {
    return () => callPlugin(`${siteURL}/plugins/${pluginId}/api/v1/status`, parsePluginStatus);
}

export type PluginStatusClient = ReturnType<typeof pluginStatusClient>;
