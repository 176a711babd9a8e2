// Fakes for the builds panel's tests: a store that runs the panel's reducer as the webapp's runs
// the plugin's, a client that answers from data, and answers as the server gives them.
import type {PanelClient} from '../client';
import type {ChannelSubscriptions, MineBuild, PanelBuild, PanelBuilds} from '../panel/answers';
import {panelReducer, type PanelState} from '../panel/reducer';
import type {PluginStore, StoreAction} from '../types/registry';

export interface TestStore extends PluginStore {
    dispatch: jest.Mock<unknown, [StoreAction]>;
    subscribe: (listener: () => void) => () => void;
    // show is the user opening a channel of a team.
    show: (channelId: string, teamId?: string) => void;
}

export function testStore(channelId = 'c1', teamId = 't1'): TestStore {
    let plugin: PanelState = panelReducer(undefined, {type: 'test/init'});
    let shown = {channelId, teamId};
    const listeners = new Set<() => void>();
    const tell = () => listeners.forEach((l) => l());
    return {
        getState: () => ({entities: {channels: {currentChannelId: shown.channelId}, teams: {currentTeamId: shown.teamId}}, 'plugins-buildbot': plugin}),
        subscribe: (listener) => {
            listeners.add(listener);
            return () => {
                listeners.delete(listener);
            };
        },
        dispatch: jest.fn((action: StoreAction) => {
            if (typeof action !== 'function') {
                plugin = panelReducer(plugin, action);
                tell();
            }
            return action;
        }),
        show: (c, t = shown.teamId) => {
            shown = {channelId: c, teamId: t};
            tell();
        },
    };
}

type Mocked<F extends (...args: never[]) => unknown> = jest.Mock<ReturnType<F>, Parameters<F>>;
export type FakeClient = {[K in keyof PanelClient]: Mocked<PanelClient[K]>};

const fn = <F extends (...args: never[]) => unknown>(answer: () => ReturnType<F>): Mocked<F> => jest.fn<ReturnType<F>, Parameters<F>>(answer);

// fakeClient answers every read with the answers given, and every change with "Done.".
export function fakeClient(answers: {builds?: PanelBuilds; mine?: MineBuild[]; subscriptions?: ChannelSubscriptions; redCount?: number} = {}): FakeClient {
    return {
        builds: fn<PanelClient['builds']>(async () => answers.builds ?? someBuilds()),
        mine: fn<PanelClient['mine']>(async () => answers.mine ?? []),
        subscriptions: fn<PanelClient['subscriptions']>(async () => answers.subscriptions ?? someSubscriptions()),
        branches: fn<PanelClient['branches']>(async () => ['main', 'release/1.2']),
        redCount: fn<PanelClient['redCount']>(async () => answers.redCount ?? 0),
        subscribe: fn<PanelClient['subscribe']>(async () => 'Done.'),
        unsubscribe: fn<PanelClient['unsubscribe']>(async () => 'Done.'),
        stop: fn<PanelClient['stop']>(async () => 'Done.'),
    };
}

export const MINUTE = 60 * 1000;

export function running(over: Partial<PanelBuild> = {}): PanelBuild {
    return {
        builder: 'webapp-linux', builderId: 3, state: 'building', buildId: 12, number: 5, requestId: 44, step: 'compile',
        startedAt: Date.now() - MINUTE - 5000, branch: 'main', startedBy: 'alice', url: 'https://ci.example.com/#/builders/3/builds/5',
        postUrl: 'https://chat.example.com/_redirect/pl/post1', mayStop: true, place: 0, startsAt: 0, ...over,
    };
}

export function queued(over: Partial<PanelBuild> = {}): PanelBuild {
    return running({
        state: 'queued', buildId: 0, number: 0, requestId: 45, step: '', startedAt: Date.now() - 10000, branch: 'main', startedBy: 'nightly',
        url: 'https://ci.example.com/#/buildrequests/45', postUrl: '', mayStop: false, place: 3, startsAt: Date.now() + 4 * MINUTE, ...over,
    });
}

export function someBuilds(over: Partial<PanelBuilds> = {}): PanelBuilds {
    return {
        readAt: Date.now(),
        repos: [{repo: 'webapp', builds: [running(), queued()]}, {repo: '', builds: [running({builder: 'docs', builderId: 9, buildId: 30, number: 2, requestId: 60})]}],
        red: [{
            repo: 'webapp', builder: 'webapp-windows', builderId: 4, branch: 'main', since: Date.now() - (3 * 60 + 5) * MINUTE, failures: 2, number: 17,
            url: 'https://ci.example.com/#/builders/4/builds/17', subscribed: true,
            firstBad: {revision: 'abc1234def5678901', author: 'Alice', comment: '<b>Speed up</b> the build'},
        }],
        redCount: 1,
        ...over,
    };
}

export function someSubscriptions(over: Partial<ChannelSubscriptions> = {}): ChannelSubscriptions {
    return {
        subscriptions: [
            {repo: 'webapp', branch: '', events: ['finished'], creator: 'alice'},
            {repo: 'api', branch: 'release/*', events: ['failure', 'fixed'], creator: ''},
        ],
        mayEdit: true,
        refusal: '',
        events: [
            {event: 'started', means: 'when a build starts; its card follows it to the end'},
            {event: 'finished', means: 'when a build ends, whatever its result'},
            {event: 'failure', means: 'when a build fails'},
        ],
        defaultEvents: ['finished'],
        repos: ['webapp', 'api'],
        ...over,
    };
}
