// viewerIsSystemAdmin reads from the webapp's store whether the signed-in user is a system admin,
// which decides a few buttons the server would refuse anyone else. It only hides what would be
// refused: the server decides every click itself.
export function viewerIsSystemAdmin(state: unknown): boolean {
    const users = (state as {entities?: {users?: {currentUserId?: unknown; profiles?: Record<string, {roles?: unknown} | undefined>}}} | undefined)?.entities?.users;
    const id = users?.currentUserId;
    const roles = typeof id === 'string' ? users?.profiles?.[id]?.roles : undefined;
    return typeof roles === 'string' && roles.split(' ').includes('system_admin');
}

// viewerId reads the signed-in user's id from the webapp's store; null when there is none.
export function viewerId(state: unknown): string | null {
    const id = (state as {entities?: {users?: {currentUserId?: unknown}}} | undefined)?.entities?.users?.currentUserId;
    return typeof id === 'string' && id !== '' ? id : null;
}

// viewerLocale reads the signed-in user's language from the webapp's store; 'en' when unknown.
export function viewerLocale(state: unknown): string {
    const users = (state as {entities?: {users?: {currentUserId?: unknown; profiles?: Record<string, {locale?: unknown} | undefined>}}} | undefined)?.entities?.users;
    const id = users?.currentUserId;
    const locale = typeof id === 'string' ? users?.profiles?.[id]?.locale : undefined;
    return typeof locale === 'string' && locale !== '' ? locale : 'en';
}

// currentChannelId reads the channel the user is looking at from the webapp's store; null when none.
export function currentChannelId(state: unknown): string | null {
    const id = (state as {entities?: {channels?: {currentChannelId?: unknown}}} | undefined)?.entities?.channels?.currentChannelId;
    return typeof id === 'string' && id !== '' ? id : null;
}

// currentTeamId reads the team the user is looking at from the webapp's store; null when none.
export function currentTeamId(state: unknown): string | null {
    const id = (state as {entities?: {teams?: {currentTeamId?: unknown}}} | undefined)?.entities?.teams?.currentTeamId;
    return typeof id === 'string' && id !== '' ? id : null;
}
