// The built webapp bundle, loaded into a page as Mattermost's webapp would load it, draws real
// status posts from the real server in the light and the dark theme in Debian's Chromium, and a
// click on Rebuild reaches the real Mattermost server and starts a real build on Buildbot. The
// posts are fetched from Mattermost, so they carry the bot's user id, which the bundle asks the
// plugin's server for; a post by anyone else is not drawn as a card.
import fs from 'node:fs';
import path from 'node:path';

import type {Post} from '@mattermost/types/posts';
import type {Page} from 'playwright-core';

import {margin, openBundlePage, type BundlePage} from '../src/browser';
import {Buildbot, eventually} from '../src/buildbot';
import {artifactsDir, bb4, buildbotUsers} from '../src/env';
import {configurePlugin, installPlugin, runCommand, setUpWorld, type World} from '../src/mattermost';

const themes = {
    light: {centerChannelBg: '#ffffff', centerChannelColor: '#3f4350', linkColor: '#386fe5', buttonBg: '#1c58d9', buttonColor: '#ffffff',
        onlineIndicator: '#06d6a0', awayIndicator: '#ffbc1f', dndIndicator: '#d24b4e', errorTextColor: '#d24b4e'},
    dark: {centerChannelBg: '#1f1f1f', centerChannelColor: '#dddddd', linkColor: '#5d89ea', buttonBg: '#4a7ce8', buttonColor: '#ffffff',
        onlineIndicator: '#3db887', awayIndicator: '#f5ab00', dndIndicator: '#d24b4e', errorTextColor: '#ff6461'},
};

let world: World;
let bundle: BundlePage | undefined;
let page: Page;
const buildbot = new Buildbot(bb4.url);

async function statusPost(command: string, state: string): Promise<Post> {
    const since = Date.now() - 60000;
    const earlier = new Set(Object.keys((await world.admin.getPostsSince(world.channel.id, since)).posts));
    await runCommand(world.user, world, command);
    const created = await eventually('the status post appears', async () => {
        const list = await world.admin.getPostsSince(world.channel.id, since);
        return Object.values(list.posts).find((p) => (p.type as string) === 'custom_buildbot_build' && !p.root_id && p.delete_at === 0 && !earlier.has(p.id));
    }, 10000);
    return eventually(`the post reaches ${state}`, async () => {
        const current = await world.admin.getPost(created.id);
        return (current.props.buildbot_build as {state: string}).state === state && current;
    });
}

beforeAll(async () => {
    world = await setUpWorld();
    await installPlugin(world.admin);
    await configurePlugin(world.admin, {BuildbotURL: bb4.url, AuthMode: 'login', ...buildbotUsers.admin, PollIntervalSeconds: 2});
    bundle = await openBundlePage(240);
    page = bundle.page;
    fs.mkdirSync(artifactsDir, {recursive: true});
});

afterAll(async () => {
    await bundle?.close();
});

const revision = '0123456789abcdef0123456789abcdef01234567';

async function render(post: Post, theme: Record<string, string>, locale = 'en'): Promise<void> {
    await page.evaluate(([p, t, l]) => (window as unknown as {renderPost: (p: unknown, t: unknown, l: string) => void}).renderPost(p, t, l), [post, theme, locale] as const);
}

