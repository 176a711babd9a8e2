// The benchmarks on the real stack, side by side with what teams use today, in one run: how soon a
// build's result reaches the channel (our post with push on and off, an HttpStatusPush reporter
// posting to an incoming webhook, and buildbot-mattermost-reporter, all on the same master and
// the same builds), what a followed build costs Buildbot, how long /build takes next to Buildbot's
// own force call, how polling grows with the builds followed, the plugin's footprint, and on a
// master of 1,000 builders, autocomplete and the catalog's refresh (big.ts).
//
// Every time is read by this process from Buildbot's and Mattermost's WebSockets, so the clocks
// are one. Run with `make bench-stack`, which starts a fresh stack and writes bench/results.md.
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';

import type {Post} from '@mattermost/types/posts';
import type {ServerChannel} from '@mattermost/types/channels';

import {Buildbot, eventually, type Build} from '../src/buildbot';
import {bb4, buildbotUsers, mattermostURL, repoRoot} from '../src/env';
import {configurePlugin, installPlugin, pluginId, runCommand, setUpWorld, type PluginSettings, type World} from '../src/mattermost';
import {configureBoth, logFile, onBoth, startNode2, stopNode, type Node} from '../src/nodes';
import {isCatalogRead, startProxy, type Proxy} from '../src/proxy';
import {autocompleteAndCatalog, bigMaster} from './big';
import {panelBench} from './panel';
import {ms, note, parseTable, quantile, record, results, sameMeasure, sleep, table} from './table';

const builds = Number(process.env.MMBB_BENCH_BUILDS ?? 20);
const warmUp = 3;
const levels = (process.env.MMBB_BENCH_LEVELS ?? '1,10,100,1000,10000').split(',').map(Number);
const run = Date.now().toString(36);
// MMBB_BENCH_PARTS picks parts to run again after a change: latency, two, panel, growth, big (all by default).
const allPartNames = ['latency', 'two', 'panel', 'growth', 'big'];
const parts = new Set((process.env.MMBB_BENCH_PARTS ?? allPartNames.join(',')).split(','));
const allParts = allPartNames.every((p) => parts.has(p));
const buildbotScript = path.join(repoRoot, 'e2e', 'stack', 'buildbot.sh');

function open(url: string): Promise<WebSocket> {
    return new Promise((resolve, reject) => {
        const socket = new WebSocket(url);
        socket.addEventListener('open', () => resolve(socket), {once: true});
        socket.addEventListener('error', () => reject(new Error(`cannot open ${url}`)), {once: true});
    });
}

// finishedAt records when Buildbot says each build finished, by build id.
async function buildbotFinishes(): Promise<{at: Map<number, number>; close: () => void}> {
    const socket = await open(bb4.url.replace(/^http/, 'ws') + 'ws');
    const at = new Map<number, number>();
    socket.addEventListener('message', (e) => {
        const now = performance.now();
        const msg = JSON.parse(String(e.data)) as {k?: string; m?: {buildid?: number}};
        if (/^builds\/\d+\/finished$/.test(msg.k ?? '') && msg.m?.buildid) {
            at.set(msg.m.buildid, now);
        }
    });
    socket.send(JSON.stringify({cmd: 'startConsuming', path: 'builds/*/finished', _id: 1}));
    return {at, close: () => socket.close()};
}

interface Seen {
    at: number;
    post: Post;
}

// mattermostPosts records every post made or edited that a user (the admin by default) sees, as
// Mattermost's own clients see them.
async function mattermostPosts(world: World, client = world.admin): Promise<{seen: Seen[]; close: () => void}> {
    const socket = await open(mattermostURL.replace(/^http/, 'ws') + '/api/v4/websocket');
    socket.send(JSON.stringify({seq: 1, action: 'authentication_challenge', data: {token: client.getToken()}}));
    const seen: Seen[] = [];
    socket.addEventListener('message', (e) => {
        const at = performance.now();
        const msg = JSON.parse(String(e.data)) as {event?: string; data?: {post?: string}};
        if ((msg.event === 'posted' || msg.event === 'post_edited') && msg.data?.post) {
            seen.push({at, post: JSON.parse(msg.data.post) as Post});
        }
    });
    return {seen, close: () => socket.close()};
}

