/**
 * The {@link SharedStore} of the extension: files in VS Code's global storage folder, which every
 * window's extension host on this machine sees (desktop and the server build alike).
 *
 *   windows/<windowId>.json   each window's own record, replaced atomically (temp file + rename)
 *   base.json                 records of windows that are gone, folded together; changed only under the lock
 *   claims/<name>-<hash>.json one-time actions: created exclusively (`open(…, 'wx')`)
 *   lock/                     the lock (see fileSharedStoreLock.ts)
 *
 * Why files and not globalState: globalState has no change event, the web build copies it between
 * windows wholesale (the last writer wins), and it cannot create atomically or lock. Plain Node,
 * no `vscode`, so it is unit-tested with real processes.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { promises as fsp, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Event, IDisposable } from '../core/lifecycle';
import { foldedIdsOf, type SharedRecords, type SharedStore } from '../core/sharedStore';
import type { Logger } from '../core/types';
import { SharedFiles, type WindowFile } from './fileSharedStoreFormat';
import { claimFileName, readClaim, type ClaimState } from './fileSharedStoreFormat';
import {
  createExclusively,
  errorCode,
  isTempName,
  listNames,
  writeFileAtomically,
} from './fileSharedStoreFiles';
import { DirectoryLock, processGone, type HostIdentity, type HeldLock } from './fileSharedStoreLock';
import { ChangeWatcher } from './fileSharedStoreWatch';

export interface FileSharedStoreOptions {
  readonly logger: Logger;
  /** Default: hostname, pid and random bits. Letters, digits, `.`, `_` and `-` only. */
  readonly windowId?: string;
  /** How often to look for other windows' writes that `fs.watch` missed (default 1000 ms; 0: never). */
  readonly pollMs?: number;
  /** Whether to use `fs.watch` (default true); without it only the poll notices changes. */
  readonly watch?: boolean;
  /** Wall clock for `writtenAt` and claim expiry. */
  readonly now?: () => number;
}

/** A window on another host that has not written for this long is taken to be gone. */
export const OTHER_HOST_GONE_AFTER_MS = 30 * 24 * 60 * 60 * 1000;
/** How long claims and compaction wait for the lock before giving up for now. */
const LOCK_WAIT_MS = 5_000;
/** Expired claims are removed by compaction once they have been expired this long. */
const EXPIRED_CLAIM_KEPT_MS = 60_000;
/** Leftovers of a process that crashed mid-write (temp files, lock directories) older than this go. */
const LEFTOVER_MS = 60 * 60 * 1000;
/**
 * A claim held until released outlives its window (it records a decision, such as "this period's
 * budget alert was shown"); once its window is gone it is removed after this long, which is more
 * than any budget period.
 */
export const PERMANENT_CLAIM_KEPT_MS = 62 * 24 * 60 * 60 * 1000;
const WINDOW_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * A shared store over files in `directory`. Several instances (one per window, in several
 * processes) may use one directory at once: nothing is ever read-modified-written without the
 * lock, so no update is lost. A claim with a time to live is free as soon as its window's process
 * is gone; one held until released (`ttlMs` 0) stays, see {@link PERMANENT_CLAIM_KEPT_MS}.
 */
export class FileSharedStore implements SharedStore, IDisposable {
  readonly windowId: string;
  readonly onDidChange: Event<void>;
  private readonly identity: HostIdentity;
  private readonly files: SharedFiles;
  private readonly lock: DirectoryLock;
  private readonly watcher: ChangeWatcher;
  private readonly now: () => number;
  private readonly logger: Logger;
  /** Own writes in call order: a later writeOwn never lands before an earlier one. */
  private ownWrites: Promise<unknown> = Promise.resolve();
  private warnedLarge = false;

  constructor(
    readonly directory: string,
    options: FileSharedStoreOptions,
  ) {
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
    const hostname = os.hostname();
    this.windowId = options.windowId ?? defaultWindowId(hostname);
    if (!WINDOW_ID_PATTERN.test(this.windowId)) throw new Error(`Invalid window id "${this.windowId}".`);
    this.identity = { windowId: this.windowId, pid: process.pid, hostname };
    this.files = new SharedFiles(directory, this.logger, this.now);
    // The only synchronous disk work: the folders must exist before they can be watched.
    for (const folder of [this.files.windowsDir, this.files.claimsDir])
      mkdirSync(folder, { recursive: true });
    this.lock = new DirectoryLock(path.join(directory, 'lock'), this.identity, this.now, this.logger);
    const ownName = path.basename(this.files.windowPath(this.windowId));
    this.watcher = new ChangeWatcher({
      directories: [directory, this.files.windowsDir, this.files.claimsDir],
      scan: () => this.files.signatures(),
      ignoreName: (name) => isTempName(name) || name === ownName || name.startsWith('lock'),
      pollMs: options.pollMs ?? 1_000,
      watch: options.watch ?? true,
      logger: this.logger,
    });
    this.onDidChange = this.watcher.onDidChange;
  }

