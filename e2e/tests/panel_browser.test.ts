// The Builds panel, drawn by the built bundle in Debian's Chromium as Mattermost's webapp draws a
// right-hand sidebar, on the real server's data: opened from the channel header button (whose
// badge counts the channel's red builders) and the App Bar, it shows a build wait in the queue,
// run and fail without a reload, stops another, and adds and removes a subscription through its
// form, in light and dark themes. The page hears the panel's WebSocket events as Mattermost's
// webapp would: the test forwards those the real server sends alice.
import fs from 'node:fs';
import path from 'node:path';

import type {ServerChannel} from '@mattermost/types/channels';
import type {Locator, Page} from 'playwright-core';
import WebSocket from 'ws';

import {margin, openBundlePage, type BundlePage} from '../src/browser';
import {Buildbot, eventually} from '../src/buildbot';
import {bb4, buildbotUsers, mattermostURL, repoRoot} from '../src/env';
import {configurePlugin, installPlugin, runCommand, setUpWorld, type World} from '../src/mattermost';

const light = {centerChannelBg: '#ffffff', centerChannelColor: '#3f4350', linkColor: '#386fe5', buttonBg: '#1c58d9', buttonColor: '#ffffff',
    onlineIndicator: '#06d6a0', awayIndicator: '#ffbc1f', errorTextColor: '#d24b4e'};
const dark = {centerChannelBg: '#1f1f1f', centerChannelColor: '#dddddd', linkColor: '#5d89ea', buttonBg: '#4a7fe0', buttonColor: '#ffffff',
    onlineIndicator: '#3db887', awayIndicator: '#f5ab00', errorTextColor: '#ff6461'};

const run = Date.now().toString(36);
const buildbot = new Buildbot(bb4.url);
let world: World;
let channel: ServerChannel;
let bundle: BundlePage | undefined;
let page: Page;
let socket: WebSocket;

type Harness = {
    setCurrentChannel: (channelId: string, teamId: string, userId?: string) => void;
    renderChannelHeader: (theme: unknown, locale?: string) => void;
    renderRHS: (theme: unknown, locale?: string) => void;
    clickAppBar: (i: number) => boolean;
    deliverEvent: (message: unknown) => boolean;
    rhsOpen: boolean;
};

beforeAll(async () => {
    world = await setUpWorld();
    await installPlugin(world.admin);
    await configurePlugin(world.admin, {BuildbotURL: bb4.url, AuthMode: 'login', ...buildbotUsers.admin, PollIntervalSeconds: 2, SubscribePermission: 'everyone'});
    channel = await world.admin.createChannel({team_id: world.team.id, name: `panel-browser-${run}`, display_name: `panel browser ${run}`, type: 'O'});
    await world.admin.addToChannel(world.plainUser.id, channel.id);
    bundle = await openBundlePage(1100);
    page = bundle.page;
    socket = new WebSocket(`${mattermostURL.replace(/^http/, 'ws')}/api/v4/websocket`, {headers: {Authorization: `Bearer ${world.user.getToken()}`}});
    socket.on('message', (raw: WebSocket.RawData) => {
        const message = JSON.parse(raw.toString()) as {event?: string};
        if (message.event?.startsWith('custom_buildbot_panel')) {
            void page.evaluate((m) => (window as unknown as Harness).deliverEvent(m), message);
        }
    });
    await new Promise<void>((resolve, reject) => {
        socket.once('open', () => resolve());
        socket.once('error', reject);
    });
    await page.evaluate(([c, t, u]) => (window as unknown as Harness).setCurrentChannel(c, t, u), [channel.id, world.team.id, world.plainUser.id] as const);
}, 60000);

afterAll(async () => {
    socket?.close();
    await bundle?.close();
});

const panel = (): Locator => page.getByRole('region', {name: 'Buildbot builds'});
const entry = (name: string | RegExp): Locator => panel().getByRole('region', {name: 'Running and waiting'}).getByRole('listitem', {name});

