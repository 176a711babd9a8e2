// After /build, one post per build follows it on the real Buildbot, and its buttons work: Stop
// stops the real build, Rebuild starts a new one in the thread, once per click.
import {execFileSync} from 'node:child_process';
import path from 'node:path';

import type {Post} from '@mattermost/types/posts';

import {Buildbot, eventually} from '../src/buildbot';
import {answerToClick} from '../src/events';
import {bb37, bb4, buildbotMasters, buildbotUsers, repoRoot} from '../src/env';
import {configurePlugin, installPlugin, runCommand, setUpWorld, type PluginSettings, type World} from '../src/mattermost';
import {isStatusPost, rootStatusPosts, statusOf} from '../src/posts';

let world: World;

beforeAll(async () => {
    world = await setUpWorld();
    await installPlugin(world.admin);
});

async function startBuild(command: string): Promise<Post> {
    const since = Date.now() - 60000;
    const earlier = new Set(Object.keys((await world.admin.getPostsSince(world.channel.id, since)).posts));
    const response = await runCommand(world.user, world, command);
    expect(response.text ?? '').toBe('');
    return eventually('the status post appears', async () => {
        const list = await world.admin.getPostsSince(world.channel.id, since);
        return Object.values(list.posts).find((p) => isStatusPost(p) && !p.root_id && p.delete_at === 0 && !earlier.has(p.id));
    }, 10000);
}

// describePost is what a failed wait reports of a post: its state, rows and message.
async function describePost(postId: string): Promise<string> {
    const post = await world.admin.getPost(postId);
    return JSON.stringify({state: statusOf(post)?.state, rows: statusOf(post)?.rows, message: post.message});
}

async function waitForState(postId: string, states: string[], within = 60000): Promise<Post> {
    return eventually(`the post reaches ${states.join(' or ')}`, async () => {
        const post = await world.admin.getPost(postId);
        return states.includes(statusOf(post).state) && post;
    }, within, () => describePost(postId));
}

