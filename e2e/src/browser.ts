// The built bundle in Debian's Chromium, loaded by the harness as Mattermost's webapp loads it, with
// alice signed in: the browser tests draw the real server's posts in it.
import {chromium, type Browser, type Page} from 'playwright-core';

import {mattermostURL} from './env';
import {startHarness, type Harness} from './harness';

export interface BundlePage {
    harness: Harness;
    browser: Browser;
    page: Page;
    close(): Promise<void>;
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

// openBundlePage starts the harness and a page of the given height on it, and waits until the
// bundle, on load, has asked for the bot's id through the harness with alice's cookie.
export async function openBundlePage(height: number): Promise<BundlePage> {
    const harness = await startHarness(mattermostURL);
    const browser = await chromium.launch({
        executablePath: '/usr/bin/chromium',
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const context = await browser.newContext({viewport: {width: 680, height}});
    await context.addCookies((await sessionCookies()).map((c) => ({...c, url: harness.url})));
    const page = await context.newPage();
    const botAnswer = page.waitForResponse((response) => response.url().endsWith('/plugins/buildbot/api/v1/bot'));
    await page.goto(harness.url);
    if ((await botAnswer).status() !== 200) {
        throw new Error('the bundle could not ask the plugin for its bot');
    }
    return {harness, browser, page, close: async () => {
        await browser.close();
        await harness.close();
    }};
}
