// A failed build mentions the authors of its changes. Where Mattermost hides e-mail addresses, a
// mention would tell the channel whose address a commit carries, so only a user who linked her
// address with /build me link is mentioned.
import type {Post} from '@mattermost/types/posts';
import type {ServerChannel} from '@mattermost/types/channels';

import {Buildbot, eventually} from '../src/buildbot';
import {bb4, buildbotUsers} from '../src/env';
import {configurePlugin, installPlugin, runCommand, setUpWorld, type World} from '../src/mattermost';

const pollSeconds = 2;
const run = Date.now().toString(36);
const branch = `hidden-${run}`;
const buildbot = new Buildbot(bb4.url);

let world: World;

beforeAll(async () => {
    world = await setUpWorld();
    await installPlugin(world.admin);
    await configurePlugin(world.admin, {BuildbotURL: bb4.url, AuthMode: 'login', ...buildbotUsers.admin, PollIntervalSeconds: pollSeconds});
});

// pushAndWait pushes a revision by the plain user and waits for verdict-example to finish it.
async function pushAndWait(revision: string): Promise<void> {
    await buildbot.push({branch, revision, author: `Alice Liddell <${world.plainUser.email}>`, repository: 'https://git.example.com/verdict-example'});
    await eventually(`the build of ${revision} finishes`, async () => {
        const builds = await buildbot.buildsWhere((p) => p.branch === branch && p.revision === revision);
        return builds.length > 0 && builds.every((b) => b.complete);
    });
}

async function failurePosts(channel: ServerChannel, count: number): Promise<Post[]> {
    return eventually(`${count} failure posts`, async () => {
        const list = await world.admin.getPosts(channel.id, 0, 50);
        const posts = list.order.map((id) => list.posts[id]!).filter((p) => !p.root_id && p.props?.buildbot_build && p.message.includes(': failure'));
        return posts.length >= count && posts;
    }, 30000);
}

test('with e-mail addresses hidden, a failure mentions its author only once she linked her address with /build me link', async () => {
    const config = await world.admin.getConfig();
    const shown = config.PrivacySettings.ShowEmailAddress;
    await world.admin.patchConfig({PrivacySettings: {...config.PrivacySettings, ShowEmailAddress: false}});
    try {
        const channel = await world.admin.createChannel({team_id: world.team.id, name: `hidden-${run}`, display_name: `hidden ${run}`, type: 'O'} as ServerChannel);
        await world.admin.addToChannel(world.plainUser.id, channel.id);
        await eventually('the subscription is taken', async () => {
            const text = (await runCommand(world.admin, world, `/build subscribe verdict-example ${branch} --events failure`, channel.id)).text ?? '';
            return text.includes('now hears about');
        }, 30000);
        await new Promise((resolve) => setTimeout(resolve, pollSeconds * 1000));
        await pushAndWait('good-1');

        await pushAndWait('bad-1');
        const [unlinked] = await failurePosts(channel, 1);
        expect(unlinked!.message).toContain('Changes since the last success:\n- `bad-1` Alice Liddell');
        expect(unlinked!.message).not.toContain(`@${world.plainUser.username}`);

        expect((await runCommand(world.user, world, '/build me', channel.id)).text).toContain('mentions you only once you link it');
        expect((await runCommand(world.user, world, '/build me link', channel.id)).text).toContain('`/build me unlink` stops that');
        await pushAndWait('bad-2');
        const posts = await failurePosts(channel, 2);

        expect(posts.find((p) => p.message.includes('at `bad-2`'))?.message).toContain(`cc @${world.plainUser.username}`);
    } finally {
        await runCommand(world.user, world, '/build me unlink').catch(() => undefined);
        await world.admin.patchConfig({PrivacySettings: {...(await world.admin.getConfig()).PrivacySettings, ShowEmailAddress: shown}});
    }
}, 300000);
