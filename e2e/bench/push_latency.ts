// How soon a status post follows Buildbot, with push on and polling slowed to once an hour: for
// each build, the time from Buildbot's own event (its request claimed by a worker, the build
// finished; read from Buildbot's WebSocket) to Mattermost's post_edited event showing the build
// running or done (read from Mattermost's WebSocket).
// Both sockets are read by this process, so the two clocks are one. Goal: under 250 ms.
//
// Run with the stack up and the plugin built: `make bench-push` (needs `node --experimental-websocket`).
import type {Post} from '@mattermost/types/posts';

import {Buildbot, eventually} from '../src/buildbot';
import {buildbotMasters, buildbotUsers, mattermostURL, type BuildbotMaster} from '../src/env';
import {configurePlugin, installPlugin, runCommand, setUpWorld, type World} from '../src/mattermost';

const buildsPerMaster = Number(process.env.MMBB_BENCH_BUILDS ?? 5);
const goalMs = 250;

interface Row {
    request_id: number;
    build_id?: number;
    state: string;
}

interface Sample {
    master: string;
    transition: 'started' | 'finished';
    ms: number;
}

function open(url: string): Promise<WebSocket> {
    return new Promise((resolve, reject) => {
        const socket = new WebSocket(url);
        socket.addEventListener('open', () => resolve(socket), {once: true});
        socket.addEventListener('error', () => reject(new Error(`cannot open ${url}`)), {once: true});
    });
}

// buildbotEvents records when Buildbot says each request was claimed and each build finished,
// keyed "<request id>/started" and "<request id>/finished".
async function buildbotEvents(master: BuildbotMaster): Promise<{seen: Map<string, number>; close: () => void}> {
    const socket = await open(master.url.replace(/^http/, 'ws') + 'ws');
    const seen = new Map<string, number>();
    socket.addEventListener('message', (e) => {
        const at = performance.now();
        const msg = JSON.parse(String(e.data)) as {k?: string; m?: {buildrequestid?: number}};
        const claimed = msg.k?.match(/^buildrequests\/(\d+)\/claimed$/);
        if (claimed) {
            seen.set(`${claimed[1]}/started`, at);
        }
        if (/^builds\/\d+\/finished$/.test(msg.k ?? '') && msg.m?.buildrequestid) {
            seen.set(`${msg.m.buildrequestid}/finished`, at);
        }
    });
    socket.send(JSON.stringify({cmd: 'startConsuming', path: 'builds/*/*', _id: 1}));
    socket.send(JSON.stringify({cmd: 'startConsuming', path: 'buildrequests/*/*', _id: 2}));
    return {seen, close: () => socket.close()};
}

// postEdits records when Mattermost first shows each build as running and as done.
async function postEdits(world: World): Promise<{seen: Map<string, number>; close: () => void}> {
    const socket = await open(mattermostURL.replace(/^http/, 'ws') + '/api/v4/websocket');
    socket.send(JSON.stringify({seq: 1, action: 'authentication_challenge', data: {token: world.admin.getToken()}}));
    const seen = new Map<string, number>();
    socket.addEventListener('message', (e) => {
        const at = performance.now();
        const msg = JSON.parse(String(e.data)) as {event?: string; data?: {post?: string}};
        if ((msg.event !== 'post_edited' && msg.event !== 'posted') || !msg.data?.post) {
            return;
        }
        const post = JSON.parse(msg.data.post) as Post;
        const rows = (post.props?.buildbot_build as {rows?: Row[]} | undefined)?.rows ?? [];
        for (const row of rows) {
            if (!row.build_id) {
                continue;
            }
            const key = `${row.request_id}/${['building', 'retry'].includes(row.state) ? 'started' : 'finished'}`;
            if (!seen.has(key)) {
                seen.set(key, at);
            }
        }
    });
    return {seen, close: () => socket.close()};
}

async function measure(world: World, master: BuildbotMaster): Promise<Sample[]> {
    await configurePlugin(world.admin, {BuildbotURL: master.url, AuthMode: 'login', ...buildbotUsers.admin, PollIntervalSeconds: 3600, EnablePush: true});
    // Let the plugin's subscription start on the new settings.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const buildbot = new Buildbot(master.url);
    const fromBuildbot = await buildbotEvents(master);
    const fromMattermost = await postEdits(world);
    const samples: Sample[] = [];
    try {
        for (let i = 0; i < buildsPerMaster; i++) {
            const branch = `bench-push-${Date.now().toString(36)}`;
            await runCommand(world.user, world, `/build project-example ${branch}`);
            const builds = await eventually('the builds finish', async () => {
                const found = await buildbot.buildsWhere((p) => p.branch === branch);
                return found.length > 0 && found.every((b) => b.complete) && found;
            });
            for (const build of builds) {
                for (const transition of ['started', 'finished'] as const) {
                    const key = `${build.buildrequestid}/${transition}`;
                    const shown = await eventually(`the post shows build ${key}`, async () => fromMattermost.seen.get(key), 10000);
                    const happened = fromBuildbot.seen.get(key);
                    if (happened !== undefined) {
                        samples.push({master: master.label, transition, ms: shown - happened});
                    }
                }
            }
        }
    } finally {
        fromBuildbot.close();
        fromMattermost.close();
    }
    return samples;
}

function percentile(sorted: number[], p: number): number {
    return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
    const world = await setUpWorld();
    await installPlugin(world.admin);
    const samples: Sample[] = [];
    for (const master of buildbotMasters) {
        samples.push(...await measure(world, master));
    }
    await configurePlugin(world.admin, {BuildbotURL: buildbotMasters[0]?.url ?? '', AuthMode: 'login', ...buildbotUsers.admin, PollIntervalSeconds: 2});

    const rows: string[][] = [['master', 'transition', 'builds', 'p50 ms', 'p90 ms', 'max ms', `under ${goalMs} ms`]];
    for (const master of buildbotMasters) {
        for (const transition of ['started', 'finished'] as const) {
            const ms = samples.filter((s) => s.master === master.label && s.transition === transition).map((s) => s.ms).sort((a, b) => a - b);
            const under = ms.filter((m) => m < goalMs).length;
            rows.push([master.label, transition, String(ms.length), percentile(ms, 0.5).toFixed(0), percentile(ms, 0.9).toFixed(0),
                (ms[ms.length - 1] ?? NaN).toFixed(0), `${under}/${ms.length}`]);
        }
    }
    const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
    for (const row of rows) {
        process.stdout.write(row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd() + '\n');
    }
}

main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
});
