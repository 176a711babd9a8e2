// A small reverse proxy for tests of a Buildbot that is not at the root of its host: it serves a
// real master under a sub-path and can demand a header or HTTP Basic on every request, as the
// proxies in front of many Buildbots do. It can also play a hung Buildbot: take some requests and
// never answer them, or a slow one: hold every request for a while. For the benchmarks it counts
// and can log what passes. For the fault tests it answers in ways a TCP proxy cannot make Buildbot
// answer: an HTTP error, a body cut short, a page that is not JSON, a body far too big.
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
    // hangOn: requests below prefix starting with it are read and never answered ('' hangs all).
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

// Fault is how the proxy answers every HTTP request under the prefix instead of passing it on.
export type Fault =
    | {kind: 'status'; status: number}
    // Buildbot's real answer, with its full length announced and the connection closed halfway.
    | {kind: 'truncated'}
    | {kind: 'not-json'}
    | {kind: 'huge'; bytes: number};

export const catalogReads = new Set(['api/v2/builders', 'api/v2/forceschedulers', 'api/v2/projects', 'api/v2/builds', 'api/v2/sourcestamps']);

// isCatalogRead says whether a request is one of a catalog refresh's: the tracker reads builds
// too, but by request id, never newest first.
export function isCatalogRead(p: Passed): boolean {
    const [name = '', query = ''] = p.path.split('?');
    return catalogReads.has(name) && (name !== 'api/v2/builds' || new URLSearchParams(query).get('order') === '-buildid');
}

export interface Proxy {
    url: string;
    requests: number;
    // delayMs holds each HTTP request that long before passing it on; it may change at any time.
    delayMs: number;
    // fault, while set, answers every HTTP request; a WebSocket is refused under a status fault.
    fault?: Fault;
    // hangOn starts as the option's and may change at any time: a master that hangs mid-run.
    hangOn?: string;
    // hugeReplies: for each reply of a huge fault, the bytes the kernel took from the responder
    // before the client closed the connection (what the client read, plus the sockets' buffers).
    hugeReplies: number[];
    log: Passed[];
    close: () => Promise<void>;
}

export async function startProxy(options: ProxyOptions): Promise<Proxy> {
    const target = new URL(options.target);
    const proxy: Proxy = {url: '', requests: 0, delayMs: 0, hangOn: options.hangOn, hugeReplies: [], log: [], close: async () => undefined};
    const hangs = (rest: string): boolean => proxy.hangOn !== undefined && rest.startsWith(proxy.hangOn);
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
        if (hangs(rest)) {
            return;
        }
        if (proxy.fault && proxy.fault.kind !== 'truncated') {
            answerFault(proxy.fault, res, (bytes) => proxy.hugeReplies.push(bytes));
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
            if (proxy.fault?.kind === 'truncated') {
                truncate(up, res);
                return;
            }
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
        if (!url.startsWith(options.prefix) || hangs(rest)) {
            client.destroy();
            return;
        }
        if (proxy.fault?.kind === 'status') {
            client.end(`HTTP/1.1 ${proxy.fault.status} Fault\r\nContent-Length: 0\r\n\r\n`);
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

// answerFault answers one request as the fault says; sent hears how much of a huge reply went out.
function answerFault(fault: Fault, res: http.ServerResponse, sent: (bytes: number) => void): void {
    switch (fault.kind) {
    case 'status':
        res.writeHead(fault.status, {'Content-Type': 'text/plain'}).end(`fault: HTTP ${fault.status}`);
        return;
    case 'not-json':
        res.writeHead(200, {'Content-Type': 'text/html'}).end('<html><body><h1>Please sign in</h1></body></html>');
        return;
    case 'huge': {
        // Valid JSON so far, and never-ending as far as a reader with a cap can tell.
        res.writeHead(200, {'Content-Type': 'application/json'});
        res.write('{"builds": [');
        const chunk = Buffer.alloc(1 << 20, ' ');
        let left = fault.bytes;
        // A write's callback runs once the kernel has taken the chunk, so flushed never counts
        // what only waits in Node's own buffer.
        let flushed = 0;
        const more = (): void => {
            while (left > 0) {
                left -= chunk.length;
                const written = res.write(chunk, (err) => {
                    flushed += err ? 0 : chunk.length;
                });
                if (!written) {
                    res.once('drain', more);
                    return;
                }
            }
            res.end(']}');
        };
        res.on('close', () => {
            left = 0;
            sent(flushed);
        });
        more();
        return;
    }
    case 'truncated':
        return;
    }
}

// truncate reads Buildbot's whole answer, announces its length and sends half of it.
function truncate(up: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    up.on('data', (chunk: Buffer) => chunks.push(chunk));
    up.on('end', () => {
        const body = Buffer.concat(chunks);
        const headers = {...up.headers, 'content-length': String(body.length)};
        delete headers['transfer-encoding'];
        res.writeHead(up.statusCode ?? 200, headers);
        res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.destroy());
    });
}