test('the bundle registers its card and draws a running and a failed build in both themes', async () => {
    const started = await statusPost(`/build slow-example e2e-browser ${revision}`, 'building');
    const running = await eventually('the post shows the running step', async () => {
        const current = await world.admin.getPost(started.id);
        return (current.props.buildbot_build as {rows: Array<{step?: string}>}).rows[0]?.step === 'wait' && current;
    }, 30000);
    const failed = await statusPost('/build failing-example e2e-browser', 'failure');
    try {
        for (const [name, theme] of Object.entries(themes)) {
            await render(running, theme);
            // The card's Stop, not the one Mattermost draws from the attachment when there is no card.
            await page.getByRole('region', {name: /^Build of /}).waitFor();
            await page.getByRole('button', {name: 'Stop'}).waitFor();
            // Mattermost's copy of the buttons, drawn from the post's attachment, is hidden: one Stop.
            expect(await page.getByRole('button', {name: 'Stop'}).count()).toBe(1);
            // The attachment has Notify me and Stop, for clients without the card.
            expect(await page.locator(`#messageAttachmentList_${running.id} button`).count()).toBe(2);
            expect(await page.getByRole('button', {name: 'Notify me'}).count()).toBe(1);
            expect(await page.locator(`#messageAttachmentList_${running.id}`).isVisible()).toBe(false);
            expect(await page.getByRole('progressbar', {name: 'Step 3 of 3'}).isVisible()).toBe(true);
            expect(await page.getByText('Step 3 of 3 · wait').isVisible()).toBe(true);
            expect(await page.getByRole('img', {name: 'Building'}).evaluate((el) => getComputedStyle(el).animationName)).toBe('buildbot-spin');
            expect(await page.getByText('0123456789ab', {exact: true}).getAttribute('title')).toBe(revision);
            await page.screenshot({path: path.join(artifactsDir, `card-building-${name}.png`)});

            await render(failed, theme);
            await page.getByRole('button', {name: 'Rebuild', exact: true}).waitFor();
            expect(await page.getByRole('button', {name: 'Rebuild', exact: true}).count()).toBe(1);
            expect(await page.getByRole('link', {name: /failing-example #\d+/}).count()).toBe(1);
            expect(await page.getByRole('link', {name: 'compile'}).getAttribute('href')).toMatch(/#\/builders\/\d+\/builds\/\d+\/steps\/\d+\/logs\/stdio$/);
            await page.screenshot({path: path.join(artifactsDir, `card-failure-${name}.png`)});
        }
    } finally {
        await world.admin.doPostAction(running.id, 'stop');
    }
});

// The README's example failure: a build whose tests Buildbot recorded, failing since the build
// before it, drawn in both themes. Its screenshots are docs/images/card-tests-{light,dark}.png.
test('a failed build names its failed tests, new or already failing, and since when the branch fails', async () => {
    const branch = `e2e-browser-tests-${Date.now().toString(36)}`;
    await statusPost(`/build tests-example ${branch} good1`, 'success');
    await statusPost(`/build tests-example ${branch} bad1`, 'failure');
    const worse = await statusPost(`/build tests-example ${branch} worse1`, 'failure');
    await page.setViewportSize({width: 680, height: 400});
    try {
        for (const [name, theme] of Object.entries(themes)) {
            await render(worse, theme);
            const tests = page.getByRole('region', {name: /^Build of /}).getByLabel('Tests of tests-example');
            await tests.waitFor();
            expect(await tests.innerText()).toMatch(/3 failed\s*·?\s*9 passed/);
            const failing = tests.getByRole('list', {name: 'Failed tests'});
            expect(await failing.getByRole('listitem').allInnerTexts()).toEqual([
                expect.stringMatching(/test_parse_empty.*already failing/s),
                expect.stringMatching(/test_render_unicode.*already failing/s),
                expect.stringMatching(/test_cache_expiry.*new/s),
            ]);
            expect(await page.getByText(/^Failing since/).first().isVisible()).toBe(true);
            // The card alone, with a margin of the theme's background, as the README shows it.
            await page.screenshot({path: path.join(artifactsDir, `card-tests-${name}.png`), clip: await margin(page.getByRole('region', {name: /^Build of /}))});
        }
    } finally {
        await page.setViewportSize({width: 680, height: 240});
    }
});

test('the copy button puts the full revision on the clipboard', async () => {
    const started = await statusPost(`/build slow-example e2e-browser-copy ${revision}`, 'building');
    try {
        await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], {origin: bundle!.harness.url});
        await render(started, themes.light);

        await page.getByRole('button', {name: `Copy revision ${revision}`}).click();

        expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(revision);
        await page.getByRole('button', {name: `Copy revision ${revision}`}).getByText('Copied').waitFor();
    } finally {
        await world.admin.doPostAction(started.id, 'stop');
    }
});

test('a post by an ordinary user with a status post\'s props is drawn as its message, and Mattermost\'s own buttons stay', async () => {
    const failed = await statusPost('/build failing-example e2e-browser-imitation', 'failure');
    await render(failed, themes.light);
    // The bot's own post is a card with our Rebuild, so the bundle knows the bot by now.
    await page.getByRole('region', {name: /^Build of /}).getByRole('button', {name: 'Rebuild', exact: true}).waitFor();

    // Mattermost keeps whatever props a user gives a post: only its author tells the two apart.
    await render({...failed, user_id: world.plainUser.id}, themes.light);

    await page.locator(`#messageAttachmentList_${failed.id}`).getByRole('button', {name: 'Rebuild', exact: true}).waitFor();
    expect(await page.getByRole('region', {name: /^Build of /}).count()).toBe(0);
    expect(await page.getByRole('button', {name: 'Rebuild', exact: true}).count()).toBe(1);
    expect(await page.getByText('failure · requested by @alice').isVisible()).toBe(true);
    await page.screenshot({path: path.join(artifactsDir, 'imitation-light.png')});
});

test('a click on Rebuild in the browser starts a real build on Buildbot', async () => {
    const failed = await statusPost('/build failing-example e2e-browser-rebuild', 'failure');
    await render(failed, themes.light);
    const before = await buildbot.newestBuildRequestId();

    await page.getByRole('button', {name: 'Rebuild', exact: true}).click();

    await eventually('Buildbot got the rebuild', async () => (await buildbot.newestBuildRequestId()) > before, 20000);
    const thread = await eventually('the rebuild is posted in the thread', async () => {
        const posts = await world.admin.getPostThread(failed.id);
        return Object.values(posts.posts).find((p) => p.root_id === failed.id && (p.type as string) === 'custom_buildbot_build');
    }, 20000);
    expect(thread.message).toContain('requested by @alice');
});

test('for a German user the card speaks German: its label, its buttons, its state', async () => {
    const failed = await statusPost('/build failing-example e2e-browser-de', 'failure');

    await render(failed, themes.dark, 'de');

    const card = page.getByRole('region', {name: /^Build von failing-example/});
    await card.getByRole('button', {name: 'Neu bauen', exact: true}).waitFor();
    expect(await card.getByRole('button', {name: 'Neu bauen mit…', exact: true}).count()).toBe(1);
    expect(await page.getByRole('button', {name: 'Rebuild', exact: true}).count()).toBe(0);
    expect(await card.getByRole('img', {name: 'Fehlgeschlagen'}).count()).toBeGreaterThan(0);
    await page.screenshot({path: path.join(artifactsDir, 'card-failure-de.png')});
});
