// Two Mattermost servers on one database, settings and file store, the plugin running on both:
// their copies share the work through the KV store (one poller, one follower of Buildbot's
// events), so every build gets one post, edited by one writer at a time, even when a server dies.
import type {Client4} from '@mattermost/client';
import type {Post} from '@mattermost/types/posts';

import {Buildbot, eventually} from '../src/buildbot';
import {bb4, buildbotUsers} from '../src/env';
import {listen} from '../src/events';
import {installPlugin, pluginFetch, setUpWorld, type PluginSettings} from '../src/mattermost';
import {configureBoth, killNode, logOffset, onBoth, startNode, startNode2, stopNode, ticks, type Both, type Node} from '../src/nodes';
import {editHistory, flaps, resultShownAt, startBuild, statusOf, waitFinished} from '../src/posts';
import {isCatalogRead, startProxy} from '../src/proxy';
import {measured} from '../src/measured';
import {readStatus} from '../src/status';

let both: Both;
const run = Date.now().toString(36);
const pollSeconds = 10;
const settings: PluginSettings = {BuildbotURL: bb4.url, AuthMode: 'login', ...buildbotUsers.admin, PollIntervalSeconds: 2};
const buildbot = new Buildbot(bb4.url);

beforeAll(async () => {
    const world = await setUpWorld();
    await installPlugin(world.admin);
    both = onBoth(world);
    await configureBoth(both, settings).catch(() => undefined);
    await startNode2(both);
    await configureBoth(both, settings);
}, 180000);

afterAll(async () => {
    await startNode(both, 1);
    await startNode(both, 2);
});

const other = (node: Node): Node => (node === 1 ? 2 : 1);

async function replies(reader: Client4, post: Post): Promise<Post[]> {
    const thread = await reader.getPostThread(post.id);
    return Object.values(thread.posts).filter((p) => p.root_id === post.id);
}

// checkOnePostEach: each build has its own post, in its final state, with one failure reply if it
// failed, and a history that never went back.
async function checkOnePostEach(reader: Client4, posts: Post[]): Promise<void> {
    expect(new Set(posts.map((p) => p.id)).size).toBe(posts.length);
    for (const post of posts) {
        const history = editHistory(post.id);
        expect({post: post.id, flap: flaps(history)}).toEqual({post: post.id, flap: undefined});
        const failed = statusOf(post).state === 'failure';
        expect({post: post.id, replies: (await replies(reader, post)).length}).toEqual({post: post.id, replies: failed ? 1 : 0});
    }
}

test('20 builds started alternately through both servers, passing and failing, end with one post each and one reply per failure', async () => {
    const started: Post[] = [];
    for (let i = 0; i < 20; i++) {
        const node: Node = i % 2 === 0 ? 1 : 2;
        const repo = i % 4 < 2 ? 'quick-example' : 'failing-example';
        started.push(await startBuild(both.users[node], both.admins[other(node)], both.world, repo, `ha-${run}-${i}`));
    }

    const done = await waitFinished(both.admins[1], started.map((p) => p.id), 180000);

    expect(done.map((p) => statusOf(p).state).sort()).toEqual([...Array(10).fill('failure'), ...Array(10).fill('success')]);
    await checkOnePostEach(both.admins[1], done);
    const channelPosts = await both.admins[2].getPostsSince(both.world.channel.id, started[0]!.create_at);
    const roots = Object.values(channelPosts.posts).filter((p) => !p.root_id && p.delete_at === 0 && p.create_at >= started[0]!.create_at &&
        (p.type as string) === 'custom_buildbot_build');
    expect(roots).toHaveLength(20);
    measured('20 posts, 20 results, 10 failure replies, no state went back in any edit history');
}, 300000);

test('the Builds panel on either server hears of a build and shows it, whichever server follows Buildbot\'s events', async () => {
    const listeners = await Promise.all(([1, 2] as Node[]).map((node) => listen(both.users[node])));
    try {
        const heard = listeners.map((l) => l.next('custom_buildbot_panel', 20000));
        // Read where it was posted: without a cluster, server 2 may answer a channel's newest posts
        // from a cache server 1's post did not reach.
        const post = await startBuild(both.users[1], both.admins[1], both.world, 'slow-example', `ha-panel-${run}`);
        const requestId = statusOf(post).rows[0]!.request_id;
        const events = await Promise.all(heard);
        for (const node of [1, 2] as Node[]) {
            const at = Number(events[node - 1]!.data.at);
            const view = await eventually(`server ${node}'s panel shows the build`, async () => {
                const response = await pluginFetch(both.users[node],
                    `/api/v1/panel/builds?channel_id=${both.world.channel.id}&team_id=${both.world.team.id}&after=${at}`);
                const body = await response.json() as {read_at: number; repos: Array<{builds: Array<{request_id: number; post_url: string}>}>};
                return body.repos.flatMap((r) => r.builds).find((b) => b.request_id === requestId) && body;
            }, 20000);
            expect(view.read_at).toBeGreaterThanOrEqual(at);
        }
        await buildbot.cancel(requestId).catch(() => undefined);
        const running = await buildbot.get<{builds: Array<{buildid: number}>}>(`buildrequests/${requestId}/builds`);
        for (const b of running.builds) {
            await buildbot.stop(b.buildid).catch(() => undefined);
        }
    } finally {
        listeners.forEach((l) => l.close());
    }
    measured('the panel event reached the webapps of both servers, and each server\'s panel read showed the build');
}, 120000);

