// Activation that explains itself: when a person's account holds the bot's username, Mattermost
// hands the plugin that person's id and only logs a warning. The plugin must refuse to start, rather
// than post as that person, with words naming the fix, which Mattermost keeps in the plugin's
// status and its log.
import type {PluginStatus} from '@mattermost/types/plugins';

import {mattermostURL} from '../src/env';
import {installPlugin, pluginId, setUpWorld, type World} from '../src/mattermost';

let world: World;

beforeAll(async () => {
    world = await setUpWorld();
    await installPlugin(world.admin);
});

// adminPost calls a Mattermost route Client4 has no method for, as the admin.
async function adminPost(route: string, body: unknown): Promise<void> {
    const response = await fetch(`${mattermostURL}/api/v4${route}`, {
        method: 'POST',
        headers: {Authorization: `Bearer ${world.admin.getToken()}`, 'Content-Type': 'application/json'},
        body: JSON.stringify(body),
    });
    if (!response.ok) {
        throw new Error(`POST ${route}: HTTP ${response.status}: ${await response.text()}`);
    }
}

// The server's plugin status carries the activation error; @mattermost/types leaves that field out.
type StatusWithError = PluginStatus & {error?: string};

async function pluginState(): Promise<{state?: number; error?: string}> {
    const statuses: StatusWithError[] = await world.admin.getPluginStatuses();
    const status = statuses.find((s) => s.plugin_id === pluginId);
    return {state: status?.state, error: status?.error};
}

test('a person holding the bot\'s username stops activation with a message that names the fix', async () => {
    const bot = await world.admin.getUserByUsername('buildbot');
    expect(bot.is_bot).toBe(true);
    await world.admin.disablePlugin(pluginId);
    // Mattermost's own way to make the bot a person's account, as one may exist before the plugin.
    await adminPost(`/bots/${bot.id}/convert_to_user`, {password: 'Person-password-1!', email: 'buildbot-person@example.com'});
    try {
        await world.admin.enablePlugin(pluginId);

        const failed = await pluginState();
        expect(failed.state).not.toBe(2);
        expect(failed.error).toContain('the username @buildbot belongs to a person\'s account');
        expect(failed.error).toContain('mattermost user convert buildbot --bot');
    } finally {
        await world.admin.disablePlugin(pluginId).catch(() => undefined);
        await adminPost(`/users/${bot.id}/convert_to_bot`, {});
        await world.admin.enablePlugin(pluginId);
    }

    expect((await pluginState()).state).toBe(2);
}, 120000);
