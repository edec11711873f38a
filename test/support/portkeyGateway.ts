/**
 * Runs the real Portkey AI gateway (`@portkey-ai/gateway` from npm, its published Node build) as a
 * child process on 127.0.0.1, for tests that put a team gateway in the chain.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { closedPort } from './faultServer';

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

export async function startPortkeyGateway(): Promise<PortkeyGateway> {
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