test('Buildbot requests per tick across both servers equal one server\'s', async () => {
    const proxy = await startProxy({target: bb4.url, prefix: '/counted/', record: true});
    const parked: Post[] = [];
    try {
        await configureBoth(both, {...settings, BuildbotURL: proxy.url, EnablePush: false});
        for (let i = 0; i < 3; i++) {
            parked.push(await startBuild(both.users[1], both.admins[1], both.world, 'parked-example', `ha-parked-${run}-${i}`));
        }
        const measure = async (nodes: Node[]): Promise<{ticks: number; perTick: number}> => {
            await new Promise((resolve) => setTimeout(resolve, 5000));
            const from = {log: proxy.log.length, offsets: nodes.map(logOffset)};
            await new Promise((resolve) => setTimeout(resolve, 20000));
            const ran = nodes.reduce((sum, node, i) => sum + ticks(node, from.offsets[i]!), 0);
            const requests = proxy.log.slice(from.log).filter((p) => !isCatalogRead(p)).length;
            return {ticks: ran, perTick: requests / Math.max(1, ran)};
        };

        const two = await measure([1, 2]);
        stopNode(2);
        const one = await measure([1]);
        measured(`${two.perTick.toFixed(1)} requests per tick on two servers (${two.ticks} ticks in 20 s), ${one.perTick.toFixed(1)} on one (${one.ticks} ticks)`);

        expect(two.ticks).toBeGreaterThanOrEqual(5);
        expect(one.ticks).toBeGreaterThanOrEqual(5);
        expect(two.perTick).toBeCloseTo(one.perTick, 0);
        // The poller runs once per interval across the cluster, not once per server.
        expect(two.ticks).toBeLessThanOrEqual(one.ticks + 3);
    } finally {
        for (const post of parked) {
            await buildbot.cancel(statusOf(post).rows[0]!.request_id).catch(() => undefined);
        }
        await startNode2(both);
        await configureBoth(both, settings);
        await proxy.close();
    }
}, 300000);

// whoPolls is the server that ran the poller last.
async function whoPolls(): Promise<Node> {
    const [a, b] = await Promise.all([readStatus(both.admins[1]), readStatus(both.admins[2])]);
    return (a.node?.last_scheduled_poll ?? 0) >= (b.node?.last_scheduled_poll ?? 0) ? 1 : 2;
}

async function whoFollows(): Promise<Node> {
    return eventually('one server follows Buildbot\'s events', async () => {
        const [a, b] = await Promise.all([readStatus(both.admins[1]), readStatus(both.admins[2])]);
        if (a.node?.follows_events && !b.node?.follows_events) {
            return 1 as Node;
        }
        if (b.node?.follows_events && !a.node?.follows_events) {
            return 2 as Node;
        }
        return undefined;
    }, 30000);
}

// Builds of medium-example run about ten seconds: long enough to kill a server under them.
async function survivesCrash(victim: () => Promise<Node>, label: string): Promise<void> {
    const started: Post[] = [];
    for (let i = 0; i < 4; i++) {
        started.push(await startBuild(both.users[i % 2 === 0 ? 1 : 2], both.admins[1], both.world, i % 2 === 0 ? 'medium-example' : 'quick-example', `ha-${label}-${run}-${i}`));
    }
    await eventually('the first build runs', async () => statusOf(await both.admins[1].getPost(started[0]!.id)).state === 'building', 60000);
    const dead = await victim();
    const alive = other(dead);
    killNode(dead);
    try {
        const done = await waitFinished(both.admins[alive], started.map((p) => p.id), 120000);
        await checkOnePostEach(both.admins[alive], done);
        // Each post must show its result within two poll intervals of its build's end.
        const lags: number[] = [];
        for (const post of done) {
            const buildId = statusOf(post).rows[0]!.build_id!;
            const {builds} = await buildbot.get<{builds: Array<{complete_at: number}>}>(`builds/${buildId}`);
            const lag = resultShownAt(editHistory(post.id))! - builds[0]!.complete_at * 1000;
            lags.push(lag);
            expect({post: post.id, lag, within: lag < 2 * pollSeconds * 1000}).toMatchObject({post: post.id, within: true});
        }
        measured(`server ${dead} killed; build end to result shown: ${lags.map((l) => (l / 1000).toFixed(1)).join(', ')} s (limit ${2 * pollSeconds} s)`);
    } finally {
        await startNode(both, dead);
        await configureBoth(both, {...settings, PollIntervalSeconds: pollSeconds});
    }
}

test('kill -9 of the server that ran the poller last: the other takes over, every post shows its result within two poll intervals', async () => {
    await configureBoth(both, {...settings, PollIntervalSeconds: pollSeconds, EnablePush: false});
    await survivesCrash(whoPolls, 'poller');
}, 300000);

test('kill -9 of the server that follows Buildbot\'s events: the other takes over, every post shows its result within two poll intervals', async () => {
    await configureBoth(both, {...settings, PollIntervalSeconds: pollSeconds});
    await survivesCrash(whoFollows, 'events');
}, 300000);