interface Row {
    build_id?: number;
    state: string;
}

const done = (state: string): boolean => !['queued', 'building', 'retry', 'pending'].includes(state);

// firstSeen waits for the first post in a channel that matches, and says when it came.
async function firstSeen(posts: Seen[], channelId: string, what: string, match: (post: Post) => boolean): Promise<number> {
    const found = await eventually(what, async () => posts.find((s) => s.post.channel_id === channelId && match(s.post)), 30000);
    return found.at;
}

// ourResultShown waits for our status post in a channel to show a build's result, and says when.
function ourResultShown(posts: Seen[], channelId: string, buildId: number, what: string): Promise<number> {
    return firstSeen(posts, channelId, what, (p) =>
        ((p.props?.buildbot_build as {rows?: Row[]} | undefined)?.rows ?? []).some((r) => r.build_id === buildId && done(r.state)));
}

// buildFromChat runs /build quick-example on a branch in a channel and waits for the build to
// finish: it gives the build, when Buildbot's event said it finished, and how long /build took.
async function buildFromChat(world: World, channelId: string, branch: string, buildbot: Buildbot, finishedAt: Map<number, number>): Promise<{build: Build; finished: number; command: number}> {
    const started = performance.now();
    const answer = await runCommand(world.user, world, `/build quick-example ${branch}`, channelId);
    const command = performance.now() - started;
    if (answer.text) {
        throw new Error(`/build answered: ${answer.text}`);
    }
    const [build] = await eventually('the build finishes', async () => {
        const found = await buildbot.buildsWhere((p) => p.branch === branch);
        return found.length > 0 && found.every((b) => b.complete) && found;
    });
    const finished = await eventually('Buildbot says the build finished', async () => finishedAt.get(build!.buildid), 10000);
    return {build: build!, finished, command};
}

async function newChannel(world: World, name: string): Promise<ServerChannel> {
    const channel = await world.admin.createChannel({team_id: world.team.id, name: `${name}-${run}`, display_name: `${name} ${run}`, type: 'O'});
    await world.admin.addToChannel(world.plainUser.id, channel.id);
    return channel;
}

async function webhook(world: World, channel: ServerChannel): Promise<string> {
    const hook = await world.admin.createIncomingWebhook({channel_id: channel.id, display_name: channel.name} as Parameters<World['admin']['createIncomingWebhook']>[0]);
    return `${mattermostURL}/hooks/${hook.id}`;
}

interface Channels {
    ours: ServerChannel;
    statusPush: ServerChannel;
    reporter: ServerChannel;
    // subscribed hears of every build of quick-example through a subscription while push is on.
    subscribed: ServerChannel;
}

// branchOf names the branch of a latency build, which its posts and direct message show.
const branchOf = (push: boolean, i: number): string => `bench-${push ? 'push' : 'poll'}-${run}-${i}`;

