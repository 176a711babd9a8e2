// The plugin's admin status route, as the e2e suite reads it.
import type {Client4} from '@mattermost/client';

import {pluginFetch} from './mattermost';

export interface StatusReport {
    plugin: {id: string; version: string};
    configured: boolean;
    problems: Array<{setting: string; message: string}>;
    buildbot?: {
        url: string;
        reachable: boolean;
        version?: string;
        builders: Array<{id: number; name: string; active: boolean}>;
        error?: string;
    };
    node?: {follows_events: boolean; last_scheduled_poll: number; goroutines: number; heap_bytes: number};
}

export async function readStatus(client: Client4): Promise<StatusReport> {
    const response = await pluginFetch(client, '/api/v1/status');
    if (response.status !== 200) {
        throw new Error(`status route answered ${response.status}: ${await response.text()}`);
    }
    return (await response.json()) as StatusReport;
}
