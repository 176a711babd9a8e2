// A failed build says why: the tests that failed, new or already failing, and the first error,
// from the test results Buildbot holds (tests-example records them through Buildbot's API) or
// from a real test runner's output (gotest-example runs `go test`). Against every supported
// Buildbot.
import type {Post} from '@mattermost/types/posts';

import {eventually} from '../src/buildbot';
import {buildbotMasters, buildbotUsers} from '../src/env';
import {configurePlugin, installPlugin, runCommand, setUpWorld, type World} from '../src/mattermost';
import {isStatusPost, statusOf, waitFinished} from '../src/posts';

let world: World;

beforeAll(async () => {
    world = await setUpWorld();
    await installPlugin(world.admin);
});

describe.each(buildbotMasters)('with $label', (master) => {
    const run = `${Date.now().toString(36)}-${master.url.replace(/\D/g, '')}`;

    beforeAll(async () => {
        await configurePlugin(world.admin, {BuildbotURL: master.url, AuthMode: 'login', ...buildbotUsers.admin, PollIntervalSeconds: 2, FailureLogLines: 20});
    });

    // build runs /build and returns its status post once it shows a result, and its reply if any.
    async function build(repo: string, branch: string, revision: string): Promise<{post: Post; reply?: Post}> {
        const since = Date.now() - 1000;
        const answer = await runCommand(world.user, world, `/build ${repo} ${branch} ${revision}`);
        expect(answer.text ?? '').toBe('');
        const started = await eventually(`the status post of ${repo} ${branch} ${revision}`, async () => {
            const list = await world.admin.getPostsSince(world.channel.id, since);
            return Object.values(list.posts).find((p) => isStatusPost(p) && !p.root_id && p.create_at >= since && statusOf(p).branch === branch &&
                statusOf(p).revision === revision);
        }, 15000);
        const [post] = await waitFinished(world.admin, [started.id], 120000);
        if (statusOf(post!).state !== 'failure') {
            return {post: post!};
        }
        const reply = await eventually('the failure reply', async () => {
            const thread = await world.admin.getPostThread(post!.id);
            return Object.values(thread.posts).find((p) => p.id !== post!.id);
        }, 30000);
        return {post: post!, reply};
    }

    test('Buildbot\'s test results name the failed tests, new or already failing against the build before', async () => {
        const branch = `e2e-tests-${run}`;
        expect(statusOf((await build('tests-example', branch, 'good1')).post).state).toBe('success');
        const first = await build('tests-example', branch, 'bad1');
        expect(statusOf(first.post).rows[0]!.tests).toEqual({from: 'buildbot', counted: true, passed: 10, failed: 2, failing: [
            {name: 'test_parse_empty', since: 'new'}, {name: 'test_render_unicode', since: 'new'}]});

        const second = await build('tests-example', branch, 'worse1');

        expect(statusOf(second.post).rows[0]!.tests).toEqual({from: 'buildbot', counted: true, passed: 9, failed: 3, failing: [
            {name: 'test_parse_empty', since: 'already_failing'}, {name: 'test_render_unicode', since: 'already_failing'},
            {name: 'test_cache_expiry', since: 'new'}]});
        expect(second.post.message).toContain('3 failed, 9 passed');
        expect(second.reply!.message).toContain('**Tests:** 3 failed, 9 passed');
        expect(second.reply!.message).toContain('- `test_cache_expiry` (new)');
        expect(second.reply!.message).toContain('- `test_parse_empty` (already failing)');
    });

    test('a failure after a failure says since which build the branch fails; the next pass says how long it was broken', async () => {
        const branch = `e2e-since-${run}`;
        await build('verdict-example', branch, 'good1');
        const first = await build('verdict-example', branch, 'bad1');
        expect(statusOf(first.post).rows[0]!.broken_since).toBeUndefined();

        const second = await build('verdict-example', branch, 'bad2');
        const third = await build('verdict-example', branch, 'good2');

        const since = statusOf(second.post).rows[0]!.broken_since;
        expect(since).toMatchObject({failures: 1, revision: 'bad1'});
        expect(second.post.message).toMatch(/failing since \[#\d+\]\([^)]+\), \S+ and 1 build before this one; it first failed with `bad1`/);
        expect(statusOf(third.post).rows[0]!.broken_since).toMatchObject({failures: 2, revision: 'bad1', number: since!.number});
        expect(third.post.message).toMatch(/fixed after 2 failed builds since \[#\d+\]/);
    });

    test('a real `go test` failure names its failed test and quotes its first error', async () => {
        const {post, reply} = await build('gotest-example', `e2e-gotest-${run}`, 'abc123');

        expect(statusOf(post).rows[0]!.tests).toMatchObject({from: 'go test', failing: [{name: 'TestWidthOfUnicode'}]});
        // `go test -v` prints no totals: the failed tests are named, not counted.
        expect(post.message).toContain('1 test failed');
        expect(reply!.message).toContain('- `TestWidthOfUnicode`');
        expect(reply!.message).toContain('Width("héllo") = 6, want 5');
    });
});
