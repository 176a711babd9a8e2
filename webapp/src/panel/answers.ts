// The builds panel's route answers and WebSocket events (the server's api/panel routes), checked
// at run time. An answer whose shape is wrong is no answer; an item of a list that does not read
// is left out, so one odd build does not hide the others. Every link must be http(s): the panel
// puts them in href.
import {STATES, type State} from '../build_status';
import {id as pluginId} from '../manifest';

// PANEL_EVENT says Buildbot's builds changed; PANEL_SUBSCRIPTIONS_EVENT that a channel's
// subscriptions did, as Mattermost names a plugin's WebSocket events.
export const PANEL_EVENT = `custom_${pluginId}_panel`;
export const PANEL_SUBSCRIPTIONS_EVENT = `custom_${pluginId}_panel_subscriptions`;

export interface PanelBuild {
    builder: string;
    builderId: number;
    state: 'building' | 'queued';
    buildId: number;
    // number is 0 while queued.
    number: number;
    requestId: number;
    step: string;
    // startedAt is when it started, or, while queued, when it was submitted (epoch ms).
    startedAt: number;
    branch: string;
    startedBy: string;
    url: string;
    // postUrl is the status post in Mattermost, '' when none.
    postUrl: string;
    mayStop: boolean;
    // place is a queued build's place in its builder's line, 1 next; startsAt its estimated start
    // (epoch ms), 0 unknown.
    place: number;
    startsAt: number;
}

export interface RepoBuilds {
    // repo is '' for builders no repo claims.
    repo: string;
    builds: PanelBuild[];
}

export interface FirstBad {
    revision: string;
    author: string;
    comment: string;
}

export interface RedBuilder {
    repo: string;
    builder: string;
    builderId: number;
    branch: string;
    // since is when the first failure of the current run finished (epoch ms).
    since: number;
    failures: number;
    // number and url are the first failed build's.
    number: number;
    url: string;
    firstBad: FirstBad | null;
    subscribed: boolean;
}

export interface PanelBuilds {
    readAt: number;
    repos: RepoBuilds[];
    red: RedBuilder[];
    // redCount counts the red builders this channel's subscriptions cover: the badge.
    redCount: number;
}

export interface MineBuild {
    postUrl: string;
    repo: string;
    branch: string;
    state: State;
    builders: Array<{builder: string; number: number; state: State}>;
    at: number;
}

export interface Subscription {
    // repo '*' is any repo; branch '' the repo's default branch.
    repo: string;
    branch: string;
    events: string[];
    // creator is who added it, '' when unknown.
    creator: string;
}

export interface ChannelSubscriptions {
    subscriptions: Subscription[];
    mayEdit: boolean;
    // refusal says why the viewer may not edit, when they may not.
    refusal: string;
    // events are those a subscription may follow, with what each means in the viewer's language.
    events: Array<{event: string; means: string}>;
    defaultEvents: string[];
    repos: string[];
}

type Fields = Record<string, unknown>;

const isObject = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isHttpURL = (v: unknown): v is string => isString(v) && /^https?:\/\//.test(v);
// A status post's link is a path on Mattermost's own site when its Site URL is not set.
const isLinkOrNone = (v: unknown): v is string => v === '' || isHttpURL(v) || (isString(v) && /^\/(?![/\\])/.test(v));
const isState = (v: unknown): v is State => isString(v) && (STATES as readonly string[]).includes(v);
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);

// readable keeps the items of a list that parse; null when it is not a list.
function readable<T>(v: unknown, parse: (x: unknown) => T | null): T[] | null {
    return Array.isArray(v) ? v.map(parse).filter((x): x is T => x !== null) : null;
}

function parseBuild(v: unknown): PanelBuild | null {
    if (!isObject(v) || !isString(v.builder) || !isCount(v.builder_id) || (v.state !== 'building' && v.state !== 'queued') ||
        !isCount(v.build_id) || !isCount(v.number) || !isCount(v.request_id) || !isString(v.step) || !isCount(v.started_at) ||
        !isString(v.branch) || !isString(v.started_by) || !isHttpURL(v.url) || !isLinkOrNone(v.post_url) || typeof v.may_stop !== 'boolean') {
        return null;
    }
    // place and starts_at are sent for queued builds only.
    const place = v.place === undefined ? 0 : v.place;
    const startsAt = v.starts_at === undefined ? 0 : v.starts_at;
    if (!isCount(place) || !isCount(startsAt)) {
        return null;
    }
    return {
        builder: v.builder, builderId: v.builder_id, state: v.state, buildId: v.build_id, number: v.number, requestId: v.request_id,
        step: v.step, startedAt: v.started_at, branch: v.branch, startedBy: v.started_by, url: v.url, postUrl: v.post_url,
        mayStop: v.may_stop, place, startsAt,
    };
}

function parseRepo(v: unknown): RepoBuilds | null {
    if (!isObject(v) || !isString(v.repo)) {
        return null;
    }
    const builds = readable(v.builds, parseBuild);
    return builds ? {repo: v.repo, builds} : null;
}

