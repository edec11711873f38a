/**
 * A lock between processes made of a directory: taking it renames a prepared directory (holding
 * `owner.json`) to the lock's name, which succeeds for exactly one process while the lock exists.
 * A lock whose owner is gone (its process no longer runs on this host) or that is older than
 * {@link STALE_LOCK_MS} is broken — under a second, short-lived lock, and only if it is still the
 * very lock that was judged stale, so two breakers can never remove a fresh lock between them.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import type { Logger } from '../core/types';
import { delay, errorCode, readFileText, uniqueSuffix } from './fileSharedStoreFiles';

/** A lock is held for milliseconds; one this old belongs to a process that hung or crashed. */
export const STALE_LOCK_MS = 30_000;
const OWNER_FILE = 'owner.json';

/** Who a process is, as far as telling whether it still runs goes. */
export interface HostIdentity {
  readonly windowId: string;
  readonly pid: number;
  readonly hostname: string;
}

interface LockOwner extends HostIdentity {
  /** Random per acquisition: tells this lock from a later one of the same process. */
  readonly token: string;
  readonly at: number;
}

/** Whether the process `pid` on `hostname` is known to have ended (undefined: cannot tell). */
export function processGone(
  owner: { hostname: string; pid: number },
  localHostname: string,
): boolean | undefined {
  if (owner.hostname !== localHostname) return undefined;
  // 0 and negative pids address process groups, not a process.
  if (!Number.isInteger(owner.pid) || owner.pid <= 0) return true;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    // EPERM: it runs, under another user.
    return errorCode(error) === 'ESRCH';
  }
}

/** A held lock. */
export interface HeldLock {
  /** Whether the lock is still this one (nobody broke it as stale meanwhile). */
  stillHeld(): Promise<boolean>;
  release(): Promise<void>;
}

export class DirectoryLock {
  /** Settles when the last caller of this process that queued for the lock is done with it. */
  private localTail: Promise<void> = Promise.resolve();

  constructor(
    private readonly directory: string,
    private readonly identity: HostIdentity,
    private readonly now: () => number,
    private readonly logger: Logger,
  ) {}

  /**
   * Takes the lock, waiting up to `timeoutMs` for another holder; undefined when it stayed busy.
   * Callers in this process queue for their turn first, so the processes contend one caller each.
   */
  async acquire(timeoutMs: number): Promise<HeldLock | undefined> {
    const deadline = Date.now() + timeoutMs;
    const previous = this.localTail;
    let endTurn!: () => void;
    this.localTail = new Promise((resolve) => (endTurn = resolve));
    if (!(await settlesWithin(previous, timeoutMs))) {
      // Hand the turn on once the callers before us are done.
      void previous.then(endTurn);
      return undefined;
    }
    const token = await this.acquireAcrossProcesses(deadline).catch((error: unknown) => {
      endTurn();
      throw error;
    });
    if (!token) {
      endTurn();
      return undefined;
    }
    const held = this.held(token);
    return {
      stillHeld: held.stillHeld,
      release: () => held.release().finally(endTurn),
    };
  }

  private async acquireAcrossProcesses(deadline: number): Promise<string | undefined> {
    for (;;) {
      const holder = await this.readOwner(this.directory);
      if (holder.kind === 'missing') {
        const token = await this.tryTake(this.directory);
        if (token) return token;
      } else if (this.isStale(holder)) {
        await this.breakStale(holder.kind === 'owned' ? holder.owner.token : undefined);
        continue;
      }
      if (Date.now() >= deadline) return undefined;
      await delay(1 + Math.floor(Math.random() * 8));
    }
  }

  private held(token: string): HeldLock {
    return {
      stillHeld: async () => {
        const holder = await this.readOwner(this.directory);
        return holder.kind === 'owned' && holder.owner.token === token;
      },
      release: async () => {
        const holder = await this.readOwner(this.directory);
        if (holder.kind !== 'owned' || holder.owner.token !== token) {
          this.logger.warn(
            `The shared state's lock was taken from this window as stale before it let go of it.`,
          );
          return;
        }
        await removeDirectory(this.directory, 'released');
      },
    };
  }

