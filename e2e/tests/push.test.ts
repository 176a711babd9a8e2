// With push on, a status post follows Buildbot's WebSocket events: with polling slowed to once an
// hour, the post still reaches its result within seconds.
import type {Post} from '@mattermost/types/posts';

import {eventually} from '../src/buildbot';
import {buildbotMasters, buildbotUsers} from '../src/env';
import {configurePlugin, installPlugin, runCommand, setUpWorld, type World} from '../src/mattermost';

let world: World;

beforeAll(async () => {
    world = await setUpWorld();
    await installPlugin(world.admin);
});

describe.each(buildbotMasters)('with $label', (master) => {
    afterAll(async () => configurePlugin(world.admin, {BuildbotURL: master.url, AuthMode: 'login', ...buildbotUsers.admin, PollIntervalSeconds: 2}));

    test('a status post follows Buildbot\'s events without waiting for a poll', async () => {
        await configurePlugin(world.admin, {BuildbotURL: master.url, AuthMode: 'login', ...buildbotUsers.admin, PollIntervalSeconds: 3600, EnablePush: true});
        // Give the subscription a moment to start on the new settings.
        await new Promise((resolve) => setTimeout(resolve, 2000));
        const before = Date.now();

        await runCommand(world.user, world, `/build failing-example main`);

        const post: Post = await eventually('the status post appears', async () => {
            const list = await world.admin.getPostsSince(world.channel.id, before - 1000);
            return Object.values(list.posts).find((p) => (p.type as string) === 'custom_buildbot_build' && !p.root_id && p.delete_at === 0);
        }, 10000);
        const done = await eventually('the post shows the result', async () => {
            const current = await world.admin.getPost(post.id);
            return (current.props.buildbot_build as {state: string}).state === 'failure' && current;
        }, 20000);
        expect(done.message).toContain(':x:');
    });
});
