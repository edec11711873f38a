/**
 * A small HTTP proxy for the tests, on loopback only: it answers CONNECT (what VS Code's patched
 * `fetch` sends for every proxied request, http or https) and absolute-form requests (what Node's
 * `http` module sends through a proxy). It resolves the names under {@link PROXY_ONLY_DOMAIN} to
 * 127.0.0.1 itself: nothing else resolves them, so a request that names one and arrives proves it
 * went through the proxy (VS Code never proxies `localhost` or `127.0.0.1`). It records what it
 * relayed; `GET /__relayed` (sent to the proxy directly) returns that list as JSON.
 */

import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as net from 'node:net';

/** Hosts under this domain exist only behind the proxy (`.test` is reserved, RFC 2606). */
export const PROXY_ONLY_DOMAIN = 'llm-manager.test';

export interface ConnectProxy {
  /** `http://127.0.0.1:PORT`, the value for `http.proxy` or HTTPS_PROXY. */
  readonly url: string;
  readonly port: number;
  /** `host:port` targets relayed, in order (`CONNECT` and absolute-form alike). */
  readonly relayed: readonly string[];
  close(): Promise<void>;
}

/** `http://NAME.llm-manager.test:PORT`: a URL only the proxy can reach (it leads to 127.0.0.1:PORT). */
export function proxyOnlyUrl(name: string, port: number, scheme = 'http'): string {
  return `${scheme}://${name}.${PROXY_ONLY_DOMAIN}:${port}`;
}

function resolve(host: string): string | undefined {
  if (host === PROXY_ONLY_DOMAIN || host.endsWith(`.${PROXY_ONLY_DOMAIN}`)) return '127.0.0.1';
  if (host === '127.0.0.1' || host === 'localhost') return '127.0.0.1';
  return undefined;
}

export async function startConnectProxy(port = 0): Promise<ConnectProxy> {
  const relayed: string[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    if (req.url === '/__relayed') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(relayed));
      return;
    }
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end();
      return;
    }
    const address = resolve(target.hostname);
    if (!address) {
      res.writeHead(502).end('unknown host');
      return;
    }
    relayed.push(target.host);
    const upstream = http.request(
      {
        host: address,
        port: target.port || 80,
        path: `${target.pathname}${target.search}`,
        method: req.method,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const [host, targetPort] = (req.url ?? '').split(':');
    const address = resolve(host);
    if (!address || !targetPort) {
      client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      return;
    }
    relayed.push(`${host}:${targetPort}`);
    const upstream = net.connect(Number(targetPort), address, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.once('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    relayed,
    close: () =>
      new Promise<void>((done) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => done());
      }),
  };
}
