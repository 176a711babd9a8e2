// OwnBuilds is which of the user's own chat-started builds end in a direct message.
export type OwnBuilds = 'off' | 'failures' | 'always';

// MeSettings is what the plugin's page in Mattermost's settings shows and changes: the settings for
// direct messages about builds, and the address of the user's commits and whether it is matched.
export interface MeSettings {
    ownBuilds: OwnBuilds;
    breaks: boolean;
    email: string;
    matched: boolean;
}

const isOwnBuilds = (v: unknown): v is OwnBuilds => v === 'off' || v === 'failures' || v === 'always';

// parseMeSettings reads the server's answer; null when it is not one.
export function parseMeSettings(v: unknown): MeSettings | null {
    if (typeof v !== 'object' || v === null) {
        return null;
    }
    const o = v as Record<string, unknown>;
    if (!isOwnBuilds(o.own_builds) || typeof o.breaks !== 'boolean' || typeof o.email !== 'string' || typeof o.matched !== 'boolean') {
        return null;
    }
    return {ownBuilds: o.own_builds, breaks: o.breaks, email: o.email, matched: o.matched};
}
