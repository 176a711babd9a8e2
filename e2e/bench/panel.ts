// The Builds panel's benchmarks: its data for the master of 1,000 builders with 100 builds
// running, through the real Mattermost; a Buildbot event to the panel's WebSocket event; and how
// far the queue estimate a queued build shows is from when it really starts.
import WebSocket from 'ws';

import {Buildbot, eventually} from '../src/buildbot';
import {bb4, bbBig, buildbotUsers, mattermostURL} from '../src/env';
import {configurePlugin, pluginFetch, type PluginSettings, type World} from '../src/mattermost';
import {bigMaster} from './big';
import {ms, note, record, sleep} from './table';

const section = '9. Builds panel';
const run = Date.now().toString(36);

interface PanelBuild {
    request_id: number;
    state: string;
    place?: number;
    starts_at?: number;
}

interface PanelBuilds {
    read_at: number;
    repos: Array<{builds: PanelBuild[]}>;
}

async function readPanel(world: World, after: number): Promise<{took: number; body: PanelBuilds}> {
    const started = performance.now();
    const response = await pluginFetch(world.user, `/api/v1/panel/builds?channel_id=${world.channel.id}&team_id=${world.team.id}&after=${after}`);
    const body = await response.json() as PanelBuilds;
    const took = performance.now() - started;
    if (response.status !== 200) {
        throw new Error(`the panel answered ${response.status}: ${JSON.stringify(body)}`);
    }
    return {took, body};
}

const allBuilds = (view: PanelBuilds): PanelBuild[] => view.repos.flatMap((r) => r.builds);

// forceBig starts a build on the big master, which has no users: its force scheduler takes anyone.
async function forceBig(builder: string, hold: number): Promise<void> {
    const id = Number(builder.slice('svc-'.length)) + 1;
    const response = await fetch(`${bbBig.url}api/v2/forceschedulers/force`, {
        method: 'POST', headers: {'Content-Type': 'application/json'},
        body: JSON.stringify({jsonrpc: '2.0', id: 1, method: 'force', params: {builderid: id, branch: 'main', hold: String(hold)}}),
    });
    const answer = await response.json() as {error?: unknown};
    if (answer.error) {
        throw new Error(`force ${builder}: ${JSON.stringify(answer.error)}`);
    }
}

// bigCount counts what a list of the big master holds; Buildbot's total counts the page read, so
// the list is read whole, with one field.
async function bigCount(list: 'builds' | 'buildrequests', filter: string): Promise<number> {
    const id = list === 'builds' ? 'buildid' : 'buildrequestid';
    const [field] = filter.split('=');
    const response = await fetch(`${bbBig.url}api/v2/${list}?${filter}&field=${id}&field=${field}`);
    return ((await response.json()) as {meta: {total: number}}).meta.total;
}

// bigSettled says the big master runs and queues nothing.
async function bigSettled(): Promise<boolean> {
    return await bigCount('buildrequests', 'claimed=false') === 0 && await bigCount('builds', 'complete=false') === 0;
}

