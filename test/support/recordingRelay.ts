/**
 * A loopback HTTP server that records every request it receives, header values included, and
 * either relays it to a target (to see exactly what a client sent to a real upstream) or answers
 * 404 (a trap: a server that must never be reached). Test-only: it keeps secrets in memory on
 * purpose, to prove where they went.
 */

import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface RecordingRelay {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  readonly requests: readonly RecordedRequest[];
  /** Whether `text` appears anywhere in a recorded request (line, headers, body). */
  saw(text: string): boolean;
  close(): Promise<void>;
}

/** A request for this path answers the list of recorded requests (for a test in another process). */
export const RECORDED_PATH = '/__recorded';

/** Starts the server on 127.0.0.1; with `target` (`http://host:port`) it relays to it. */
export async function startRecordingRelay(target?: string): Promise<RecordingRelay> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    if (req.url === RECORDED_PATH) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(requests));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers))
        headers[name] = Array.isArray(value) ? value.join(', ') : (value ?? '');
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers, body: body.toString('utf8') });
      if (!target) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"error":{"message":"nothing here","type":"not_found"}}');
        return;
      }
      const upstream = http.request(
        new URL(req.url ?? '/', target),
        { method: req.method, headers: { ...req.headers, host: new URL(target).host } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    saw: (text) =>
      requests.some(
        (r) =>
          r.url.includes(text) ||
          r.body.includes(text) ||
          Object.values(r.headers).some((v) => v.includes(text)),
      ),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
