// PostgreSQL stops under running builds and comes back: Mattermost reconnects, and the plugin,
// whose KV store and posts were out of reach meanwhile, loses no followed build and doubles no
// post or reply.
import type {Post} from '@mattermost/types/posts';

import {Buildbot, eventually} from '../src/buildbot';
import {bb4, buildbotUsers} from '../src/env';
import {measured} from '../src/measured';
import {configurePlugin, installPlugin, setUpWorld, type World} from '../src/mattermost';
import {stackScript, stopNode} from '../src/nodes';
import {editHistory, flaps, rootStatusPosts, startBuild, statusOf, waitFinished} from '../src/posts';

const run = Date.now().toString(36);
const buildbot = new Buildbot(bb4.url);
const results = ['success', 'warnings', 'failure', 'skipped', 'exception', 'retry', 'cancelled'];
let world: World;

beforeAll(async () => {
    world = await setUpWorld();
    await installPlugin(world.admin);
    stopNode(2);
    await configurePlugin(world.admin, {BuildbotURL: bb4.url, AuthMode: 'login', ...buildbotUsers.admin, PollIntervalSeconds: 2});
}, 120000);

afterAll(() => {
    stackScript('postgres.sh', 'up');
});

test('builds that run while PostgreSQL restarts each end with one post showing their result and one reply per failure', async () => {
    const since = Date.now();
    const started: Post[] = [];
    for (const repo of ['medium-example', 'failing-example', 'project-example']) {
        started.push(await startBuild(world.user, world.admin, world, repo, `pg-${run}-${repo}`));
    }
    await eventually('the first build runs', async () => statusOf(await world.admin.getPost(started[0]!.id)).state === 'building', 60000);

    stackScript('postgres.sh', 'down');
    await new Promise((resolve) => setTimeout(resolve, 8000));
    stackScript('postgres.sh', 'up');
    const back = Date.now();
    await eventually('Mattermost answers again', async () => (await world.admin.getMe().catch(() => undefined)) !== undefined, 60000);

    const done = await waitFinished(world.admin, started.map((p) => p.id), 120000);
    const took = Date.now() - back;
    for (const post of done) {
        const buildId = statusOf(post).rows[0]!.build_id!;
        const {builds} = await buildbot.get<{builds: Array<{results: number}>}>(`builds/${buildId}`);
        expect({post: post.id, state: statusOf(post).state}).toEqual({post: post.id, state: results[builds[0]!.results]});
        expect(flaps(editHistory(post.id))).toBeUndefined();
        const thread = await world.admin.getPostThread(post.id);
        const replies = Object.values(thread.posts).filter((p) => p.root_id === post.id);
        expect({post: post.id, replies: replies.length}).toEqual({post: post.id, replies: statusOf(post).state === 'failure' ? 1 : 0});
    }
    expect(await rootStatusPosts(world.admin, world.channel.id, since)).toHaveLength(started.length);
    measured(`PostgreSQL down 8 s under 3 running builds; all 3 posts showed their results ${(took / 1000).toFixed(1)} s after it was back; ` +
        'one post and at most one reply each');
}, 300000);
