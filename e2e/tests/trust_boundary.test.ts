// Mattermost vouches only for who a user is. A member can post anything a status post carries and
// call the plugin's routes directly; the plugin acts only on its bot's own posts, for users who can
// read them, and never lets Buildbot's text mention, link or format anything.
import type {Post} from '@mattermost/types/posts';
import type {ServerChannel} from '@mattermost/types/channels';

import {Buildbot, eventually} from '../src/buildbot';
import {answerToClick} from '../src/events';
import {bb4, buildbotUsers} from '../src/env';
import {configurePlugin, installPlugin, pluginFetch, runCommand, setUpWorld, type PluginSettings, type World} from '../src/mattermost';

let world: World;
const buildbot = new Buildbot(bb4.url);
const run = Date.now().toString(36);
const settings: PluginSettings = {BuildbotURL: bb4.url, AuthMode: 'login', ...buildbotUsers.admin, PollIntervalSeconds: 2};

beforeAll(async () => {
    world = await setUpWorld();
    await installPlugin(world.admin);
    await configurePlugin(world.admin, settings);
});

interface StatusProps {
    state: string;
    rows: Array<{builder: string; builder_id: number; request_id: number; build_id?: number; state: string; stopped_by?: string}>;
}

const statusOf = (post: Post): StatusProps => post.props.buildbot_build as StatusProps;

async function statusPostAfter(channelId: string, command: string, client = world.user): Promise<Post> {
    const since = Date.now() - 1000;
    const response = await runCommand(client, world, command, channelId);
    expect(response.text ?? '').toBe('');
    return eventually('the status post appears', async () => {
        const list = await world.admin.getPostsSince(channelId, since);
        return Object.values(list.posts).find((p) => (p.type as string) === 'custom_buildbot_build' && !p.root_id && p.create_at >= since);
    }, 15000);
}

async function waitForState(postId: string, states: string[], within = 60000): Promise<Post> {
    return eventually(`the post reaches ${states.join(' or ')}`, async () => {
        const post = await world.admin.getPost(postId);
        return states.includes(statusOf(post).state) && post;
    }, within);
}

// clickDirectly sends a button click straight to the plugin's route, as anyone can.
async function clickDirectly(client: World['user'], postId: string, action: string): Promise<string> {
    const response = await pluginFetch(client, '/api/v1/actions', {
        method: 'POST',
        headers: {'Content-Type': 'application/json'},
        body: JSON.stringify({post_id: postId, team_id: world.team.id, context: {action}}),
    });
    expect(response.status).toBe(200);
    return ((await response.json()) as {ephemeral_text?: string}).ephemeral_text ?? '';
}

test('a post that imitates a status post, with buttons pointing at the plugin, acts on no build', async () => {
    const genuine = await statusPostAfter(world.channel.id, `/build failing-example e2e-forge-${run}`);
    const finished = await waitForState(genuine.id, ['failure']);
    // Someone else's build, running on Buildbot, that the forger would like stopped.
    const victim = await buildbot.force('slow-example', `e2e-victim-${run}`);
    const victimBuild = await eventually('the victim build runs', async () => {
        const {builds} = await buildbot.get<{builds: Array<{buildid: number; complete: boolean}>}>(`buildrequests/${victim}/builds`);
        return builds[0];
    });
    try {
        const props = JSON.parse(JSON.stringify(finished.props)) as Record<string, unknown>;
        const status = props.buildbot_build as StatusProps;
        status.state = 'building';
        status.rows = [{...status.rows[0]!, request_id: victim, build_id: victimBuild.buildid, state: 'building'}];
        const forged = await world.user.createPost({
            channel_id: world.channel.id, message: finished.message, type: 'custom_buildbot_build' as Post['type'], props,
        });
        expect(forged.user_id).toBe(world.plainUser.id);
        expect((forged.props.buildbot_build as StatusProps).rows[0]?.build_id).toBe(victimBuild.buildid);
        const requestsBefore = await buildbot.newestBuildRequestId();

        for (const action of ['rebuild', 'stop']) {
            expect(await clickDirectly(world.user, forged.id, action)).toContain('not written by the Buildbot plugin');
            // The forged attachment's own buttons, through Mattermost's post-action route.
            await world.user.doPostAction(forged.id, action).catch(() => undefined);
        }

        expect(await buildbot.stillRunning(victimBuild.buildid)).toBe(true);
        expect(await buildbot.newestBuildRequestId()).toBe(requestsBefore);
    } finally {
        await buildbot.stop(victimBuild.buildid);
    }
});

