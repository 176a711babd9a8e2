// Any channel may subscribe, and every poll looks at the subscriptions: on the real KV store, a
// poll must cost about the same with two hundred subscribed channels as with one.
import type {ServerChannel} from '@mattermost/types/channels';

import {eventually} from '../src/buildbot';
import {bb4, buildbotUsers} from '../src/env';
import {configurePlugin, installPlugin, runCommand, setUpWorld, type World} from '../src/mattermost';
import {logOffset, ticks} from '../src/nodes';
import {psql} from '../src/posts';

const channels = 200;
const pollSeconds = 2;
const run = Date.now().toString(36);
// A glob no build has, so the subscriptions cost their reading and nothing else.
const glob = `never-built-${run}`;

let world: World;
const subscribed: ServerChannel[] = [];

beforeAll(async () => {
    world = await setUpWorld();
    await installPlugin(world.admin);
    // Push off: every poll is a scheduled one, so a window of seconds holds a known number of them.
    await configurePlugin(world.admin, {BuildbotURL: bb4.url, AuthMode: 'login', ...buildbotUsers.admin, PollIntervalSeconds: pollSeconds, EnablePush: false});
});

afterAll(async () => {
    for (const channel of subscribed) {
        await runCommand(world.admin, world, `/build unsubscribe * ${glob}`, channel.id);
    }
});

async function subscribeNew(i: number): Promise<void> {
    const channel = await world.admin.createChannel({team_id: world.team.id, name: `scale-${run}-${i}`, display_name: `scale ${run} ${i}`, type: 'O'} as ServerChannel);
    const answer = await eventually('the subscription is taken', async () => {
        const text = (await runCommand(world.admin, world, `/build subscribe * ${glob}`, channel.id)).text ?? '';
        return text.includes('now hears about') && text;
    }, 30000);
    expect(answer).toContain('now hears about');
    subscribed.push(channel);
}

// PostgreSQL publishes a busy connection's counts about once a second and an idle one's within ten
// seconds (PGSTAT_IDLE_INTERVAL): a window is read that long after its work, so the subscribing
// before it does not count in it.
const published = 11000;

// kvReadsPerTick counts PostgreSQL's scans of the plugins' KV table over a window of polls, per
// poll the plugin logged in it.
async function kvReadsPerTick(): Promise<number> {
    const scans = (): number => Number(psql(`select coalesce(seq_scan, 0) + coalesce(idx_scan, 0) from pg_stat_user_tables where relname = 'pluginkeyvaluestore'`)[0]?.[0]);
    await new Promise((resolve) => setTimeout(resolve, published));
    const before = scans();
    const from = logOffset(1);
    await new Promise((resolve) => setTimeout(resolve, 15 * pollSeconds * 1000));
    const polls = ticks(1, from);
    const end = scans();
    expect(polls).toBeGreaterThanOrEqual(12);
    return (end - before) / polls;
}

test(`with ${channels} channels subscribed, a poll reads the KV store about as often as with one`, async () => {
    await subscribeNew(0);
    const one = await kvReadsPerTick();
    for (let i = 1; i < channels; i++) {
        await subscribeNew(i);
    }

    const many = await kvReadsPerTick();

    process.stdout.write(`[measured] KV reads per poll: ${one.toFixed(1)} with one subscribed channel, ${many.toFixed(1)} with ${channels}\n`);
    // Reading each channel's subscriptions would add two hundred reads a poll (the poller's and the
    // health check's); the version key costs none more.
    expect(many - one).toBeLessThan(20);
}, 600000);
