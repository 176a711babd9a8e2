import type {BuildStatus} from './build_status';
import {id as pluginId} from './manifest';
import {parseMeSettings, type MeSettings} from './me_settings';
import {parseBranches, parseMessage, parseMine, parsePanelBuilds, parseRedCount, parseSubscriptions} from './panel/answers';
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
// that does not parse throws, naming the status, and one that is not ok throws what refuse makes
// of it (by default the status too).
async function callPlugin<T>(url: string, parse: (body: unknown) => T | null, init: RequestInit = {},
    refuse: (response: Response) => Promise<Error> = async (response) => new Error(`HTTP ${response.status}`)): Promise<T> {
    const response = await fetch(url, {credentials: 'include', ...init, headers: {'X-Requested-With': 'XMLHttpRequest', ...init.headers}});
    if (!response.ok) {
        throw await refuse(response);
    }
    const parsed = parse(await response.json().catch(() => null));
    if (parsed === null) {
        throw new Error(`HTTP ${response.status}`);
    }
    return parsed;
}

// PluginRefusal is an error the plugin's server worded for the user, {"error": ...}, shown as is.
export class PluginRefusal extends Error {}

async function pluginRefusalOf(response: Response): Promise<Error> {
    const body: unknown = await response.json().catch(() => null);
    const error = typeof body === 'object' && body !== null && 'error' in body ? body.error : null;
    return typeof error === 'string' && error !== '' ? new PluginRefusal(error) : new Error(`HTTP ${response.status}`);
}

// refusalText is the server's words in an error, '' when the error is not the server's (a network
// failure, an answer that does not read), which the UI then words itself.
export const refusalText = (error: unknown): string => (error instanceof PluginRefusal ? error.message : '');

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

// Where names the channel (and its team) the panel shows, which the server's gate checks.
export interface Where {
    channelId: string;
    teamId: string;
}

// StopTarget is a running build, by its id, or a queued one, by its request's.
export type StopTarget = {buildId: number} | {requestId: number};

// panelClient calls the builds panel's routes for a channel as the signed-in user; changes carry
// the CSRF token. A refusal throws a PluginRefusal with the server's words.
export function panelClient(siteURL: string) {
    const base = `${siteURL}/plugins/${pluginId}/api/v1/panel`;
    const read = <T>(route: string, parse: (body: unknown) => T | null, where: Where, more: Record<string, string> = {}) => {
        const query = new URLSearchParams({channel_id: where.channelId, team_id: where.teamId, ...more});
        return callPlugin(`${base}/${route}?${query.toString()}`, parse, {}, pluginRefusalOf);
    };
    // The token is read at each call, as the session's cookie holds it then.
    const change = (method: string, route: string, where: Where, body: Record<string, unknown>) => callPlugin(`${base}/${route}`, parseMessage, {
        method,
        headers: {'Content-Type': 'application/json', 'X-CSRF-Token': csrfToken()},
        body: JSON.stringify({channel_id: where.channelId, team_id: where.teamId, ...body}),
    }, pluginRefusalOf);
    return {
        // after (epoch ms) asks for builds read no earlier than the event that announced them.
        builds: (where: Where, after?: number) => read('builds', parsePanelBuilds, where, after === undefined ? {} : {after: String(after)}),
        mine: (where: Where) => read('mine', parseMine, where),
        subscriptions: (where: Where) => read('subscriptions', parseSubscriptions, where),
        branches: (where: Where, repo: string) => read('branches', parseBranches, where, {repo}),
        redCount: (where: Where) => read('red_count', parseRedCount, where),
        subscribe: (where: Where, s: {repo: string; branch: string; events: string[]}) =>
            change('PUT', 'subscriptions', where, {repo: s.repo, branch: s.branch, events: s.events}),
        unsubscribe: (where: Where, s: {repo: string; branch: string}) => change('DELETE', 'subscriptions', where, {repo: s.repo, branch: s.branch}),
        stop: (where: Where, target: StopTarget) =>
            change('POST', 'stop', where, 'buildId' in target ? {build_id: target.buildId} : {request_id: target.requestId}),
    };
}

export type PanelClient = ReturnType<typeof panelClient>;
