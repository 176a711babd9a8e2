// `make dev`: the stack is up; install the fresh bundle, point it at Buildbot 4.x and say how to
// log in. Run with tsx.
import {bb37, bb4, buildbotUsers, mattermostURL} from './env';
import {configurePlugin, installPlugin, setUpWorld} from './mattermost';
import {readStatus} from './status';

async function main(): Promise<void> {
    const world = await setUpWorld();
    await installPlugin(world.admin);
    await configurePlugin(world.admin, {BuildbotURL: bb4.url, AuthMode: 'login', Username: buildbotUsers.admin.username, Password: buildbotUsers.admin.password});
    const status = await readStatus(world.admin);

    const lines = [
        '',
        `Mattermost      ${mattermostURL}/${world.team.name}/channels/${world.channel.name}`,
        '                sysadmin / E2e-password-1!  (system admin)',
        '                alice / E2e-password-1!     (user)',
        `${bb4.label}    ${bb4.url}   (${buildbotUsers.admin.username} / ${buildbotUsers.admin.password})`,
        `${bb37.label}    ${bb37.url}   (same users)`,
        `Plugin          ${status.configured ? 'configured' : 'NOT configured'}; Buildbot ${status.buildbot?.reachable ? `${status.buildbot.version} reached, builders: ${status.buildbot.builders.map((b) => b.name).join(', ')}` : 'not reached'}`,
        'Stop it with `make dev-down`. The web UI of Mattermost is not part of this stack; use the REST API, mmctl or a desktop/mobile app pointed at the URL above.',
    ];
    process.stdout.write(lines.join('\n') + '\n');
}

main().catch((err: unknown) => {
    process.stderr.write(`make dev failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
});
