// The Builds panel's routes on the real stack: what runs, waits and is red, live through the
// panel's WebSocket event; Stop and the channel's subscriptions; and the gate's refusals, which
// the routes answer as /build would (a user outside a private channel reads none of its builds
// or subscriptions, a team the settings leave out sees nothing).
import type {Post} from '@mattermost/types/posts';
import type {ServerChannel} from '@mattermost/types/channels';
import WebSocket from 'ws';

import {Buildbot, eventually} from '../src/buildbot';
import {bb4, buildbotUsers, mattermostURL} from '../src/env';
import {listen, type Events} from '../src/events';
import {configurePlugin, installPlugin, pluginFetch, runCommand, setUpWorld, type PluginSettings, type World} from '../src/mattermost';

let world: World;
let events: Events;
let socket: WebSocket;
// panelEvents are the panel events alice's WebSocket received, in order: when (at), and whether a
// status post came to show another state (posts).
const panelEvents: Array<{at: number; posts: boolean}> = [];
const buildbot = new Buildbot(bb4.url);
const run = Date.now().toString(36);
const settings: PluginSettings = {BuildbotURL: bb4.url, AuthMode: 'login', ...buildbotUsers.admin, PollIntervalSeconds: 2};

interface PanelBuild {
    builder: string;
    state: string;
    build_id: number;
    request_id: number;
    branch: string;
    started_by: string;
    post_url: string;
    may_stop: boolean;
    place?: number;
    starts_at?: number;
}

interface PanelBuilds {
    read_at: number;
    repos: Array<{repo: string; builds: PanelBuild[]}>;
    red: Array<{repo: string; builder: string; branch: string; failures: number; subscribed: boolean; url: string}>;
    red_count: number;
}

type Client = World['user'];

beforeAll(async () => {
    world = await setUpWorld();
    await installPlugin(world.admin);
    await configurePlugin(world.admin, settings);
    events = await listen(world.user);
    socket = new WebSocket(`${mattermostURL.replace(/^http/, 'ws')}/api/v4/websocket`, {headers: {Authorization: `Bearer ${world.user.getToken()}`}});
    socket.on('message', (raw: WebSocket.RawData) => {
        const message = JSON.parse(raw.toString()) as {event?: string; data?: {at?: number; posts?: boolean}};
        if (message.event === 'custom_buildbot_panel' && typeof message.data?.at === 'number') {
            panelEvents.push({at: message.data.at, posts: message.data.posts === true});
        }
    });
    await new Promise<void>((resolve, reject) => {
        socket.once('open', () => resolve());
        socket.once('error', reject);
    });
});

afterAll(() => {
    events.close();
    socket.close();
});

const where = (channel: ServerChannel) => `channel_id=${channel.id}&team_id=${world.team.id}`;

async function get<T>(client: Client, route: string): Promise<{status: number; body: T}> {
    const response = await pluginFetch(client, `/api/v1/panel/${route}`);
    return {status: response.status, body: await response.json() as T};
}

async function send(client: Client, method: string, route: string, body: Record<string, unknown>): Promise<{status: number; text: string}> {
    const response = await pluginFetch(client, `/api/v1/panel/${route}`, {method, headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)});
    const answer = await response.json() as {message?: string; error?: string};
    return {status: response.status, text: answer.message ?? answer.error ?? ''};
}

async function builds(client: Client, channel: ServerChannel, after = 0): Promise<PanelBuilds> {
    const {status, body} = await get<PanelBuilds>(client, `builds?${where(channel)}&after=${after}`);
    expect(status).toBe(200);
    return body;
}

const find = (view: PanelBuilds, requestId: number): PanelBuild | undefined =>
    view.repos.flatMap((r) => r.builds).find((b) => b.request_id === requestId);

async function statusPostAfter(command: string, channel: ServerChannel): Promise<Post> {
    const since = Date.now() - 1000;
    await runCommand(world.user, world, command, channel.id);
    return eventually('the status post appears', async () => {
        const list = await world.admin.getPostsSince(channel.id, since);
        return Object.values(list.posts).find((p) => (p.type as string) === 'custom_buildbot_build' && !p.root_id && p.create_at >= since &&
            p.message.includes(command.split(' ')[2] ?? ''));
    }, 20000);
}

const requestOf = (post: Post): number => (post.props.buildbot_build as {rows: Array<{request_id: number}>}).rows[0]!.request_id;

// heard waits for a panel WebSocket event sent after since, then reads the panel as the webapp
// does, with the newest event's time, until it shows what until wants. The events are kept as they
// come: a quick build can start and end before the test asks.
async function heard(since: number, channel: ServerChannel, until: (view: PanelBuilds) => boolean, what: string): Promise<PanelBuilds> {
    return eventually(what, async () => {
        const at = panelEvents.filter((e) => e.at >= since - 1000).at(-1)?.at;
        if (at === undefined) {
            return false;
        }
        const view = await builds(world.user, channel, at);
        expect(view.read_at).toBeGreaterThanOrEqual(at);
        return until(view) && view;
    }, 90000);
}

