// viewerIsSystemAdmin reads from the webapp's store whether the signed-in user is a system admin,
// which decides a few buttons the server would refuse anyone else. It only hides what would be
// refused: the server decides every click itself.
export function viewerIsSystemAdmin(state: unknown): boolean {
    const users = (state as {entities?: {users?: {currentUserId?: unknown; profiles?: Record<string, {roles?: unknown} | undefined>}}} | undefined)?.entities?.users;
    const id = users?.currentUserId;
    const roles = typeof id === 'string' ? users?.profiles?.[id]?.roles : undefined;
    return typeof roles === 'string' && roles.split(' ').includes('system_admin');
}