  /** One attempt: the token of the new lock, or undefined when `target` exists. */
  private async tryTake(target: string): Promise<string | undefined> {
    const owner: LockOwner = { ...this.identity, token: randomBytes(8).toString('hex'), at: this.now() };
    const prepared = `${target}.${uniqueSuffix()}.tmp`;
    await fsp.mkdir(prepared);
    try {
      await fsp.writeFile(`${prepared}/${OWNER_FILE}`, JSON.stringify(owner));
      // Renaming a directory onto an existing, non-empty one fails (ENOTEMPTY/EEXIST; EPERM on Windows).
      await fsp.rename(prepared, target);
      return owner.token;
    } catch (error) {
      if (!['ENOTEMPTY', 'EEXIST', 'EPERM', 'EACCES', 'EBUSY'].includes(errorCode(error) ?? '')) throw error;
      return undefined;
    } finally {
      await fsp.rm(prepared, { recursive: true, force: true });
    }
  }

  private async readOwner(
    target: string,
  ): Promise<{ kind: 'missing' } | { kind: 'owned'; owner: LockOwner } | { kind: 'unknown'; since: number }> {
    const read = await readFileText(`${target}/${OWNER_FILE}`);
    if (read.kind === 'ok') {
      try {
        const owner = JSON.parse(read.text) as LockOwner;
        if (typeof owner.token === 'string' && typeof owner.at === 'number') return { kind: 'owned', owner };
      } catch {
        // Falls through: a lock directory we cannot read is judged by its age.
      }
    }
    try {
      return { kind: 'unknown', since: (await fsp.stat(target)).mtimeMs };
    } catch {
      return { kind: 'missing' };
    }
  }

  private isStale(holder: { kind: 'owned'; owner: LockOwner } | { kind: 'unknown'; since: number }): boolean {
    if (holder.kind === 'unknown') return Date.now() - holder.since > STALE_LOCK_MS;
    const { owner } = holder;
    return processGone(owner, this.identity.hostname) === true || this.now() - owner.at > STALE_LOCK_MS;
  }

  /**
   * Removes the lock judged stale (`token`), under the break lock, and only if the lock is still
   * that one. A break lock left by a breaker that crashed is itself removed once stale.
   */
  private async breakStale(token: string | undefined): Promise<void> {
    const breakDirectory = `${this.directory}.break`;
    const breakToken = await this.tryTake(breakDirectory);
    if (!breakToken) {
      const breaker = await this.readOwner(breakDirectory);
      if (breaker.kind !== 'missing' && this.isStale(breaker)) {
        await removeDirectory(breakDirectory, 'stale');
      }
      await delay(2 + Math.floor(Math.random() * 10));
      return;
    }
    try {
      const holder = await this.readOwner(this.directory);
      const same = holder.kind === 'owned' ? holder.owner.token === token : token === undefined;
      if (holder.kind !== 'missing' && same) {
        this.logger.warn(
          `Broke the shared state's lock left by ${holder.kind === 'owned' ? `process ${holder.owner.pid} on ${holder.owner.hostname}` : 'an unknown process'}, which is gone or hung.`,
        );
        await removeDirectory(this.directory, 'stale');
      }
    } finally {
      await removeDirectory(breakDirectory, 'released');
    }
  }
}

async function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** Renames a lock directory away in one step (so it vanishes atomically), then deletes it. */
async function removeDirectory(directory: string, why: 'released' | 'stale'): Promise<void> {
  const aside = `${directory}.${why}-${uniqueSuffix()}`;
  try {
    await fsp.rename(directory, aside);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return;
    throw error;
  }
  await fsp.rm(aside, { recursive: true, force: true });
}
