/**
 * Test helpers around the fault-injecting upstream (src/demo/faultUpstream.ts): a mocha hook that
 * runs one upstream per suite, an in-memory secret source, a clock that remembers what it was asked
 * to wait for, and polling that waits for real events without sleeping.
 */

import * as net from 'node:net';
import {
  startFaultUpstream,
  type FaultUpstream,
  type FaultUpstreamOptions,
} from '../../src/demo/faultUpstream';
import type { SecretSource } from '../../src/providers';
import { FakeClock } from './fakeClock';

export * from '../../src/demo/faultUpstream';

/**
 * Starts one upstream before the suite and closes it after; counters reset before each test.
 * Returns a getter because the upstream exists only once `before` has run.
 */
export function useFaultUpstream(options: FaultUpstreamOptions = {}): () => FaultUpstream {
  let upstream: FaultUpstream | undefined;
  before(async () => {
    upstream = await startFaultUpstream(options);
  });
  beforeEach(() => upstream?.resetStats());
  after(async () => {
    await upstream?.close();
  });
  return () => {
    if (!upstream) throw new Error('The fault upstream is not running (use it inside a test).');
    return upstream;
  };
}

/** A key planted to prove keys never leak: distinctive enough to search for anywhere. */
export const PLANTED_KEY = 'sk-planted-9f8e7d6c5b4a39281706-DO-NOT-LEAK';

/** Secret source over a map; records which key ids were asked for. */
export class MemorySecrets implements SecretSource {
  readonly asked: string[] = [];
  constructor(private readonly keys: Readonly<Record<string, string>> = {}) {}

  async getKey(keyId: string): Promise<string | undefined> {
    this.asked.push(keyId);
    return this.keys[keyId];
  }
}

/** A fake clock that also records every delay it was asked to wait, so tests can see a backoff start. */
export class RecordingClock extends FakeClock {
  readonly delays: number[] = [];

  override setTimeout(callback: () => void, ms: number): { dispose(): void } {
    this.delays.push(ms);
    return super.setTimeout(callback, ms);
  }
}

/**
 * Waits until `condition` holds, checking after each turn of the event loop (so real I/O such as
 * HTTP answers can arrive). Never sleeps; the deadline only turns a stuck test into a clear failure.
 */
export async function waitUntil(condition: () => boolean, what: string, deadlineMs = 5_000): Promise<void> {
  const giveUpAt = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > giveUpAt) throw new Error(`Timed out waiting until ${what}.`);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** A port on 127.0.0.1 that nothing listens on (for "connection refused"). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Mocha hook: fails the test if a promise rejection goes unhandled while it runs. */
export function failOnUnhandledRejections(): () => readonly unknown[] {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => seen.push(reason);
  beforeEach(() => {
    seen.length = 0;
    process.on('unhandledRejection', listener);
  });
  afterEach(() => {
    process.off('unhandledRejection', listener);
    if (seen.length > 0) throw new Error(`Unhandled rejection(s): ${seen.map(String).join('; ')}`);
  });
  return () => seen;
}
