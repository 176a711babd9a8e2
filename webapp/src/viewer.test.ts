import {currentChannelId, currentTeamId, viewerId, viewerIsSystemAdmin} from './viewer';

const state = (roles: unknown) => ({entities: {users: {currentUserId: 'u1', profiles: {u1: {roles}}}}});

test.each<[string, unknown, boolean]>([
    ['a system admin', state('system_user system_admin'), true],
    ['a member', state('system_user'), false],
    ['a role that only contains the word', state('system_user not_system_admin'), false],
    ['roles that are not text', state(['system_admin']), false],
    ['a store without the user', {entities: {users: {currentUserId: 'u2', profiles: {}}}}, false],
    ['an empty store', {}, false],
])('%s', (_, s, want) => {
    expect(viewerIsSystemAdmin(s)).toBe(want);
});

test.each<[string, unknown, string | null]>([
    ['a signed-in user', state('system_user'), 'u1'],
    ['an id that is not text', {entities: {users: {currentUserId: 7}}}, null],
    ['an empty store', {}, null],
])('the viewer of %s', (_, s, want) => {
    expect(viewerId(s)).toBe(want);
});

test.each<[string, unknown, string | null, string | null]>([
    ['a channel of a team', {entities: {channels: {currentChannelId: 'c1'}, teams: {currentTeamId: 't1'}}}, 'c1', 't1'],
    ['no channel yet', {entities: {channels: {currentChannelId: ''}, teams: {currentTeamId: ''}}}, null, null],
    ['ids that are not text', {entities: {channels: {currentChannelId: 7}, teams: {currentTeamId: ['t1']}}}, null, null],
    ['an empty store', {}, null, null],
])('the channel and team shown with %s', (_, s, channel, team) => {
    expect(currentChannelId(s)).toBe(channel);
    expect(currentTeamId(s)).toBe(team);
});
