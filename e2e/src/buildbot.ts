// Reads and drives the real Buildbot masters directly, to check what the plugin made them do.
import {buildbotUsers} from './env';

export interface Build {
    buildid: number;
    number: number;
    builderid: number;
    buildrequestid: number;
    complete: boolean;
    results: number | null;
    properties: Record<string, [unknown, string]>;
}

interface Change {
    changeid: number;
    branch: string;
    revision: string;
    category: string;
    project: string;
    repository: string;
    author: string;
}

export class Buildbot {
    private cookie = '';

    constructor(readonly url: string) {}

    private async login(): Promise<void> {
        const {username, password} = buildbotUsers.admin;
        const response = await fetch(`${this.url}auth/login`, {
            headers: {Authorization: 'Basic ' + Buffer.from(`${username}:${password}`).toString('base64')},
            redirect: 'manual',
        });
        const cookies = response.headers.getSetCookie().map((c) => c.split(';')[0] ?? '');
        this.cookie = cookies[cookies.length - 1] ?? '';
    }

    async get<T>(path: string): Promise<T> {
        const response = await fetch(`${this.url}api/v2/${path}`, {headers: {Accept: 'application/json'}});
        if (!response.ok) {
            throw new Error(`GET ${path}: ${response.status}`);
        }
        return (await response.json()) as T;
    }

    async builderId(name: string): Promise<number> {
        const {builders} = await this.get<{builders: Array<{builderid: number; name: string}>}>(`builders?name__eq=${name}`);
        const builder = builders[0];
        if (!builder) {
            throw new Error(`no builder ${name}`);
        }
        return builder.builderid;
    }

    // rpc calls a control method as Buildbot's own UI would, logged in as its admin.
    private async rpc<T>(path: string, method: string, params: Record<string, unknown>): Promise<{result?: T}> {
        if (!this.cookie) {
            await this.login();
        }
        const response = await fetch(`${this.url}api/v2/${path}`, {
            method: 'POST',
            headers: {'Content-Type': 'application/json', Cookie: this.cookie},
            body: JSON.stringify({jsonrpc: '2.0', id: 1, method, params}),
        });
        return (await response.json()) as {result?: T};
    }

    // force starts a build as Buildbot's own UI would, to give the plugin history to learn from. It
    // names no project or repository, as the UI's defaults do not: a build that named one would
    // tell the plugin's catalog which repo the builder builds.
    async force(builder: string, branch: string): Promise<number> {
        const builderid = await this.builderId(builder);
        const body = await this.rpc<[number, Record<string, number>]>('forceschedulers/force', 'force',
            {builderid, branch, reason: 'e2e setup'});
        const brid = body.result?.[1][String(builderid)];
        if (!brid) {
            throw new Error(`force ${builder}: ${JSON.stringify(body)}`);
        }
        return brid;
    }

    // stop ends a build from outside the plugin, as a test's clean-up or as someone in Buildbot's
    // UI would, with the reason they type.
    async stop(buildId: number, reason = 'e2e clean-up'): Promise<void> {
        await this.rpc(`builds/${buildId}`, 'stop', {reason});
    }

    // push sends a change through the change hook as a VCS hook would (category push, not from
    // chat), and returns the change's id once Buildbot recorded it.
    async push(change: {branch: string; revision: string; author: string; repository?: string; comments?: string; category?: string}): Promise<number> {
        const {username, password} = buildbotUsers.hook;
        const form = new URLSearchParams({category: 'push', comments: change.comments ?? 'a push', ...change});
        const response = await fetch(`${this.url}change_hook/base`, {
            method: 'POST',
            headers: {Authorization: 'Basic ' + Buffer.from(`${username}:${password}`).toString('base64')},
            body: form,
        });
        if (!response.ok) {
            throw new Error(`push to ${change.branch}: ${response.status} ${await response.text()}`);
        }
        const [found] = await this.changesWhere((c) => c.branch === change.branch && c.revision === change.revision);
        if (!found) {
            throw new Error(`the push to ${change.branch} was not recorded`);
        }
        return found.changeid;
    }

    // stillRunning says whether a build runs a moment after someone may have stopped it: Buildbot
    // ends a build it was told to stop within a second or so.
    async stillRunning(buildId: number): Promise<boolean> {
        await new Promise((resolve) => setTimeout(resolve, 3000));
        const {builds} = await this.get<{builds: Array<{complete: boolean}>}>(`builds/${buildId}`);
        return builds[0]?.complete === false;
    }

    // cancel ends a build request that no build has started for, from outside the plugin.
    async cancel(buildRequestId: number): Promise<void> {
        await this.rpc(`buildrequests/${buildRequestId}`, 'cancel', {reason: 'e2e clean-up'});
    }

    async newestBuildRequestId(): Promise<number> {
        const {buildrequests} = await this.get<{buildrequests: Array<{buildrequestid: number}>}>('buildrequests?order=-buildrequestid&limit=1');
        return buildrequests[0]?.buildrequestid ?? 0;
    }

    // buildsWhere returns recent builds whose properties match, newest first.
    async buildsWhere(match: (props: Record<string, unknown>) => boolean): Promise<Build[]> {
        const {builds} = await this.get<{builds: Build[]}>('builds?order=-buildid&limit=50&property=*');
        return builds.filter((b) => match(Object.fromEntries(Object.entries(b.properties ?? {}).map(([k, v]) => [k, v[0]]))));
    }

    async changesWhere(match: (change: Change) => boolean) {
        const {changes} = await this.get<{changes: Change[]}>('changes?order=-changeid&limit=20');
        return changes.filter(match);
    }
}

// eventually retries check until it gives a value. When it never does, the error says what was
// awaited and, from explain, what was seen instead: a CI log is all there is to go on.
export async function eventually<T>(what: string, check: () => Promise<T | undefined | false>, within = 60000,
    explain?: () => Promise<string>): Promise<T> {
    const deadline = Date.now() + within;
    for (;;) {
        const result = await check();
        if (result) {
            return result;
        }
        if (Date.now() > deadline) {
            const seen = explain ? `; seen instead: ${await explain().catch((e: unknown) => `(could not tell: ${String(e)})`)}` : '';
            throw new Error(`${what}: not within ${within / 1000}s${seen}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
    }
}
