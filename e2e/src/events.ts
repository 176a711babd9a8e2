// A user's Mattermost WebSocket, as their client holds it: the events the server sends that user,
// such as open_dialog when a plugin opens a form for them.
import WebSocket from 'ws';

import type {Client4} from '@mattermost/client';

export interface ServerEvent {
    event: string;
    data: Record<string, unknown>;
}

export interface Events {
    // next resolves with the first event of that name from now on, or fails after within ms.
    next: (name: string, within?: number) => Promise<ServerEvent>;
    close: () => void;
}

// answerToClick clicks a post's button through Mattermost's post-action route, as a user does, and
// returns what the plugin answered that user alone (its ephemeral post), once it has decided.
export async function answerToClick(client: Client4, postId: string, actionId: string): Promise<string> {
    const events = await listen(client);
    try {
        const answer = events.next('ephemeral_message');
        await client.doPostAction(postId, actionId);
        return (JSON.parse(String((await answer).data.post)) as {message: string}).message;
    } finally {
        events.close();
    }
}

export async function listen(client: Client4): Promise<Events> {
    const socket = new WebSocket(client.getUrl().replace(/^http/, 'ws') + '/api/v4/websocket', {headers: {Authorization: `Bearer ${client.getToken()}`}});
    const waiting: Array<{name: string; resolve: (e: ServerEvent) => void}> = [];
    socket.on('message', (raw: WebSocket.RawData) => {
        const message = JSON.parse(raw.toString()) as Partial<ServerEvent>;
        if (!message.event) {
            return;
        }
        for (const w of waiting.filter((x) => x.name === message.event)) {
            waiting.splice(waiting.indexOf(w), 1);
            w.resolve(message as ServerEvent);
        }
    });
    await new Promise<void>((resolve, reject) => {
        socket.once('open', () => resolve());
        socket.once('error', reject);
    });
    return {
        next: (name, within = 15000) => new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no ${name} event within ${within / 1000}s`)), within);
            waiting.push({name, resolve: (e) => {
                clearTimeout(timer);
                resolve(e);
            }});
        }),
        close: () => socket.close(),
    };
}