// latency starts builds from chat one at a time and times each result, from Buildbot's finished
// event to our post showing it and to each recipe's webhook post.
async function latency(world: World, proxy: Proxy, channels: Channels, push: boolean): Promise<void> {
    const settings: PluginSettings = {BuildbotURL: proxy.url, AuthMode: 'login', ...buildbotUsers.admin, EnablePush: push, PollIntervalSeconds: push ? 10 : 2};
    await configurePlugin(world.admin, settings);
    await sleep(3000);
    const buildbot = new Buildbot(bb4.url);
    const finishes = await buildbotFinishes();
    const posts = await mattermostPosts(world);
    const ours: number[] = [];
    const statusPush: number[] = [];
    const reporter: number[] = [];
    const command: number[] = [];
    const subscribed: number[] = [];
    const direct: number[] = [];
    // With push on, whoever starts the builds asked for a direct message at each one's end.
    const dms = push ? await mattermostPosts(world, world.user) : undefined;
    const botId = (await world.admin.getUserByUsername('buildbot')).id;
    const dm = await world.user.createDirectChannel([world.plainUser.id, botId]);
    if (push) {
        await runCommand(world.user, world, '/build me builds always', channels.ours.id);
        // A subscription costs every tick a read of new builds: it is dropped before the polling
        // rows measure their requests.
        const answer = await runCommand(world.admin, world, '/build subscribe quick-example *', channels.subscribed.id);
        if (!answer.text?.includes('now hears about')) {
            throw new Error(`/build subscribe answered: ${answer.text}`);
        }
    }
    const requestsBefore = proxy.requests;
    try {
        // The first builds after a change of settings share the plugin with the catalog's first
        // refresh and the new event subscription: they warm up, untimed.
        for (let i = -warmUp; i < builds; i++) {
            const {build, finished, command: took} = await buildFromChat(world, channels.ours.id, branchOf(push, i), buildbot, finishes.at);
            if (i < 0) {
                continue;
            }
            command.push(took);
            ours.push(await ourResultShown(posts.seen, channels.ours.id, build.buildid, 'our post shows the result') - finished);
            if (push) {
                subscribed.push(await ourResultShown(posts.seen, channels.subscribed.id, build.buildid, 'the subscribed post shows the result') - finished);
                direct.push(await firstSeen(dms!.seen, dm.id, 'the direct message', (p) => p.message.includes(`\`${branchOf(push, i)}\``)) - finished);
            }
            statusPush.push(await firstSeen(posts.seen, channels.statusPush.id, 'the HttpStatusPush post', (p) => p.message.includes(`buildid=${build.buildid}`)) - finished);
            reporter.push(await firstSeen(posts.seen, channels.reporter.id, 'the buildbot-mattermost-reporter post', (p) => {
                const [attachment] = (p.props?.attachments as Array<{title?: string; pretext?: string}> | undefined) ?? [];
                return attachment?.title === `Build: quick-example #${build.number}` && (attachment.pretext ?? '').startsWith('Build finished');
            }) - finished);
        }
    } finally {
        finishes.close();
        posts.close();
        dms?.close();
        if (push) {
            await runCommand(world.admin, world, '/build unsubscribe quick-example *', channels.subscribed.id);
            await runCommand(world.user, world, '/build me builds off', channels.ours.id);
        }
    }
    process.stderr.write(`our post, ${push ? 'push on' : 'push off'}, each build: ${ours.map((v) => v.toFixed(0)).join(' ')} ms\n`);
    const requests = (proxy.requests - requestsBefore) / (builds + warmUp);
    const mode = push ? 'push on' : 'push off, polling every 2 s';
    const section = '1. Result to channel';
    if (push) {
        record(section, 'our post, push on', ours, ms, 'p95 ≤ 100 ms', (_, p95) => p95 <= 100);
        record(section, 'subscribed post, push on (same builds, another channel)', subscribed, ms, 'p95 ≤ 100 ms', (_, p95) => p95 <= 100);
        record(section, 'direct message to whoever started it, push on (same builds)', direct, ms, 'p95 ≤ 150 ms', (_, p95) => p95 <= 150);
    } else {
        record(section, 'our post, push off (poll interval 2000 ms)', ours, ms, 'median ≤ poll interval', (median) => median <= 2000);
    }
    record(section, `HttpStatusPush to a webhook (same builds, ${mode})`, statusPush, ms);
    record(section, `buildbot-mattermost-reporter (same builds, ${mode})`, reporter, ms);
    if (push) {
        const ratio = (recipe: number[]) => ours.map((v, i) => v / Math.max(1, recipe[i] ?? 1));
        record(section, 'ratio ours/HttpStatusPush, per build', ratio(statusPush), (v) => v.toFixed(2), '≤ 1.0', (median) => median <= 1);
        record(section, 'ratio ours/buildbot-mattermost-reporter, per build', ratio(reporter), (v) => v.toFixed(2), '≤ 1.0', (median) => median <= 1);
    }
    note('3. Buildbot requests per followed build', mode, requests.toFixed(1));
    record('5. Command latency', `/build execute to response (${mode})`, command, ms);
}

