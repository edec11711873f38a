// Helpers for the FileSharedStore tests: other OS processes with their own store (see
// fileSharedStore.worker.ts), a temp directory, a logger that keeps warnings, and waiting for a
// condition with a deadline (the tests never sleep for a fixed time).
import * as assert from 'assert';
import { fork, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Logger } from '../../../src/core/types';
import type { WorkerRequest } from './fileSharedStore.worker';

const WORKER = path.join(__dirname, 'fileSharedStore.worker.js');
const running = new Set<ChildProcess>();

/** Ends every store process a test left running (a failed test skips its own cleanup). */
export function killLeftoverProcesses(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/** Another window: a child process with its own store on the same directory. */
export class StoreProcess {
  private nextId = 0;
  private readonly pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly pid: number,
    readonly windowId: string,
  ) {
    running.add(child);
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        running.delete(child);
        resolve();
      }),
    );
    child.on('message', (message: { id: number; result?: unknown; error?: string }) => {
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.error !== undefined) waiter.reject(new Error(`worker ${pid}: ${message.error}`));
      else waiter.resolve(message.result);
    });
  }

  static start(directory: string, windowId = ''): Promise<StoreProcess> {
    const child = fork(WORKER, [directory, windowId], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready`)));
      child.once('message', (message: { ready: boolean; pid: number; windowId: string }) =>
        resolve(new StoreProcess(child, message.pid, message.windowId)),
      );
    });
  }

  request<T>(request: WorkerRequest): Promise<T> {
    const id = ++this.nextId;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child.send({ ...request, id });
    });
  }

  /** Ends the process and waits until it is gone (reaped, so its pid no longer answers). */
  async exit(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.send({ exit: true });
    await this.exited;
  }
}

/** Starts `count` store processes on `directory` at once. */
export function startProcesses(directory: string, count: number): Promise<StoreProcess[]> {
  return Promise.all(Array.from({ length: count }, () => StoreProcess.start(directory)));
}

export function tempDirectory(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'llm-manager-shared-'));
}

export interface RecordingLogger extends Logger {
  readonly warnings: string[];
}

export function recordingLogger(): RecordingLogger {
  const warnings: string[] = [];
  return {
    warnings,
    debug: () => undefined,
    info: () => undefined,
    warn: (message) => warnings.push(message),
    error: (message) => warnings.push(message),
  };
}

/** Waits until `condition` holds, checking every 5 ms; fails with `what` after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) assert.fail(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
