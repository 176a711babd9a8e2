// Hundreds of builds followed at once, on the real KV store: Mattermost lists a plugin's keys a
// page at a time with its other keys (the bot's, the cluster's locks and jobs) among them, and
// every followed build must be read on every tick, not only the first page's.
import type {Post} from '@mattermost/types/posts';
import type {ServerChannel} from '@mattermost/types/channels';

import {Buildbot, eventually} from '../src/buildbot';
import {bb4, buildbotUsers} from '../src/env';
import {configurePlugin, installPlugin, runCommand, setUpWorld, type World} from '../src/mattermost';

const parked = 300;
const pollSeconds = 2;

let world: World;
let channel: ServerChannel;
const buildbot = new Buildbot(bb4.url);
const run = Date.now().toString(36);

beforeAll(async () => {
    world = await setUpWorld();
    await installPlugin(world.admin);
    await configurePlugin(world.admin, {BuildbotURL: bb4.url, AuthMode: 'login', ...buildbotUsers.admin, PollIntervalSeconds: pollSeconds});
    channel = await world.admin.createChannel({team_id: world.team.id, name: `parking-${run}`, display_name: `parking ${run}`, type: 'O'});
    await world.admin.addToChannel(world.plainUser.id, channel.id);
});

interface Row {
    state: string;
    request_id: number;
    build_id?: number;
}

const rowsOf = (post: Post): Row[] => (post.props.buildbot_build as {rows: Row[]}).rows;

async function statusPosts(): Promise<Post[]> {
    const all: Post[] = [];
    for (let page = 0; ; page++) {
        const list = await world.admin.getPosts(channel.id, page, 200);
        const posts = list.order.map((id) => list.posts[id]!).filter((p) => (p.type as string) === 'custom_buildbot_build' && !p.root_id);
        all.push(...posts);
        if (list.order.length < 200) {
            return all;
        }
    }
}

test(`with ${parked} builds waiting for a worker, each new build shows in its post within two polls of starting, and every post follows Buildbot`, async () => {
    // parked-example's worker never connects, so these stay queued, and followed, for the test.
    for (let i = 0; i < parked; i++) {
        const response = await runCommand(world.user, world, `/build parked-example e2e-parked-${run}-${i}`, channel.id);
        expect(response.text ?? '').toBe('');
    }
    const queued = await statusPosts();
    expect(queued).toHaveLength(parked);

    // Builds that run at once, announced after the others: their keys sort anywhere among theirs,
    // so with a store that lists only its first page, about a third of them would never show.
    const quick = 10;
    for (let i = 0; i < quick; i++) {
        expect((await runCommand(world.user, world, `/build quick-example e2e-among-parked-${run}-${i}`, channel.id)).text ?? '').toBe('');
    }
    const runners = (await statusPosts()).filter((p) => !queued.some((q) => q.id === p.id));
    expect(runners).toHaveLength(quick);
    // When each post first shows its build, against when Buildbot started it.
    const shownAt = new Map<number, number>();
    await eventually('every new build shows in its post', async () => {
        for (const p of runners) {
            for (const row of rowsOf(await world.admin.getPost(p.id))) {
                if (row.build_id && !shownAt.has(row.build_id)) {
                    shownAt.set(row.build_id, Date.now());
                }
            }
        }
        return shownAt.size === runners.length * rowsOf(runners[0]!).length;
    }, 60000, async () => `${shownAt.size} builds shown`);
    for (const [buildId, shown] of shownAt) {
        const {builds} = await buildbot.get<{builds: Array<{started_at: number}>}>(`builds/${buildId}`);
        expect(shown - builds[0]!.started_at * 1000).toBeLessThan(2 * pollSeconds * 1000 + 3000);
    }

    // Buildbot ends every parked request; the posts must all say so, not only those whose keys
    // come first.
    for (const post of queued) {
        await buildbot.cancel(rowsOf(post)[0]!.request_id);
    }
    const cancelledAt = Date.now();
    await eventually(`all ${parked} posts say cancelled`, async () => {
        const parkedPosts = (await statusPosts()).filter((p) => queued.some((q) => q.id === p.id));
        return parkedPosts.length === parked && parkedPosts.every((p) => rowsOf(p)[0]?.state === 'cancelled');
    }, 60000, async () => {
        const parkedPosts = (await statusPosts()).filter((p) => queued.some((q) => q.id === p.id));
        const stuck = parkedPosts.filter((p) => rowsOf(p)[0]?.state !== 'cancelled');
        return `${parkedPosts.length} of ${parked} posts found, ${stuck.length} of them not cancelled ` +
            `${Math.round((Date.now() - cancelledAt) / 1000)} s after the last cancel`;
    });
}, 600000);