function parseFirstBad(v: unknown): FirstBad | null {
    return isObject(v) && isString(v.revision) && isString(v.author) && isString(v.comment) ?
        {revision: v.revision, author: v.author, comment: v.comment} : null;
}

function parseRed(v: unknown): RedBuilder | null {
    if (!isObject(v) || !isString(v.repo) || !isString(v.builder) || !isCount(v.builder_id) || !isString(v.branch) || !isCount(v.since) ||
        !isCount(v.failures) || !isCount(v.number) || !isHttpURL(v.url) || typeof v.subscribed !== 'boolean') {
        return null;
    }
    const hasFirstBad = v.first_bad !== null && v.first_bad !== undefined;
    const firstBad = hasFirstBad ? parseFirstBad(v.first_bad) : null;
    if (hasFirstBad && !firstBad) {
        return null;
    }
    return {
        repo: v.repo, builder: v.builder, builderId: v.builder_id, branch: v.branch, since: v.since, failures: v.failures,
        number: v.number, url: v.url, firstBad, subscribed: v.subscribed,
    };
}

// parsePanelBuilds reads GET panel/builds; null when it is not its answer.
export function parsePanelBuilds(v: unknown): PanelBuilds | null {
    if (!isObject(v) || !isCount(v.read_at) || !isCount(v.red_count)) {
        return null;
    }
    const repos = readable(v.repos, parseRepo);
    const red = readable(v.red, parseRed);
    return repos && red ? {readAt: v.read_at, repos, red, redCount: v.red_count} : null;
}

function parseMineBuilder(v: unknown): MineBuild['builders'][number] | null {
    return isObject(v) && isString(v.builder) && isCount(v.number) && isState(v.state) ? {builder: v.builder, number: v.number, state: v.state} : null;
}

function parseMineBuild(v: unknown): MineBuild | null {
    if (!isObject(v) || !isLinkOrNone(v.post_url) || !isString(v.repo) || !isString(v.branch) || !isState(v.state) || !isCount(v.at)) {
        return null;
    }
    const builders = readable(v.builders, parseMineBuilder);
    return builders ? {postUrl: v.post_url, repo: v.repo, branch: v.branch, state: v.state, builders, at: v.at} : null;
}

// parseMine reads GET panel/mine; null when it is not its answer.
export function parseMine(v: unknown): MineBuild[] | null {
    return isObject(v) ? readable(v.builds, parseMineBuild) : null;
}

function parseSubscription(v: unknown): Subscription | null {
    if (!isObject(v) || !isString(v.repo) || !isString(v.branch) || !isStrings(v.events)) {
        return null;
    }
    return {repo: v.repo, branch: v.branch, events: v.events, creator: isString(v.creator) ? v.creator : ''};
}

function parseEvent(v: unknown): {event: string; means: string} | null {
    return isObject(v) && isString(v.event) && isString(v.means) ? {event: v.event, means: v.means} : null;
}

// parseSubscriptions reads GET panel/subscriptions; null when it is not its answer.
export function parseSubscriptions(v: unknown): ChannelSubscriptions | null {
    if (!isObject(v) || typeof v.may_edit !== 'boolean' || !isString(v.refusal) || !isStrings(v.default_events) || !isStrings(v.repos)) {
        return null;
    }
    const subscriptions = readable(v.subscriptions, parseSubscription);
    const events = readable(v.events, parseEvent);
    if (!subscriptions || !events) {
        return null;
    }
    return {subscriptions, mayEdit: v.may_edit, refusal: v.refusal, events, defaultEvents: v.default_events, repos: v.repos};
}

// parseBranches reads GET panel/branches; null when it is not its answer.
export function parseBranches(v: unknown): string[] | null {
    return isObject(v) && isStrings(v.branches) ? v.branches : null;
}

// parseRedCount reads GET panel/red_count; null when it is not its answer.
export function parseRedCount(v: unknown): number | null {
    return isObject(v) && isCount(v.count) ? v.count : null;
}

// parseMessage reads what a change (PUT, DELETE, POST) answers: the server's words for what it did.
export function parseMessage(v: unknown): string | null {
    return isObject(v) && isString(v.message) ? v.message : null;
}

// PanelEvent is the server's word that what the panel shows changed at at (epoch ms): Buildbot's
// builds (buildbot), among them a build that started or finished (builds), or a status post's
// state, which the viewer's own builds are read from (posts).
export type PanelEvent = {at: number; buildbot: boolean; builds: boolean; posts: boolean};

// parsePanelEvent reads the panel event's data.
export function parsePanelEvent(data: unknown): PanelEvent | null {
    if (!isObject(data) || !isCount(data.at)) {
        return null;
    }
    return {at: data.at, buildbot: data.buildbot !== false, builds: data.builds === true, posts: data.posts === true};
}

// parseSubscriptionsEvent reads which channel's subscriptions changed.
export function parseSubscriptionsEvent(data: unknown): {channelId: string} | null {
    return isObject(data) && isString(data.channel_id) && data.channel_id !== '' ? {channelId: data.channel_id} : null;
}
