// Previews of Buildbot links pasted in a message. The server marks a message it previewed with
// props.buildbot_previews (server/post/preview.go) and gives each link an attachment every client
// shows; the webapp draws the live card instead. Its state comes from the plugin's route, which
// checks the viewer may see it, and a plugin WebSocket event to the message's channel says when to
// read it again.
import type {Post} from '@mattermost/types/posts';

import type {BuildStatus} from './build_status';
import {PROPS_KEY, parseBuildStatus} from './build_status';
import {id as pluginId} from './manifest';

export const PREVIEWS_KEY = 'buildbot_previews';
export const PREVIEWS_VERSION = 1;

// PREVIEW_EVENT is the server's preview.Event as Mattermost names a plugin's WebSocket event.
export const PREVIEW_EVENT = `custom_${pluginId}_preview`;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

// previewLinksOf reads the links a message's previews show; null for a message without previews.
export function previewLinksOf(props: unknown): string[] | null {
    const marker = isObject(props) ? props[PREVIEWS_KEY] : undefined;
    if (!isObject(marker) || marker.version !== PREVIEWS_VERSION || !Array.isArray(marker.links) || marker.links.length === 0 ||
        !marker.links.every(isString)) {
        return null;
    }
    return marker.links;
}

// parsePreviews reads the route's answer: a status per link, each checked as a status post's props
// are; null when any of them does not read, and the message keeps its attachments.
export function parsePreviews(body: unknown): BuildStatus[] | null {
    if (!isObject(body) || !Array.isArray(body.previews)) {
        return null;
    }
    const statuses = body.previews.map((p: unknown) => parseBuildStatus({[PROPS_KEY]: p}));
    return statuses.includes(null) ? null : statuses as BuildStatus[];
}

// PreviewEvent says the builds of some builders changed, for the previews in one channel.
export interface PreviewEvent {
    channelId: string;
    builderIds: number[];
    // at is when the server sent it (epoch ms): state read before then is no news.
    at: number;
}

export function parsePreviewEvent(data: unknown): PreviewEvent | null {
    if (!isObject(data) || !isString(data.channel_id) || !Array.isArray(data.builder_ids) || !data.builder_ids.every(isCount) || !isCount(data.at)) {
        return null;
    }
    return {channelId: data.channel_id, builderIds: data.builder_ids, at: data.at};
}

// Signal is an event for some previews, or 'reconnect': the WebSocket was down, and whatever it
// would have said is missed, so every preview reads again.
export type Signal = PreviewEvent | 'reconnect';

// PreviewSignals hands the WebSocket's word to the previews drawn now.
export interface PreviewSignals {
    emit: (signal: Signal) => void;
    subscribe: (listener: (signal: Signal) => void) => () => void;
}

export function previewSignals(): PreviewSignals {
    const listeners = new Set<(signal: Signal) => void>();
    return {
        emit: (signal) => listeners.forEach((listener) => listener(signal)),
        subscribe: (listener) => {
            listeners.add(listener);
            return () => {
                listeners.delete(listener);
            };
        },
    };
}

// PostSource reads a post from the webapp's store, and says when the store changed: an edited
// message brings other links.
export interface PostSource {
    get: (postId: string) => Post | undefined;
    subscribe: (listener: () => void) => () => void;
}

export function postSource(store: {getState(): unknown; subscribe?(listener: () => void): () => void}): PostSource {
    return {
        get: (postId) => (store.getState() as {entities?: {posts?: {posts?: Record<string, Post | undefined>}}} | undefined)?.entities?.posts?.posts?.[postId],
        subscribe: (listener) => store.subscribe?.(listener) ?? (() => undefined),
    };
}