  async read(): Promise<SharedRecords> {
    try {
      // Windows first, then the base: a window folded in between is then in the base we read, and
      // its id in `folded` makes us skip its record; the other order could miss it for a moment.
      const windows = await this.files.readWindows();
      const base = await this.files.readBase(false);
      const folded = foldedIdsOf(base);
      return {
        base,
        windows: new Map(
          [...windows].filter(([id]) => !folded.has(id)).map(([id, file]) => [id, file.record]),
        ),
      };
    } catch (error) {
      this.logger.warn(`Could not read the state shared between windows: ${String(error)}`);
      return { base: undefined, windows: new Map() };
    }
  }

  writeOwn(record: unknown): Promise<void> {
    const text = JSON.stringify({
      format: 1,
      windowId: this.windowId,
      pid: this.identity.pid,
      hostname: this.identity.hostname,
      writtenAt: this.now(),
      record: record ?? null,
    });
    if (text.length > 256 * 1024 && !this.warnedLarge) {
      this.warnedLarge = true;
      this.logger.warn(
        `This window's shared record is ${Math.round(text.length / 1024)} KB; it should stay small.`,
      );
    }
    const file = this.files.windowPath(this.windowId);
    const write = this.ownWrites.then(() =>
      writeFileAtomically(file, text, (signature) => this.watcher.noteOwn(file, signature)),
    );
    this.ownWrites = write.catch(() => undefined);
    return write;
  }

  async claim(name: string, ttlMs: number): Promise<boolean> {
    const file = path.join(this.files.claimsDir, claimFileName(name));
    const content = () =>
      JSON.stringify({
        format: 1,
        name,
        owner: this.windowId,
        pid: this.identity.pid,
        hostname: this.identity.hostname,
        expiresAt: ttlMs > 0 ? this.now() + ttlMs : null,
      });
    try {
      if (await this.createClaim(file, content())) return true;
      const held = await readClaim(file);
      if (held.kind === 'missing') return await this.createClaim(file, content());
      if (held.kind === 'held' && held.claim.owner === this.windowId && !this.expired(held)) {
        // Ours: extend it, under the lock, so it cannot expire and be taken over while we rewrite it.
        await this.underLock(async () => {
          const again = await readClaim(file);
          if (again.kind === 'held' && again.claim.owner === this.windowId && !this.expired(again)) {
            await writeFileAtomically(file, content(), (signature) => this.watcher.noteOwn(file, signature));
          }
        });
        return true;
      }
      if (!this.expired(held)) return false;
      // Expired (or its window is gone): only under the lock, and only if it is still that claim.
      return (
        (await this.underLock(async () => {
          const again = await readClaim(file);
          if (again.kind !== 'missing') {
            if (!this.expired(again) || again.signature !== held.signature) return false;
            this.watcher.noteOwn(file, undefined);
            await fsp.rm(file, { force: true });
          }
          return this.createClaim(file, content());
        })) ?? false
      );
    } catch (error) {
      this.logger.warn(`Could not take the shared claim "${name}": ${String(error)}`);
      return false;
    }
  }

  async release(name: string): Promise<void> {
    const file = path.join(this.files.claimsDir, claimFileName(name));
    try {
      const held = await readClaim(file);
      if (held.kind !== 'held' || held.claim.owner !== this.windowId) return;
      await this.underLock(async () => {
        const again = await readClaim(file);
        if (again.kind !== 'held' || again.claim.owner !== this.windowId) return;
        this.watcher.noteOwn(file, undefined);
        await fsp.rm(file, { force: true });
      });
    } catch (error) {
      this.logger.warn(`Could not release the shared claim "${name}": ${String(error)}`);
    }
  }