test('a user who cannot read a channel cannot stop its builds through the plugin\'s route; a member can, and the post says who', async () => {
    const secret: ServerChannel = await world.admin.createChannel({team_id: world.team.id, name: `secret-${run}`, display_name: `secret ${run}`, type: 'P'});
    const post = await statusPostAfter(secret.id, `/build slow-example e2e-secret-${run}`, world.admin);
    const building = await waitForState(post.id, ['building']);
    const buildId = statusOf(building).rows[0]?.build_id;

    expect(await clickDirectly(world.user, post.id, 'stop')).toContain('in a channel you cannot read');
    expect(await buildbot.stillRunning(buildId!)).toBe(true);

    await world.admin.doPostAction(post.id, 'stop');
    const stopped = await waitForState(post.id, ['cancelled']);
    expect(statusOf(stopped).rows[0]?.stopped_by).toBe(world.adminUser.username);
    expect(stopped.message).toContain(`cancelled by @${world.adminUser.username} · requested by @${world.adminUser.username}`);
});

test('a step that Buildbot\'s config names "@channel deploy [x](https://evil.example)" fails without notifying the channel or linking anywhere', async () => {
    await world.admin.viewMyChannel(world.channel.id);
    const post = await statusPostAfter(world.channel.id, `/build hostile-example e2e-hostile-${run}`);
    const failed = await waitForState(post.id, ['failure']);
    const reply = await eventually('the failure reply is in the thread', async () => {
        const thread = await world.admin.getPostThread(post.id);
        return Object.values(thread.posts).find((p) => p.id !== post.id);
    }, 15000);

    // The names are shown, inert: no Markdown link to the evil address, no live @channel.
    for (const message of [failed.message, reply.message]) {
        expect(message).not.toMatch(/\]\(https:\/\/evil/);
        expect(message).not.toContain('@channel');
        expect(message).toContain('@\u2060channel deploy');
    }
    expect(reply.message).toContain(`@${world.plainUser.username}`);
    // Mattermost counted no mention of the admin, who is in the channel: @channel did not fire.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const member = await world.admin.getChannelMember(world.channel.id, world.adminUser.id);
    expect(member.mention_count).toBe(0);
});

// Anyone with Buildbot's UI can stop a build with the reason the plugin gives ("Stopped by @x from
// Mattermost"); a subscription that posts builds at their result makes a new post, which notifies.
test('a build stopped in Buildbot with the plugin\'s own reason naming @channel is posted where subscribed without notifying anyone', async () => {
    const channel: ServerChannel = await world.admin.createChannel({team_id: world.team.id, name: `stop-reason-${run}`, display_name: `stop reason ${run}`, type: 'O'});
    await world.admin.addToChannel(world.plainUser.id, channel.id);
    const branch = `e2e-stop-reason-${run}`;
    const subscribed = await eventually('the subscription is taken', async () => {
        const text = (await runCommand(world.admin, world, `/build subscribe * ${branch} --events finished`, channel.id)).text ?? '';
        return text.includes('now hears about') && text;
    }, 30000);
    expect(subscribed).toContain('now hears about');
    await buildbot.force('slow-example', branch);
    // Stopped only once Buildbot has set it up (its branch property written), as a person in its
    // UI would: a build stopped before has no branch for a subscription to match.
    const build = await eventually('the build runs with its branch', async () => (await buildbot.buildsWhere((p) => p.branch === branch))[0]);

    // Being added to the channel counted as a mention; having read it, the member starts from none.
    await world.user.viewMyChannel(channel.id);
    expect((await world.admin.getChannelMember(channel.id, world.plainUser.id)).mention_count).toBe(0);

    await buildbot.stop(build.buildid, 'Stopped by @channel from Mattermost');

    const posted = await eventually('the subscribed post shows the stopped build', async () => {
        const list = await world.admin.getPosts(channel.id, 0, 20);
        return Object.values(list.posts).find((p) => (statusOf(p)?.state ?? '') === 'cancelled');
    }, 30000);
    expect(statusOf(posted).rows[0]?.stopped_by).toBeUndefined();
    expect(posted.message).not.toContain('@channel');
    expect(posted.message).toContain('@\u2060channel');
    // Mattermost counts mentions as it takes the post; give it a moment, then ask.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const member = await world.admin.getChannelMember(channel.id, world.plainUser.id);
    expect(member.mention_count).toBe(0);
});

