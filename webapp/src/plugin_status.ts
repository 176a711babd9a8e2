// PluginStatus is the plugin's status route as the System Console's check reads it: whether the
// settings are complete, what Buildbot answered, and whether Buildbot's events are followed.
export interface PluginStatus {
    configured: boolean;
    problems: Array<{setting: string; message: string}>;
    buildbot?: {url: string; reachable: boolean; version?: string; builders: Array<{active: boolean}>; error?: string};
    events?: {enabled: boolean; connected: boolean; since?: number; error?: string};
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';

// parsePluginStatus reads the route's answer; null when it is not one.
export function parsePluginStatus(v: unknown): PluginStatus | null {
    if (!isObject(v) || typeof v.configured !== 'boolean' || !Array.isArray(v.problems)) {
        return null;
    }
    const problems = v.problems.filter((p): p is {setting: string; message: string} => isObject(p) && isString(p.setting) && isString(p.message));
    const status: PluginStatus = {configured: v.configured, problems};
    const bb = v.buildbot;
    if (isObject(bb) && isString(bb.url) && typeof bb.reachable === 'boolean' && Array.isArray(bb.builders)) {
        status.buildbot = {
            url: bb.url,
            reachable: bb.reachable,
            version: isString(bb.version) && bb.version ? bb.version : undefined,
            builders: bb.builders.filter(isObject).map((b) => ({active: b.active === true})),
            error: isString(bb.error) && bb.error ? bb.error : undefined,
        };
    }
    const ev = v.events;
    if (isObject(ev) && typeof ev.enabled === 'boolean' && typeof ev.connected === 'boolean') {
        status.events = {
            enabled: ev.enabled,
            connected: ev.connected,
            since: typeof ev.since === 'number' && ev.since > 0 ? ev.since : undefined,
            error: isString(ev.error) && ev.error ? ev.error : undefined,
        };
    }
    return status;
}
