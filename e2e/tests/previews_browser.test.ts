// A Buildbot link pasted in a message, drawn by the built bundle in Debian's Chromium as Mattermost's
// webapp draws a message: the live card of a status post under it, in place of the attachment
// other clients show, and the card changes to the build's result through the plugin's WebSocket
// event and route, with nothing drawn again by the page. The harness forwards the events the real
// server sends alice's WebSocket to the handler the bundle registered, as Mattermost's webapp does.
import fs from 'node:fs';
import path from 'node:path';

import type {Post} from '@mattermost/types/posts';
import type {Page} from 'playwright-core';
import WebSocket from 'ws';

import {openBundlePage, type BundlePage} from '../src/browser';
import {eventually} from '../src/buildbot';
import {artifactsDir, bb4, buildbotUsers, mattermostURL} from '../src/env';
import {configurePlugin, installPlugin, setUpWorld, type World} from '../src/mattermost';
import {startBuild} from '../src/posts';

const light = {centerChannelBg: '#ffffff', centerChannelColor: '#3f4350', linkColor: '#386fe5', buttonBg: '#1c58d9', buttonColor: '#ffffff',
    onlineIndicator: '#06d6a0', awayIndicator: '#ffbc1f', dndIndicator: '#d24b4e', errorTextColor: '#d24b4e'};

let world: World;
let bundle: BundlePage | undefined;
let page: Page;
let socket: WebSocket;
// forwarded counts the preview events the server sent alice and the page's handler took.
let forwarded = 0;

beforeAll(async () => {
    world = await setUpWorld();
    await installPlugin(world.admin);
    await configurePlugin(world.admin, {BuildbotURL: bb4.url, AuthMode: 'login', ...buildbotUsers.admin, PollIntervalSeconds: 2});
    bundle = await openBundlePage(320);
    page = bundle.page;

    socket = new WebSocket(`${mattermostURL.replace(/^http/, 'ws')}/api/v4/websocket`, {headers: {Authorization: `Bearer ${world.user.getToken()}`}});
    socket.on('message', (raw: WebSocket.RawData) => {
        const message = JSON.parse(raw.toString()) as {event?: string};
        if (message.event === 'custom_buildbot_preview') {
            void page.evaluate((m) => (window as unknown as {deliverEvent: (m: unknown) => boolean}).deliverEvent(m), message).then((taken) => {
                forwarded += taken ? 1 : 0;
            });
        }
    });
    await new Promise<void>((resolve, reject) => {
        socket.once('open', () => resolve());
        socket.once('error', reject);
    });
    fs.mkdirSync(artifactsDir, {recursive: true});
});

afterAll(async () => {
    socket?.close();
    await bundle?.close();
});

test('a pasted link to a running build is drawn as the live card in its message, which shows the result without a reload', async () => {
    const status = await startBuild(world.user, world.admin, world, 'medium-example', `e2e-preview-browser-${Date.now().toString(36)}`);
    const row = await eventually('the build runs', async () => {
        const props = (await world.admin.getPost(status.id)).props.buildbot_build as {rows: Array<{state: string; builder_id: number; number?: number}>};
        const first = props.rows[0];
        return first?.state === 'building' && first.number ? {builder_id: first.builder_id, number: first.number} : undefined;
    }, 30000);
    const link = `${bb4.url}#/builders/${row.builder_id}/builds/${row.number}`;
    const reads: string[] = [];
    page.on('request', (request) => {
        if (request.url().includes('/plugins/buildbot/api/v1/previews/')) {
            reads.push(request.url());
        }
    });

    const posted = await world.user.createPost({channel_id: world.channel.id, message: `is it done? ${link}`} as Post);
    expect((posted.props.attachments as unknown[] | undefined) ?? []).toHaveLength(1);
    await page.evaluate(([p, t]) => (window as unknown as {renderPost: (p: unknown, t: unknown) => void}).renderPost(p, t), [posted, light] as const);

    const previews = page.getByRole('group', {name: 'Buildbot links in this message'});
    const card = previews.getByRole('region', {name: /^Build of medium-example/});
    await card.getByRole('img', {name: 'Building'}).first().waitFor({timeout: 10000});
    expect(await page.getByText(`is it done? ${link}`).isVisible()).toBe(true);
    expect(await card.getByRole('link', {name: `medium-example #${row.number}`}).getAttribute('href')).toBe(link);
    // The attachment other clients show is there, hidden under the card; nothing acts on the message.
    expect(await page.locator(`#messageAttachmentList_${posted.id} .attachment`).count()).toBe(1);
    expect(await page.locator(`#messageAttachmentList_${posted.id}`).isVisible()).toBe(false);
    expect(await card.getByRole('button', {name: /^(Stop|Rebuild|Notify me)/}).count()).toBe(0);
    await page.screenshot({path: path.join(artifactsDir, 'preview-building.png')});

    await card.getByRole('img', {name: 'Succeeded'}).first().waitFor({timeout: 40000});

    expect(await card.getByRole('img', {name: 'Building'}).count()).toBe(0);
    expect(forwarded).toBeGreaterThan(0);
    // The result came from a read the event asked for, not from the page drawing the post again.
    expect(reads.some((url) => /[?&]after=\d+/.test(url))).toBe(true);
    await page.screenshot({path: path.join(artifactsDir, 'preview-success.png')});
});
