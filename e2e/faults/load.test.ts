// Load: 50 users in 10 channels type /build at the same moment, twice; then builds come steadily
// for MMBB_SOAK_MINUTES (30 by default) while the plugin's goroutines and memory are sampled. Nothing
// may fail, every build gets one post, and the samples' trend stays flat.
import type {Client4} from '@mattermost/client';
import type {ServerChannel} from '@mattermost/types/channels';
import type {UserProfile} from '@mattermost/types/users';

import {Buildbot, eventually} from '../src/buildbot';
import {bb4, buildbotUsers} from '../src/env';
import {measured} from '../src/measured';
import {configurePlugin, installPlugin, newClient, runCommand, setUpWorld, type World} from '../src/mattermost';
import {sample, stopNode, type Sample} from '../src/nodes';
import {rootStatusPosts, waitFinished} from '../src/posts';

const users = 50;
const channels = 10;
const soakMinutes = Number(process.env.MMBB_SOAK_MINUTES ?? 30);
// One build every 20 s during the soak: steady, and bounded by the soak's length.
const soakEveryMs = 20000;
const password = 'Load-password-1!';
const run = Date.now().toString(36);
const repos = ['quick-example', 'verdict-example'];

let world: World;
let clients: Client4[] = [];
let rooms: ServerChannel[] = [];
const buildbot = new Buildbot(bb4.url);

async function ensureUser(admin: Client4, username: string): Promise<UserProfile> {
    try {
        return await admin.getUserByUsername(username);
    } catch {
        return admin.createUser({username, email: `${username}@example.com`, password} as UserProfile, '', '');
    }
}

beforeAll(async () => {
    world = await setUpWorld();
    await installPlugin(world.admin);
    stopNode(2);
    // Buildbot takes its time over 50 forces at once (see the first test's figures): a timeout of
    // 10 s, the default, would cut the slowest short.
    await configurePlugin(world.admin, {BuildbotURL: bb4.url, AuthMode: 'login', ...buildbotUsers.admin, PollIntervalSeconds: 2, RequestTimeoutSeconds: 30});
    for (let c = 0; c < channels; c++) {
        const name = `load-${c}`;
        rooms.push(await world.admin.getChannelByName(world.team.id, name).catch(() =>
            world.admin.createChannel({team_id: world.team.id, name, display_name: name, type: 'O'} as ServerChannel)));
    }
    for (let u = 0; u < users; u++) {
        const user = await ensureUser(world.admin, `load-user-${u}`);
        await world.admin.addToTeam(world.team.id, user.id);
        await world.admin.addToChannel(user.id, rooms[u % channels]!.id);
        const client = newClient();
        await client.login(user.username, password);
        clients.push(client);
    }
}, 300000);

afterAll(() => {
    clients = [];
    rooms = [];
});