  async compact(fold: (base: unknown, gone: ReadonlyMap<string, unknown>) => unknown): Promise<void> {
    await this.underLock(async (lock) => {
      const base = await this.files.readBase(true);
      const folded = foldedIdsOf(base);
      const windows = await this.files.readWindows();
      const gone = new Map<string, WindowFile>();
      const leftovers: WindowFile[] = [];
      for (const [id, file] of windows) {
        if (folded.has(id)) leftovers.push(file);
        else if (id !== this.windowId && this.isGone(file)) gone.set(id, file);
      }
      if (gone.size > 0) {
        const next = fold(base, new Map([...gone].map(([id, file]) => [id, file.record])));
        const recorded = foldedIdsOf(next);
        const unrecorded = [...gone.keys()].filter((id) => !recorded.has(id));
        if (unrecorded.length > 0) {
          this.logger.warn(`Compaction: the new base does not list ${unrecorded.join(', ')} as folded.`);
        }
        // Our lock may have been broken as stale (a very slow disk): then another window may be
        // compacting now, and writing our base could drop what it folds.
        if (!(await lock.stillHeld())) throw new Error('the lock was lost during compaction');
        await this.files.writeBase(next, this.windowId, (file, signature) =>
          this.watcher.noteOwn(file, signature),
        );
      }
      // After the base: a crash before these deletes leaves records the base already lists as folded.
      for (const file of [...gone.values(), ...leftovers]) {
        this.watcher.noteOwn(file.path, undefined);
        await fsp.rm(file.path, { force: true });
      }
      await this.removeOldClaims();
      await this.files.removeLeftovers(LEFTOVER_MS);
    });
  }

  async liveWindows(): Promise<ReadonlySet<string>> {
    const live = new Set([this.windowId]);
    try {
      const windows = await this.files.readWindows();
      const folded = foldedIdsOf(await this.files.readBase(false));
      for (const [id, file] of windows) if (!folded.has(id) && !this.isGone(file)) live.add(id);
    } catch (error) {
      this.logger.warn(`Could not list the other windows: ${String(error)}`);
    }
    return live;
  }

  /** Looks for other windows' changes now (the poll and the watcher call this too). */
  checkForChanges(): Promise<boolean> {
    return this.watcher.check();
  }

  dispose(): void {
    this.watcher.dispose();
  }

  /** Runs `body` holding the lock; undefined when the lock stayed busy. */
  private async underLock<T>(body: (lock: HeldLock) => Promise<T>): Promise<T | undefined> {
    const lock = await this.lock.acquire(LOCK_WAIT_MS);
    if (!lock) {
      this.logger.debug('The shared state stayed locked by another window; trying again later.');
      return undefined;
    }
    try {
      return await body(lock);
    } finally {
      await lock.release();
    }
  }

  private async createClaim(file: string, text: string): Promise<boolean> {
    const signature = await createExclusively(file, text).catch(async (error: unknown) => {
      if (errorCode(error) !== 'ENOENT') throw error;
      await fsp.mkdir(path.dirname(file), { recursive: true });
      return createExclusively(file, text);
    });
    if (signature) this.watcher.noteOwn(file, signature);
    return signature !== undefined;
  }

  /** A window is gone when its process no longer runs here, or (another host) it fell silent long ago. */
  private isGone(owner: { hostname: string; pid: number; writtenAt?: number }): boolean {
    const gone = processGone(owner, this.identity.hostname);
    if (gone !== undefined) return gone;
    return owner.writtenAt !== undefined && this.now() - owner.writtenAt > OTHER_HOST_GONE_AFTER_MS;
  }

  private expired(state: Exclude<ClaimState, { kind: 'missing' }>): boolean {
    if (state.kind === 'unwritten') return state.ageMs > 5_000;
    const { claim } = state;
    if (claim.expiresAt === null) return false;
    if (claim.expiresAt <= this.now()) return true;
    return claim.owner !== this.windowId && processGone(claim, this.identity.hostname) === true;
  }

  /** Under the lock: claims long expired, and those of windows that are gone (see the class). */
  private async removeOldClaims(): Promise<void> {
    for (const name of await listNames(this.files.claimsDir)) {
      if (isTempName(name) || !name.endsWith('.json')) continue;
      const file = path.join(this.files.claimsDir, name);
      const state = await readClaim(file);
      if (state.kind === 'missing' || !this.removable(state)) continue;
      this.watcher.noteOwn(file, undefined);
      await fsp.rm(file, { force: true });
    }
  }

  private removable(state: Exclude<ClaimState, { kind: 'missing' }>): boolean {
    if (state.kind === 'unwritten') return state.ageMs > EXPIRED_CLAIM_KEPT_MS;
    const { claim } = state;
    const ownerGone = claim.owner !== this.windowId && processGone(claim, this.identity.hostname) === true;
    if (claim.expiresAt === null) return ownerGone && state.ageMs > PERMANENT_CLAIM_KEPT_MS;
    return ownerGone || claim.expiresAt + EXPIRED_CLAIM_KEPT_MS <= this.now();
  }
}

function defaultWindowId(hostname: string): string {
  const host = hostname.replace(/[^A-Za-z0-9.-]/g, '_').slice(0, 40) || 'host';
  return `${host}-${process.pid}-${randomBytes(4).toString('hex')}`;
}
