// The built bundle in Debian's Chromium, loaded by the harness as Mattermost's webapp loads it, with
// a user signed in (alice unless said): the browser tests draw the real server's posts in it.
import {chromium, type Browser, type Locator, type Page} from 'playwright-core';

import {mattermostURL} from './env';
import {startHarness, type Harness} from './harness';

export interface BundlePage {
    harness: Harness;
    browser: Browser;
    page: Page;
    close(): Promise<void>;
}

async function sessionCookies(login: string): Promise<Array<{name: string; value: string}>> {
    // Mattermost sets session cookies for logins that come from its web app, which say so.
    const response = await fetch(`${mattermostURL}/api/v4/users/login`, {
        method: 'POST',
        headers: {'X-Requested-With': 'XMLHttpRequest'},
        body: JSON.stringify({login_id: login, password: 'E2e-password-1!'}),
    });
    return response.headers.getSetCookie().map((c) => {
        const [pair = ''] = c.split(';');
        const [name = '', value = ''] = pair.split('=');
        return {name, value};
    });
}

// openBundlePage starts the harness and a page of the given height on it, and waits until the
// bundle, on load, has asked for the bot's id through the harness with the user's cookie.
export async function openBundlePage(height: number, login = 'alice'): Promise<BundlePage> {
    const harness = await startHarness(mattermostURL);
    const browser = await chromium.launch({
        executablePath: '/usr/bin/chromium',
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const context = await browser.newContext({viewport: {width: 680, height}});
    await context.addCookies((await sessionCookies(login)).map((c) => ({...c, url: harness.url})));
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

// margin is an element's box with 12 pixels around it, for a screenshot of that element alone.
export async function margin(element: Locator): Promise<{x: number; y: number; width: number; height: number}> {
    const box = await element.boundingBox();
    if (!box) {
        throw new Error('the element is not drawn');
    }
    return {x: Math.max(0, box.x - 12), y: Math.max(0, box.y - 12), width: box.width + 24, height: box.height + 24};
}
