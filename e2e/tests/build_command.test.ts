// A user types /build, sees the repos and branches of the real Buildbot, presses Enter, and a real
// build starts; every refusal says why and starts nothing. Against every supported Buildbot.
import type {Client4} from '@mattermost/client';

import {Buildbot, eventually} from '../src/buildbot';
import {bb4, buildbotMasters, buildbotUsers} from '../src/env';
import {configurePlugin, installPlugin, runCommand, setUpWorld, type PluginSettings, type World} from '../src/mattermost';
import {startProxy} from '../src/proxy';

let world: World;

beforeAll(async () => {
    world = await setUpWorld();
    await installPlugin(world.admin);
});

async function suggestions(client: Client4, typed: string): Promise<string[]> {
    const list = await client.getCommandAutocompleteSuggestionsList(typed, world.team.id, {channel_id: world.channel.id, team_id: world.team.id} as Parameters<Client4['getCommandAutocompleteSuggestionsList']>[2]);
    return list.map((s) => s.Suggestion);
}

async function newestPostMessage(channelId: string): Promise<string> {
    const posts = await world.admin.getPosts(channelId, 0, 1);
    const id = posts.order[0];
    return id ? posts.posts[id]?.message ?? '' : '';
}

describe.each(buildbotMasters)('with $label', (master) => {
    const buildbot = new Buildbot(master.url);
    const run = Date.now().toString(36);
    const historyBranch = `e2e-history-${run}`;
    const settings: PluginSettings = {
        BuildbotURL: master.url, AuthMode: 'login', ...buildbotUsers.admin, PollIntervalSeconds: 2, RequestTimeoutSeconds: 5, CatalogRefreshSeconds: 5,
    };

    beforeAll(async () => {
        await configurePlugin(world.admin, settings);
        // A build on a new branch, made outside chat, is history the plugin should learn from.
        await buildbot.force('project-example', historyBranch);
    });

    test('typing /build offers the repos Buildbot can build, and the subcommands', async () => {
        const offered = await eventually('the repos are offered', async () => {
            const s = await suggestions(world.user, '/build ');
            return s.includes('project-example') && s;
        });

        expect(offered).toEqual(expect.arrayContaining(['project-example', 'failing-example', 'slow-example', 'list', 'status', 'help']));
    });

    test('typing /build pro narrows the repos to project-example', async () => {
        expect(await suggestions(world.user, '/build pro')).toEqual(['project-example']);
    });

    test('after the repo, its branches are offered: the default first, and branches built on Buildbot', async () => {
        const offered = await eventually('the new branch is offered', async () => {
            const s = await suggestions(world.user, '/build project-example ');
            return s.includes(historyBranch) && s;
        }, 30000);

        expect(offered[0]).toBe('main');
    });

    test('/build <repo> <branch> <revision> by a normal user starts a real build with them', async () => {
        const branch = `e2e-force-${run}`;

        const response = await runCommand(world.user, world, `/build project-example ${branch} 0123abcd`);

        expect(response.text ?? '').toBe('');
        // On 4.x project-example is a project of two builders, and one /build starts both.
        const builders = master === bb4 ? 2 : 1;
        const builds = await eventually('the builds ran on the worker', async () => {
            const found = await buildbot.buildsWhere((p) => p.branch === branch);
            return new Set(found.map((b) => b.builderid)).size === builders && found.every((b) => b.complete) && found;
        });
        const props = Object.fromEntries(Object.entries(builds[0]!.properties).map(([k, v]) => [k, v[0]]));
        expect(props).toMatchObject({branch, revision: '0123abcd', project: 'project-example', reason: 'Requested by @alice in e2e/~builds (Mattermost)'});
        // Buildbot makes the logged-in user (the plugin's) the owner of a forced build.
        expect(props.owner).toBe(buildbotUsers.admin.username);
        const message = await newestPostMessage(world.channel.id);
        expect(message).toContain(`**project-example** on \`${branch}\` at \`0123abcd\``);
        expect(message).toContain('requested by @alice');
    });

    test('in change-hook mode, /build sends the classic change and the master builds it', async () => {
        const branch = `e2e-hook-${run}`;
        await configurePlugin(world.admin, {
            ...settings, TriggerMode: 'changehook', ChangeHookUsername: buildbotUsers.hook.username, ChangeHookPassword: buildbotUsers.hook.password,
            RepositoryBaseURL: 'https://git.example.com/',
        });
        try {
            const response = await runCommand(world.user, world, `/build project-example ${branch} feedbeef`);

            expect(response.text ?? '').toBe('');
            const [change] = await eventually('Buildbot recorded the change', async () => {
                const found = await buildbot.changesWhere((c) => c.branch === branch);
                return found.length > 0 && found;
            });
            expect(change).toMatchObject({category: 'mattermost', project: `mattermost_build_project-example_${branch}`, repository: 'https://git.example.com/project-example'});
            expect(change?.author).toContain('alice@example.com');
            await eventually('the change was built', async () => {
                const found = await buildbot.buildsWhere((p) => p.branch === branch && p.revision === 'feedbeef');
                return found.length > 0 && found[0]?.complete;
            });
            expect(await newestPostMessage(world.channel.id)).toContain(`[change ${change?.changeid}]`);
            // The status post finds the builds the change caused and follows them to the end.
            const posts = await world.admin.getPosts(world.channel.id, 0, 1);
            const postId = posts.order[0] ?? '';
            const done = await eventually('the change\'s status post shows the build\'s result', async () => {
                const current = await world.admin.getPost(postId);
                const status = current.props.buildbot_build as {state: string; rows: Array<{builder: string}>};
                return status.state === 'success' && status.rows.length > 0 && current;
            });
            expect(done.message).toContain('[project-example #');
        } finally {
            await configurePlugin(world.admin, settings);
        }
    });

    test('builders whose builds name one repository are one repo, with no mapping, for /build and its autocomplete', async () => {
        const branch = `e2e-pair-${run}`;
        // Two pushes, as the repository's VCS hook sends them, build on both of its builders: a
        // repository names a builder's repo once two of its builds name it, never after one. One
        // after the other, so Buildbot does not collapse the first push's requests into the second's.
        for (const [i, onto] of [`${branch}-first`, branch].entries()) {
            await buildbot.push({branch: onto, revision: `pair-${run}-${i}`, author: 'Bob <bob@example.com>', repository: 'https://git.example.com/team/pairapp.git', category: 'pair'});
            await eventually(`both builders built push ${i + 1}`, async () => {
                const found = await buildbot.buildsWhere((p) => p.branch === onto);
                return new Set(found.map((b) => b.builderid)).size === 2 && found.every((b) => b.complete);
            });
        }

        // A refresh may fall between the two builds, so the grouping shows by the next ones.
        const offered = await eventually('the repo is offered under the repository\'s name, alone', async () => {
            const s = await suggestions(world.user, '/build pair');
            return s.length === 1 && s;
        }, 30000);
        expect(offered).toEqual(['pairapp']);
        expect(await suggestions(world.user, '/build pairapp ')).toContain(branch);

        const response = await runCommand(world.user, world, `/build pairapp ${branch}`);

        expect(response.text ?? '').toBe('');
        const posts = await world.admin.getPosts(world.channel.id, 0, 1);
        const post = await eventually('the post follows a build on each builder of the repo', async () => {
            const current = await world.admin.getPost(posts.order[0] ?? '');
            const status = current.props.buildbot_build as {state: string; rows: Array<{builder: string}>};
            return status.state === 'success' && current;
        });
        const status = post.props.buildbot_build as {rows: Array<{builder: string}>};
        expect(status.rows.map((r) => r.builder).sort()).toEqual(['pair-lint', 'pair-unit']);
        expect(post.message).toContain(`**pairapp** on \`${branch}\``);
    });

    describe('refusals say why and start nothing', () => {
        test.each<{story: string; extra: PluginSettings; command: string; inOther?: boolean; expected: string}>([
            {story: 'a channel that is not allowed', extra: {AllowedChannels: 'builds'}, command: '/build project-example', inOther: true,
                expected: 'Builds cannot be started from this channel. Try ~builds'},
            {story: 'a user who may not build', extra: {BuildPermission: 'admins'}, command: '/build project-example', expected: 'Only system admins may start or stop builds here.'},
            {story: 'an unknown repo, with the closest names', extra: {}, command: '/build project-exmple', expected: 'Buildbot has nothing called `project-exmple`. Did you mean `project-example`'},
            {story: 'a branch name Buildbot would refuse', extra: {}, command: '/build project-example main;rm', expected: '`main;rm` is not a branch name Buildbot accepts'},
        ])('$story', async ({extra, command, inOther, expected}) => {
            await configurePlugin(world.admin, {...settings, ...extra});
            const channel = inOther ? world.otherChannel : world.channel;
            const requestsBefore = await buildbot.newestBuildRequestId();
            const postBefore = await newestPostMessage(channel.id);

            const response = await runCommand(world.user, world, command, channel.id);

            expect(response.text).toContain(expected);
            expect(await buildbot.newestBuildRequestId()).toBe(requestsBefore);
            expect(await newestPostMessage(channel.id)).toBe(postBefore);
        });

        // The master the plugin is pointed at is the one checked: a proxy in front of it is
        // stopped for the /build and started again on its port, where a kept request would land.
        test('a stopped Buildbot, and nothing starts once it is back', async () => {
            const prefix = '/stopped/';
            const proxy = await startProxy({target: master.url, prefix});
            await configurePlugin(world.admin, {...settings, BuildbotURL: proxy.url});
            await proxy.close();
            const requestsBefore = await buildbot.newestBuildRequestId();
            const postBefore = await newestPostMessage(world.channel.id);

            const response = await runCommand(world.user, world, '/build project-example');

            expect(response.text).toContain(`Buildbot at ${proxy.url} is unreachable`);
            const back = await startProxy({target: master.url, prefix, port: Number(new URL(proxy.url).port)});
            try {
                await eventually('the plugin reaches Buildbot again', async () => back.requests > 0, 30000);
                // A few polls more, for anything the plugin might have kept to send.
                await new Promise((resolve) => setTimeout(resolve, 3 * 2000));
                expect(await buildbot.newestBuildRequestId()).toBe(requestsBefore);
                expect(await newestPostMessage(world.channel.id)).toBe(postBefore);
            } finally {
                await back.close();
            }
        });

        afterAll(async () => configurePlugin(world.admin, settings));
    });
});
