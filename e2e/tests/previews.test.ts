// A Buildbot link pasted in a message gets a preview: an attachment on the message as Mattermost
// stores it (state, builder, branch, revision, link), the live state through the plugin's route for
// whoever may read the channel, and a WebSocket event to that channel when the build changes. Where
// /build is refused, and for links in code or to another server, nothing.
import type {Post} from '@mattermost/types/posts';
import type {ServerChannel} from '@mattermost/types/channels';

import {Buildbot, eventually} from '../src/buildbot';
import {bb37, bb4, buildbotUsers} from '../src/env';
import {listen} from '../src/events';
import {configurePlugin, installPlugin, pluginFetch, setUpWorld, type PluginSettings, type World} from '../src/mattermost';
import {startBuild} from '../src/posts';

let world: World;
const buildbot = new Buildbot(bb4.url);
const run = Date.now().toString(36);
const settings: PluginSettings = {BuildbotURL: bb4.url, AuthMode: 'login', ...buildbotUsers.admin, PollIntervalSeconds: 2};

interface Attachment {
    title: string;
    title_link: string;
    fields: Array<{title: string; value: string}>;
    actions?: unknown[];
}

const attachmentsOf = (post: Post): Attachment[] => (post.props.attachments as Attachment[] | undefined) ?? [];

// Running is a build running on Buildbot 4, started from chat, with what a link to it names.
interface Running {
    buildId: number;
    builderId: number;
    number: number;
    requestId: number;
    link: string;
}

async function running(repo: string, branch: string): Promise<Running> {
    const status = await startBuild(world.user, world.admin, world, repo, branch);
    return eventually(`${repo} ${branch} runs`, async (): Promise<Running | undefined> => {
        const props = (await world.admin.getPost(status.id)).props.buildbot_build as {rows: RawRow[]};
        const row = props.rows[0];
        if (row?.state !== 'building' || !row.build_id || !row.number) {
            return undefined;
        }
        return {buildId: row.build_id, builderId: row.builder_id, number: row.number, requestId: row.request_id,
            link: `${bb4.url}#/builders/${row.builder_id}/builds/${row.number}`};
    }, 60000);
}

// RawRow is a status post's row as the server writes it.
interface RawRow {
    state: string;
    builder_id: number;
    request_id: number;
    build_id?: number;
    number?: number;
}

async function say(message: string, channelId = world.channel.id, client = world.user): Promise<Post> {
    return client.createPost({channel_id: channelId, message} as Post);
}

let slow: Running;

beforeAll(async () => {
    world = await setUpWorld();
    await installPlugin(world.admin);
    await configurePlugin(world.admin, settings);
    slow = await running('slow-example', `e2e-preview-${run}`);
});

afterAll(async () => {
    await buildbot.stop(slow.buildId).catch(() => undefined);
    await configurePlugin(world.admin, settings);
});

test('a message with a pasted link to a running build gets a preview attachment with its state, builder, branch and link', async () => {
    const message = `it hangs here: ${slow.link} (anyone?)`;

    const posted = await say(message);

    // The hook runs before Mattermost stores the message: the answer to the post carries it.
    expect(posted.message).toBe(message);
    expect(posted.user_id).toBe(world.plainUser.id);
    expect(posted.props.buildbot_previews).toEqual({version: 1, links: [slow.link]});
    const [attachment, ...more] = attachmentsOf(posted);
    expect(more).toEqual([]);
    expect(attachment?.title).toBe(`slow-example #${slow.number}`);
    expect(attachment?.title_link).toBe(slow.link);
    expect(attachment?.actions ?? []).toEqual([]);
    const values = attachment?.fields.map((f) => f.value) ?? [];
    expect(values[0]).toMatch(/^:arrows_counterclockwise: /);
    expect(values).toContain(`\`e2e-preview-${run}\``);
    // What Mattermost stored, as any client reads it again.
    expect(attachmentsOf(await world.admin.getPost(posted.id))[0]?.title).toBe(`slow-example #${slow.number}`);
});

test('the live state is for whoever reads the channel: the route answers a member and refuses anyone else', async () => {
    const posted = await say(`see ${slow.link}`);

    const answer = await pluginFetch(world.user, `/api/v1/previews/${posted.id}`);
    expect(answer.status).toBe(200);
    const {previews} = await answer.json() as {previews: Array<{state: string; repo: string; buildbot_url: string; rows: Array<{number: number}>}>};
    expect(previews).toHaveLength(1);
    expect(previews[0]).toMatchObject({state: 'building', repo: 'slow-example', buildbot_url: slow.link, rows: [{number: slow.number}]});

    const secret: ServerChannel = await world.admin.createChannel({team_id: world.team.id, name: `previews-${run}`, display_name: `previews ${run}`, type: 'P'});
    const hidden = await say(`see ${slow.link}`, secret.id, world.admin);
    expect(attachmentsOf(hidden)).toHaveLength(1);
    expect((await pluginFetch(world.admin, `/api/v1/previews/${hidden.id}`)).status).toBe(200);
    expect((await pluginFetch(world.user, `/api/v1/previews/${hidden.id}`)).status).toBe(403);
});