// forceLatency times Buildbot's own force call, which /build makes, as /build was timed: one
// build at a time, each waited for.
async function forceLatency(): Promise<void> {
    const buildbot = new Buildbot(bb4.url);
    await buildbot.builderId('quick-example');
    const times: number[] = [];
    for (let i = 0; i < builds; i++) {
        const branch = `bench-force-${run}-${i}`;
        const started = performance.now();
        await buildbot.force('quick-example', branch);
        times.push(performance.now() - started);
        await eventually('the forced build finishes', async () => {
            const found = await buildbot.buildsWhere((p) => p.branch === branch);
            return found.length > 0 && found.every((b) => b.complete);
        });
    }
    record('5. Command latency', 'Buildbot force call alone (builder lookup + force)', times, ms);
}

function pluginRssMb(): number {
    const pid = execFileSync('pgrep', ['-f', `plugins/${pluginId}/server/dist/plugin-`]).toString().trim().split('\n')[0];
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    return kb / 1024;
}

// readsPerTick is what a poll tick asks of Buildbot whatever number of queued builds it follows
// (docs/following.md, "A poller for the whole cluster"): the build requests Buildbot claimed and their builds,
// from the oldest followed. The bench's stack is fresh, so no channel subscribes; a subscription
// adds the read of new builds.
const readsPerTick = 2;

const nodes: Node[] = [1, 2];

// logEnds marks where each server's log ends now.
function logEnds(): number[] {
    return nodes.map((node) => (fs.existsSync(logFile(node)) ? fs.statSync(logFile(node)).size : 0));
}

