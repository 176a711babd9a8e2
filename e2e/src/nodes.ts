// The fault tests' two Mattermost servers (e2e/stack/mattermost.sh, nodes 1 and 2): starting,
// stopping and crashing them, configuring the plugin on both, and reading what each one's plugin
// process does from outside (its log, its memory) and inside (the status route).
import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import type {Client4} from '@mattermost/client';

import {eventually} from './buildbot';
import {mattermost2URL, repoRoot} from './env';
import {configurePlugin, newClient, pluginId, type PluginSettings, type World} from './mattermost';
import {readStatus} from './status';

export type Node = 1 | 2;

const stackDir = process.env.MMBB_STACK_DIR ?? path.join(repoRoot, 'e2e', '.stack');

export function stackScript(script: string, ...args: string[]): void {
    execFileSync(path.join(repoRoot, 'e2e', 'stack', script), args, {stdio: ['ignore', 'inherit', 'inherit']});
}

// Both is the world as seen through either server: the same users, signed in on both.
export interface Both {
    world: World;
    admins: Record<Node, Client4>;
    users: Record<Node, Client4>;
}

export function onBoth(world: World): Both {
    return {
        world,
        admins: {1: world.admin, 2: newClient(world.admin.getToken(), mattermost2URL)},
        users: {1: world.user, 2: newClient(world.user.getToken(), mattermost2URL)},
    };
}

// Each server keeps the settings it read at start in memory; without an Enterprise cluster it
// never hears of a save made through the other, so a test saves through both.
export async function configureBoth(both: Both, settings: PluginSettings): Promise<void> {
    await configurePlugin(both.admins[1], settings);
    await configurePlugin(both.admins[2], settings);
}

// startNode2 (re)starts the second server, which then installs the plugin that was uploaded
// through the first from the shared file store and reads the settings from the database.
export async function startNode2(both: Both): Promise<void> {
    stackScript('mattermost.sh', 'down', '2');
    stackScript('mattermost.sh', 'up', '2');
    await eventually('the plugin runs on server 2', async () => {
        const status = await readStatus(both.admins[2]).catch(() => undefined);
        return status?.node !== undefined;
    }, 60000);
}

// startNode starts a stopped or crashed server and waits for its plugin.
export async function startNode(both: Both, node: Node): Promise<void> {
    stackScript('mattermost.sh', 'up', String(node));
    await eventually(`the plugin runs on server ${node}`, async () => {
        const status = await readStatus(both.admins[node]).catch(() => undefined);
        return status?.node !== undefined;
    }, 60000);
}

export function stopNode(node: Node): void {
    stackScript('mattermost.sh', 'down', String(node));
}

// killNode is kill -9 of a server and its plugin processes, as a crashed machine or a stopped
// systemd unit leaves it.
export function killNode(node: Node): void {
    stackScript('mattermost.sh', 'kill', String(node));
}

function nodeDir(node: Node): string {
    return path.join(stackDir, node === 1 ? 'mattermost' : 'mattermost2');
}

export function logFile(node: Node): string {
    return path.join(stackDir, 'logs', ...(node === 1 ? [] : ['mattermost2']), 'mattermost.log');
}

// pluginPid is the process id of the plugin's server process under a node of this stack (another
// stack on the machine runs the same plugin), or 0 when none runs.
export function pluginPid(node: Node = 1): number {
    try {
        const out = execFileSync('pgrep', ['-f', `${nodeDir(node)}/plugins/${pluginId}/server/dist/plugin-`], {encoding: 'utf8'});
        return Number(out.trim().split('\n')[0]);
    } catch {
        return 0;
    }
}

export function rssMiB(pid: number): number {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
}

export interface Sample {
    goroutines: number;
    heapMiB: number;
    rssMiB: number;
}

// sample reads the plugin's goroutines and heap from its status route and its resident memory
// from the kernel.
export async function sample(admin: Client4, node: Node): Promise<Sample> {
    const status = await readStatus(admin);
    if (!status.node) {
        throw new Error('the status route does not report the node');
    }
    return {goroutines: status.node.goroutines, heapMiB: status.node.heap_bytes / 2 ** 20, rssMiB: rssMiB(pluginPid(node))};
}

// logOffset marks where a node's log ends now, so a test reads only what came after.
export function logOffset(node: Node): number {
    return fs.existsSync(logFile(node)) ? fs.statSync(logFile(node)).size : 0;
}

// pluginLines returns the plugin's log lines with msg after a log offset.
export function pluginLines(node: Node, from: number, msg: string): string[] {
    const text = fs.readFileSync(logFile(node)).subarray(from).toString();
    return text.split('\n').filter((line) => line.includes(`"msg":"${msg}"`) && line.includes(`"plugin_id":"${pluginId}"`));
}

// ticks counts the plugin's ticks on a node since a log offset.
export function ticks(node: Node, from: number): number {
    return pluginLines(node, from, 'Polled Buildbot').length;
}
