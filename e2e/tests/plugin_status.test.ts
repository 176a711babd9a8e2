// An admin uploads the freshly built bundle, enables and configures it, and the plugin reports that
// it reached the real Buildbot: its version and its builders. Against every supported Buildbot.
import {buildbotMasters, buildbotUsers} from '../src/env';
import {configurePlugin, installPlugin, pluginFetch, setUpWorld, type World} from '../src/mattermost';
import {readStatus, type StatusReport} from '../src/status';

let world: World;

beforeAll(async () => {
    world = await setUpWorld();
    await installPlugin(world.admin);
});

describe.each(buildbotMasters)('with $label', (master) => {
    test('an admin configures the uploaded plugin and it reports the real Buildbot version and builders', async () => {
        await configurePlugin(world.admin, {BuildbotURL: master.url, AuthMode: 'none'});

        const status: StatusReport = await readStatus(world.admin);

        expect(status.plugin.id).toBe('buildbot');
        expect(status.configured).toBe(true);
        expect(status.problems).toEqual([]);
        expect(status.buildbot).toMatchObject({url: master.url, reachable: true, version: expect.stringMatching(master.version)});
        const names = status.buildbot?.builders.map((b) => b.name);
        expect(names).toEqual(expect.arrayContaining(['project-example', 'failing-example', 'slow-example', 'docs-example']));
    });

    test('the plugin logs in with a Buildbot user and password', async () => {
        await configurePlugin(world.admin, {BuildbotURL: master.url, AuthMode: 'login', ...credentials(buildbotUsers.admin)});

        const status = await readStatus(world.admin);

        expect(status.buildbot).toMatchObject({reachable: true, version: expect.stringMatching(master.version)});
        expect(JSON.stringify(status)).not.toContain(buildbotUsers.admin.password);
    });
});

test('activation creates the @buildbot bot account, with the plugin icon as its picture', async () => {
    const bot = await world.admin.getUserByUsername('buildbot');

    expect(bot.is_bot).toBe(true);
    expect(bot.last_picture_update).toBeGreaterThan(0);
});

test('a user who is not a system admin cannot read the status', async () => {
    const response = await pluginFetch(world.user, '/api/v1/status');

    expect(response.status).toBe(403);
});

test('a request without a Mattermost session is refused', async () => {
    const response = await fetch(`${(await import('../src/env')).mattermostURL}/plugins/buildbot/api/v1/status`);

    expect(response.status).toBe(401);
});

function credentials(user: {username: string; password: string}) {
    return {Username: user.username, Password: user.password};
}
