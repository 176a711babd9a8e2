// make deploy and make logs, for a Mattermost server of your own, as the starter template's tooling
// does: the server is MM_SERVICESETTINGS_SITEURL, the admin MM_ADMIN_TOKEN (a personal access
// token) or MM_ADMIN_USERNAME and MM_ADMIN_PASSWORD.
//   tsx build/deploy/src/index.ts deploy <bundle.tar.gz>   upload, replacing any older copy, and enable
//   tsx build/deploy/src/index.ts logs                      the plugin's lines of the server's log
import fs from 'node:fs';
import path from 'node:path';

import {Client4, ClientError} from '@mattermost/client';

const root = path.resolve(__dirname, '..', '..', '..');
const pluginId = (JSON.parse(fs.readFileSync(path.join(root, 'plugin.json'), 'utf8')) as {id: string}).id;

class Refusal extends Error {}

function status(err: unknown): number {
    return err instanceof ClientError ? err.status_code ?? 0 : 0;
}

async function connect(): Promise<Client4> {
    const site = process.env.MM_SERVICESETTINGS_SITEURL?.replace(/\/+$/, '');
    if (!site) {
        throw new Refusal('Set MM_SERVICESETTINGS_SITEURL to the Mattermost server, e.g. https://chat.example.com.');
    }
    const client = new Client4();
    client.setUrl(site);
    const {MM_ADMIN_TOKEN: token, MM_ADMIN_USERNAME: username, MM_ADMIN_PASSWORD: password} = process.env;
    try {
        if (token) {
            client.setToken(token);
            await client.getMe();
        } else if (username && password) {
            await client.login(username, password);
        } else {
            throw new Refusal('Set MM_ADMIN_TOKEN (a personal access token of a system admin), or MM_ADMIN_USERNAME and MM_ADMIN_PASSWORD.');
        }
    } catch (err) {
        if (err instanceof Refusal) {
            throw err;
        }
        if (status(err) === 401) {
            throw new Refusal(token ? `${site} refused MM_ADMIN_TOKEN: it is wrong, revoked, or personal access tokens are off (System Console > Integrations).`
                : `${site} refused MM_ADMIN_USERNAME and MM_ADMIN_PASSWORD.`);
        }
        throw new Refusal(`${site} did not answer as a Mattermost server: ${err instanceof Error ? err.message : String(err)}`);
    }
    return client;
}

async function deploy(bundle: string): Promise<void> {
    if (!bundle || !fs.existsSync(bundle)) {
        throw new Refusal(`No bundle at ${bundle}: run make dist first.`);
    }
    const client = await connect();
    const file = new File([fs.readFileSync(bundle)], path.basename(bundle), {type: 'application/gzip'});
    try {
        await client.uploadPlugin(file, true);
    } catch (err) {
        switch (status(err)) {
        case 501:
            throw new Refusal(`${client.getUrl()} does not take plugin uploads: set PluginSettings.EnableUploads to true in its config.json (System Console cannot), then try again.`);
        case 403:
            throw new Refusal(`${client.getUrl()} refused the upload: the account is not a system admin.`);
        }
        throw new Refusal(`The upload failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    await client.enablePlugin(pluginId);
    const statuses = await client.getPluginStatuses();
    const mine = statuses.filter((s) => s.plugin_id === pluginId);
    const failed = mine.find((s) => s.state !== 2);
    process.stdout.write(`Deployed ${path.basename(bundle)} to ${client.getUrl()}: ${failed ? `state ${failed.state} on ${failed.cluster_id}, see make logs` : 'running'}.\n`);
    if (failed) {
        process.exitCode = 1;
    }
}

interface LogLine {
    timestamp?: string;
    level?: string;
    msg?: string;
    plugin_id?: string;
    [key: string]: unknown;
}

async function logs(): Promise<void> {
    const client = await connect();
    let lines: string[];
    try {
        lines = await client.getPlainLogs(0, 10000);
    } catch (err) {
        throw new Refusal(status(err) === 403 ? 'Reading the server log needs a system admin.' : `Reading the server log failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    const skip = new Set(['timestamp', 'level', 'msg', 'plugin_id', 'caller']);
    for (const raw of lines) {
        let line: LogLine;
        try {
            line = JSON.parse(raw) as LogLine;
        } catch {
            continue;
        }
        if (line.plugin_id !== pluginId) {
            continue;
        }
        const fields = Object.entries(line).filter(([k]) => !skip.has(k)).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
        process.stdout.write(`${line.timestamp ?? ''} ${(line.level ?? '').padEnd(5)} ${line.msg ?? ''}${fields.length ? ' ' + fields.join(' ') : ''}\n`);
    }
}

async function main(): Promise<void> {
    const [command, arg] = process.argv.slice(2);
    if (command === 'deploy') {
        await deploy(arg ?? '');
    } else if (command === 'logs') {
        await logs();
    } else {
        throw new Refusal('usage: deploy <bundle> | logs');
    }
}

main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
});