describe.each(buildbotMasters)('with $label', (master) => {
    const buildbot = new Buildbot(master.url);
    const run = Date.now().toString(36);
    const settings: PluginSettings = {BuildbotURL: master.url, AuthMode: 'login', ...buildbotUsers.admin, PollIntervalSeconds: 2};

    beforeAll(async () => configurePlugin(world.admin, settings));

    test('a build goes from queued to its result in one post, which reads well without the webapp', async () => {
        const post = await startBuild(`/build failing-example e2e-track-${run}`);
        expect(statusOf(post)).toMatchObject({version: 1, state: 'queued'});
        expect(post.message).toContain('requested by @alice');

        const done = await waitForState(post.id, ['failure']);

        expect(done.message).toMatch(/^:x: \*\*failing-example\*\* on `e2e-track-.*`: failure/);
        expect(done.message).toMatch(/\[failing-example #\d+\]\(http:\/\/127\.0\.0\.1:\d+\/#\/builders\/\d+\/builds\/\d+\): failure in \d+s/);
        // The reply follows the edit that shows the failure.
        const others = await eventually('the failure reply is in the thread', async () => {
            const thread = await world.admin.getPostThread(post.id);
            const replies = Object.values(thread.posts).filter((p) => p.id !== post.id);
            return replies.length > 0 && replies;
        }, 10000);
        expect(others).toHaveLength(1);
        expect(others[0]?.message).toContain('@alice');
        expect(others[0]?.message).toContain('in step **compile**');
        expect(others[0]?.message).toContain('error: widget.c:42: expected ; before }');
        // The row names the failed step and links its log in Buildbot's UI, in props and message alike.
        const logLink = /^http:\/\/127\.0\.0\.1:\d+\/#\/builders\/\d+\/builds\/\d+\/steps\/\d+\/logs\/stdio$/;
        expect(statusOf(done).rows[0]).toMatchObject({failed_step: 'compile', log_url: expect.stringMatching(logLink)});
        expect(done.message).toContain(`failed step [compile](${statusOf(done).rows[0]?.log_url})`);
        expect(others[0]?.message).toContain(`[Full log](${statusOf(done).rows[0]?.log_url})`);
        // Mattermost keeps an edited post's earlier versions as deleted posts; only one is live.
        expect(await rootStatusPosts(world.admin, world.channel.id, post.create_at)).toHaveLength(1);
    });

    test('a build that finishes while the plugin is disabled ends in its right state once it is enabled again', async () => {
        const post = await startBuild(`/build project-example e2e-restart-${run}`);
        await world.admin.disablePlugin('buildbot');
        try {
            await eventually('the build finishes on Buildbot while the plugin is off', async () => {
                const builds = await buildbot.buildsWhere((p) => p.branch === `e2e-restart-${run}`);
                return builds.length > 0 && builds.every((b) => b.complete);
            });
        } finally {
            await world.admin.enablePlugin('buildbot');
        }

        const done = await waitForState(post.id, ['success']);

        expect(done.message).toContain(':white_check_mark:');
        expect(await rootStatusPosts(world.admin, world.channel.id, post.create_at)).toHaveLength(1);
    });

    test('a running build shows the step it is in and how far it has come', async () => {
        const post = await startBuild(`/build slow-example e2e-steps-${run}`);
        try {
            const building = await eventually('the post names the running step', async () => {
                const current = await world.admin.getPost(post.id);
                return statusOf(current).rows[0]?.step === 'wait' && current;
            }, 30000);
            // slow-example has three steps (the worker's preparation, show properties, wait).
            expect(statusOf(building).rows[0]).toMatchObject({state: 'building', step: 'wait', steps_done: 2, steps_total: 3});
            expect(building.message).toContain('building (step 3/3: wait)');
        } finally {
            await world.user.doPostAction(post.id, 'stop');
        }
        await waitForState(post.id, ['cancelled']);
    });

    test('Stop on a running build stops it on Buildbot and the post says cancelled', async () => {
        const post = await startBuild(`/build slow-example e2e-stop-${run}`);
        const building = await waitForState(post.id, ['building']);
        expect(building.message).toContain('building');

        await world.user.doPostAction(post.id, 'stop');

        const stopped = await waitForState(post.id, ['cancelled']);
        expect(stopped.message).toContain(':no_entry_sign:');
        expect(stopped.message).toContain(`cancelled by @${world.plainUser.username}`);
        const buildId = statusOf(stopped).rows[0]?.build_id;
        const {builds} = await buildbot.get<{builds: Array<{results: number}>}>(`builds/${buildId}`);
        expect(builds[0]?.results).toBe(6);
    });

    test('Stop on a build still waiting for a worker cancels its request, and the post names who stopped it', async () => {
        const post = await startBuild(`/build parked-example e2e-stop-queued-${run}`);
        const requestId = statusOf(post).rows[0]?.request_id;

        await world.admin.doPostAction(post.id, 'stop');

        const stopped = await waitForState(post.id, ['cancelled']);
        expect(stopped.message).toContain(`cancelled by @${world.adminUser.username} · requested by @${world.plainUser.username}`);
        expect(statusOf(stopped).rows[0]).toMatchObject({state: 'cancelled', stopped_by: world.adminUser.username});
        const {buildrequests} = await buildbot.get<{buildrequests: Array<{complete: boolean; results: number}>}>(`buildrequests/${requestId}`);
        expect(buildrequests[0]).toMatchObject({complete: true, results: 6});
    });

    test('a user who may not stop builds is refused and the build goes on', async () => {
        const post = await startBuild(`/build slow-example e2e-refuse-${run}`);
        const building = await waitForState(post.id, ['building']);
        const buildId = statusOf(building).rows[0]?.build_id;
        await configurePlugin(world.admin, {...settings, BuildPermission: 'admins'});
        try {
            expect(await answerToClick(world.user, post.id, 'stop')).toContain('Only system admins may start or stop builds here.');

            expect(await buildbot.stillRunning(buildId!)).toBe(true);
            const still = await world.admin.getPost(post.id);
            expect(statusOf(still).state).toBe('building');
        } finally {
            await configurePlugin(world.admin, settings);
            // The build ends here, by an admin's Stop unless it has ended already (a Stop with no
            // button left is refused, and must not hide what failed above).
            await world.admin.doPostAction(post.id, 'stop').catch(() => undefined);
            await waitForState(post.id, ['cancelled']);
        }
    });

    test('Rebuild starts a new real build posted in the thread; a second click at once starts nothing more', async () => {
        const post = await startBuild(`/build failing-example e2e-rebuild-${run}`);
        await waitForState(post.id, ['failure']);
        const requestsBefore = await buildbot.newestBuildRequestId();

        await Promise.all([world.user.doPostAction(post.id, 'rebuild'), world.user.doPostAction(post.id, 'rebuild')]);

        const rebuild = await eventually('the rebuild is posted in the thread', async () => {
            const thread = await world.admin.getPostThread(post.id);
            return Object.values(thread.posts).find((p) => isStatusPost(p) && p.root_id === post.id);
        }, 10000);
        await waitForState(rebuild.id, ['failure']);
        expect(await buildbot.newestBuildRequestId()).toBe(requestsBefore + 1);
        const original = await world.admin.getPost(post.id);
        expect(statusOf(original).state).toBe('failure');
        // The rebuild is a reply, and Mattermost takes no reply to a reply: its failure reply goes
        // to the thread's root, beside the original's.
        const replies = await eventually('both failure replies are in the thread', async () => {
            const thread = await world.admin.getPostThread(post.id);
            const found = Object.values(thread.posts).filter((p) => !isStatusPost(p) && p.root_id === post.id);
            return found.length === 2 && found;
        }, 15000);
        for (const reply of replies) {
            expect(reply.message).toContain(`@${world.plainUser.username}`);
            expect(reply.message).toContain('in step **compile**');
        }
    });
});

test('a build that finishes while Mattermost restarts ends in its right state, in the same post', async () => {
    const buildbot = new Buildbot(bb4.url);
    await configurePlugin(world.admin, {BuildbotURL: bb4.url, AuthMode: 'login', ...buildbotUsers.admin, PollIntervalSeconds: 2});
    const branch = `e2e-mm-restart-${Date.now().toString(36)}`;
    const post = await startBuild(`/build project-example ${branch}`);

    const script = path.join(repoRoot, 'e2e', 'stack', 'mattermost.sh');
    execFileSync(script, ['down'], {stdio: 'ignore'});
    try {
        await eventually('the build finishes on Buildbot while Mattermost is down', async () => {
            const builds = await buildbot.buildsWhere((p) => p.branch === branch);
            return builds.length === 2 && builds.every((b) => b.complete);
        });
    } finally {
        execFileSync(script, ['up'], {stdio: 'ignore'});
    }

    const done = await waitForState(post.id, ['success'], 90000);

    expect(done.message).toContain(':white_check_mark:');
    expect(await rootStatusPosts(world.admin, world.channel.id, post.create_at)).toHaveLength(1);
}, 180000);

test('a build started on one Buildbot is let go, never mistaken for the other\'s, when the settings switch Buildbot', async () => {
    const before = new Buildbot(bb4.url);
    const settings: PluginSettings = {BuildbotURL: bb4.url, AuthMode: 'login', ...buildbotUsers.admin, PollIntervalSeconds: 2};
    await configurePlugin(world.admin, settings);
    const post = await startBuild(`/build slow-example e2e-switch-${Date.now().toString(36)}`);
    const running = statusOf(await waitForState(post.id, ['building']));
    const buildId = running.rows[0]?.build_id ?? 0;
    try {
        // Both masters have the same builders and overlapping ids: read on 3.7, this request is another build.
        await configurePlugin(world.admin, {...settings, BuildbotURL: bb37.url});
        const letGo = await waitForState(post.id, ['unfollowed'], 30000);

        expect(statusOf(letGo).rows[0]).toMatchObject({state: 'unfollowed', build_id: buildId, request_id: running.rows[0]?.request_id});
        expect(letGo.message).toContain('No longer followed: the plugin now uses another Buildbot');
        expect(letGo.message).toContain(`(${bb4.url}#/builders/`);
        const attachments = letGo.props.attachments as Array<{actions?: unknown[]}>;
        expect(attachments[0]?.actions ?? []).toHaveLength(0);
        const {builds} = await before.get<{builds: Array<{complete: boolean}>}>(`builds/${buildId}`);
        expect(builds[0]?.complete).toBe(false);
    } finally {
        await before.stop(buildId);
    }
});

test.each([
    {master: bb4, which: '4'},
    {master: bb37, which: '3.7'},
])('when $master.label restarts mid-build, the post still ends in the build\'s right state', async ({master, which}) => {
    const buildbot = new Buildbot(master.url);
    await configurePlugin(world.admin, {BuildbotURL: master.url, AuthMode: 'login', ...buildbotUsers.admin, PollIntervalSeconds: 2, EnablePush: true});
    const branch = `e2e-bb-restart-${Date.now().toString(36)}`;
    const post = await startBuild(`/build medium-example ${branch}`);
    const running = await eventually('the build is running', async () => {
        const current = await world.admin.getPost(post.id);
        return statusOf(current).rows[0]?.step === 'work' && current;
    }, 30000, () => describePost(post.id));
    const interrupted = statusOf(running).rows[0]?.build_id;

    const script = path.join(repoRoot, 'e2e', 'stack', 'buildbot.sh');
    execFileSync(script, ['down', which], {stdio: 'ignore'});
    try {
        // Three failed polls in a row; a poll may wait out the request timeout while Buildbot stops.
        await eventually('the post says Buildbot is unreachable', async () => (await world.admin.getPost(post.id)).message.includes('Buildbot unreachable since'),
            60000, () => describePost(post.id));
    } finally {
        execFileSync(script, ['up', which], {stdio: 'ignore'});
    }

    // Buildbot ends the interrupted build (as "retry") and runs the request again once it is back;
    // the post follows the new build.
    const done = await waitForState(post.id, ['success'], 120000);
    const builds = await buildbot.buildsWhere((p) => p.branch === branch);
    const summary = builds.map((b) => ({buildid: b.buildid, complete: b.complete, results: b.results}));
    expect(summary[0]).toMatchObject({complete: true, results: 0});
    const before = summary.find((b) => b.buildid === interrupted);
    expect(before).toMatchObject({complete: true});
    expect(before?.results).not.toBe(0);
    expect(statusOf(done).rows).toHaveLength(1);
    expect(statusOf(done).rows[0]?.build_id).toBe(summary[0]?.buildid);
    expect(done.message).not.toContain('unreachable');
    expect(await rootStatusPosts(world.admin, world.channel.id, post.create_at)).toHaveLength(1);
}, 240000);
