// A Buildbot that takes a request and never answers (a hung master, a proxy that swallows its
// login) must not freeze the plugin: every command and route answers within the request timeout
// with a clear message, and disabling the plugin does not wait the timeouts out.

import type {Client4} from '@mattermost/client';

import {eventually} from '../src/buildbot';

import {bb4, buildbotUsers} from '../src/env';
import {configurePlugin, installPlugin, pluginId, runCommand, setUpWorld, type PluginSettings, type World} from '../src/mattermost';
import {pluginPid} from '../src/nodes';
import {startProxy, type Proxy} from '../src/proxy';
import {readStatus} from '../src/status';

let world: World;
let proxy: Proxy;
let settings: PluginSettings;
const timeoutSeconds = 3;
// What a user may wait beyond the timeout: Mattermost's round trip and the plugin's own work.
const slack = 3000;

beforeAll(async () => {
    world = await setUpWorld();
    await installPlugin(world.admin);
    // The proxy takes the login and never answers; everything else reaches the real master.
    proxy = await startProxy({target: bb4.url, prefix: '/hung/', hangOn: 'auth/login'});
    settings = {BuildbotURL: proxy.url, AuthMode: 'login', ...buildbotUsers.admin, RequestTimeoutSeconds: timeoutSeconds, PollIntervalSeconds: 2};
    await configurePlugin(world.admin, settings);
    // Let the plugin's own background calls (catalog, event stream) start their hung logins first.
    await new Promise((resolve) => setTimeout(resolve, 2000));
});

afterAll(async () => {
    await world.admin.enablePlugin(pluginId).catch(() => undefined);
    await configurePlugin(world.admin, {BuildbotURL: bb4.url, AuthMode: 'login', ...buildbotUsers.admin});
    await proxy.close();
});

async function timed<T>(call: () => Promise<T>): Promise<{value: T; ms: number}> {
    const started = Date.now();
    const value = await call();
    return {value, ms: Date.now() - started};
}

test.each(['/build project-example', '/build list', '/build status'])('%s answers within the timeout, saying Buildbot did not answer', async (command) => {
    const {value, ms} = await timed(() => runCommand(world.user, world, command));

    expect(value.text).toContain(`did not answer within ${timeoutSeconds}s`);
    expect(ms).toBeLessThan(timeoutSeconds * 1000 + slack);
});

async function firstWords(): Promise<{value: string[]; ms: number}> {
    const {value, ms} = await timed(() => world.user.getCommandAutocompleteSuggestionsList('/build ', world.team.id,
        {channel_id: world.channel.id, team_id: world.team.id} as Parameters<Client4['getCommandAutocompleteSuggestionsList']>[2]));
    return {value: value.map((s) => s.Suggestion), ms};
}

test('autocomplete answers at once from memory: the repos it read before Buildbot hung, and the subcommands', async () => {
    // A master that answers until the plugin knows its repos, then takes every request, the
    // login's too, and never answers.
    const hanging = await startProxy({target: bb4.url, prefix: '/hangs-later/'});
    try {
        await configurePlugin(world.admin, {...settings, BuildbotURL: hanging.url});
        await eventually('autocomplete offers the master\'s repos', async () => (await firstWords()).value.includes('project-example'), 30000);
        hanging.hangOn = '';

        const {value, ms} = await firstWords();

        expect(value).toEqual(expect.arrayContaining(['project-example', 'failing-example', 'list', 'status', 'help']));
        expect(ms).toBeLessThan(slack);
    } finally {
        await configurePlugin(world.admin, settings);
        await hanging.close();
        await new Promise((resolve) => setTimeout(resolve, 2000));
    }
});

test('the status route answers within the timeout and says Buildbot did not answer', async () => {
    const {value, ms} = await timed(() => readStatus(world.admin));

    expect(value.buildbot?.reachable).toBe(false);
    expect(value.buildbot?.error).toContain(`did not answer within ${timeoutSeconds}s`);
    expect(ms).toBeLessThan(timeoutSeconds * 1000 + slack);
});

// pluginRunning says whether the plugin's server process runs: Mattermost ends it once the
// plugin's OnDeactivate returns.
function pluginRunning(): boolean {
    return pluginPid() !== 0;
}

test('disabling the plugin ends it within moments even while its calls wait on a minute-long timeout', async () => {
    await configurePlugin(world.admin, {...settings, RequestTimeoutSeconds: 60});
    // The new settings start new background calls, which hang on the login.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(pluginRunning()).toBe(true);

    const started = Date.now();
    await world.admin.disablePlugin(pluginId);
    await eventually('the plugin process ends', async () => !pluginRunning(), 120000);

    expect(Date.now() - started).toBeLessThan(10000);
}, 300000);
