// Build parameters on the real servers: the master's params scheduler has a field of each kind
// (e2e/stack/buildbot/master.cfg). /build --form makes Mattermost open a dialog generated from it
// on the user's WebSocket; its submission, through Mattermost's own dialog route, starts a build
// whose Buildbot properties are the submitted values; name=value words do the same from the
// command line, and bad ones never reach Buildbot; Rebuild sends the same properties again.
import type {Post} from '@mattermost/types/posts';

import {Buildbot, eventually} from '../src/buildbot';
import {buildbotMasters, buildbotUsers} from '../src/env';
import {listen, type Events} from '../src/events';
import {configurePlugin, installPlugin, runCommand, setUpWorld, type World} from '../src/mattermost';
import {rootStatusPosts, statusOf} from '../src/posts';

let world: World;
let events: Events;
const run = Date.now().toString(36);

interface Element {
    name: string;
    display_name: string;
    type: string;
    subtype?: string;
    default?: string;
    optional: boolean;
    help_text?: string;
    multiselect?: boolean;
    options?: Array<{text: string; value: string}> | null;
}

interface OpenDialog {
    url: string;
    dialog: {callback_id: string; title: string; elements: Element[]; state: string};
}

beforeAll(async () => {
    world = await setUpWorld();
    await installPlugin(world.admin);
    events = await listen(world.user);
});

afterAll(() => events.close());

async function openForm(command: string): Promise<OpenDialog> {
    const opened = events.next('open_dialog');
    const answer = await runCommand(world.user, world, command);
    expect(answer.text ?? '').toBe('');
    const event = await opened;
    return JSON.parse(event.data.dialog as string) as OpenDialog;
}

async function submit(dialog: OpenDialog, submission: Record<string, unknown>): Promise<{errors?: Record<string, string>; error?: string}> {
    return world.user.submitInteractiveDialog({
        url: dialog.url, callback_id: dialog.dialog.callback_id, state: dialog.dialog.state, submission,
        channel_id: world.channel.id, team_id: world.team.id, cancelled: false,
    } as unknown as Parameters<World['user']['submitInteractiveDialog']>[0]) as Promise<{errors?: Record<string, string>; error?: string}>;
}

// propertiesOf waits for the post's build to start and reads its properties from Buildbot.
// Buildbot creates a build first and writes its properties one at a time after that, all before
// it calls the build 'starting' (3.7 and 4.x alike), so it reads until the build is past 'created'.
async function propertiesOf(buildbot: Buildbot, post: Post): Promise<Record<string, unknown>> {
    const buildId = await eventually('the build starts', async () => statusOf(await world.admin.getPost(post.id)).rows[0]?.build_id, 60000);
    const build = await eventually('the build has its properties', async () => {
        const {builds} = await buildbot.get<{builds: Array<{state_string: string, properties: Record<string, [unknown, string]>}>}>(`builds/${buildId}?property=*`);
        return builds[0]!.state_string === 'created' ? undefined : builds[0]!;
    }, 15000);
    return Object.fromEntries(Object.entries(build.properties).map(([k, v]) => [k, v[0]]));
}

async function postOfBranch(branch: string): Promise<Post> {
    return eventually(`the status post of ${branch}`, async () =>
        (await rootStatusPosts(world.admin, world.channel.id, Date.now() - 120000)).find((p) => statusOf(p).branch === branch), 15000);
}