test('the header button opens the panel, which shows a build wait, run and fail without a reload, and counts the red builder', async () => {
    await page.evaluate((t) => (window as unknown as Harness).renderChannelHeader(t), light);
    await page.locator('#channel-header button[title="Buildbot builds"]').click();
    await panel().waitFor({timeout: 15000});

    // Subscribe the channel to the branches this test builds, through the panel's form.
    await panel().getByText('Subscribe this channel', {exact: true}).click();
    const form = panel().getByRole('form', {name: 'Subscribe this channel'});
    await form.getByRole('combobox', {name: 'Repo'}).fill('verdict-example');
    await form.getByRole('combobox', {name: 'Branch'}).fill(`e2e-pb-${run}-*`);
    await form.getByRole('checkbox', {name: 'failure'}).check();
    await form.getByRole('button', {name: 'Save'}).click();
    await form.getByRole('status').filter({hasText: 'This channel now hears about'}).waitFor({timeout: 10000});
    const subscription = panel().getByRole('region', {name: 'This channel'}).getByRole('listitem', {name: new RegExp(`verdict-example`)});
    await subscription.waitFor({timeout: 10000});
    await panel().getByText('Subscribe this channel', {exact: true}).click();

    // A passing build holds the builder while a failing one waits behind it.
    await runCommand(world.user, world, `/build verdict-example e2e-pb-${run}-a slowgood`, channel.id);
    await runCommand(world.user, world, `/build verdict-example e2e-pb-${run}-b slowbad`, channel.id);
    // Until the worker takes the first, both wait: the one that waits behind is told by its branch.
    const running = entry(/^verdict-example #\d+$/);
    const waiting = entry('verdict-example, queued').filter({hasText: `e2e-pb-${run}-b`});
    await running.getByText(`e2e-pb-${run}-a`).waitFor({timeout: 20000});
    await waiting.waitFor({timeout: 20000});
    await waiting.getByText(/next in line|1st for verdict-example/).waitFor({timeout: 10000});
    await page.waitForTimeout(500);
    await shoot('panel-queued', light);

    await eventually('the waiting build runs', async () => (await running.count()) === 1 && (await waiting.count()) === 0, 30000);
    const red = panel().getByRole('region', {name: 'Red'}).getByRole('listitem', {name: /verdict-example/});
    await red.waitFor({timeout: 40000});
    await eventually('the running build is gone', async () => (await running.count()) === 0, 15000);
    await red.getByText(`e2e-pb-${run}-b`).waitFor();
    // Mine reads the status posts, which the tracker edits after Buildbot's event: it shows the
    // failure once the post does, without a reload.
    const mine = panel().getByRole('region', {name: 'Mine'}).getByRole('listitem').filter({hasText: `e2e-pb-${run}-b`});
    await mine.getByRole('img', {name: 'Failed'}).waitFor({timeout: 15000});
    await page.locator('#channel-header').getByRole('img', {name: /^\d+ red builders?$/}).waitFor({timeout: 10000});
    // The App Bar icon, an image, carries the count drawn in.
    const appBarIcon = await page.evaluate(() => (window as unknown as {registered: {appBar: Array<{iconUrl: string}>}}).registered.appBar.map((a) => a.iconUrl));
    expect(appBarIcon).toHaveLength(1);
    expect(decodeURIComponent(appBarIcon[0]!)).toMatch(/<text[^>]*>\d+<\/text>/);
    await shoot('panel-red', light);
});

test('Stop in the panel stops a build; the App Bar icon closes and opens it', async () => {
    await runCommand(world.user, world, `/build slow-example e2e-pb-stop-${run}`, channel.id);
    const running = entry(/^slow-example #\d+$/);
    await running.waitFor({timeout: 30000});
    await running.getByRole('button', {name: 'Stop'}).click();
    await running.getByRole('status').filter({hasText: 'Stopping slow-example'}).waitFor({timeout: 10000});
    await eventually('the stopped build leaves the panel', async () => (await running.count()) === 0, 30000);
    const builds = await buildbot.get<{builds: Array<{results: number | null}>}>(`builds?complete=true&order=-buildid&limit=1&builderid=${await buildbot.builderId('slow-example')}`);
    expect(builds.builds[0]?.results).toBe(6);

    expect(await page.evaluate(() => (window as unknown as Harness).clickAppBar(0))).toBe(true);
    expect(await page.evaluate(() => (window as unknown as Harness).rhsOpen)).toBe(false);
    expect(await page.evaluate(() => (window as unknown as Harness).clickAppBar(0))).toBe(true);
    await panel().waitFor({timeout: 10000});
});

test('the subscription is removed through the panel, and the panel reads well in the dark theme', async () => {
    await page.evaluate((t) => (window as unknown as Harness).renderRHS(t), dark);
    await page.evaluate((t) => (window as unknown as Harness).renderChannelHeader(t), dark);
    await panel().waitFor({timeout: 10000});
    await page.waitForTimeout(500);
    await shoot('panel-dark', dark);
    const section = panel().getByRole('region', {name: 'This channel'});
    await section.getByRole('listitem', {name: /verdict-example/}).getByRole('button', {name: 'Remove'}).click();
    await section.getByText('This channel no longer hears about').waitFor({timeout: 10000});
    await eventually('the subscription leaves the list', async () => (await section.getByRole('listitem', {name: /verdict-example/}).count()) === 0, 10000);
    const subs = await world.admin.executeCommand('/build subscriptions', {channel_id: channel.id, team_id: world.team.id} as Parameters<World['admin']['executeCommand']>[1]);
    expect(subs.text).toContain('This channel has no subscriptions');
});

// shoot keeps a screenshot of the panel for the docs, and checks the panel's text differs from its
// background in the theme (light text on light would pass every other check).
async function shoot(name: string, theme: typeof light): Promise<void> {
    const container = page.locator('#rhs-container');
    const colors = await container.evaluate((el) => {
        const style = getComputedStyle(el);
        return {color: style.color, background: getComputedStyle(document.body).backgroundColor};
    });
    expect(colors.color).not.toBe(colors.background);
    const file = path.join(repoRoot, 'docs', 'images', `${name}.png`);
    fs.mkdirSync(path.dirname(file), {recursive: true});
    await page.screenshot({path: file, clip: await margin(container), fullPage: true});
    expect(theme.centerChannelBg).toBeTruthy();
}
