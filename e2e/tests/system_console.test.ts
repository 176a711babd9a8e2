// The connection check beside the plugin's settings in the System Console, drawn by the built
// bundle in Debian's Chromium from the real server's status route, as a system admin sees it: what
// Buildbot answered and whether its events are followed, and, with a Buildbot that does not answer,
// why. In the light and the dark theme, with screenshots for docs/settings.md.
import fs from 'node:fs';
import path from 'node:path';

import type {Page} from 'playwright-core';

import {margin, openBundlePage, type BundlePage} from '../src/browser';
import {eventually} from '../src/buildbot';
import {artifactsDir, bb4, buildbotUsers} from '../src/env';
import {configurePlugin, installPlugin, setUpWorld, type World} from '../src/mattermost';

const themes = {
    light: {centerChannelBg: '#ffffff', centerChannelColorRgb: '63, 67, 80', onlineIndicator: '#06d6a0', errorTextColor: '#d24b4e'},
    dark: {centerChannelBg: '#1f1f1f', centerChannelColorRgb: '221, 221, 221', onlineIndicator: '#3db887', errorTextColor: '#ff6461'},
};

let world: World;
let bundle: BundlePage | undefined;
let page: Page;

beforeAll(async () => {
    world = await setUpWorld();
    await installPlugin(world.admin);
    await configurePlugin(world.admin, {BuildbotURL: bb4.url, AuthMode: 'login', ...buildbotUsers.admin, PollIntervalSeconds: 2});
    bundle = await openBundlePage(200, 'sysadmin');
    page = bundle.page;
    fs.mkdirSync(artifactsDir, {recursive: true});
});

afterAll(async () => {
    await bundle?.close();
    await configurePlugin(world.admin, {BuildbotURL: bb4.url, AuthMode: 'login', ...buildbotUsers.admin});
});

async function render(theme: Record<string, string>): Promise<void> {
    await page.evaluate(([t]) => (window as unknown as {renderAdminSetting: (k: string, t: unknown) => void}).renderAdminSetting('ConnectionCheck', t), [theme] as const);
}

test('the check says Buildbot answered, with its version and builders, and that its events are followed', async () => {
    for (const [name, theme] of Object.entries(themes)) {
        await render(theme);
        const check = page.getByRole('region', {name: 'Connection to Buildbot'});
        await check.getByText(/^Buildbot 4\.\d+\.\d+ answered: \d+ builders, \d+ active$/).waitFor();
        await eventually('the event follower is connected', async () => (await check.getByText(/^Following Buildbot's events since/).count()) === 1, 30000);
        await page.screenshot({path: path.join(artifactsDir, `system-console-check-${name}.png`), clip: await margin(check)});
    }
});

test('with a Buildbot that does not answer, the check says so, in the words /build uses', async () => {
    await configurePlugin(world.admin, {BuildbotURL: 'http://127.0.0.1:9/', AuthMode: 'login', ...buildbotUsers.admin});
    await render(themes.light);

    const check = page.getByRole('region', {name: 'Connection to Buildbot'});
    await check.getByText(/^Buildbot did not answer: .*unreachable/).waitFor({timeout: 20000});
});