test('a queued build says its place and start, runs, and is stopped from the panel, each change told by the panel event', async () => {
    const channel: ServerChannel = await world.admin.createChannel({team_id: world.team.id, name: `panel-${run}`, display_name: `panel ${run}`, type: 'O'});
    await world.admin.addToChannel(world.plainUser.id, channel.id);
    const first = await statusPostAfter(`/build slow-example e2e-panel-a-${run}`, channel);
    const since = Date.now();
    const second = await statusPostAfter(`/build slow-example e2e-panel-b-${run}`, channel);
    try {
        const queued = await heard(since, channel, (v) => find(v, requestOf(second))?.state === 'queued' && find(v, requestOf(first))?.state === 'building',
            'the second build waits behind the first');
        const waiting = find(queued, requestOf(second))!;
        expect(waiting).toMatchObject({builder: 'slow-example', branch: `e2e-panel-b-${run}`, started_by: '@alice', may_stop: true, place: 1});
        expect(waiting.post_url).toContain(`/_redirect/pl/${second.id}`);
        const running = find(queued, requestOf(first))!;
        expect(running.post_url).toContain(first.id);
        // The reason names the channel; the panel shows every viewer only who asked.
        expect(JSON.stringify(queued)).not.toContain(`panel-${run}`);

        const stopped = await send(world.user, 'POST', 'stop', {channel_id: channel.id, team_id: world.team.id, build_id: running.build_id});
        expect(stopped).toEqual({status: 200, text: 'Stopping slow-example; the panel shows when Buildbot is done.'});
        const moved = await heard(Date.now(), channel, (v) => find(v, requestOf(second))?.state === 'building', 'the second build starts');
        expect(find(moved, requestOf(first))).toBeUndefined();
        const next = find(moved, requestOf(second))!;
        expect(await send(world.user, 'POST', 'stop', {channel_id: channel.id, team_id: world.team.id, build_id: next.build_id})).toMatchObject({status: 200});
        for (const post of [first, second]) {
            await eventually('the status post says who stopped it', async () => {
                const props = (await world.admin.getPost(post.id)).props.buildbot_build as {state: string; rows: Array<{stopped_by?: string}>};
                return props.state === 'cancelled' && props.rows[0]?.stopped_by === 'alice';
            }, 60000);
        }
    } finally {
        for (const post of [first, second]) {
            await buildbot.cancel(requestOf(post)).catch(() => undefined);
        }
    }
});

test('a failed build makes its builder red, counted for the channel whose subscription covers it', async () => {
    const channel: ServerChannel = await world.admin.createChannel({team_id: world.team.id, name: `panel-red-${run}`, display_name: `panel red ${run}`, type: 'O'});
    await world.admin.addToChannel(world.plainUser.id, channel.id);
    const branch = `e2e-red-${run}`;
    expect(await send(world.admin, 'PUT', 'subscriptions', {channel_id: channel.id, team_id: world.team.id, repo: 'failing-example', branch, events: ['failure']}))
        .toMatchObject({status: 200});
    const since = Date.now();
    await runCommand(world.user, world, `/build failing-example ${branch}`, channel.id);
    const view = await heard(since, channel, (v) => v.red.some((r) => r.branch === branch), 'the failed builder shows red');
    expect(view.red.find((r) => r.branch === branch)).toMatchObject({repo: 'failing-example', builder: 'failing-example', failures: 1, subscribed: true});
    expect(view.red_count).toBeGreaterThanOrEqual(1);
    const {body} = await get<{count: number}>(world.user, `red_count?${where(channel)}`);
    expect(body.count).toBe(view.red_count);
    // Another channel, without the subscription, does not count this branch.
    const elsewhere = await builds(world.user, world.otherChannel);
    expect(elsewhere.red.some((r) => r.branch === branch)).toBe(false);
});

