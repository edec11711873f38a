/**
 * Runs the real Portkey AI gateway (`@portkey-ai/gateway` from npm, its published Node build) as a
 * child process on 127.0.0.1, for tests that put a team gateway in the chain.
 *
 * Why package.json pins `@hono/node-server` 1.14.1 under the gateway (`overrides`): from 1.14.2
 * on, that server's lightweight `Response` keeps the headers object of the `ResponseInit` it was
 * given (honojs/node-server#242). The gateway builds every streamed answer as
 * `new Response(readable, upstreamResponse)` (src/handlers/streamHandler.ts, the end of
 * `handleStreamingMode`), so the answer's headers are the upstream fetch response's own, which the
 * fetch spec makes immutable, and `ResponseService.updateHeaders` then throws `TypeError:
 * immutable` on its first `headers.append`: every streamed chat completion answers HTTP 500
 * "Something went wrong" (Portkey-AI/gateway#1389, and #1550 for /v1/responses; the fixes #1390 and
 * #1551 are not released). JSON answers escape it because the hooks step rebuilds them. Nothing a
 * client sends avoids that path, so the pin is the workaround; 1.14.1 also runs on Node 24 (it
 * warns once that it cannot find the `Response` state key and falls back).
 */

import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { closedPort } from './faultServer';

/** The last @hono/node-server release whose Response copies the headers it is given. */
const WORKING_HONO_NODE_SERVER = '1.14.1';

export interface PortkeyGateway {
  /** Base URL for OpenAI-style clients, e.g. http://127.0.0.1:PORT/v1 */
  readonly baseUrl: string;
  /** What the gateway printed (for failure messages). */
  output(): string;
  close(): Promise<void>;
}

/** The gateway's entry point (its package `bin`). */
export function portkeyEntryPoint(): string {
  return require.resolve('@portkey-ai/gateway/build/start-server.js');
}

/** The @hono/node-server version the gateway runs on (the one its own import resolves to). */
export function honoNodeServerVersion(): string {
  // Its package.json is not exported; find it beside the entry point the gateway imports.
  const entry = require.resolve('@hono/node-server', { paths: [path.dirname(portkeyEntryPoint())] });
  let dir = path.dirname(entry);
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

export async function startPortkeyGateway(): Promise<PortkeyGateway> {
  const hono = honoNodeServerVersion();
  if (hono !== WORKING_HONO_NODE_SERVER) {
    throw new Error(
      `The Portkey gateway runs on @hono/node-server ${hono}, whose streamed answers fail with "TypeError: immutable" (Portkey-AI/gateway#1389); package.json pins ${WORKING_HONO_NODE_SERVER} under "overrides": run npm ci.`,
    );
  }
  const port = await closedPort();
  const preload = path.join(__dirname, 'loopbackOnly.js');
  const child: ChildProcess = spawn(
    process.execPath,
    ['--require', preload, portkeyEntryPoint(), `--port=${port}`, '--headless'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', HOME: process.env.HOME ?? '' },
    },
  );
  let output = '';
  child.stdout?.on('data', (data: Buffer) => (output += data.toString()));
  child.stderr?.on('data', (data: Buffer) => (output += data.toString()));
  let exited = false;
  child.once('exit', () => (exited = true));

  const baseUrl = `http://127.0.0.1:${port}`;
  // Process start-up is real time: poll the gateway's greeting until it answers, for at most 20 s.
  const giveUpAt = Date.now() + 20_000;
  let ready = false;
  while (!ready && !exited && Date.now() < giveUpAt) {
    try {
      const response = await fetch(`${baseUrl}/`);
      ready = response.ok && (await response.text()).includes('AI Gateway');
    } catch {
      await new Promise<void>((resolve) => setTimeout(resolve, 50));
    }
  }
  if (!ready) {
    child.kill('SIGKILL');
    throw new Error(
      `The Portkey gateway did not become ready${exited ? ' (it exited)' : ' within 20 s'}:\n${output}`,
    );
  }

  return {
    baseUrl: `${baseUrl}/v1`,
    output: () => output,
    close: async () => {
      if (exited) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await gone;
    },
  };
}
