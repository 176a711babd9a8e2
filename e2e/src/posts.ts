// The plugin's status posts as the tests read them: through the REST API, and their edit history
// straight from the database, where Mattermost keeps each replaced version.
import {execFileSync} from 'node:child_process';

import type {Client4} from '@mattermost/client';
import type {Post} from '@mattermost/types/posts';

import {eventually} from './buildbot';
import {runCommand, type World} from './mattermost';

export interface StatusRow {
    builder: string;
    state: string;
    build_id?: number;
    request_id: number;
    step?: string;
    steps_done?: number;
    steps_total?: number;
    failed_step?: string;
    log_url?: string;
    stopped_by?: string;
    tests?: StatusTests;
    broken_since?: {number: number; url: string; at: number; failures: number; revision?: string; author?: string};
}

export interface StatusTests {
    from: string;
    counted?: boolean;
    passed?: number;
    failed?: number;
    skipped?: number;
    failing?: Array<{name: string; since?: 'new' | 'already_failing'}>;
}

export interface StatusProps {
    version: number;
    state: string;
    branch?: string;
    revision?: string;
    rows: StatusRow[];
    unreachable_since?: number;
}

// Mattermost's PostType lists only its own types; ours is a plugin's custom_ type.
export function isStatusPost(post: Post): boolean {
    return (post.type as string) === 'custom_buildbot_build';
}

export function statusOf(post: Post): StatusProps {
    return post.props.buildbot_build as StatusProps;
}

const unfinished = new Set(['queued', 'building']);

export function finished(post: Post): boolean {
    return !unfinished.has(statusOf(post).state);
}

// rootStatusPosts lists the status posts made in a channel since a time. Mattermost's "posts since"
// also returns older posts edited since, which are not what a test counts.
export async function rootStatusPosts(client: Client4, channelId: string, since: number): Promise<Post[]> {
    const list = await client.getPostsSince(channelId, since);
    return Object.values(list.posts).filter((p) => isStatusPost(p) && !p.root_id && p.delete_at === 0 && p.create_at >= since);
}

// startBuild runs `/build repo branch` as client, which must start a build, and returns the new
// status post, found by its branch (make it unique) as reader sees the channel.
export async function startBuild(client: Client4, reader: Client4, world: World, repo: string, branch: string, channelId = world.channel.id): Promise<Post> {
    const since = Date.now() - 1000;
    const response = await runCommand(client, world, `/build ${repo} ${branch}`, channelId);
    if (response.text) {
        throw new Error(`/build ${repo} ${branch} answered: ${response.text}`);
    }
    return eventually(`the status post of ${repo} ${branch}`, async () => {
        const posts = await rootStatusPosts(reader, channelId, since);
        return posts.find((p) => statusOf(p).branch === branch);
    }, 15000);
}

// waitFinished waits until every post shows a result and returns them as they are then.
export async function waitFinished(reader: Client4, ids: string[], within: number): Promise<Post[]> {
    return eventually(`${ids.length} posts show their results`, async () => {
        const posts = await Promise.all(ids.map((id) => reader.getPost(id)));
        return posts.every(finished) && posts;
    }, within, async () => {
        const posts = await Promise.all(ids.map((id) => reader.getPost(id)));
        return posts.filter((p) => !finished(p)).map((p) => `${p.id}: ${JSON.stringify(statusOf(p))}`).join('\n');
    });
}

// psql runs one query on the stack's PostgreSQL and returns its rows, fields split.
export function psql(query: string): string[][] {
    const port = process.env.MMBB_PG_PORT ?? '25432';
    const out = execFileSync('psql', ['-h', '127.0.0.1', '-p', port, '-U', 'mmuser', '-d', 'mattermost', '-tA', '-F', '\t', '-c', query],
        {env: {...process.env, PGPASSWORD: 'mmuser-pass'}, encoding: 'utf8'});
    return out.split('\n').filter((line) => line !== '').map((line) => line.split('\t'));
}

export interface Version {
    state: string;
    // at is when this version was written (ms).
    at: number;
    // unreachable: this version said Buildbot does not answer.
    unreachable: boolean;
}

// editHistory is every version a post had, oldest first: Mattermost keeps each replaced version
// of a post as a deleted copy whose OriginalId is the post, with the EditAt it had.
export function editHistory(postId: string): Version[] {
    if (!/^[a-z0-9]{26}$/.test(postId)) {
        throw new Error(`not a post id: ${postId}`);
    }
    return psql(`select props->'buildbot_build'->>'state', greatest(editat, createat), props->'buildbot_build'->>'unreachable_since' from posts
        where id = '${postId}' or originalid = '${postId}' order by 2, deleteat = 0`)
        .map((row) => ({state: row[0] ?? '', at: Number(row[1]), unreachable: (row[2] ?? '') !== ''}));
}

// resultShownAt is when a post first showed a result.
export function resultShownAt(history: Version[]): number | undefined {
    return history.find((v) => rank(v.state) === 2)?.at;
}

const rank = (state: string): number => (state === 'queued' ? 0 : state === 'building' ? 1 : 2);

// flaps says where a history goes back (a result, then running again) or changes its result: what
// two writers editing one post at once would leave.
export function flaps(history: Version[]): string | undefined {
    const states = history.map((v) => v.state);
    for (let i = 1; i < states.length; i++) {
        const [before, after] = [states[i - 1] ?? '', states[i] ?? ''];
        if (rank(after) < rank(before) || (rank(before) === 2 && after !== before)) {
            return `${before} -> ${after} in ${states.join(', ')}`;
        }
    }
    return undefined;
}