test('a channel\'s subscriptions are added and removed through the panel, and its webapps are told', async () => {
    const channel: ServerChannel = await world.admin.createChannel({team_id: world.team.id, name: `panel-subs-${run}`, display_name: `panel subs ${run}`, type: 'O'});
    await world.admin.addToChannel(world.plainUser.id, channel.id);
    const place = {channel_id: channel.id, team_id: world.team.id};

    const list = await get<{subscriptions: unknown[]; may_edit: boolean; refusal: string; repos: string[]; events: Array<{event: string; means: string}>}>(world.user, `subscriptions?${where(channel)}`);
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({subscriptions: [], may_edit: false});
    expect(list.body.refusal).toContain('Only the channel\'s admins may change this channel\'s subscriptions');
    expect(await send(world.user, 'PUT', 'subscriptions', {...place, repo: 'quick-example', branch: '', events: ['failure']})).toMatchObject({status: 403});

    const told = events.next('custom_buildbot_panel_subscriptions', 15000);
    expect(await send(world.admin, 'PUT', 'subscriptions', {...place, repo: 'quick-example', branch: 'release/*', events: ['failure', 'recovery']}))
        .toMatchObject({status: 200, text: expect.stringContaining('This channel now hears about') as string});
    expect((await told).data.channel_id).toBe(channel.id);
    const admin = await get<{subscriptions: Array<{repo: string; branch: string; events: string[]; creator: string}>; may_edit: boolean; repos: string[]}>(
        world.admin, `subscriptions?${where(channel)}`);
    expect(admin.body.may_edit).toBe(true);
    expect(admin.body.repos).toContain('quick-example');
    expect(admin.body.subscriptions).toEqual([expect.objectContaining({repo: 'quick-example', branch: 'release/*', events: ['failure', 'recovery'], creator: 'sysadmin'})]);
    const branches = await get<{branches: string[]}>(world.user, `branches?${where(channel)}&repo=quick-example`);
    expect(branches.status).toBe(200);
    expect(Array.isArray(branches.body.branches)).toBe(true);

    expect(await send(world.admin, 'PUT', 'subscriptions', {...place, repo: 'quick-exampel', branch: '', events: ['failure']}))
        .toMatchObject({status: 400, text: expect.stringContaining('quick-example') as string});
    expect(await send(world.admin, 'PUT', 'subscriptions', {...place, repo: 'quick-example', branch: '', events: ['sometimes']}))
        .toMatchObject({status: 400, text: expect.stringContaining('not an event') as string});
    expect(await send(world.admin, 'DELETE', 'subscriptions', {...place, repo: 'quick-example', branch: 'release/*'})).toMatchObject({status: 200});
    expect((await get<{subscriptions: unknown[]}>(world.user, `subscriptions?${where(channel)}`)).body.subscriptions).toEqual([]);
});

test('a user outside a private channel reads none of its builds or subscriptions, and changes nothing there', async () => {
    const secret: ServerChannel = await world.admin.createChannel({team_id: world.team.id, name: `panel-secret-${run}`, display_name: `panel secret ${run}`, type: 'P'});
    const place = {channel_id: secret.id, team_id: world.team.id};
    expect(await send(world.admin, 'PUT', 'subscriptions', {...place, repo: 'failing-example', branch: '', events: ['failure']})).toMatchObject({status: 200});
    const refusal = 'You cannot start builds in this channel: you cannot read it.';
    for (const route of ['builds', 'mine', 'red_count', 'subscriptions', 'branches']) {
        const answer = await get<{error: string}>(world.user, `${route}?${where(secret)}&repo=failing-example`);
        expect({route, ...answer}).toEqual({route, status: 403, body: {error: refusal}});
    }
    for (const [method, route] of [['PUT', 'subscriptions'], ['DELETE', 'subscriptions'], ['POST', 'stop']] as const) {
        const answer = await send(world.user, method, route, {...place, repo: 'failing-example', branch: '', events: ['failure'], request_id: 1});
        expect({method, route, ...answer}).toEqual({method, route, status: 403, text: refusal});
    }
    // The admin, a member, reads them.
    const admin = await get<{subscriptions: unknown[]}>(world.admin, `subscriptions?${where(secret)}`);
    expect(admin.body.subscriptions).toHaveLength(1);
});

test('a team the settings leave out sees nothing, and an unknown route or a missing user is refused', async () => {
    await configurePlugin(world.admin, {...settings, AllowedTeams: `not-e2e-${run}`});
    try {
        await eventually('the settings apply', async () => (await get(world.user, `builds?${where(world.channel)}`)).status === 403);
        const {body} = await get<{error: string}>(world.user, `builds?${where(world.channel)}`);
        expect(body.error).toContain('Builds cannot be started from this team');
        expect((await get(world.user, `subscriptions?${where(world.channel)}`)).status).toBe(403);
    } finally {
        await configurePlugin(world.admin, settings);
    }
    const anonymous = await fetch(`${world.user.getUrl()}/plugins/buildbot/api/v1/panel/builds?${where(world.channel)}`);
    expect(anonymous.status).toBe(401);
});

test('mine lists the user\'s builds with links to their status posts', async () => {
    const post = await statusPostAfter(`/build quick-example e2e-mine-${run}`, world.channel);
    const {status, body} = await eventually('the build is listed', async () => {
        const answer = await get<{builds: Array<{post_url: string; repo: string; branch: string; state: string}>}>(world.user, `mine?${where(world.channel)}`);
        return answer.body.builds.some((b) => b.post_url.endsWith(post.id)) && answer;
    }, 30000);
    expect(status).toBe(200);
    expect(body.builds.find((b) => b.post_url.endsWith(post.id))).toMatchObject({repo: 'quick-example', branch: `e2e-mine-${run}`});

    // The tracker edits the post after Buildbot's event that the build finished: the panel event
    // that says so comes once the post shows it, and mine then lists the build as finished.
    const finished = await eventually('the status post shows the result', async () => {
        const p = await world.admin.getPost(post.id);
        return (p.props.buildbot_build as {state: string}).state === 'success' && p;
    }, 60000);
    await eventually('a panel event says a status post changed after the post did', async () =>
        panelEvents.some((e) => e.posts && e.at >= finished.update_at), 15000);
    const after = await get<{builds: Array<{post_url: string; state: string}>}>(world.user, `mine?${where(world.channel)}`);
    expect(after.body.builds.find((b) => b.post_url.endsWith(post.id))?.state).toBe('success');
});
