// Drives Toxiproxy (e2e/stack/toxiproxy.sh) through its HTTP API: a TCP proxy in front of a real
// Buildbot whose connections the fault tests slow, reset, starve or cut.
import {toxiproxyURL} from './env';

export type ToxicType = 'latency' | 'bandwidth' | 'timeout' | 'reset_peer' | 'limit_data' | 'slicer' | 'slow_close';

export interface Toxic {
    name: string;
    type: ToxicType;
    // downstream: what Buildbot sends the plugin; upstream: what the plugin sends Buildbot.
    stream: 'downstream' | 'upstream';
    attributes: Record<string, number>;
}

export interface ToxicProxy {
    name: string;
    // url is Buildbot's address through the proxy, with a trailing slash like the masters' URLs.
    url: string;
    addToxic: (toxic: Toxic) => Promise<void>;
    removeToxic: (name: string) => Promise<void>;
    // setEnabled(false) closes every connection through the proxy and refuses new ones.
    setEnabled: (enabled: boolean) => Promise<void>;
    // clear removes every toxic and enables the proxy again.
    clear: () => Promise<void>;
    remove: () => Promise<void>;
}

async function call(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${toxiproxyURL}${path}`, {
        method,
        headers: body === undefined ? {} : {'Content-Type': 'application/json'},
        body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) {
        throw new Error(`Toxiproxy ${method} ${path} answered ${response.status}: ${text}`);
    }
    return text === '' ? undefined : JSON.parse(text);
}

// toxicProxy puts a fresh Toxiproxy proxy in front of target (http://host:port/), listening on a
// free port of 127.0.0.1.
export async function toxicProxy(name: string, target: string): Promise<ToxicProxy> {
    const upstream = new URL(target);
    await call('DELETE', `/proxies/${name}`).catch(() => undefined);
    const created = await call('POST', '/proxies', {name, listen: '127.0.0.1:0', upstream: `${upstream.hostname}:${upstream.port}`, enabled: true}) as {listen: string};
    const toxics = new Set<string>();
    const proxy: ToxicProxy = {
        name,
        url: `http://${created.listen}/`,
        addToxic: async (toxic) => {
            await call('POST', `/proxies/${name}/toxics`, {...toxic, toxicity: 1});
            toxics.add(toxic.name);
        },
        removeToxic: async (toxic) => {
            await call('DELETE', `/proxies/${name}/toxics/${toxic}`);
            toxics.delete(toxic);
        },
        setEnabled: async (enabled) => {
            await call('POST', `/proxies/${name}`, {enabled});
        },
        clear: async () => {
            for (const toxic of [...toxics]) {
                await proxy.removeToxic(toxic);
            }
            await proxy.setEnabled(true);
        },
        remove: async () => {
            await call('DELETE', `/proxies/${name}`);
        },
    };
    return proxy;
}
