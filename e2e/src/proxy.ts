// A small reverse proxy for tests of a Buildbot that is not at the root of its host: it serves a
// real master under a sub-path and can demand a header or HTTP Basic on every request, as the
// proxies in front of many Buildbots do. It can also play a hung Buildbot: take some requests and
// never answer them, or a slow one: hold every request for a while. For the benchmarks it counts
// and can log what passes.
import http from 'node:http';
import net, {type AddressInfo} from 'node:net';
import type {Duplex} from 'node:stream';

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
    // record keeps a log of every HTTP request answered (never the WebSocket).
    record?: boolean;
}

// Passed is one HTTP request the proxy answered: its path below the prefix, when it came and
// when its answer ended (performance.now()), and the answer's body bytes.
export interface Passed {
    path: string;
    start: number;
    end: number;
    bytes: number;
}

export interface Proxy {
    url: string;
    requests: number;
    // delayMs holds each HTTP request that long before passing it on; it may change at any time.
    delayMs: number;
    log: Passed[];
    close: () => Promise<void>;
}

export async function startProxy(options: ProxyOptions): Promise<Proxy> {
    const target = new URL(options.target);
    const proxy: Proxy = {url: '', requests: 0, delayMs: 0, log: [], close: async () => undefined};
    const server = http.createServer(async (req, res) => {
        proxy.requests++;
        const start = performance.now();
        if (proxy.delayMs > 0) {
            req.pause();
            await new Promise((resolve) => setTimeout(resolve, proxy.delayMs));
        }
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
            if (options.record) {
                const passed: Passed = {path: rest, start, end: 0, bytes: 0};
                up.on('data', (chunk: Buffer) => {
                    passed.bytes += chunk.length;
                });
                up.on('end', () => {
                    passed.end = performance.now();
                    proxy.log.push(passed);
                });
            }
            up.pipe(res);
        });
        upstream.on('error', () => res.writeHead(502).end('bad gateway'));
        req.pipe(upstream);
    });
    // Buildbot's WebSocket passes through as it is: one request that upgrades, counted once. Its
    // sockets are the server's no more, so closing the proxy ends them by hand.
    const sockets = new Set<Duplex>();
    server.on('upgrade', (req: http.IncomingMessage, client: Duplex, head: Buffer) => {
        proxy.requests++;
        sockets.add(client);
        client.on('close', () => sockets.delete(client));
        const url = req.url ?? '/';
        const rest = url.slice(options.prefix.length);
        if (!url.startsWith(options.prefix) || (options.hangOn && rest.startsWith(options.hangOn))) {
            client.destroy();
            return;
        }
        const need = options.requireHeader;
        if (need && req.headers[need.name.toLowerCase()] !== need.value) {
            client.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
            return;
        }
        const upstream = net.connect(Number(target.port), target.hostname, () => {
            sockets.add(upstream);
            upstream.on('close', () => sockets.delete(upstream));
            const headers = Object.entries({...req.headers, host: target.host}).map(([k, v]) => `${k}: ${String(v)}`).join('\r\n');
            upstream.write(`${req.method ?? 'GET'} /${rest} HTTP/1.1\r\n${headers}\r\n\r\n`);
            upstream.write(head);
            upstream.pipe(client);
            client.pipe(upstream);
        });
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
    const {port} = server.address() as AddressInfo;
    proxy.url = `http://127.0.0.1:${port}${options.prefix}`;
    proxy.close = () => new Promise((resolve) => {
        server.close(() => resolve());
        // The plugin keeps connections alive; waiting for them to idle out would take seconds.
        server.closeAllConnections();
        for (const socket of sockets) {
            socket.destroy();
        }
    });
    return proxy;
}
