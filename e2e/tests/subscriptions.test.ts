// Most builds start from a push. A channel subscribed to a repo and branch glob gets those builds,
// edited in place, for the events it asked for, on the real Mattermost and both real Buildbots.
import {execFileSync} from 'node:child_process';
import path from 'node:path';

import type {Post} from '@mattermost/types/posts';
import type {ServerChannel} from '@mattermost/types/channels';

import {Buildbot, eventually} from '../src/buildbot';
import {buildbotMasters, buildbotUsers, repoRoot} from '../src/env';
import {configurePlugin, installPlugin, runCommand, setUpWorld, type PluginSettings, type World} from '../src/mattermost';
import {startProxy} from '../src/proxy';

let world: World;

beforeAll(async () => {
    world = await setUpWorld();
    await installPlugin(world.admin);
});

const repo = 'verdict-example';
const pollSeconds = 2;

async function newChannel(name: string): Promise<ServerChannel> {
    const channel = await world.admin.createChannel({team_id: world.team.id, name, display_name: name, type: 'O'});
    await world.admin.addToChannel(world.plainUser.id, channel.id);
    return channel;
}

// rootPosts lists a channel's root posts by the bot, oldest first.
async function rootPosts(channel: ServerChannel): Promise<Post[]> {
    const list = await world.admin.getPosts(channel.id, 0, 100);
    return list.order.map((id) => list.posts[id]!).filter((p) => !p.root_id && p.props?.buildbot_build).reverse();
}

const stateOf = (post: Post): string => (post.props.buildbot_build as {state: string}).state;

