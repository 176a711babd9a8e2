import {viewerIsSystemAdmin} from './viewer';

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
