// The builds panel's state in the webapp's redux store, at state['plugins-buildbot']: whether the
// panel is open, and what the routes answered for the channel it shows. Reads for another channel
// than the one shown come back too late to matter, and are dropped.
import {id as pluginId} from '../manifest';

import type {ChannelSubscriptions, MineBuild, PanelBuilds} from './answers';

// Loaded is one route's answer as the panel shows it. error is the server's words, '' when the
// read failed without them; value is null until a read succeeds, and after one fails.
export interface Loaded<T> {
    value: T | null;
    error: string | null;
    loading: boolean;
}

// Parts are the routes the open panel reads.
export interface Parts {
    builds: PanelBuilds;
    mine: MineBuild[];
    subscriptions: ChannelSubscriptions;
}

export type Part = keyof Parts;

export type PanelState = {open: boolean; channelId: string; redCount: number | null} & {[P in Part]: Loaded<Parts[P]>};

const nothing = {value: null, error: null, loading: false};

export const initialPanelState: PanelState = {open: false, channelId: '', redCount: null, builds: nothing, mine: nothing, subscriptions: nothing};

const OPENED = `${pluginId}/panel/opened`;
const CLOSED = `${pluginId}/panel/closed`;
const CHANNEL = `${pluginId}/panel/channel`;
const LOADING = `${pluginId}/panel/loading`;
const LOADED = `${pluginId}/panel/loaded`;
const FAILED = `${pluginId}/panel/failed`;
const RED_COUNT = `${pluginId}/panel/red_count`;

type LoadedAction = {[P in Part]: {type: typeof LOADED; channelId: string; part: P; value: Parts[P]}}[Part];

export type PanelAction =
    | {type: typeof OPENED}
    | {type: typeof CLOSED}
    | {type: typeof CHANNEL; channelId: string}
    | {type: typeof LOADING; channelId: string; part: Part}
    | LoadedAction
    | {type: typeof FAILED; channelId: string; part: Part; error: string}
    | {type: typeof RED_COUNT; channelId: string; count: number | null};

export const panelOpened = (): PanelAction => ({type: OPENED});
export const panelClosed = (): PanelAction => ({type: CLOSED});
// channelShown starts over for another channel: nothing read for the one before is its.
export const channelShown = (channelId: string): PanelAction => ({type: CHANNEL, channelId});
export const partLoading = (channelId: string, part: Part): PanelAction => ({type: LOADING, channelId, part});
export const partLoaded = <P extends Part>(channelId: string, part: P, value: Parts[P]): PanelAction => ({type: LOADED, channelId, part, value} as LoadedAction);
export const partFailed = (channelId: string, part: Part, error: string): PanelAction => ({type: FAILED, channelId, part, error});
// redCountRead is the badge's count, null when the server would not tell it.
export const redCountRead = (channelId: string, count: number | null): PanelAction => ({type: RED_COUNT, channelId, count});

const panelActions: ReadonlySet<string> = new Set([OPENED, CLOSED, CHANNEL, LOADING, LOADED, FAILED, RED_COUNT]);

// The webapp hands every action of its own to the plugin's reducer too.
const isPanelAction = (action: {type: string}): action is PanelAction => panelActions.has(action.type);

const withPart = <P extends Part>(state: PanelState, part: P, loaded: Loaded<Parts[P]>): PanelState => ({...state, [part]: loaded});

export function panelReducer(state: PanelState = initialPanelState, action: {type: string}): PanelState {
    if (!isPanelAction(action)) {
        return state;
    }
    switch (action.type) {
    case OPENED:
        return state.open ? state : {...state, open: true};
    case CLOSED:
        return state.open ? {...state, open: false} : state;
    case CHANNEL:
        return action.channelId === state.channelId ? state : {...initialPanelState, open: state.open, channelId: action.channelId};
    }
    if (action.channelId !== state.channelId) {
        return state;
    }
    switch (action.type) {
    case LOADING:
        return withPart(state, action.part, {...state[action.part], loading: true});
    case LOADED: {
        const next = withPart(state, action.part, {value: action.value, error: null, loading: false});
        // The builds answer counts the badge's red builders too.
        return action.part === 'builds' ? {...next, redCount: action.value.redCount} : next;
    }
    case FAILED:
        return withPart(state, action.part, {value: null, error: action.error, loading: false});
    case RED_COUNT:
        return {...state, redCount: action.count};
    }
}

// panelOf reads the panel's state from the webapp's store.
export function panelOf(state: unknown): PanelState {
    const mine = (state as Record<string, PanelState | undefined> | undefined)?.[`plugins-${pluginId}`];
    return mine ?? initialPanelState;
}

// PanelSource reads the panel's state and says when the store changed, for useSyncExternalStore.
export interface PanelSource {
    get: () => PanelState;
    subscribe: (listener: () => void) => () => void;
}

export function panelSource(store: {getState(): unknown; subscribe?(listener: () => void): () => void}): PanelSource {
    return {
        get: () => panelOf(store.getState()),
        subscribe: (listener) => store.subscribe?.(listener) ?? (() => undefined),
    };
}
