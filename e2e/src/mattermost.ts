// Drives the real Mattermost server the way System Console and the first-run screens do: the first
// user becomes the admin, who makes a team, channels and a second, ordinary user, then uploads,
// enables and configures the plugin through the REST API.
import fs from 'node:fs';
import path from 'node:path';

import {Client4} from '@mattermost/client';
import type {CommandResponse} from '@mattermost/types/integrations';
import type {Team} from '@mattermost/types/teams';
import type {UserProfile} from '@mattermost/types/users';
import type {ServerChannel} from '@mattermost/types/channels';

import {mattermostURL, repoRoot} from './env';

export const pluginId = 'buildbot';

const password = 'E2e-password-1!';

export interface World {
    admin: Client4;
    adminUser: UserProfile;
    user: Client4;
    plainUser: UserProfile;
    team: Team;
    channel: ServerChannel;
    otherChannel: ServerChannel;
}

export function newClient(token?: string, url = mattermostURL): Client4 {
    const client = new Client4();
    client.setUrl(url);
    if (token) {
        client.setToken(token);
    }
    return client;
}

async function loginOrCreate(username: string): Promise<{client: Client4; user: UserProfile}> {
    const client = newClient();
    try {
        const user = await client.login(username, password);
        return {client, user};
    } catch {
        // The first user ever created is made system admin, exactly as in the first-run screen.
        await client.createUser({username, email: `${username}@example.com`, password} as UserProfile, '', '');
        const user = await client.login(username, password);
        return {client, user};
    }
}

async function ensureTeam(admin: Client4, name: string): Promise<Team> {
    try {
        return await admin.getTeamByName(name);
    } catch {
        return admin.createTeam({name, display_name: 'E2E', type: 'O'} as Team);
    }
}

async function ensureChannel(admin: Client4, teamId: string, name: string): Promise<ServerChannel> {
    try {
        return await admin.getChannelByName(teamId, name);
    } catch {
        return admin.createChannel({team_id: teamId, name, display_name: name, type: 'O'});
    }
}

// setUpWorld is idempotent, so a suite can run against a stack that earlier runs used.
export async function setUpWorld(): Promise<World> {
    const {client: admin, user: adminUser} = await loginOrCreate('sysadmin');
    if (!adminUser.roles.includes('system_admin')) {
        throw new Error('the first Mattermost user is not a system admin: start the stack with --fresh');
    }
    const {client: user, user: plainUser} = await loginOrCreate('alice');
    const team = await ensureTeam(admin, 'e2e');
    await admin.addToTeam(team.id, plainUser.id);
    const channel = await ensureChannel(admin, team.id, 'builds');
    const otherChannel = await ensureChannel(admin, team.id, 'elsewhere');
    for (const c of [channel, otherChannel]) {
        await admin.addToChannel(plainUser.id, c.id);
    }
    return {admin, adminUser, user, plainUser, team, channel, otherChannel};
}

export function bundlePath(): string {
    const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'plugin.json'), 'utf8')) as {id: string; version: string};
    return path.join(repoRoot, 'dist', `${manifest.id}-${manifest.version}.tar.gz`);
}

// installPlugin uploads the freshly built bundle as System Console > Plugins > Upload does.
export async function installPlugin(admin: Client4): Promise<void> {
    const file = new File([fs.readFileSync(bundlePath())], path.basename(bundlePath()), {type: 'application/gzip'});
    await admin.uploadPlugin(file, true);
    await admin.enablePlugin(pluginId);
}

export type PluginSettings = Record<string, string | number | boolean>;

// configurePlugin writes the plugin's settings as System Console's Save button does.
export async function configurePlugin(admin: Client4, settings: PluginSettings): Promise<void> {
    const config = await admin.getConfig();
    const plugins = {...config.PluginSettings.Plugins, [pluginId]: settings};
    await admin.updateConfig({...config, PluginSettings: {...config.PluginSettings, Plugins: plugins}});
}

// pluginFetch calls one of the plugin's own routes as the client's user.
export async function pluginFetch(client: Client4, route: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`${client.getUrl()}/plugins/${pluginId}${route}`, {
        ...init,
        headers: {Authorization: `Bearer ${client.getToken()}`, 'X-Requested-With': 'XMLHttpRequest', ...init.headers},
    });
}

export async function runCommand(client: Client4, world: World, command: string, channelId = world.channel.id): Promise<CommandResponse> {
    return client.executeCommand(command, {channel_id: channelId, team_id: world.team.id} as Parameters<Client4['executeCommand']>[1]);
}
