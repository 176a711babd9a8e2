// A small reverse proxy for tests of a Buildbot that is not at the root of its host: it serves a
// real master under a sub-path and can demand a header or HTTP Basic on every request, as the
// proxies in front of many Buildbots do. It can also play a hung Buildbot: take some requests and
// never answer them.
import http from 'node:http';
import type {AddressInfo} from 'node:net';

export interface ProxyOptions {
    target: string;
    prefix: string;
    requireHeader?: {name: string; value: string};
    // openPaths are below prefix and need no header: the change hook behind a proxy that checks
    // every other request, as many do.
    openPaths?: string[];
    // hangOn: requests below prefix starting with it are read and never answered.
    hangOn?: string;
    // port to listen on: a proxy started again where a stopped one was. Any free port by default.
    port?: number;
}

export interface Proxy {
    url: string;
    requests: number;
    close: () => Promise<void>;
}

export async function startProxy(options: ProxyOptions): Promise<Proxy> {
    const target = new URL(options.target);
    const proxy: Proxy = {url: '', requests: 0, close: async () => undefined};
    const server = http.createServer((req, res) => {
        proxy.requests++;
        const url = req.url ?? '/';
        if (!url.startsWith(options.prefix)) {
            res.writeHead(404).end('not under the proxied prefix');
            return;
        }
        const rest = url.slice(options.prefix.length);
        if (options.hangOn && rest.startsWith(options.hangOn)) {
            return;
        }
        const need = options.requireHeader;
        const open = options.openPaths?.some((p) => rest.startsWith(p)) ?? false;
        if (need && !open && req.headers[need.name.toLowerCase()] !== need.value) {
            res.writeHead(401, {'WWW-Authenticate': 'Basic realm="proxy"'}).end('the proxy wants credentials');
            return;
        }
        const upstream = http.request({
            host: target.hostname,
            port: target.port,
            method: req.method,
            path: '/' + rest,
            headers: {...req.headers, host: target.host},
        }, (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
        });
        upstream.on('error', () => res.writeHead(502).end('bad gateway'));
        req.pipe(upstream);
    });
    await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
    const {port} = server.address() as AddressInfo;
    proxy.url = `http://127.0.0.1:${port}${options.prefix}`;
    proxy.close = () => new Promise((resolve) => {
        server.close(() => resolve());
        // The plugin keeps connections alive; waiting for them to idle out would take seconds.
        server.closeAllConnections();
    });
    return proxy;
}
