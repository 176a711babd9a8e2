// The builds panel's controller: it reads the panel's routes for the channel the user looks at
// and puts the answers in the store, when the panel opens, when the channel changes, and when the
// server's WebSocket events or a reconnect say the answers are old; and it makes the panel's
// changes (stop, subscribe, unsubscribe) for that channel.
import {refusalText, type PanelClient, type StopTarget, type Where} from '../client';
import type {PluginStore} from '../types/registry';
import {currentChannelId, currentTeamId} from '../viewer';

import type {PanelBuild, PanelEvent} from './answers';
import {channelShown, panelClosed, panelOf, panelOpened, partFailed, partLoaded, partLoading, redCountRead, type Part, type Parts} from './reducer';

// coalesced runs read at most once at a time: calls while it runs ask for one more run after it,
// however many they are, so a burst of events costs two reads, not one each.
export function coalesced(read: () => Promise<void>): () => void {
    let running = false;
    let again = false;
    const run = (): void => {
        if (running) {
            again = true;
            return;
        }
        running = true;
        void read().finally(() => {
            running = false;
            if (again) {
                again = false;
                run();
            }
        });
    };
    return run;
}

export function panelController(client: PanelClient, store: PluginStore) {
    const where = (): Where | null => {
        const state = store.getState();
        const channelId = currentChannelId(state);
        const teamId = currentTeamId(state);
        return channelId && teamId ? {channelId, teamId} : null;
    };
    const isOpen = () => panelOf(store.getState()).open;

    const reader = <P extends Part>(part: P, load: (w: Where) => Promise<Parts[P]>) => coalesced(async () => {
        const w = where();
        if (!w) {
            return;
        }
        store.dispatch(partLoading(w.channelId, part));
        try {
            store.dispatch(partLoaded(w.channelId, part, await load(w)));
        } catch (e) {
            store.dispatch(partFailed(w.channelId, part, refusalText(e)));
        }
    });
    // after is the newest event's time not yet asked for: the next read of builds asks for no older.
    let after: number | undefined;
    const readBuilds = reader('builds', (w) => {
        const asked = after;
        after = undefined;
        return client.builds(w, asked);
    });
    const readMine = reader('mine', client.mine);
    const readSubscriptions = reader('subscriptions', client.subscriptions);
    const readCount = coalesced(async () => {
        const w = where();
        if (w) {
            // A channel the server refuses shows no badge.
            store.dispatch(redCountRead(w.channelId, await client.redCount(w).catch(() => null)));
        }
    });
    const readPanel = () => {
        readBuilds();
        readMine();
        readSubscriptions();
    };
    const readShown = () => {
        readCount();
        if (isOpen()) {
            readPanel();
        }
    };

    // need is the channel a change is for; there is none before the webapp shows one.
    const need = (): Where => {
        const w = where();
        if (!w) {
            throw new Error('no channel');
        }
        return w;
    };

    let shown = '';
    // follow starts over when the user looks at another channel.
    const follow = () => {
        const channelId = where()?.channelId ?? '';
        if (channelId !== shown) {
            shown = channelId;
            store.dispatch(channelShown(channelId));
            readShown();
        }
    };

    return {
        // start reads the badge of the channel shown, and follows the user to other channels.
        start: () => {
            follow();
            store.subscribe?.(follow);
        },
        opened: () => {
            store.dispatch(panelOpened());
            readPanel();
        },
        closed: () => {
            store.dispatch(panelClosed());
        },
        // buildsChanged reads again what the event says changed. Only a build that started or
        // finished changes the red builders, and the viewer's own builds only that or a status
        // post: every webapp hears the event, and most need read nothing.
        buildsChanged: (event: PanelEvent) => {
            if (isOpen()) {
                if (event.buildbot) {
                    after = Math.max(after ?? 0, event.at);
                    readBuilds();
                }
                if (event.builds || event.posts) {
                    readMine();
                }
            }
            if (event.builds) {
                readCount();
            }
        },
        subscriptionsChanged: (channelId: string) => {
            if (channelId !== where()?.channelId) {
                return;
            }
            if (isOpen()) {
                readSubscriptions();
            }
            readCount();
        },
        // reconnected reads again what is shown: what the WebSocket said while down is lost.
        reconnected: readShown,
        stop: async (build: PanelBuild): Promise<string> => {
            const target: StopTarget = build.state === 'building' ? {buildId: build.buildId} : {requestId: build.requestId};
            const message = await client.stop(need(), target);
            readBuilds();
            return message;
        },
        subscribe: async (s: {repo: string; branch: string; events: string[]}): Promise<string> => {
            const message = await client.subscribe(need(), s);
            readSubscriptions();
            readCount();
            return message;
        },
        unsubscribe: async (s: {repo: string; branch: string}): Promise<string> => {
            const message = await client.unsubscribe(need(), s);
            readSubscriptions();
            readCount();
            return message;
        },
        branches: (repo: string): Promise<string[]> => client.branches(need(), repo),
    };
}

export type PanelController = ReturnType<typeof panelController>;