describe.each(buildbotMasters)('with $label', (master) => {
    const buildbot = new Buildbot(master.url);
    const run = `${Date.now().toString(36)}-${master === buildbotMasters[0] ? '4' : '37'}`;
    const settings: PluginSettings = {
        BuildbotURL: master.url, AuthMode: 'login', ...buildbotUsers.admin, PollIntervalSeconds: pollSeconds, CatalogRefreshSeconds: 5,
    };

    beforeAll(async () => configurePlugin(world.admin, settings));

    // subscribe runs /build subscribe as the admin in a channel and checks it was taken.
    async function subscribe(channel: ServerChannel, args: string): Promise<void> {
        const answer = await eventually('the repo is known', async () => {
            const text = (await runCommand(world.admin, world, `/build subscribe ${args}`, channel.id)).text ?? '';
            return !text.includes('nothing called') && text;
        }, 30000);
        expect(answer).toContain('This channel now hears about');
    }

    // pushAndWait pushes a revision to a branch and waits for its build to finish on Buildbot.
    async function pushAndWait(branch: string, revision: string): Promise<void> {
        await buildbot.push({branch, revision, author: `Alice Liddell <${world.plainUser.email}>`, repository: `https://git.example.com/${repo}`});
        await eventually(`the build of ${revision} on ${branch} finishes`, async () => {
            const builds = await buildbot.buildsWhere((p) => p.branch === branch && p.revision === revision);
            return builds.length > 0 && builds.every((b) => b.complete);
        });
    }

    test('a push build appears, edited to its result, in the channel subscribed to its repo and glob, and nowhere else', async () => {
        const live = await newChannel(`live-${run}`);
        const mainOnly = await newChannel(`main-only-${run}`);
        const unsubscribed = await newChannel(`unsubscribed-${run}`);
        await subscribe(live, `${repo} release-${run}/* --events started`);
        await subscribe(mainOnly, `${repo} main`);
        // Let a tick see the subscriptions before the push, as a busy channel would.
        await new Promise((resolve) => setTimeout(resolve, pollSeconds * 1000));

        await pushAndWait(`release-${run}/1.0`, 'good-1');

        const [post] = await eventually('the live card shows the result', async () => {
            const posts = await rootPosts(live);
            return posts.length === 1 && stateOf(posts[0]!) === 'success' && posts;
        }, 30000, async () => JSON.stringify((await rootPosts(live)).map((p) => p.message)));
        expect(post!.message).toContain(`**${repo}** on \`release-${run}/1.0\` at \`good-1\`: success`);
        expect(post!.message).not.toContain('requested by');
        await new Promise((resolve) => setTimeout(resolve, 2 * pollSeconds * 1000));
        expect(await rootPosts(live)).toHaveLength(1);
        expect(await rootPosts(mainOnly)).toHaveLength(0);
        expect(await rootPosts(unsubscribed)).toHaveLength(0);
    });

    test('a channel subscribed to failures hears nothing of a passing build, and one post of a failing one that mentions its author', async () => {
        const quiet = await newChannel(`quiet-${run}`);
        await subscribe(quiet, `${repo} quiet-${run} --events failure`);
        await new Promise((resolve) => setTimeout(resolve, pollSeconds * 1000));

        await pushAndWait(`quiet-${run}`, 'good-2');
        await new Promise((resolve) => setTimeout(resolve, 2 * pollSeconds * 1000));
        expect(await rootPosts(quiet)).toHaveLength(0);

        await pushAndWait(`quiet-${run}`, 'bad-2');
        const posts = await eventually('the failure is posted', async () => {
            const found = await rootPosts(quiet);
            return found.length > 0 && found;
        }, 30000);
        await new Promise((resolve) => setTimeout(resolve, 2 * pollSeconds * 1000));
        expect(await rootPosts(quiet)).toHaveLength(1);
        expect(posts[0]!.message).toContain('at `bad-2`: failure');
        // Who broke it: the changes since the last success, and the Mattermost user whose e-mail
        // is their author's, mentioned in a new post, so Mattermost notifies her.
        expect(posts[0]!.message).toContain('Changes since the last success:\n- `bad-2` Alice Liddell');
        expect(posts[0]!.message).toContain(`cc @${world.plainUser.username}`);
        const member = await world.user.getChannelMember(quiet.id, world.plainUser.id);
        expect(member.mention_count).toBeGreaterThan(0);
    });

    test('problem and recovery fire on the transitions of one branch, never across branches', async () => {
        const watch = await newChannel(`transitions-${run}`);
        await subscribe(watch, `${repo} tr-${run}-* --events problem,recovery`);
        await new Promise((resolve) => setTimeout(resolve, pollSeconds * 1000));
        const one = `tr-${run}-one`;
        const two = `tr-${run}-two`;
        const settle = async (count: number): Promise<Post[]> => {
            await new Promise((resolve) => setTimeout(resolve, 2 * pollSeconds * 1000));
            return eventually(`${count} posts`, async () => {
                const posts = await rootPosts(watch);
                return posts.length === count && posts;
            }, 20000, async () => JSON.stringify((await rootPosts(watch)).map((p) => p.message)));
        };

        await pushAndWait(one, 'good-3');
        await settle(0);
        await pushAndWait(one, 'bad-3');
        expect((await settle(1))[0]!.message).toContain('at `bad-3`: failure');
        await pushAndWait(one, 'bad-4');
        await settle(1);
        // The other branch's first build has no previous result of its own: no problem.
        await pushAndWait(two, 'bad-5');
        await settle(1);
        await pushAndWait(one, 'good-6');
        expect((await settle(2))[1]!.message).toContain('at `good-6`: success');
    }, 240000);

    test('a push that runs two builders is one card with a row for each; a failure subscription gets it, and a line subscription one line', async () => {
        const cards = await newChannel(`pair-cards-${run}`);
        const failures = await newChannel(`pair-failures-${run}`);
        const lines = await newChannel(`pair-lines-${run}`);
        const branch = `pair-${run}`;
        await subscribe(cards, `* ${branch} --events finished`);
        await subscribe(failures, `* ${branch} --events failure`);
        await subscribe(lines, `* ${branch} --events finished --style line`);
        await new Promise((resolve) => setTimeout(resolve, pollSeconds * 1000));

        // pair-lint fails a revision starting with "bad"; pair-unit passes it.
        const revision = `bad-pair-${run}`;
        await buildbot.push({branch, revision, author: 'Bob <bob@example.com>', repository: 'https://git.example.com/team/pairapp.git', category: 'pair'});
        await eventually('both builders built the push', async () => {
            const found = await buildbot.buildsWhere((p) => p.branch === branch);
            return new Set(found.map((b) => b.builderid)).size === 2 && found.every((b) => b.complete);
        });

        type Status = {state: string; rows: Array<{builder: string; state: string}>};
        const settled = async (channel: ServerChannel): Promise<Post> => {
            const [post] = await eventually(`one post in ${channel.name} with both results`, async () => {
                const posts = await rootPosts(channel);
                const status = posts[0]?.props.buildbot_build as Status | undefined;
                return posts.length === 1 && status?.rows.every((r) => r.state === 'success' || r.state === 'failure') && posts;
            }, 30000, async () => JSON.stringify((await rootPosts(channel)).map((p) => p.message)));
            return post!;
        };
        for (const channel of [cards, failures]) {
            const status = (await settled(channel)).props.buildbot_build as Status;
            expect(status.state).toBe('failure');
            expect(status.rows.map((r) => `${r.builder} ${r.state}`).sort()).toEqual(['pair-lint failure', 'pair-unit success']);
        }
        const line = await settled(lines);
        expect(line.message).toMatch(new RegExp(`^:x: \\*\\*\\S+\\*\\* \`${branch}\`: \\[pair-`));
        expect(line.message).toContain('pair-lint #');
        expect(line.message).toContain('pair-unit #');
        await new Promise((resolve) => setTimeout(resolve, 2 * pollSeconds * 1000));
        for (const channel of [cards, failures, lines]) {
            expect(await rootPosts(channel)).toHaveLength(1);
        }
    }, 120000);

    test('a worker stopped and restarted is posted missing, then back, once each, in the health channels of its repos only', async () => {
        await configurePlugin(world.admin, {...settings, HealthAlertSeconds: 5});
        const everything = await newChannel(`health-${run}`);
        const ofRepo = await newChannel(`health-repo-${run}`);
        const parkedOnly = await newChannel(`health-parked-${run}`);
        const buildsOnly = await newChannel(`no-health-${run}`);
        await subscribe(everything, '* --events health');
        await subscribe(ofRepo, `${repo} --events health`);
        // parked-example builds only on parked-worker, which never connects: never seen, it is no news.
        await subscribe(parkedOnly, 'parked-example --events health');
        await subscribe(buildsOnly, '* * --events failure');
        const which = master === buildbotMasters[0] ? '4' : '3.7';
        try {
            // A look sees the worker connected before it goes.
            await new Promise((resolve) => setTimeout(resolve, 2 * pollSeconds * 1000));
            stack('worker-stop', which);
            try {
                const missing = await eventually('the health channel hears local-worker is missing', async () => {
                    const posts = await healthPosts(everything, 'local-worker');
                    return posts.length > 0 && posts;
                }, 60000);
                expect(missing[0]!.message).toContain('Worker `local-worker` is missing: it has not been connected to Buildbot for');
                expect(missing[0]!.message).toMatch(/Builds of .*\*\*failing-example\*\*.* and \d+ more wait until it is back/);
            } finally {
                stack('worker-start', which);
            }
            await eventually('the health channels hear local-worker is back', async () =>
                (await healthPosts(everything, 'local-worker')).length > 1 && (await healthPosts(ofRepo, 'local-worker')).length > 1, 60000);
            // Later looks find nothing new to say.
            await new Promise((resolve) => setTimeout(resolve, 3 * pollSeconds * 1000));
            for (const channel of [everything, ofRepo]) {
                const posts = await healthPosts(channel);
                expect(posts.map((p) => `${p.props.buildbot_worker}: ${p.props.buildbot_health}`)).toEqual(['local-worker: worker_missing', 'local-worker: worker_back']);
            }
            expect((await healthPosts(everything))[1]!.message).toContain('Worker `local-worker` is back, after');
            expect(await healthPosts(parkedOnly)).toEqual([]);
            expect(await healthPosts(buildsOnly)).toEqual([]);
        } finally {
            for (const [channel, args] of [[everything, '*'], [ofRepo, repo], [parkedOnly, 'parked-example'], [buildsOnly, '* *']] as const) {
                await runCommand(world.admin, world, `/build unsubscribe ${args}`, channel.id);
            }
            await configurePlugin(world.admin, settings);
        }
    }, 180000);
});

