// A developer whose Mattermost speaks German types /build and reads every answer, the autocomplete
// and the settings problems in German; the status post, which the whole channel reads, follows the
// server's default language instead, since Mattermost has no language per channel.
import type {Client4} from '@mattermost/client';
import type {AdminConfig} from '@mattermost/types/config';
import type {UserProfile} from '@mattermost/types/users';

import {eventually} from '../src/buildbot';
import {bb4, buildbotUsers} from '../src/env';
import {configurePlugin, installPlugin, newClient, runCommand, setUpWorld, type PluginSettings, type World} from '../src/mattermost';

const password = 'E2e-password-1!';
const settings: PluginSettings = {
    BuildbotURL: bb4.url, AuthMode: 'login', ...buildbotUsers.admin, PollIntervalSeconds: 2, RequestTimeoutSeconds: 5, CatalogRefreshSeconds: 5,
};

let world: World;
let greta: Client4;

// gretaSpeaksGerman is a user who chose Deutsch under Settings > Display > Language.
async function gretaSpeaksGerman(): Promise<Client4> {
    const username = 'greta';
    let user: UserProfile;
    try {
        user = await world.admin.getUserByUsername(username);
    } catch {
        user = await world.admin.createUser({username, email: `${username}@example.com`, password} as UserProfile, '', '');
    }
    user = await world.admin.patchUser({id: user.id, locale: 'de'} as UserProfile);
    await world.admin.addToTeam(world.team.id, user.id);
    await world.admin.addToChannel(user.id, world.channel.id);
    const client = newClient();
    await client.login(username, password);
    return client;
}

async function setServerLocale(locale: string): Promise<void> {
    const config = await world.admin.getConfig();
    await world.admin.updateConfig({...config, LocalizationSettings: {...config.LocalizationSettings, DefaultServerLocale: locale}} as AdminConfig);
}

async function newestBotPost(after: number): Promise<string> {
    return eventually('the status post is there', async () => {
        const posts = await world.admin.getPostsSince(world.channel.id, after);
        const mine = posts.order.map((id) => posts.posts[id]!).filter((p) => (p.type as string) === 'custom_buildbot_build');
        return mine[0]?.message;
    });
}

beforeAll(async () => {
    world = await setUpWorld();
    await installPlugin(world.admin);
    await configurePlugin(world.admin, settings);
    greta = await gretaSpeaksGerman();
});

afterAll(async () => {
    await setServerLocale('en');
    await configurePlugin(world.admin, settings);
});

test('a German user is told in German that Buildbot has no such repo, while an English user reads English', async () => {
    const german = await runCommand(greta, world, '/build no-such-repo-xyz');
    const english = await runCommand(world.user, world, '/build no-such-repo-xyz');

    expect(german.text).toContain('Buildbot kennt nichts namens `no-such-repo-xyz`');
    expect(english.text).toContain('Buildbot has nothing called `no-such-repo-xyz`');
});

test('/build help and a typing mistake answer in German', async () => {
    expect((await runCommand(greta, world, '/build help')).text).toContain('einen Build starten');
    expect((await runCommand(greta, world, '/build list extra')).text).toContain('`/build list` nimmt keine Argumente.');
});

test('the autocomplete explains the subcommands and repos in German', async () => {
    const list = await eventually('the repos are offered', async () => {
        const items = await greta.getCommandAutocompleteSuggestionsList('/build ', world.team.id,
            {channel_id: world.channel.id, team_id: world.team.id} as Parameters<Client4['getCommandAutocompleteSuggestionsList']>[2]);
        return items.some((i) => i.Suggestion === 'project-example') && items;
    });

    expect(list.find((i) => i.Suggestion === 'list')?.Description).toBe('Was Buildbot bauen kann, mit den letzten Ergebnissen');
    expect(list.find((i) => i.Suggestion === 'project-example')?.Description).toMatch(/^Baut auf /);
});

test('a German user starts a build: the status post follows the server language, English by default, German once the server speaks German', async () => {
    const run = Date.now().toString(36);

    let since = Date.now();
    expect((await runCommand(greta, world, `/build project-example e2e-de-${run}-a`)).text ?? '').toBe('');
    const englishPost = await newestBotPost(since);

    await setServerLocale('de');
    since = Date.now();
    expect((await runCommand(greta, world, `/build project-example e2e-de-${run}-b`)).text ?? '').toBe('');
    const germanPost = await newestBotPost(since);

    expect(englishPost).toContain('requested by @greta');
    expect(germanPost).toContain('angefordert von @greta');
    expect(germanPost).not.toContain('requested by');
});

test('a settings problem reaches a German user in German', async () => {
    await configurePlugin(world.admin, {...settings, BuildbotURL: ''});

    const answer = await eventually('the plugin has the new settings', async () => {
        const text = (await runCommand(greta, world, '/build project-example')).text ?? '';
        return text.includes('Systemkonsole') && text;
    });

    expect(answer).toContain('Buildbot URL');
});