test('a parameter cannot point /build at another repository: it is refused and nothing starts', async () => {
    const before = await buildbot.newestBuildRequestId();

    const answer = await runCommand(world.user, world, '/build quick-example main repository=https://evil.example/x.git');

    expect(answer.text).toContain('`repository` is not set from chat');
    expect(await buildbot.newestBuildRequestId()).toBe(before);
});

// deploy-example runs only from pushes: no force scheduler serves it, so chat may not start it, and
// a member may not cancel it from a subscribed card either.
test('a subscribed deploy only a push starts offers no Rebuild; a member\'s Stop is refused and it goes on; a system admin stops it', async () => {
    const channel: ServerChannel = await world.admin.createChannel({team_id: world.team.id, name: `deploys-${run}`, display_name: `deploys ${run}`, type: 'O'});
    await world.admin.addToChannel(world.plainUser.id, channel.id);
    const branch = `e2e-deploy-${run}`;
    await eventually('the subscription is taken', async () => {
        const text = (await runCommand(world.admin, world, `/build subscribe * ${branch} --events started`, channel.id)).text ?? '';
        return text.includes('now hears about');
    }, 30000);
    await buildbot.push({branch, revision: `deploy-${run}`, author: 'Bob <bob@example.com>', category: 'deploy'});
    const card = await eventually('the subscribed card shows the running deploy', async () => {
        const list = await world.admin.getPosts(channel.id, 0, 20);
        return Object.values(list.posts).find((p) => (statusOf(p)?.state ?? '') === 'building');
    }, 30000);
    const buildId = statusOf(card).rows[0]!.build_id!;
    const actions = (card.props.attachments as Array<{actions?: Array<{id: string}>}>)[0]?.actions?.map((a) => a.id);
    // Notify me is for whoever may see the build; Stop is the server's to refuse.
    expect(actions).toEqual(['notify', 'stop']);
    expect(card.props.buildbot_build).toMatchObject({rows: [{unserved: true}]});

    expect(await answerToClick(world.user, card.id, 'stop')).toContain('only system admins may stop its builds');
    expect(await buildbot.stillRunning(buildId)).toBe(true);

    await world.admin.doPostAction(card.id, 'stop');
    const stopped = await waitForState(card.id, ['cancelled']);
    expect(statusOf(stopped).rows[0]?.stopped_by).toBe(world.adminUser.username);
});

test('autocomplete offers nothing in a channel where /build is refused, and the repos where it is allowed', async () => {
    await configurePlugin(world.admin, {...settings, AllowedChannels: world.channel.name});
    try {
        const suggestionsIn = async (channelId: string) => {
            const list = await world.user.getCommandAutocompleteSuggestionsList('/build ', world.team.id,
                {channel_id: channelId, team_id: world.team.id} as Parameters<typeof world.user.getCommandAutocompleteSuggestionsList>[2]);
            return list.map((s) => s.Suggestion);
        };
        await eventually('the repos are offered in the allowed channel', async () => (await suggestionsIn(world.channel.id)).includes('project-example'));

        expect(await suggestionsIn(world.otherChannel.id)).toEqual([]);
        expect((await runCommand(world.user, world, '/build status', world.otherChannel.id)).text).toContain('cannot be started from this channel');
    } finally {
        await configurePlugin(world.admin, settings);
    }
});

test('a request body far larger than any click is refused unread', async () => {
    const response = await pluginFetch(world.user, '/api/v1/actions', {
        method: 'POST',
        headers: {'Content-Type': 'application/json'},
        body: JSON.stringify({post_id: 'x', context: {action: 'stop', pad: 'x'.repeat(1 << 20)}}),
    });
    expect(response.status).toBe(413);
});

test('a build form sent straight to the plugin\'s route starts nothing in a channel the user cannot read, whoever the body names', async () => {
    const secret: ServerChannel = await world.admin.createChannel({team_id: world.team.id, name: `form-secret-${run}`, display_name: `form secret ${run}`, type: 'P'});
    const before = await buildbot.newestBuildRequestId();

    const response = await pluginFetch(world.user, '/api/v1/build-form', {
        method: 'POST',
        headers: {'Content-Type': 'application/json'},
        body: JSON.stringify({
            callback_id: 'build', channel_id: secret.id, team_id: world.team.id, user_id: world.adminUser.id,
            state: JSON.stringify({repo: 'quick-example', branch: 'main'}), submission: {},
        }),
    });

    expect(response.status).toBe(200);
    expect(((await response.json()) as {error?: string}).error).toContain('cannot start builds in this channel');
    expect(await buildbot.newestBuildRequestId()).toBe(before);
});
