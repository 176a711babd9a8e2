// Bad settings never break the plugin: /build tells the user what the admin must fix, and good
// settings work wherever Buildbot is served (a sub-path, behind a proxy that checks credentials).
import {Buildbot} from '../src/buildbot';
import {bb4, buildbotUsers} from '../src/env';
import {configurePlugin, installPlugin, runCommand, setUpWorld, type PluginSettings, type World} from '../src/mattermost';
import {startProxy} from '../src/proxy';
import {readStatus} from '../src/status';

let world: World;

beforeAll(async () => {
    world = await setUpWorld();
    await installPlugin(world.admin);
});

async function answerTo(settings: PluginSettings, command = '/build list'): Promise<string> {
    await configurePlugin(world.admin, settings);
    const response = await runCommand(world.user, world, command);
    return response.text ?? '';
}

test.each<{story: string; settings: PluginSettings; expected: string[]}>([
    {
        story: 'an empty Buildbot URL asks the admin to enter one',
        settings: {BuildbotURL: ''},
        expected: ['not set up correctly', 'System Console > Plugins > Buildbot', '**Buildbot URL** is empty'],
    },
    {
        story: 'a URL without a scheme shows how to write it',
        settings: {BuildbotURL: '127.0.0.1:28010/'},
        expected: ['**Buildbot URL** `127.0.0.1:28010/` has no scheme: write it as `https://127.0.0.1:28010/`'],
    },
    {
        story: 'a URL without a scheme that holds a password shows how to write it, never the password',
        settings: {BuildbotURL: 'admin:s3cret-pw-42@127.0.0.1:28010/'},
        expected: ['**Buildbot URL** `…@127.0.0.1:28010/` has no scheme: write it as `https://…@127.0.0.1:28010/`'],
    },
    {
        story: 'a log-in without a password names the missing setting',
        settings: {BuildbotURL: bb4.url, AuthMode: 'login', Username: 'admin'},
        expected: ['**Buildbot password** is empty'],
    },
    {
        story: 'a poll interval that is not a number is named',
        settings: {BuildbotURL: bb4.url, PollIntervalSeconds: 'often'},
        expected: ['**Poll interval** `often` is not a number'],
    },
])('$story', async ({settings, expected}) => {
    const text = await answerTo(settings);

    for (const part of expected) {
        expect(text).toContain(part);
    }
    expect(text).not.toContain('s3cret-pw-42');
});

test('an unreachable Buildbot URL says Buildbot cannot be reached', async () => {
    const text = await answerTo({BuildbotURL: 'http://127.0.0.1:9/', RequestTimeoutSeconds: 3});

    expect(text).toMatch(/Buildbot at http:\/\/127\.0\.0\.1:9\/ is unreachable/);
});

test('a wrong Buildbot password says the login was refused, without showing the password', async () => {
    const text = await answerTo({BuildbotURL: bb4.url, AuthMode: 'login', Username: 'admin', Password: 'not-the-password'});

    expect(text).toContain('refused the login');
    expect(text).not.toContain('not-the-password');
});

test('settings that work answer with the real builders', async () => {
    const text = await answerTo({BuildbotURL: bb4.url, AuthMode: 'login', ...buildbotUsers.admin});

    expect(text).toContain('project-example');
});

test('a Buildbot served under a sub-path works', async () => {
    const proxy = await startProxy({target: bb4.url, prefix: '/buildbot/'});
    try {
        await configurePlugin(world.admin, {BuildbotURL: proxy.url});

        const status = await readStatus(world.admin);

        expect(status.buildbot).toMatchObject({url: proxy.url, reachable: true, version: expect.stringMatching(bb4.version)});
        expect(status.buildbot?.builders.map((b) => b.name)).toContain('project-example');
        expect(proxy.requests).toBeGreaterThan(0);
    } finally {
        await proxy.close();
    }
});

test('a Buildbot behind a proxy that wants a header gets it on every request', async () => {
    const header = {name: 'X-Api-Key', value: 'proxy-secret-value'};
    const proxy = await startProxy({target: bb4.url, prefix: '/ci/', requireHeader: header});
    try {
        await configurePlugin(world.admin, {BuildbotURL: proxy.url, AuthMode: 'header', HeaderName: header.name, HeaderValue: header.value});
        const status = await readStatus(world.admin);
        expect(status.buildbot).toMatchObject({reachable: true});

        await configurePlugin(world.admin, {BuildbotURL: proxy.url, AuthMode: 'header', HeaderName: header.name, HeaderValue: 'wrong-secret-7731'});
        const refused = await readStatus(world.admin);
        expect(refused.buildbot?.reachable).toBe(false);
        expect(refused.buildbot?.error).toMatch(/401|credentials|refused/i);
        expect(JSON.stringify(refused)).not.toContain('wrong-secret-7731');
    } finally {
        await proxy.close();
    }
});

test('a Buildbot behind a proxy that wants HTTP Basic gets it on every request', async () => {
    const basic = 'Basic ' + Buffer.from('proxyuser:proxy-pass').toString('base64');
    const proxy = await startProxy({target: bb4.url, prefix: '/basic/', requireHeader: {name: 'Authorization', value: basic}});
    try {
        await configurePlugin(world.admin, {BuildbotURL: proxy.url, AuthMode: 'basic', Username: 'proxyuser', Password: 'proxy-pass'});

        const status = await readStatus(world.admin);

        expect(status.buildbot).toMatchObject({reachable: true, version: expect.stringMatching(bb4.version)});
    } finally {
        await proxy.close();
    }
});

// A proxy that checks HTTP Basic on every request but the change hook, which Buildbot guards with
// its own Basic: each gets its own credentials.
test('in change-hook mode behind a proxy that wants HTTP Basic, the change hook still gets its own credentials', async () => {
    const basic = 'Basic ' + Buffer.from('proxyuser:proxy-pass').toString('base64');
    const proxy = await startProxy({target: bb4.url, prefix: '/guarded/', requireHeader: {name: 'Authorization', value: basic}, openPaths: ['change_hook/']});
    const branch = `e2e-hook-creds-${Date.now().toString(36)}`;
    try {
        const text = await answerTo({
            BuildbotURL: proxy.url, AuthMode: 'basic', Username: 'proxyuser', Password: 'proxy-pass', TriggerMode: 'changehook',
            ChangeHookUsername: buildbotUsers.hook.username, ChangeHookPassword: buildbotUsers.hook.password,
        }, `/build project-example ${branch}`);

        expect(text).toBe('');
        const buildbot = new Buildbot(bb4.url);
        const changes = await buildbot.changesWhere((c) => c.branch === branch);
        expect(changes).toHaveLength(1);
        expect(changes[0]).toMatchObject({category: 'mattermost', project: `mattermost_build_project-example_${branch}`});
    } finally {
        await proxy.close();
    }
});