test('a link in a channel where /build is refused gets no preview, and the route gives nothing there', async () => {
    await configurePlugin(world.admin, {...settings, AllowedChannels: `${world.team.name}/${world.channel.name}`});
    try {
        const refused = await say(`see ${slow.link}`, world.otherChannel.id);
        expect(attachmentsOf(refused)).toEqual([]);
        expect(refused.props.buildbot_previews).toBeUndefined();
        expect((await pluginFetch(world.user, `/api/v1/previews/${refused.id}`)).status).toBe(403);

        const allowed = await say(`see ${slow.link}`);
        expect(attachmentsOf(allowed)).toHaveLength(1);
    } finally {
        await configurePlugin(world.admin, settings);
    }
});

test('links in code, to another Buildbot and past the third get no preview', async () => {
    const request = `${bb4.url}#/buildrequests/${slow.requestId}`;
    const builder = `${bb4.url}#/builders/${slow.builderId}`;
    const message = [
        `quoted: \`${slow.link}\``,
        '```',
        slow.link,
        '```',
        `elsewhere: ${bb37.url}#/builders/${slow.builderId}/builds/${slow.number}`,
        `${slow.link} ${request} ${builder} ${bb4.url}#/builders/${slow.builderId + 1000}`,
    ].join('\n');

    const posted = await say(message);

    expect(attachmentsOf(posted).map((a) => a.title_link)).toEqual([slow.link, request, builder]);
    expect(attachmentsOf(posted).map((a) => a.title)).toEqual(Array(3).fill(`slow-example #${slow.number}`));

    expect(attachmentsOf(await say(`only quoted: \`${slow.link}\` and ${bb37.url}#/builders/1`))).toEqual([]);
});

test('the setting turns previews off', async () => {
    await configurePlugin(world.admin, {...settings, LinkPreviews: false});
    try {
        const posted = await say(`see ${slow.link}`);
        expect(attachmentsOf(posted)).toEqual([]);
        expect((await pluginFetch(world.user, `/api/v1/previews/${posted.id}`)).status).toBe(404);
    } finally {
        await configurePlugin(world.admin, settings);
    }
});

test('an edit keeps the preview while the link stays, and drops it with the link', async () => {
    const posted = await say(`see ${slow.link}`);

    const kept = await world.user.patchPost({id: posted.id, message: `see ${slow.link}, still hanging`} as Post & {id: string});
    expect(kept.message).toBe(`see ${slow.link}, still hanging`);
    expect(attachmentsOf(kept)).toHaveLength(1);

    const dropped = await world.user.patchPost({id: posted.id, message: 'never mind'} as Post & {id: string});
    expect(dropped.message).toBe('never mind');
    expect(attachmentsOf(dropped)).toEqual([]);
    expect(dropped.props.buildbot_previews).toBeUndefined();
});

// Last: it ends the build the others preview.
test('the channel of a previewed build hears when it changes, and reads the result', async () => {
    const events = await listen(world.user);
    try {
        const posted = await say(`watch ${slow.link}`);
        expect(attachmentsOf(posted)).toHaveLength(1);
        const heard = events.next('custom_buildbot_preview', 20000);
        // The change reaches the channel through Buildbot's events, which the plugin follows once
        // its settings are saved, as the status route says.
        await eventually('the plugin follows Buildbot\'s events', async () => {
            const status = await (await pluginFetch(world.admin, '/api/v1/status')).json() as {events?: {connected: boolean}};
            return status.events?.connected === true;
        }, 20000);

        await buildbot.stop(slow.buildId, 'e2e: a previewed build ends');

        const event = await heard;
        expect(event.data).toMatchObject({channel_id: world.channel.id, builder_ids: expect.arrayContaining([slow.builderId])});
        const after = event.data.at as number;
        const state = await eventually('the route reads the result', async () => {
            const answer = await pluginFetch(world.user, `/api/v1/previews/${posted.id}?after=${after}`);
            const {previews} = await answer.json() as {previews: Array<{state: string}>};
            return previews[0]?.state !== 'building' && previews[0]?.state;
        }, 15000);
        expect(state).toBe('cancelled');
    } finally {
        events.close();
    }
});
