// The built webapp bundle, loaded into a page as Mattermost's webapp would load it, draws real
// status posts from the real server in the light and the dark theme in Debian's Chromium, and a
// click on Rebuild reaches the real Mattermost server and starts a real build on Buildbot.
import fs from 'node:fs';
import path from 'node:path';

import type {Post} from '@mattermost/types/posts';
import {chromium, type Browser, type Page} from 'playwright-core';

import {Buildbot, eventually} from '../src/buildbot';
import {artifactsDir, bb4, buildbotUsers, mattermostURL} from '../src/env';
import {startHarness, type Harness} from '../src/harness';
import {configurePlugin, installPlugin, runCommand, setUpWorld, type World} from '../src/mattermost';

const themes = {
    light: {centerChannelBg: '#ffffff', centerChannelColor: '#3f4350', linkColor: '#386fe5', buttonBg: '#1c58d9', buttonColor: '#ffffff',
        onlineIndicator: '#06d6a0', awayIndicator: '#ffbc1f', dndIndicator: '#d24b4e', errorTextColor: '#d24b4e'},
    dark: {centerChannelBg: '#1f1f1f', centerChannelColor: '#dddddd', linkColor: '#5d89ea', buttonBg: '#4a7ce8', buttonColor: '#ffffff',
        onlineIndicator: '#3db887', awayIndicator: '#f5ab00', dndIndicator: '#d24b4e', errorTextColor: '#ff6461'},
};

let world: World;
let harness: Harness;
let browser: Browser;
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

async function sessionCookies(): Promise<Array<{name: string; value: string}>> {
    // Mattermost sets session cookies for logins that come from its web app, which say so.
    const response = await fetch(`${mattermostURL}/api/v4/users/login`, {
        method: 'POST',
        headers: {'X-Requested-With': 'XMLHttpRequest'},
        body: JSON.stringify({login_id: 'alice', password: 'E2e-password-1!'}),
    });
    return response.headers.getSetCookie().map((c) => {
        const [pair = ''] = c.split(';');
        const [name = '', value = ''] = pair.split('=');
        return {name, value};
    });
}

beforeAll(async () => {
    world = await setUpWorld();
    await installPlugin(world.admin);
    await configurePlugin(world.admin, {BuildbotURL: bb4.url, AuthMode: 'login', ...buildbotUsers.admin, PollIntervalSeconds: 2});
    harness = await startHarness(mattermostURL);
    browser = await chromium.launch({
        executablePath: '/usr/bin/chromium',
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const context = await browser.newContext({viewport: {width: 680, height: 240}});
    await context.addCookies((await sessionCookies()).map((c) => ({...c, url: harness.url})));
    page = await context.newPage();
    await page.goto(harness.url);
    fs.mkdirSync(artifactsDir, {recursive: true});
});

afterAll(async () => {
    await browser?.close();
    await harness?.close();
});

test('the bundle registers its card and draws a running and a failed build in both themes', async () => {
    const running = await statusPost('/build slow-example e2e-browser', 'building');
    const failed = await statusPost('/build failing-example e2e-browser', 'failure');
    try {
        for (const [name, theme] of Object.entries(themes)) {
            await page.evaluate(([post, t]) => (window as unknown as {renderPost: (p: unknown, t: unknown) => void}).renderPost(post, t), [running, theme] as const);
            await page.getByRole('button', {name: 'Stop'}).waitFor();
            await page.screenshot({path: path.join(artifactsDir, `card-building-${name}.png`)});

            await page.evaluate(([post, t]) => (window as unknown as {renderPost: (p: unknown, t: unknown) => void}).renderPost(post, t), [failed, theme] as const);
            await page.getByRole('button', {name: 'Rebuild'}).waitFor();
            expect(await page.getByRole('link', {name: /failing-example #\d+/}).count()).toBe(1);
            await page.screenshot({path: path.join(artifactsDir, `card-failure-${name}.png`)});
        }
    } finally {
        await world.admin.doPostAction(running.id, 'stop');
    }
});

test('a click on Rebuild in the browser starts a real build on Buildbot', async () => {
    const failed = await statusPost('/build failing-example e2e-browser-rebuild', 'failure');
    await page.evaluate(([post, t]) => (window as unknown as {renderPost: (p: unknown, t: unknown) => void}).renderPost(post, t), [failed, themes.light] as const);
    const before = await buildbot.newestBuildRequestId();

    await page.getByRole('button', {name: 'Rebuild'}).click();

    await eventually('Buildbot got the rebuild', async () => (await buildbot.newestBuildRequestId()) > before, 20000);
    const thread = await eventually('the rebuild is posted in the thread', async () => {
        const posts = await world.admin.getPostThread(failed.id);
        return Object.values(posts.posts).find((p) => p.root_id === failed.id && (p.type as string) === 'custom_buildbot_build');
    }, 20000);
    expect(thread.message).toContain('requested by @alice');
});
