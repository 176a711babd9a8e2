// Builds find their people on the real Mattermost and both real Buildbots: Notify me gives whoever
// clicked it one direct message when the build ends; a push that breaks a builder gives the author
// of its change one, and the next failing push none; /build mine lists the author's builds.
import type {Post} from '@mattermost/types/posts';
import type {ServerChannel} from '@mattermost/types/channels';

import {Buildbot, eventually} from '../src/buildbot';
import {buildbotMasters, buildbotUsers} from '../src/env';
import {configurePlugin, installPlugin, runCommand, setUpWorld, type World} from '../src/mattermost';

let world: World;
let botId: string;

beforeAll(async () => {
    world = await setUpWorld();
    await installPlugin(world.admin);
    botId = (await world.admin.getUserByUsername('buildbot')).id;
});

const pollSeconds = 2;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// directMessages lists the bot's direct messages to alice that mention a text, oldest first.
async function directMessages(text: string): Promise<Post[]> {
    const dm = await world.user.createDirectChannel([world.plainUser.id, botId]);
    const list = await world.user.getPosts(dm.id, 0, 200);
    return list.order.map((id) => list.posts[id]!).filter((p) => p.user_id === botId && p.message.includes(text)).reverse();
}

describe.each(buildbotMasters)('with $label', (master) => {
    const buildbot = new Buildbot(master.url);
    const run = `${Date.now().toString(36)}-${master === buildbotMasters[0] ? '4' : '37'}`;

    beforeAll(async () => configurePlugin(world.admin, {
        BuildbotURL: master.url, AuthMode: 'login', ...buildbotUsers.admin, PollIntervalSeconds: pollSeconds, CatalogRefreshSeconds: 5,
    }));

    test('Notify me, clicked by a second user, gives that user exactly one direct message with the result', async () => {
        const branch = `notify-${run}`;
        await runCommand(world.admin, world, `/build medium-example ${branch}`);
        const status = await eventually('the status post', async () => {
            const list = await world.admin.getPosts(world.channel.id, 0, 20);
            return Object.values(list.posts).find((p) => p.user_id === botId && !p.root_id && p.message.includes(`\`${branch}\``));
        }, 20000);

        await world.user.doPostAction(status.id, 'notify');
        const waiting = await world.admin.getPost(status.id);
        expect(waiting.props.buildbot_waiting).toEqual([world.plainUser.id]);

        const [message] = await eventually('alice is told the build ended', async () => {
            const found = await directMessages(`\`${branch}\``);
            return found.length > 0 && found;
        }, 60000);
        expect(message!.message).toContain('You asked to hear when this build ends');
        expect(message!.message).toContain(`/_redirect/pl/${status.id}`);
        expect(message!.message).toContain(': success');
        await sleep(3 * pollSeconds * 1000);
        expect(await directMessages(`\`${branch}\``)).toHaveLength(1);
    }, 120000);

    test('a push that breaks a builder messages the author of its change once; the next failing push does not; /build mine lists both', async () => {
        const channel: ServerChannel = await world.admin.createChannel({team_id: world.team.id, name: `broken-${run}`, display_name: `broken-${run}`, type: 'O'});
        await world.admin.addToChannel(world.plainUser.id, channel.id);
        const branch = `broken-${run}`;
        const answer = await eventually('the repo is known', async () => {
            const text = (await runCommand(world.admin, world, `/build subscribe verdict-example ${branch} --events failure`, channel.id)).text ?? '';
            return !text.includes('nothing called') && text;
        }, 30000);
        expect(answer).toContain('This channel now hears about');
        await sleep(pollSeconds * 1000);

        const push = async (revision: string) => {
            await buildbot.push({branch, revision, author: `Alice Liddell <${world.plainUser.email}>`, repository: 'https://git.example.com/verdict-example'});
            await eventually(`the build of ${revision} finishes`, async () => {
                const builds = await buildbot.buildsWhere((p) => p.branch === branch && p.revision === revision);
                return builds.length > 0 && builds.every((b) => b.complete);
            });
        };
        const failures = (count: number) => eventually(`${count} failures are posted`, async () => {
            const list = await world.admin.getPosts(channel.id, 0, 20);
            const found = Object.values(list.posts).filter((p) => p.user_id === botId && !p.root_id && p.message.includes(': failure'));
            return found.length === count && found;
        }, 30000);
        await push(`good-${run}`);
        await push(`bad-a-${run}`);
        const [first] = await failures(1);
        const [broke] = await eventually('alice hears her change broke the build', async () => {
            const found = await directMessages(`\`${branch}\``);
            return found.length > 0 && found;
        }, 30000);
        expect(broke!.message).toContain('A build that passed before your change fails with it');
        expect(broke!.message).toContain(`/_redirect/pl/${first!.id}`);

        await push(`bad-b-${run}`);
        const posts = await failures(2);
        await sleep(3 * pollSeconds * 1000);
        expect(await directMessages(`\`${branch}\``)).toHaveLength(1);

        const mine = (await runCommand(world.user, world, '/build mine', channel.id)).text ?? '';
        for (const p of posts) {
            expect(mine).toContain(`/_redirect/pl/${p.id}`);
        }
    }, 180000);
});