// panelData times the panel's route for the master of 1,000 builders while 100 builds run: a read
// that must ask Buildbot again (the event it follows is newer than what the server holds), and
// reads a second viewer makes of what the server holds.
export async function panelData(world: World, buildbotScript: string, restore: PluginSettings): Promise<void> {
    await bigMaster(buildbotScript);
    const names = Array.from({length: 1000}, (_, i) => `svc-${String(i).padStart(4, '0')}`);
    // A finished build on every builder fills the window of finished builds the panel reads. The
    // master starts a few builds a second, so they go in batches.
    await eventually('the big master is idle', bigSettled, 900000);
    const missing = 1000 - await bigCount('builds', 'complete=true');
    for (let i = 0; i < missing; i += 50) {
        await Promise.all(names.slice(i, i + 50).map((n) => forceBig(n, 0)));
        await eventually('a batch of builds finishes', bigSettled, 120000);
    }
    const held = names.filter((_, i) => i % 10 === 0);
    for (let i = 0; i < held.length; i += 20) {
        await Promise.all(held.slice(i, i + 20).map((n) => forceBig(n, 900)));
    }
    try {
        await eventually('100 builds run', async () => (await bigCount('builds', 'complete=false')) >= 100, 300000);
        await configurePlugin(world.admin, {BuildbotURL: bbBig.url, AuthMode: 'none', PollIntervalSeconds: 5});
        await eventually('the panel shows the 100 builds', async () => allBuilds((await readPanel(world, Date.now())).body).length >= 100, 120000);
        const fresh: number[] = [];
        const shared: number[] = [];
        for (let i = 0; i < 40; i++) {
            fresh.push((await readPanel(world, Date.now())).took);
            for (let j = 0; j < 3; j++) {
                shared.push((await readPanel(world, 0)).took);
            }
            await sleep(200);
        }
        record(section, 'panel data, 1,000 builders and 100 running: a read that asks Buildbot again', fresh, ms, 'p95 ≤ 300 ms', (_, p95) => p95 <= 300);
        record(section, 'panel data, 1,000 builders and 100 running: another viewer\'s read of the same', shared, ms, 'p95 ≤ 300 ms', (_, p95) => p95 <= 300);
    } finally {
        await configurePlugin(world.admin, restore);
        await stopBig();
    }
}

// stopBig stops the big master's running builds, so the other benchmarks find it idle.
async function stopBig(): Promise<void> {
    const response = await fetch(`${bbBig.url}api/v2/builds?complete=false&field=buildid&field=complete`);
    const {builds} = await response.json() as {builds: Array<{buildid: number}>};
    for (const b of builds) {
        await fetch(`${bbBig.url}api/v2/builds/${b.buildid}`, {
            method: 'POST', headers: {'Content-Type': 'application/json'},
            body: JSON.stringify({jsonrpc: '2.0', id: 1, method: 'stop', params: {reason: 'bench done'}}),
        });
    }
}

// panelEvents times each Buildbot event of a build starting or finishing to the panel's
// WebSocket event that follows it, both as the bench process receives them.
export async function panelEvents(world: World, builds = 20): Promise<void> {
    const bbEvents: number[] = [];
    const panelEvents: Array<{received: number; at: number}> = [];
    const buildbotSocket = new WebSocket(bb4.url.replace(/^http/, 'ws') + 'ws');
    const mattermostSocket = new WebSocket(`${mattermostURL.replace(/^http/, 'ws')}/api/v4/websocket`, {headers: {Authorization: `Bearer ${world.user.getToken()}`}});
    await Promise.all([buildbotSocket, mattermostSocket].map((s) => new Promise((resolve, reject) => {
        s.once('open', resolve);
        s.once('error', reject);
    })));
    buildbotSocket.on('message', (raw: WebSocket.RawData) => {
        const message = JSON.parse(raw.toString()) as {k?: string};
        if (/^builds\/\d+\/(new|finished)$/.test(message.k ?? '')) {
            bbEvents.push(performance.now() + performance.timeOrigin);
        }
    });
    mattermostSocket.on('message', (raw: WebSocket.RawData) => {
        const message = JSON.parse(raw.toString()) as {event?: string; data?: {at?: number}};
        if (message.event === 'custom_buildbot_panel') {
            panelEvents.push({received: performance.now() + performance.timeOrigin, at: message.data?.at ?? 0});
        }
    });
    buildbotSocket.send(JSON.stringify({cmd: 'startConsuming', path: 'builds/*/*', _id: 1}));
    const buildbot = new Buildbot(bb4.url);
    try {
        for (let i = 0; i < builds; i++) {
            await buildbot.force('quick-example', `bench-panel-${run}-${i}`);
            await sleep(2500);
        }
        await sleep(3000);
    } finally {
        buildbotSocket.close();
        mattermostSocket.close();
    }
    // The plugin and the bench hear Buildbot at about the same moment: the panel event that
    // answers a Buildbot event is the first one the plugin sent after it could have heard it.
    const lags = bbEvents.map((t) => panelEvents.find((p) => p.at >= t - 50)).map((p, i) => (p ? Math.max(0, p.received - bbEvents[i]!) : NaN));
    record(section, 'a build\'s start or end on Buildbot to the panel\'s WebSocket event', lags.filter(Number.isFinite), ms, 'p95 ≤ 150 ms', (_, p95) => p95 <= 150);
}

