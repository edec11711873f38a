// A separate OS process holding its own FileSharedStore, driven by fileSharedStore.test.ts over
// IPC: `fork(thisFile, [directory, windowId])`, then messages `{ id, op, ... }` answered with
// `{ id, result }` or `{ id, error }`. Its first message is `{ ready: true, pid }`.
import { FileSharedStore } from '../../../src/extension/fileSharedStore';
import type { Logger } from '../../../src/core/types';

/** The record the tests store: a count; the base sums the counts of folded windows. */
export interface CountRecord {
  readonly count: number;
}
export interface SumBase {
  readonly total: number;
  readonly folded: readonly string[];
}

/** The fold the tests compact with: sums the gone windows' counts and lists their ids. */
export function sumFold(base: unknown, gone: ReadonlyMap<string, unknown>): SumBase {
  const previous = (base as SumBase | undefined) ?? { total: 0, folded: [] };
  let total = previous.total;
  for (const record of gone.values()) total += (record as CountRecord).count;
  return { total, folded: [...previous.folded, ...gone.keys()] };
}

/** A record whose content proves it arrived whole: `length` characters, all equal to `mark`. */
export function bulkyRecord(
  version: number,
  length: number,
): { version: number; length: number; body: string } {
  const mark = String.fromCharCode(97 + (version % 26));
  return { version, length, body: mark.repeat(length) };
}

export type WorkerRequest =
  | {
      readonly op: 'claimMany';
      readonly names: readonly string[];
      readonly ttlMs: number;
      /** Wall-clock time to start at, so that all processes start together. */
      readonly startAt?: number;
    }
  | { readonly op: 'write'; readonly record: unknown }
  | { readonly op: 'writeBulky'; readonly versions: number }
  | { readonly op: 'compact' }
  | { readonly op: 'claim'; readonly name: string; readonly ttlMs: number };

async function handle(store: FileSharedStore, request: WorkerRequest): Promise<unknown> {
  switch (request.op) {
    case 'claimMany': {
      // All at once, as a busy window would: exclusive creation must hold under real concurrency.
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, (request.startAt ?? 0) - Date.now())));
      const results = await Promise.all(request.names.map((name) => store.claim(name, request.ttlMs)));
      return request.names.filter((_, index) => results[index]);
    }
    case 'claim':
      return store.claim(request.name, request.ttlMs);
    case 'write':
      await store.writeOwn(request.record);
      return true;
    case 'writeBulky':
      for (let version = 1; version <= request.versions; version++) {
        await store.writeOwn(bulkyRecord(version, 1_000 + ((version * 7919) % 60_000)));
      }
      return true;
    case 'compact':
      await store.compact(sumFold);
      return true;
  }
}

function main(): void {
  const [directory, windowId] = process.argv.slice(2);
  const warnings: string[] = [];
  const logger: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: (message) => warnings.push(message),
    error: (message) => warnings.push(message),
  };
  const store = new FileSharedStore(directory, {
    logger,
    windowId: windowId || undefined,
    pollMs: 0,
    watch: false,
  });
  process.on('message', (message: WorkerRequest & { id: number; exit?: boolean }) => {
    if (message.exit) {
      store.dispose();
      process.exit(0);
    }
    handle(store, message).then(
      (result) => process.send!({ id: message.id, result, warnings }),
      (error: unknown) => process.send!({ id: message.id, error: String(error) }),
    );
  });
  // The test runner went away (or failed mid-test): do not linger.
  process.on('disconnect', () => process.exit(0));
  process.send!({ ready: true, pid: process.pid, windowId: store.windowId });
}

if (require.main === module) main();