// stack runs e2e/stack/buildbot.sh, which stops and starts the stack's worker.
function stack(action: string, which: string): void {
    execFileSync(path.join(repoRoot, 'e2e', 'stack', 'buildbot.sh'), [action, which], {stdio: 'ignore'});
}

// healthPosts lists a channel's health posts, oldest first, about one worker or all.
async function healthPosts(channel: ServerChannel, worker?: string): Promise<Post[]> {
    const list = await world.admin.getPosts(channel.id, 0, 100);
    return list.order.map((id) => list.posts[id]!).
        filter((p) => p.props?.buildbot_health && (!worker || p.props.buildbot_worker === worker)).reverse();
}

test('a health channel hears once that Buildbot stopped answering, and once that it answers again', async () => {
    const [master] = buildbotMasters;
    // The plugin reaches Buildbot through a proxy, which the test stops and starts again.
    let proxy = await startProxy({target: master!.url, prefix: '/bb/'});
    const port = new URL(proxy.url).port;
    const settings: PluginSettings = {BuildbotURL: proxy.url, AuthMode: 'login', ...buildbotUsers.admin, PollIntervalSeconds: pollSeconds,
        RequestTimeoutSeconds: 2, HealthAlertSeconds: 5};
    await configurePlugin(world.admin, settings);
    const channel = await newChannel(`health-down-${Date.now().toString(36)}`);
    try {
        await eventually('subscribed', async () => ((await runCommand(world.admin, world, '/build subscribe * --events health', channel.id)).text ?? '').includes('now hears'), 30000);
        await new Promise((resolve) => setTimeout(resolve, 2 * pollSeconds * 1000));
        await proxy.close();

        const down = await eventually('the channel hears Buildbot does not answer', async () => {
            const posts = await healthPosts(channel);
            return posts.length > 0 && posts;
        }, 60000);
        expect(down[0]!.props.buildbot_health).toBe('buildbot_down');
        expect(down[0]!.message).toContain('Buildbot has not answered for');

        proxy = await startProxy({target: master!.url, prefix: '/bb/', port: Number(port)});
        await eventually('the channel hears Buildbot answers again', async () => (await healthPosts(channel)).length > 1, 60000);
        await new Promise((resolve) => setTimeout(resolve, 3 * pollSeconds * 1000));
        expect((await healthPosts(channel)).map((p) => p.props.buildbot_health)).toEqual(['buildbot_down', 'buildbot_back']);
    } finally {
        await runCommand(world.admin, world, '/build unsubscribe *', channel.id);
        await configurePlugin(world.admin, {BuildbotURL: master!.url, AuthMode: 'login', ...buildbotUsers.admin});
        await proxy.close();
    }
}, 180000);