// queueEstimate queues builds behind each other on one builder and worker, reads the panel's
// estimate of when each starts right after they are queued, and compares it with when Buildbot
// really starts them: the error as a share of the real wait.
export async function queueEstimate(world: World, rounds = 2, queued = 4): Promise<void> {
    const buildbot = new Buildbot(bb4.url);
    const builder = 'medium-example';
    // The estimate goes by the builder's last durations: three finished builds to go by.
    for (let i = 0; i < 3; i++) {
        const brid = await buildbot.force(builder, `bench-warm-${run}-${i}`);
        await eventually('the warm-up build ends', async () => {
            const {buildrequests} = await buildbot.get<{buildrequests: Array<{complete: boolean}>}>(`buildrequests/${brid}`);
            return buildrequests[0]?.complete;
        }, 60000);
    }
    const errors: number[] = [];
    for (let round = 0; round < rounds; round++) {
        const brids: number[] = [];
        for (let i = 0; i <= queued; i++) {
            brids.push(await buildbot.force(builder, `bench-queue-${run}-${round}-${i}`));
        }
        await sleep(1500);
        const {body} = await readPanel(world, Date.now());
        const readAt = Date.now();
        const estimates = new Map(allBuilds(body).filter((b) => b.state === 'queued' && brids.includes(b.request_id)).map((b) => [b.request_id, b.starts_at ?? 0]));
        const started = new Map<number, number>();
        await eventually('every queued build starts', async () => {
            for (const brid of estimates.keys()) {
                if (!started.has(brid)) {
                    const {builds} = await buildbot.get<{builds: Array<{started_at: number}>}>(`buildrequests/${brid}/builds`);
                    if (builds[0]) {
                        started.set(brid, builds[0].started_at * 1000);
                    }
                }
            }
            return started.size === estimates.size;
        }, 120000);
        for (const [brid, estimate] of estimates) {
            const real = started.get(brid)!;
            const wait = Math.max(1000, real - readAt);
            errors.push(estimate > 0 ? Math.abs(estimate - real) / wait * 100 : NaN);
        }
        await eventually('the round ends', async () => {
            const {buildrequests} = await buildbot.get<{buildrequests: Array<{complete: boolean}>}>(`buildrequests/${brids.at(-1)}`);
            return buildrequests[0]?.complete;
        }, 120000);
    }
    const known = errors.filter(Number.isFinite);
    record(section, `queue estimate at queue time, error as a share of the real wait (${builder}, ${queued} queued behind one running)`, known,
        (v) => `${v.toFixed(0)} %`, 'median ≤ 25 %', (median) => median <= 25 && known.length === errors.length);
}

// panelBench runs the panel's benchmarks on Buildbot 4 and the big master.
export async function panelBench(world: World, buildbotScript: string): Promise<void> {
    const settings: PluginSettings = {BuildbotURL: bb4.url, AuthMode: 'login', ...buildbotUsers.admin, PollIntervalSeconds: 2};
    await configurePlugin(world.admin, settings);
    await sleep(3000);
    // A part that fails is a failed row, and the others are still measured and written.
    for (const [what, part] of [
        ['Buildbot event to the panel event', () => panelEvents(world)],
        ['queue estimate', () => queueEstimate(world)],
        ['panel data, 1,000 builders', () => panelData(world, buildbotScript, settings)],
    ] as const) {
        try {
            await part();
        } catch (err) {
            process.stderr.write(`${what} failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
            note(section, what, `not measured: ${err instanceof Error ? err.message : String(err)}`, '', false);
        }
    }
}
