// The first hour with /build's autocomplete on a real Buildbot (issue #27): a builder with a
// hundred recent branches offers a short list to pick from, the default first and then the latest,
// and typing finds the rest; each word offers only what applies there (subscribe's options after
// subscribe alone); and right after the Buildbot changes, the list says it is still reading
// Buildbot instead of offering nothing.
import type {AutocompleteSuggestion} from '@mattermost/types/integrations';

import {Buildbot, eventually} from '../src/buildbot';
import {bb4, buildbotUsers} from '../src/env';
import {configurePlugin, installPlugin, setUpWorld, type PluginSettings, type World} from '../src/mattermost';
import {startProxy} from '../src/proxy';

let world: World;
const buildbot = new Buildbot(bb4.url);
const run = Date.now().toString(36);
const settings: PluginSettings = {
    BuildbotURL: bb4.url, AuthMode: 'login', ...buildbotUsers.admin, PollIntervalSeconds: 2, RequestTimeoutSeconds: 3, CatalogRefreshSeconds: 5,
};
// Mattermost's list is for picking: no list is longer.
const longest = 25;
const reading = 'reading Buildbot\'s builders…';

beforeAll(async () => {
    world = await setUpWorld();
    await installPlugin(world.admin);
    await configurePlugin(world.admin, settings);
});

async function suggestions(typed: string): Promise<AutocompleteSuggestion[]> {
    return world.user.getCommandAutocompleteSuggestionsList(typed, world.team.id,
        {channel_id: world.channel.id, team_id: world.team.id} as Parameters<World['user']['getCommandAutocompleteSuggestionsList']>[2]);
}

async function offered(typed: string): Promise<string[]> {
    return (await suggestions(typed)).map((s) => s.Suggestion);
}

// recordChange sends a change as a VCS hook would, of a category no scheduler builds: Buildbot
// keeps its source stamp, which is all the plugin learns a branch from when nothing built it.
async function recordChange(branch: string): Promise<void> {
    const {username, password} = buildbotUsers.hook;
    const response = await fetch(`${bb4.url}change_hook/base`, {
        method: 'POST',
        headers: {Authorization: 'Basic ' + Buffer.from(`${username}:${password}`).toString('base64')},
        body: new URLSearchParams({branch, revision: `${branch}-rev`, project: 'branches-example', category: 'history', author: 'Bob <bob@example.com>', comments: 'history'}),
    });
    if (!response.ok) {
        throw new Error(`change on ${branch}: ${response.status} ${await response.text()}`);
    }
}

// Buildbot's times are whole seconds: a pause of over one puts what follows strictly later.
const nextSecond = () => new Promise((resolve) => setTimeout(resolve, 1100));

describe('a builder with over a hundred recent branches', () => {
    const repo = 'branches-example';
    const branch = (i: number) => `e2e-${run}-${String(i).padStart(3, '0')}`;
    const oldest = branch(0);
    const latest = `e2e-${run}-latest`;

    beforeAll(async () => {
        await recordChange(oldest);
        await nextSecond();
        for (let i = 1; i <= 120; i += 10) {
            await Promise.all(Array.from({length: 10}, (_, j) => recordChange(branch(i + j))));
        }
        await nextSecond();
        await recordChange(latest);
        const {sourcestamps} = await buildbot.get<{sourcestamps: Array<{branch: string}>}>('sourcestamps?project=branches-example&order=-ssid&limit=200');
        expect(sourcestamps.filter((s) => s.branch.startsWith(`e2e-${run}-`))).toHaveLength(122);
    });

    test('/build <repo> offers 25 branches to pick from: the default first, then the most recently built', async () => {
        const list = await eventually('the latest branch is offered', async () => {
            const s = await offered(`/build ${repo} `);
            return s.includes(latest) && s;
        }, 30000);

        expect(list).toHaveLength(longest);
        expect(list.slice(0, 2)).toEqual(['main', latest]);
        expect(list).not.toContain(oldest);
    });

    test('typing finds an older branch the list left out', async () => {
        await eventually('the latest branch is offered', async () => (await offered(`/build ${repo} `)).includes(latest), 30000);

        expect(await offered(`/build ${repo} ${oldest}`)).toEqual([oldest]);
        expect((await offered(`/build ${repo} e2e-${run}-11`)).sort()).toEqual(Array.from({length: 10}, (_, i) => branch(110 + i)));
    });

    test('subscribe offers every branch, then the latest, with its options, in as short a list', async () => {
        const list = await eventually('the latest branch is offered', async () => {
            const s = await offered(`/build subscribe ${repo} `);
            return s.includes(latest) && s;
        }, 30000);

        expect(list).toHaveLength(longest);
        expect(list.slice(0, 3)).toEqual(['*', 'main', latest]);
        expect(list.slice(-2)).toEqual(['--events', '--style']);
        expect(list).not.toContain(oldest);
    });
});

describe('each word offers only what applies there', () => {
    beforeAll(async () => {
        await eventually('the repos are offered', async () => (await offered('/build pro')).includes('project-example'), 30000);
    });

    test('after a repo come its branches, without subscribe\'s options', async () => {
        const afterRepo = await offered('/build project-example ');
        const afterBranch = await offered('/build project-example main ');

        expect(afterRepo[0]).toBe('main');
        for (const list of [afterRepo, afterBranch]) {
            expect(list).not.toContain('--events');
            expect(list).not.toContain('--style');
        }
    });

    test('after subscribe come its options, and after an option its values', async () => {
        expect(await offered('/build subscribe project-example main ')).toEqual(['--events', '--style']);
        expect(await offered('/build subscribe project-example main --events failure,pro')).toEqual(['failure,problem']);
        expect(await offered('/build subscribe project-example main --events failure --style ')).toEqual(['card', 'line']);
        expect(await offered('/build subscribe project-example main --events failure ')).toEqual(['--style']);
    });
});

test('right after the Buildbot changes, the list says it is reading Buildbot\'s builders until the first read ends', async () => {
    // A Buildbot whose builders do not come until the test lets them.
    const proxy = await startProxy({target: bb4.url, prefix: '/cold/', hangOn: 'api/v2/builders'});
    try {
        await configurePlugin(world.admin, {...settings, BuildbotURL: proxy.url});

        const cold = await eventually('the list says the plugin is reading Buildbot', async () => {
            const s = await suggestions('/build ');
            return s.some((i) => i.Description === reading) && s;
        }, 30000);
        expect(cold.map((s) => s.Suggestion)).not.toContain('project-example');
        expect(cold.map((s) => s.Suggestion)).toContain('help');
        // Whatever was typed: Mattermost keeps only what starts with it.
        expect((await suggestions('/build pro')).map((s) => [s.Suggestion, s.Description])).toEqual([['pro', reading]]);

        proxy.hangOn = undefined;

        const warm = await eventually('the repos are offered once the read ends', async () => {
            const s = await suggestions('/build ');
            return s.some((i) => i.Suggestion === 'project-example') && s;
        }, 60000);
        expect(warm.map((s) => s.Description)).not.toContain(reading);
    } finally {
        await configurePlugin(world.admin, settings);
        await proxy.close();
    }
});