test('a normal member may not subscribe a channel by default, and may once the setting opens it', async () => {
    const [master] = buildbotMasters;
    const settings: PluginSettings = {BuildbotURL: master!.url, AuthMode: 'login', ...buildbotUsers.admin};
    await configurePlugin(world.admin, settings);
    const channel = await newChannel(`members-${Date.now().toString(36)}`);
    const attempt = async () => (await runCommand(world.user, world, `/build subscribe ${repo}`, channel.id)).text ?? '';

    expect(await attempt()).toContain('Only the channel\'s admins may change this channel\'s subscriptions');

    await configurePlugin(world.admin, {...settings, SubscribePermission: 'everyone'});
    expect(await eventually('the repo is known', async () => {
        const text = await attempt();
        return !text.includes('nothing called') && text;
    }, 30000)).toContain(`This channel now hears about **${repo}** on its default branch`);
});

test('/build subscriptions --all lists another channel\'s subscription for a system admin only', async () => {
    const channel = await newChannel(`listed-${Date.now().toString(36)}`);
    await configurePlugin(world.admin, {BuildbotURL: buildbotMasters[0]!.url, AuthMode: 'login', ...buildbotUsers.admin});
    await eventually('subscribed', async () => ((await runCommand(world.admin, world, `/build subscribe ${repo} listed/*`, channel.id)).text ?? '').includes('now hears'), 30000);

    const forUser = (await runCommand(world.user, world, '/build subscriptions --all')).text ?? '';
    const forAdmin = (await runCommand(world.admin, world, '/build subscriptions --all')).text ?? '';

    expect(forUser).toContain('Only system admins');
    expect(forAdmin).toContain(`${world.team.name}/\\~${channel.name}`);
    expect(forAdmin).toContain('listed/\\*');
    expect(forAdmin).toContain(`@${world.adminUser.username}`);
});