// tickTimes reads how long each tick took from the plugin's debug log on either server (the one
// that leads polls), between two marks of logEnds.
function tickTimes(from: number[], to?: number[]): number[] {
    const times: number[] = [];
    for (const [i, node] of nodes.entries()) {
        if (!fs.existsSync(logFile(node))) {
            continue;
        }
        const text = fs.readFileSync(logFile(node)).subarray(from[i], to?.[i]).toString();
        for (const line of text.split('\n')) {
            if (line.includes('"Polled Buildbot"') && line.includes(`"plugin_id":"${pluginId}"`)) {
                const took = Number(/"took_ms":"?(\d+)/.exec(line)?.[1]);
                if (Number.isFinite(took)) {
                    times.push(took);
                }
            }
        }
    }
    return times;
}

// tickEnded waits for the plugin's next tick to end and returns the logs' ends just after its
// line; it fails the bench if no tick ends within half a minute.
async function tickEnded(): Promise<number[]> {
    const from = logEnds();
    const deadline = performance.now() + 30000;
    while (performance.now() < deadline) {
        await sleep(20);
        const ends = logEnds();
        if (tickTimes(from, ends).length > 0) {
            return ends;
        }
    }
    throw new Error('the plugin logged no poll tick ("Polled Buildbot") for 30 s');
}

// Statements counts the statements Mattermost's database ran (pg_stat_statements, loaded by
// e2e/stack/postgres.sh): all of them, the reads and writes of the plugins' KV store, and the
// writes of posts. The bench's own statistics queries are left out.
interface Statements {
    all: number;
    kvReads: number;
    kvWrites: number;
    postWrites: number;
}

function statements(): Statements {
    const sql = `SELECT coalesce(sum(calls), 0),
            coalesce(sum(calls) FILTER (WHERE query ILIKE 'SELECT%FROM PluginKeyValueStore%'), 0),
            coalesce(sum(calls) FILTER (WHERE query ~* '^(INSERT INTO|UPDATE|DELETE FROM) PluginKeyValueStore'), 0),
            coalesce(sum(calls) FILTER (WHERE query ~* '^(INSERT INTO|UPDATE) Posts'), 0)
        FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = 'mattermost' AND query NOT ILIKE '%pg_stat%'`;
    const out = execFileSync('psql', ['-h', '127.0.0.1', '-p', process.env.MMBB_PG_PORT ?? '25432', '-U', 'postgres', '-d', 'mattermost', '-Atc', sql]).toString();
    const [all = NaN, kvReads = NaN, kvWrites = NaN, postWrites = NaN] = out.trim().split('|').map(Number);
    return {all, kvReads, kvWrites, postWrites};
}

// PollingCost is what one tick cost on average over a window of whole ticks.
interface PollingCost extends Statements {
    took: number[];
    buildbot: number;
}

// pollingCost watches the ticks of a few poll intervals: the window opens and closes just after a
// tick, so it holds whole ticks only, and a tick that outlasts the interval delays the next, so
// the ticks are counted, not assumed.
async function pollingCost(proxy: Proxy, pollSeconds: number, ticks = 5): Promise<PollingCost> {
    const mark = (): Promise<{requests: number; statements: Statements; log: number[]}> => tickEnded().then((log) =>
        ({requests: proxy.log.length, statements: statements(), log}));
    const before = await mark();
    await sleep((ticks - 0.5) * pollSeconds * 1000);
    const end = await mark();
    const took = tickTimes(before.log, end.log);
    const ran = Math.max(1, took.length);
    return {
        took,
        // The catalog's refresh, every few minutes, is row 7's; a tick's reads are these.
        buildbot: proxy.log.slice(before.requests, end.requests).filter((p) => !isCatalogRead(p)).length / ran,
        all: (end.statements.all - before.statements.all) / ran,
        kvReads: (end.statements.kvReads - before.statements.kvReads) / ran,
        kvWrites: (end.statements.kvWrites - before.statements.kvWrites) / ran,
        postWrites: (end.statements.postWrites - before.statements.postWrites) / ran,
    };
}

// startParked starts builds of the builder whose worker stays away, so each waits in Buildbot's
// queue and the plugin follows it; a few commands at a time, as a busy team would.
async function startParked(world: World, channel: ServerChannel, count: number, tag: string): Promise<void> {
    let next = 0;
    const one = async (): Promise<void> => {
        while (next < count) {
            const i = next++;
            const answer = await runCommand(world.user, world, `/build parked-example bench-parked-${run}-${tag}-${i}`, channel.id);
            if (answer.text) {
                throw new Error(`/build answered: ${answer.text}`);
            }
        }
    };
    await Promise.all(Array.from({length: 4}, one));
}

// release connects the parked worker, so every parked build runs, and times each post from its
// build's finished event to the post showing the result, and the whole until the last post.
async function release(world: World, channelId: string, parked: number, label: string, section = '4. Polling cost'): Promise<void> {
    const finishes = await buildbotFinishes();
    const posts = await mattermostPosts(world);
    const lags: number[] = [];
    try {
        const released = performance.now();
        execFileSync(buildbotScript, ['parked-start', '4'], {stdio: 'inherit'});
        const shown = new Set<string>();
        await eventually(`all ${parked} posts show their result`, async () => {
            for (const seen of posts.seen.splice(0)) {
                const rows = (seen.post.props?.buildbot_build as {rows?: Row[]} | undefined)?.rows ?? [];
                const finished = finishes.at.get(rows[0]?.build_id ?? 0);
                if (seen.post.channel_id === channelId && rows.length > 0 && rows.every((r) => done(r.state)) && !shown.has(seen.post.id)) {
                    shown.add(seen.post.id);
                    if (finished !== undefined) {
                        lags.push(seen.at - finished);
                    }
                }
            }
            return shown.size >= parked;
        }, 20 * 60 * 1000);
        note(section, `${label}: worker connects, until all ${parked} posts show their result (Buildbot runs them one at a time)`, ms(performance.now() - released));
        record(section, `${label}: each build's finished event to its post (push off, poll interval 2000 ms)`, lags, ms, '≤ poll interval + tick', (median, p95) => p95 <= 2000 + 1000);
    } finally {
        finishes.close();
        posts.close();
        execFileSync(buildbotScript, ['parked-stop', '4'], {stdio: 'inherit'});
    }
}

// growth follows more and more builds that wait for a worker, and at each level counts what one
// poll costs, then connects the worker and times the posts. The levels from 1,000 are only
// counted: Buildbot runs one build of a builder per worker at a time, a second or two each here,
// so releasing them would time Buildbot for hours, not the plugin.
async function growth(world: World, proxy: Proxy): Promise<void> {
    const pollSeconds = 2;
    // Buildbot 4.3 takes longer to add each request the more wait in its queue: near ten
    // thousand a force call took over the default 10 s.
    await configurePlugin(world.admin, {BuildbotURL: proxy.url, AuthMode: 'login', ...buildbotUsers.admin, EnablePush: false, PollIntervalSeconds: pollSeconds,
        RequestTimeoutSeconds: 60});
    await sleep(3000);
    const section = '4. Polling cost';
    // The plugin's memory is counted here, with the builds it follows, rather than among the
    // footprint's sizes: every run measures those.
    note(section, 'plugin resident memory, 0 followed builds', `${pluginRssMb().toFixed(1)} MB`);
    let followed = 0;
    for (const level of levels) {
        const channel = await newChannel(world, `bench-parked-${level}`);
        await startParked(world, channel, level, String(level));
        await sleep(2 * pollSeconds * 1000);
        const cost = await pollingCost(proxy, pollSeconds);
        // The levels from 1,000 stay followed, so the plugin follows them and this level.
        followed = level + (level > 1000 ? followed : 0);
        const label = `${level} followed`;
        note(section, `${label}: Buildbot requests per tick over ${cost.took.length} ticks (the catalog refresh aside, row 7)`, cost.buildbot.toFixed(1),
            `${readsPerTick} at every level, 4+ ticks`, cost.took.length >= 4 && cost.buildbot === readsPerTick);
        note(section, `${label}: KV reads per tick (no build changed)`, cost.kvReads.toFixed(1), '≤ 10', cost.kvReads <= 10);
        note(section, `${label}: KV writes / post writes per tick`, `${cost.kvWrites.toFixed(1)} / ${cost.postWrites.toFixed(1)}`);
        note(section, `${label}: database statements per tick, all of Mattermost's`, cost.all.toFixed(1));
        const limit = level >= 10000 ? 150 : level >= 1000 ? 50 : undefined;
        record(section, `${label}: tick duration`, cost.took, ms, limit ? `median ≤ ${limit} ms` : '', limit ? (median) => median <= limit : undefined);
        if (level >= 1000) {
            const rss = pluginRssMb();
            const most = level >= 10000 ? 60 : 50;
            note(section, `plugin resident memory, ${followed} followed builds`, `${rss.toFixed(1)} MB`, `≤ ${most} MB`, rss <= most);
        } else {
            await release(world, channel.id, level, label);
        }
    }
}

// twoServers runs the polling rows and the result's latency on one server and then on two
// sharing the database (the fault suite's second server): one node leads the background work,
// so a second must cost what the first does.
async function twoServers(world: World, proxy: Proxy, channels: Channels): Promise<void> {
    const section = '8. Two servers';
    const pollSeconds = 2;
    const parked = 100;
    const polling: PluginSettings = {BuildbotURL: proxy.url, AuthMode: 'login', ...buildbotUsers.admin, EnablePush: false, PollIntervalSeconds: pollSeconds};
    const pushing: PluginSettings = {...polling, EnablePush: true, PollIntervalSeconds: 10};
    const channel = await newChannel(world, 'bench-two-parked');
    const both = onBoth(world);
    const measure = async (servers: string, configure: (s: PluginSettings) => Promise<void>): Promise<{cost: PollingCost; lags: number[]}> => {
        await configure(polling);
        await sleep(2 * pollSeconds * 1000);
        // A second server's cost is a read every few seconds: a longer window than growth's.
        const cost = await pollingCost(proxy, pollSeconds, 15);
        await configure(pushing);
        await sleep(3000);
        // Twice the builds of the latency rows: the two medians are a few milliseconds apart.
        return {cost, lags: await resultLatency(world, channels.ours, servers, 2 * builds)};
    };
    await configurePlugin(world.admin, polling);
    await startParked(world, channel, parked, 'two');
    const one = await measure('one-server', (s) => configurePlugin(world.admin, s));
    let two: Awaited<ReturnType<typeof measure>>;
    await startNode2(both);
    try {
        two = await measure('two-servers', (s) => configureBoth(both, s));
    } finally {
        stopNode(2);
    }
    const within = (a: number, b: number): boolean => b <= a * 1.1;
    const compare = (measure: string, a: number, b: number, digits = 1): void =>
        note(section, `${measure}, ${parked} followed (one server: ${a.toFixed(digits)})`, b.toFixed(digits), '≤ one server\'s + 10%', within(a, b));
    compare('Buildbot requests per tick', one.cost.buildbot, two.cost.buildbot);
    compare('KV reads per tick', one.cost.kvReads, two.cost.kvReads);
    compare('KV writes per tick', one.cost.kvWrites, two.cost.kvWrites);
    // A second Mattermost server runs its own background work on the database besides the plugin's.
    note(section, `database statements per tick, all of Mattermost's, ${parked} followed (one server: ${one.cost.all.toFixed(1)})`, two.cost.all.toFixed(1));
    record(section, 'our post, push on, one server', one.lags, ms);
    // Ten percent of a 10 ms median is a millisecond, the clocks' resolution: 2 ms is the floor.
    record(section, 'our post, push on, two servers', two.lags, ms, '≤ one server\'s + 10% (or + 2 ms)',
        (median) => median <= Math.max(quantile(one.lags, 0.5) * 1.1, quantile(one.lags, 0.5) + 2));
    await configurePlugin(world.admin, polling);
    await release(world, channel.id, parked, `${parked} followed`, section);
}

// resultLatency starts builds from chat one at a time, each timed from Buildbot's finished event
// to our post showing its result.
async function resultLatency(world: World, channel: ServerChannel, tag: string, count: number): Promise<number[]> {
    const buildbot = new Buildbot(bb4.url);
    const finishes = await buildbotFinishes();
    const posts = await mattermostPosts(world);
    const lags: number[] = [];
    try {
        for (let i = -warmUp; i < count; i++) {
            const {build, finished} = await buildFromChat(world, channel.id, `bench-${tag}-${run}-${i}`, buildbot, finishes.at);
            const shown = await ourResultShown(posts.seen, channel.id, build.buildid, 'our post shows the result');
            if (i >= 0) {
                lags.push(shown - finished);
            }
        }
    } finally {
        finishes.close();
        posts.close();
    }
    return lags;
}

function sizes(): void {
    const main = fs.readFileSync(path.join(repoRoot, 'webapp', 'dist', 'main.js'));
    note('6. Footprint', 'webapp main.js, gzipped', `${(zlib.gzipSync(main).length / 1024).toFixed(0)} KiB`);
    const dir = path.join(repoRoot, 'server', 'dist');
    for (const file of fs.readdirSync(dir).filter((f) => f.startsWith('plugin-')).sort()) {
        note('6. Footprint', `server executable ${file}`, `${(fs.statSync(path.join(dir, file)).size / 1024 / 1024).toFixed(1)} MiB`);
    }
}

// commit names what was measured: the commit, and whether the tree held changes beyond it.
function commit(): string {
    try {
        const head = execFileSync('git', ['-C', repoRoot, 'rev-parse', '--short', 'HEAD']).toString().trim();
        const changed = execFileSync('git', ['-C', repoRoot, 'status', '--porcelain', '--untracked-files=no', '--', '.', ':!bench/results.md']).toString().trim() !== '';
        return changed ? `${head} with uncommitted changes` : head;
    } catch {
        return 'unknown';
    }
}

async function main(): Promise<void> {
    const world = await setUpWorld();
    await installPlugin(world.admin);
    const channels: Channels = {
        ours: await newChannel(world, 'bench-ours'),
        statusPush: await newChannel(world, 'bench-httpstatuspush'),
        reporter: await newChannel(world, 'bench-mm-reporter'),
        subscribed: await newChannel(world, 'bench-subscribed'),
    };
    const hooks = path.join(os.tmpdir(), `mmbb-reporters-${run}.json`);
    fs.writeFileSync(hooks, JSON.stringify({httpstatuspush: await webhook(world, channels.statusPush), mattermost_reporter: await webhook(world, channels.reporter)}));
    execFileSync(buildbotScript, ['reporters', '4', hooks], {stdio: 'inherit'});
    // The plugin reaches Buildbot through a proxy that counts its requests.
    const proxy = await startProxy({target: bb4.url, prefix: '/bench/', record: true});
    try {
        if (parts.has('latency')) {
            await latency(world, proxy, channels, true);
            await latency(world, proxy, channels, false);
            await forceLatency();
        }
        if (parts.has('two')) {
            await twoServers(world, proxy, channels);
        }
        // The recipes' webhooks would post every parked build twice over.
        fs.writeFileSync(hooks, '{}');
        execFileSync(buildbotScript, ['reporters', '4', hooks], {stdio: 'inherit'});
        if (parts.has('panel')) {
            await panelBench(world, buildbotScript);
        }
        // Before growth, whose last followed builds stay unfinished: moved to another Buildbot,
        // the plugin would let a thousand go during the keystrokes.
        if (parts.has('big')) {
            await bigMaster(buildbotScript);
            await autocompleteAndCatalog(world);
        }
        if (parts.has('growth')) {
            await growth(world, proxy);
        }
    } finally {
        await configurePlugin(world.admin, {BuildbotURL: bb4.url, AuthMode: 'login', ...buildbotUsers.admin});
        await proxy.close();
    }
    sizes();

    const file = path.join(repoRoot, 'bench', 'results.md');
    // A run of some parts replaces the rows it measured again and keeps the others, each with
    // the commit it measured: the growth to 10,000 followed builds alone takes most of an hour.
    const previous = fs.existsSync(file) && !allParts ? parseTable(fs.readFileSync(file, 'utf8')) : [];
    const rows = [...previous.filter((old) => !results.some((r) => sameMeasure(old, r))), ...results];
    const measuredAt = commit();
    const cores = os.cpus().length;
    const memory = (os.totalmem() / 1024 ** 3).toFixed(0);
    const text = `# Benchmarks on the real stack

Written by \`make bench-stack\` on ${new Date().toISOString().slice(0, 10)} on ${cores} cores and ${memory} GiB; Buildbot 4.3.0
(PyPI) and Mattermost Team Edition as the e2e suite runs them, all on 127.0.0.1. Each row names
the commit it measured: a run of some parts (\`MMBB_BENCH_PARTS\`) keeps the other parts' rows.

- Times run from Buildbot's own event (its WebSocket, to the millisecond; \`complete_at\` holds whole
  seconds) to Mattermost's \`posted\` or \`post_edited\` event (its WebSocket), both read by the bench
  process. Each build is measured on our post and on both recipes' posts at once, so a ratio
  compares the same build.
- Each run of 20 builds follows ${warmUp} untimed ones: right after a change of settings the plugin
  also makes its first catalog refresh and its new event subscription.
- A row whose target is "—" is a figure reported for comparison, with no target of its own.
- From 1,000 followed builds on they are counted but not released: Buildbot runs one build of a
  builder per worker at a time, a second or two each on this machine, so the release would time
  Buildbot for hours rather than the plugin; each build's finished event to its post is timed at
  1, 10 and 100. The 1,000 stay followed while the 10,000 are counted.
- KV reads and writes, post writes and database statements are PostgreSQL's own counts
  (\`pg_stat_statements\`): each is one statement on Mattermost's database. "All of Mattermost's"
  holds its own background work too.

${table(rows, measuredAt)}
`;
    fs.mkdirSync(path.dirname(file), {recursive: true});
    fs.writeFileSync(file, text);
    process.stdout.write(table(results, measuredAt) + '\n');
}

main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
});