function quantile(values: number[], q: number): number {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

async function allAtOnce(round: number): Promise<{latencies: number[]; since: number}> {
    const since = Date.now();
    const latencies = await Promise.all(clients.map(async (client, u) => {
        const started = performance.now();
        const answer = await runCommand(client, world, `/build ${repos[u % repos.length]} load-${run}-${round}-${u}`, rooms[u % channels]!.id);
        const took = performance.now() - started;
        expect({user: u, answer: answer.text ?? ''}).toEqual({user: u, answer: ''});
        return took;
    }));
    return {latencies, since};
}

// idle waits until Buildbot has no build request left to run, so each burst meets the same Buildbot.
async function idle(): Promise<void> {
    await eventually('Buildbot runs every request', async () => {
        const {buildrequests} = await buildbot.get<{buildrequests: unknown[]}>('buildrequests?complete=false&limit=1');
        return buildrequests.length === 0;
    }, 10 * 60000);
}

const figures = (xs: number[]): string => `p50 ${quantile(xs, 0.5).toFixed(0)} ms, p95 ${quantile(xs, 0.95).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms`;

test('50 users in 10 channels type /build at once, twice: no error, one post each', async () => {
    // The same burst straight to Buildbot's force endpoint, without chat: the floor under ours.
    await idle();
    const direct = await Promise.all(clients.map(async (_, u) => {
        const started = performance.now();
        await buildbot.force(repos[u % repos.length]!, `load-direct-${run}-${u}`);
        return performance.now() - started;
    }));
    const rounds = [];
    for (const round of [1, 2]) {
        await idle();
        rounds.push(await allAtOnce(round));
    }
    const posts = [];
    for (const room of rooms) {
        posts.push(...await rootStatusPosts(world.admin, room.id, rounds[0]!.since));
    }
    expect(posts).toHaveLength(2 * users);
    expect(new Set(posts.map((p) => (p.props.buildbot_build as {branch: string}).branch)).size).toBe(2 * users);
    const done = await waitFinished(world.admin, posts.map((p) => p.id), 10 * 60000);
    expect(done.filter((p) => (p.props.buildbot_build as {state: string}).state !== 'success')).toEqual([]);

    measured(`/build, 50 at once: ${rounds.map((r, i) => `round ${i + 1} ${figures(r.latencies)}`).join('; ')}; ` +
        `${done.length} posts, all success. Buildbot's force alone, 50 at once: ${figures(direct)}`);
}, 20 * 60000);

// The soak's samples: a baseline once the burst's builds and their garbage are gone, then at
// least minSamples more, a minute apart on a long soak and closer on a short one.
const settleMs = 60000;
const minSamples = 6;
const sampleEveryMs = Math.min(60000, (soakMinutes * 60000) / (minSamples + 2));

// rise is how much a least-squares line through the samples climbs over the soak: a slow leak
// shows in it however the samples scatter, and one high sample does not decide it.
function rise(at: number[], values: number[]): number {
    const n = values.length;
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / n;
    const [mx, my] = [mean(at), mean(values)];
    const slope = at.reduce((sum, x, i) => sum + (x - mx) * (values[i]! - my), 0) / at.reduce((sum, x) => sum + (x - mx) ** 2, 0);
    return slope * (Math.max(...at) - Math.min(...at));
}

test(`builds come steadily for the soak (MMBB_SOAK_MINUTES): goroutines and memory stay flat`, async () => {
    const started: string[] = [];
    let n = 0;
    const build = async (): Promise<void> => {
        const u = n % users;
        const since = Date.now();
        const answer = await runCommand(clients[u]!, world, `/build ${repos[n % repos.length]} soak-${run}-${n}`, rooms[u % channels]!.id);
        expect(answer.text ?? '').toBe('');
        const post = await eventually('the soak build\'s post', async () => (await rootStatusPosts(world.admin, rooms[u % channels]!.id, since))[0], 15000);
        started.push(post.id);
        n++;
    };
    // Builds come during the settle period too: the baseline is a plugin at work, not at rest.
    const settled = Date.now() + settleMs;
    while (Date.now() < settled) {
        await build();
        await new Promise((resolve) => setTimeout(resolve, Math.min(soakEveryMs, Math.max(0, settled - Date.now()))));
    }
    const begun = Date.now();
    const samples: Array<Sample & {at: number}> = [{...await sample(world.admin, 1), at: 0}];
    const end = begun + soakMinutes * 60000;
    let next = Date.now();
    let nextSample = begun + sampleEveryMs;
    while (Date.now() < end) {
        if (Date.now() >= next) {
            await build();
            next += soakEveryMs;
        }
        if (Date.now() >= nextSample) {
            samples.push({...await sample(world.admin, 1), at: Date.now() - begun});
            nextSample += sampleEveryMs;
        }
        await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    await waitFinished(world.admin, started, 5 * 60000);
    samples.push({...await sample(world.admin, 1), at: Date.now() - begun});

    const at = samples.map((s) => s.at);
    const goroutines = rise(at, samples.map((s) => s.goroutines));
    const rss = rise(at, samples.map((s) => s.rssMiB));
    measured(`${n} builds over ${soakMinutes} min after ${settleMs / 1000} s of settling, ${samples.length} samples; ` +
        `goroutines ${samples.map((s) => s.goroutines).join(' ')} (trend ${goroutines >= 0 ? '+' : ''}${goroutines.toFixed(1)}); ` +
        `RSS MiB ${samples.map((s) => s.rssMiB.toFixed(0)).join(' ')} (trend ${rss >= 0 ? '+' : ''}${rss.toFixed(1)})`);
    expect(samples.length).toBeGreaterThanOrEqual(minSamples + 1);
    expect(goroutines).toBeLessThanOrEqual(5);
    expect(rss).toBeLessThanOrEqual(10);
}, (soakMinutes + 12) * 60000);
