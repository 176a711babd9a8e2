// The benchmarks on the master of 1,000 builders: autocomplete through the real Mattermost with
// Buildbot answering at once and with Buildbot slowed down by 500 ms a request, next to the floor
// any plugin pays (a minimal plugin answering a fixed list from memory, and Mattermost's own
// completion of a built-in command), and what one refresh of the catalog costs.
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import type {Client4} from '@mattermost/client';

import {eventually} from '../src/buildbot';
import {bbBig, repoRoot} from '../src/env';
import {configurePlugin, type World} from '../src/mattermost';
import {catalogReads, startProxy, type Passed} from '../src/proxy';
import {figure, ms, note, quantile, record, sleep} from './table';

const stamps = 10000;
const repeats = Number(process.env.MMBB_BENCH_KEYSTROKES ?? 100);
const slowMs = 500;

async function newestStamp(): Promise<number> {
    const response = await fetch(`${bbBig.url}api/v2/sourcestamps?order=-ssid&limit=1`);
    const body = await response.json() as {sourcestamps: Array<{ssid: number}>};
    return body.sourcestamps[0]?.ssid ?? 0;
}

// bigMaster starts the master of 1,000 builders and sends changes through its change hook, each
// making a source stamp, until it holds 10,000; a master kept from an earlier run needs none.
export async function bigMaster(buildbotScript: string): Promise<void> {
    execFileSync(buildbotScript, ['up', 'big'], {stdio: 'inherit'});
    let next = await newestStamp();
    const started = performance.now();
    const send = async (): Promise<void> => {
        while (next < stamps) {
            const i = next++;
            const repo = `svc-${String(i % 1000).padStart(4, '0')}`;
            const body = new URLSearchParams({
                author: `dev${i % 50}@example.com`, comments: `change ${i}`, repository: `https://git.example.com/big/${repo}.git`,
                branch: i % 5 === 0 ? 'main' : `feature/${i % 40}`, revision: i.toString(16).padStart(40, '0'), category: 'bench',
            });
            const response = await fetch(`${bbBig.url}change_hook/base`, {method: 'POST', body});
            if (!response.ok) {
                throw new Error(`the change hook answered ${response.status}: ${await response.text()}`);
            }
        }
    };
    const before = next;
    await Promise.all(Array.from({length: 8}, send));
    if (next > before) {
        process.stderr.write(`sent ${next - before} changes to the big master in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
    }
}

// installMinimal builds the minimal plugin and uploads it as an admin would.
async function installMinimal(admin: Client4): Promise<void> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mmbb-minimal-'));
    const root = path.join(dir, 'bench-minimal');
    execFileSync('go', ['build', '-trimpath', '-o', path.join(root, 'server', 'dist', 'plugin'), './bench/minimal'],
        {cwd: repoRoot, env: {...process.env, CGO_ENABLED: '0'}, stdio: 'inherit'});
    fs.copyFileSync(path.join(repoRoot, 'bench', 'minimal', 'plugin.json'), path.join(root, 'plugin.json'));
    const bundle = path.join(dir, 'bench-minimal.tar.gz');
    execFileSync('tar', ['-czf', bundle, '-C', dir, 'bench-minimal']);
    await admin.uploadPlugin(new File([fs.readFileSync(bundle)], 'bench-minimal.tar.gz', {type: 'application/gzip'}), true);
    await admin.enablePlugin('bench-minimal');
    fs.rmSync(dir, {recursive: true, force: true});
}

async function suggest(world: World, typed: string): Promise<string[]> {
    const args = {channel_id: world.channel.id, team_id: world.team.id} as Parameters<Client4['getCommandAutocompleteSuggestionsList']>[2];
    const list = await world.user.getCommandAutocompleteSuggestionsList(typed, world.team.id, args);
    return list.map((s) => s.Suggestion);
}

// What each keystroke asks, and a suggestion its answer must hold.
const keystrokes = [
    // Ten repos start so: within the 25 a list offers, as in the minimal plugin's.
    {name: 'repo prefix, /build svc-015', typed: '/build svc-015', expect: 'svc-0150'},
    {name: "a repo's branches, /build svc-0123 ", typed: '/build svc-0123 ', expect: 'main'},
    {name: 'the minimal plugin, /minimal svc-015', typed: '/minimal svc-015', expect: 'svc-0150'},
    {name: 'the minimal plugin, /minimal svc-0123 ', typed: '/minimal svc-0123 ', expect: 'main'},
    {name: 'a built-in command name, /ech', typed: '/ech', expect: 'echo'},
];

// timeKeystrokes asks each keystroke in turn, round after round, so a slower spell of the machine
// weighs on all of them alike, and adds the times to times.
async function timeKeystrokes(world: World, rounds: number, times: number[][]): Promise<void> {
    for (let round = -2; round < rounds; round++) {
        for (const [i, k] of keystrokes.entries()) {
            const started = performance.now();
            const got = await suggest(world, k.typed);
            const took = performance.now() - started;
            if (!got.some((s) => s.replace(/^\//, '') === k.expect)) {
                throw new Error(`${k.typed} suggested ${JSON.stringify(got.slice(0, 5))}, not ${k.expect}`);
            }
            if (round >= 0) {
                times[i]!.push(took);
            }
        }
    }
}

// refreshes finds the catalog's refreshes in what the proxy passed: each reads the builders
// first and the source stamps last.
function refreshes(log: Passed[]): Array<{took: number; requests: number; bytes: number}> {
    const out: Array<{took: number; requests: number; bytes: number}> = [];
    let current: Passed[] = [];
    for (const p of [...log].sort((a, b) => a.start - b.start)) {
        const name = p.path.split('?')[0] ?? '';
        if (!catalogReads.has(name)) {
            continue;
        }
        if (name === 'api/v2/builders') {
            current = [];
        }
        current.push(p);
        if (name === 'api/v2/sourcestamps' && current[0]?.path.startsWith('api/v2/builders')) {
            out.push({
                took: Math.max(...current.map((c) => c.end)) - current[0].start,
                requests: current.length,
                bytes: current.reduce((sum, c) => sum + c.bytes, 0),
            });
            current = [];
        }
    }
    return out;
}

export async function autocompleteAndCatalog(world: World): Promise<void> {
    await installMinimal(world.admin);
    const proxy = await startProxy({target: bbBig.url, prefix: '/big/', record: true});
    try {
        await configurePlugin(world.admin, {BuildbotURL: proxy.url, AuthMode: 'none', CatalogRefreshSeconds: 5, PollIntervalSeconds: 5});
        await eventually('the catalog holds the big master', async () => (await suggest(world, '/build svc-0999')).length > 0, 120000);
        // A refresh every 5 s: some fall within the keystrokes, and the slow ones last half of it.
        proxy.log.length = 0;
        await sleep(16000);
        const found = refreshes(proxy.log);
        // Blocks of each in turn, so the machine's own drift weighs on both alike.
        const normal = keystrokes.map(() => [] as number[]);
        const slow = keystrokes.map(() => [] as number[]);
        const blocks = 4;
        for (let block = 0; block < blocks; block++) {
            proxy.delayMs = 0;
            await sleep(3000);
            await timeKeystrokes(world, repeats / blocks, normal);
            proxy.delayMs = slowMs;
            await sleep(6000);
            await timeKeystrokes(world, repeats / blocks, slow);
        }
        proxy.delayMs = 0;

        const section = '2. Autocomplete, 1,000 builders, 10,000 source stamps';
        for (const [i, k] of keystrokes.entries()) {
            record(section, `${k.name}, Buildbot answering at once`, normal[i]!, ms);
            record(section, `${k.name}, Buildbot ${slowMs} ms slower a request`, slow[i]!, ms);
        }
        const ratio = (label: string, a: number[], b: number[]): void => {
            const median = quantile(a, 0.5) / quantile(b, 0.5);
            figure(section, label, median.toFixed(2), (quantile(a, 0.95) / quantile(b, 0.95)).toFixed(2), '≤ 1.2 (median)', median <= 1.2);
        };
        ratio('ratio slow/normal, repo prefix', slow[0]!, normal[0]!);
        ratio('ratio slow/normal, branches', slow[1]!, normal[1]!);
        ratio('ratio ours/minimal plugin, repo prefix', normal[0]!, normal[2]!);
        ratio('ratio ours/minimal plugin, branches', normal[1]!, normal[3]!);

        const refresh = '7. Catalog refresh, 1,000 builders, 10,000 source stamps';
        if (found.length === 0) {
            note(refresh, 'refreshes seen', '0', 'at least one', false);
        } else {
            record(refresh, 'duration of one refresh', found.map((f) => f.took), ms);
            record(refresh, 'Buildbot requests per refresh', found.map((f) => f.requests), (v) => v.toFixed(0));
            record(refresh, 'bytes on the wire per refresh', found.map((f) => f.bytes), (v) => `${(v / 1024).toFixed(0)} KiB`);
        }
    } finally {
        await proxy.close();
        await world.admin.disablePlugin('bench-minimal').catch(() => undefined);
    }
}