describe.each(buildbotMasters)('with $label', (master) => {
    const buildbot = new Buildbot(master.url);
    // Each master's builds get their own branches: a post is found by its branch.
    const tag = `${run}-${new URL(master.url).port}`;

    beforeAll(async () => configurePlugin(world.admin, {BuildbotURL: master.url, AuthMode: 'login', ...buildbotUsers.admin, PollIntervalSeconds: 2}));

    test('/build --form opens a dialog with a field for each parameter Buildbot offers, the way a person expects', async () => {
        const {dialog, url} = await openForm('/build params-example main --form');

        expect(url).toBe('/plugins/buildbot/api/v1/build-form');
        expect(dialog.title).toBe('Build params-example');
        const byName = Object.fromEntries(dialog.elements.map((e) => [e.name, e]));
        expect(Object.keys(byName).sort()).toEqual(['branch', 'count', 'deploy', 'environment', 'greeting', 'limits_cpu', 'limits_memory',
            'notes', 'reason', 'region', 'revision', 'suites', 'tag', 'ticket'].sort());
        expect(byName.branch).toMatchObject({type: 'text', default: 'main'});
        expect(byName.greeting).toMatchObject({type: 'text', default: 'hello', optional: true});
        expect(byName.count).toMatchObject({type: 'text', subtype: 'number', default: '1'});
        expect(byName.count!.display_name.length).toBeLessThanOrEqual(24);
        expect(byName.count!.help_text).toContain('How many times to run the whole suite');
        expect(byName.notes).toMatchObject({type: 'textarea'});
        expect(byName.deploy).toMatchObject({type: 'bool', default: 'false'});
        expect(byName.environment).toMatchObject({type: 'radio', default: 'staging'});
        expect(byName.environment!.options!.map((o) => o.value)).toEqual(['staging', 'production']);
        expect(byName.region).toMatchObject({type: 'select', default: 'eu-west-1'});
        expect(byName.region!.options).toHaveLength(6);
        expect(byName.suites).toMatchObject({type: 'select', multiselect: true, default: 'unit'});
        expect(byName.tag).toMatchObject({type: 'text', default: 'latest'});
        expect(byName.tag!.help_text).toContain('latest, stable');
        expect(byName.ticket).toMatchObject({type: 'text', optional: false});
        expect(byName.limits_cpu).toMatchObject({type: 'text', subtype: 'number', default: '2'});
        expect(byName.limits_cpu!.display_name).toContain('CPU');
    });

    test('a plain /build of a repo whose form needs a value opens the form by itself', async () => {
        const {dialog} = await openForm('/build params-example main');

        expect(dialog.elements.some((e) => e.name === 'ticket' && !e.optional)).toBe(true);
    });

    test('submitting the form starts a build whose Buildbot properties are the submitted values', async () => {
        const branch = `params-form-${tag}`;
        const dialog = await openForm(`/build params-example ${branch} --form`);

        const answer = await submit(dialog, {ticket: 'OPS-7', deploy: true, environment: 'production', region: 'us-east-1', suites: 'unit,lint',
            limits_cpu: '4', greeting: 'hi there', branch});

        expect(answer.errors ?? {}).toEqual({});
        const post = await postOfBranch(branch);
        expect(post.message).toContain('`ticket=OPS-7`');
        const props = await propertiesOf(buildbot, post);
        expect(props).toMatchObject({ticket: 'OPS-7', deploy: true, environment: 'production', region: 'us-east-1', suites: ['unit', 'lint'],
            greeting: 'hi there', count: 1, tag: 'latest', pipeline: 'chat', internal: 'kept', branch});
        expect(props.limits_cpu ?? (props.limits as Record<string, unknown> | undefined)?.cpu).toBe(4);
        // Buildbot makes the owner its logged-in account; who asked is in the reason.
        expect(props.reason).toContain('@alice');
    });

    test('a value only Buildbot can judge comes back beside its field, and nothing starts', async () => {
        const before = await buildbot.newestBuildRequestId();
        const dialog = await openForm('/build params-example main --form');

        const answer = await submit(dialog, {ticket: 'not-a-ticket'});

        expect(answer.errors?.ticket).toContain('does not match');
        expect(await buildbot.newestBuildRequestId()).toBe(before);
    });

    test('a value the form can judge is refused beside its field before Buildbot is asked', async () => {
        const before = await buildbot.newestBuildRequestId();
        const dialog = await openForm('/build params-example main --form');

        const answer = await submit(dialog, {ticket: 'OPS-1', environment: 'moon', count: 'many'});

        expect(answer.errors?.environment).toContain('staging');
        expect(answer.errors?.count).toBeDefined();
        expect(await buildbot.newestBuildRequestId()).toBe(before);
    });

    test('name=value starts the same build; Rebuild sends the same properties; Rebuild with… opens the form filled with them', async () => {
        const branch = `params-words-${tag}`;
        const answer = await runCommand(world.user, world, `/build params-example ${branch} ticket=OPS-8 deploy=true environment=production suites=unit,e2e notes="two words"`);
        expect(answer.text ?? '').toBe('');
        const post = await postOfBranch(branch);

        const props = await propertiesOf(buildbot, post);
        expect(props).toMatchObject({ticket: 'OPS-8', deploy: true, environment: 'production', suites: ['unit', 'e2e'], notes: 'two words', branch});
        await eventually('the build finishes', async () => statusOf(await world.admin.getPost(post.id)).state === 'success', 60000);

        await world.user.doPostAction(post.id, 'rebuild');
        const rebuild = await eventually('the rebuild is posted in the thread', async () => {
            const thread = await world.admin.getPostThread(post.id);
            return Object.values(thread.posts).find((p) => (p.type as string) === 'custom_buildbot_build' && p.root_id === post.id);
        }, 15000);
        expect(rebuild.message).toContain('`ticket=OPS-8`');
        const again = await propertiesOf(buildbot, rebuild);
        expect(again).toMatchObject({ticket: 'OPS-8', deploy: true, environment: 'production', suites: ['unit', 'e2e'], notes: 'two words', branch});

        // Rebuild with… opens the form filled with the build's values; its build goes in the thread.
        const opened = events.next('open_dialog');
        await world.user.doPostAction(post.id, 'rebuildwith');
        const form = JSON.parse((await opened).data.dialog as string) as OpenDialog;
        const filled = Object.fromEntries(form.dialog.elements.map((e) => [e.name, e.default]));
        expect(filled).toMatchObject({ticket: 'OPS-8', deploy: 'true', environment: 'production', suites: 'unit,e2e', notes: 'two words', branch});
        expect((await submit(form, {...filled, deploy: false, environment: 'staging'})).errors ?? {}).toEqual({});
        const changed = await eventually('the changed rebuild is posted in the thread', async () => {
            const thread = await world.admin.getPostThread(post.id);
            return Object.values(thread.posts).find((p) => p.root_id === post.id && p.message.includes('`ticket=OPS-8`') && !p.message.includes('deploy=true'));
        }, 15000);
        expect(await propertiesOf(buildbot, changed)).toMatchObject({ticket: 'OPS-8', deploy: false, environment: 'staging', notes: 'two words', branch});
    });

    test('name=value words autocomplete: the names after the branch, then a name\'s choices', async () => {
        const suggest = async (typed: string) => (await world.user.getCommandAutocompleteSuggestionsList(typed, world.team.id,
            {channel_id: world.channel.id, team_id: world.team.id} as Parameters<World['user']['getCommandAutocompleteSuggestionsList']>[2])).map((x) => x.Suggestion);

        await eventually('the catalog knows the form', async () => (await suggest('/build params-example main env')).length > 0, 30000);
        expect(await suggest('/build params-example main env')).toEqual(['environment=']);
        expect(await suggest('/build params-example main ticket=OPS-1 environment=')).toEqual(['environment=staging', 'environment=production']);
        expect(await suggest('/build params-example main ticket=OPS-1 deploy=true suites=unit,')).toEqual(['suites=unit,lint', 'suites=unit,e2e']);
        expect(await suggest('/build params-example main ticket=OPS-1 de')).toEqual(['deploy=']);
        // After a revision too, and far into the line: every word is a list of its own.
        expect(await suggest('/build params-example main 0123abcd ticket=OPS-1 env')).toEqual(['environment=']);
        expect(await suggest('/build params-example main 0123abcd ticket=OPS-1 deploy=true notes=x count=2 region=us')).toEqual(['region=us-east-1', 'region=us-west-2']);
    });

    test.each([
        ['environment=moon', 'staging'],
        ['colour=red', 'colour'],
        ['count=many', 'count'],
    ])('a bad word (%s) is refused before Buildbot is asked, naming what is allowed', async (word, named) => {
        const before = await buildbot.newestBuildRequestId();

        const answer = await runCommand(world.user, world, `/build params-example main ticket=OPS-9 ${word}`);

        expect(answer.text).toContain(named);
        expect(await buildbot.newestBuildRequestId()).toBe(before);
    });
});
