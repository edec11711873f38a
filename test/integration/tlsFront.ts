/**
 * An HTTPS front for the fault upstream, on loopback: it terminates TLS with a certificate signed
 * by the run's test CA (made with openssl before the server starts, see scripts/testCertificates.mjs)
 * and relays the bytes to a plain port. The certificate names `*.llm-manager.test` and 127.0.0.1.
 */

import * as fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as net from 'node:net';
import * as tls from 'node:tls';

export interface TlsFront {
  readonly port: number;
  close(): Promise<void>;
}

/** Paths the driver passes in the environment (LLM_MANAGER_TEST_TLS_KEY / _CERT). */
export function testCertificateFiles(): { key: string; cert: string } {
  const key = process.env.LLM_MANAGER_TEST_TLS_KEY;
  const cert = process.env.LLM_MANAGER_TEST_TLS_CERT;
  if (!key || !cert)
    throw new Error(
      'No test certificate: the driver sets LLM_MANAGER_TEST_TLS_KEY and LLM_MANAGER_TEST_TLS_CERT.',
    );
  return { key, cert };
}

export async function startTlsFront(targetPort: number): Promise<TlsFront> {
  const files = testCertificateFiles();
  const sockets = new Set<net.Socket>();
  const server = tls.createServer(
    { key: fs.readFileSync(files.key), cert: fs.readFileSync(files.cert) },
    (client) => {
      const upstream = net.connect(targetPort, '127.0.0.1');
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
      }
      client.pipe(upstream);
      upstream.pipe(client);
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    },
  );
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((done) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => done());
      }),
  };
}
