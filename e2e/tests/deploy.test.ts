// make deploy and make logs against the stack's Mattermost, as against any server: an admin's
// personal access token made through the API, the bundle uploaded and enabled, the plugin's log
// lines read back through the admin logs API; a wrong token is refused in words that say so.
import {spawnSync} from 'node:child_process';

import {mattermostURL, repoRoot} from '../src/env';
import {pluginId, setUpWorld, type World} from '../src/mattermost';

let world: World;
let token: string;

beforeAll(async () => {
    world = await setUpWorld();
    token = (await world.admin.createUserAccessToken(world.adminUser.id, 'make deploy e2e')).token ?? '';
});

function make(target: string, env: Record<string, string>): {status: number | null; out: string} {
    const result = spawnSync('make', ['--no-print-directory', target], {cwd: repoRoot, env: {...process.env, ...env}, encoding: 'utf8', timeout: 300000});
    return {status: result.status, out: `${result.stdout}${result.stderr}`};
}

test('make deploy uploads and enables the bundle with an admin token; make logs prints the plugin\'s log lines', async () => {
    await world.admin.disablePlugin(pluginId).catch(() => undefined);

    const deployed = make('deploy', {MM_SERVICESETTINGS_SITEURL: mattermostURL, MM_ADMIN_TOKEN: token});

    expect(deployed.out).toContain(`to ${mattermostURL}: running.`);
    expect(deployed.status).toBe(0);
    const statuses = await world.admin.getPluginStatuses();
    expect(statuses.find((s) => s.plugin_id === pluginId)?.state).toBe(2);

    const logs = make('logs', {MM_SERVICESETTINGS_SITEURL: mattermostURL, MM_ADMIN_TOKEN: token});
    expect(logs.status).toBe(0);
    expect(logs.out).toMatch(/^\S+ \S+ +\S+ (debug|info|warn|error) /m);
}, 600000);

test('a wrong token is refused, naming it', () => {
    const refused = make('deploy', {MM_SERVICESETTINGS_SITEURL: mattermostURL, MM_ADMIN_TOKEN: 'not-a-token'});

    expect(refused.status).not.toBe(0);
    expect(refused.out).toContain('refused MM_ADMIN_TOKEN');
});
