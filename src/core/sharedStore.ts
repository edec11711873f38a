/**
 * The port through which several windows (several extension hosts on one machine) share one ledger
 * without lost updates. Each window writes only its own record, whole and atomically; readers
 * merge every window's record with a compacted base. Nothing is ever read-modified-written by two
 * windows at once: the base changes only under the store's lock, and one-time actions (the budget
 * alert, a half-open probe) are decided by atomic claims.
 *
 * The extension implements it over files in VS Code's global storage; {@link MemorySharedStore}
 * implements it in memory for tests and single-process hosts.
 */
import { Emitter, type Event, type IDisposable } from './lifecycle';

export interface SharedRecords {
  /** The compacted base (records of windows that are gone, folded together), if any. */
  readonly base: unknown;
  /** Every window's record by window id, this window's included. Unreadable files are left out. */
  readonly windows: ReadonlyMap<string, unknown>;
}

export interface SharedStore {
  /** This window's id: unique per extension-host run. */
  readonly windowId: string;
  /** The base and every window's record as stored now. */
  read(): Promise<SharedRecords>;
  /** Replaces this window's record, atomically (a reader sees the old or the new one, never a mix). */
  writeOwn(record: unknown): Promise<void>;
  /**
   * Atomically takes the claim `name` for `ttlMs` (0: until released). True when this window holds
   * it afterwards (a claim it already holds counts); an expired claim of another window is taken over.
   */
  claim(name: string, ttlMs: number): Promise<boolean>;
  /** Gives up a claim this window holds (another window's claim is left alone). */
  release(name: string): Promise<void>;
  /**
   * Under the store's lock: hands the base and the records of windows that are gone (their host is
   * no longer running) to `fold`, stores what it returns as the new base and removes those records.
   * `fold` must record the ids it folded in the base it returns (see {@link foldedIdsOf}), so a
   * crash between the two writes never counts a window twice.
   */
  compact(fold: (base: unknown, gone: ReadonlyMap<string, unknown>) => unknown): Promise<void>;
  /** Ids of windows whose host is running now (this one included). */
  liveWindows(): Promise<ReadonlySet<string>>;
  /** Another window wrote its record, or the base or a claim changed. */
  readonly onDidChange: Event<void>;
}

/** Base records list the window ids folded into them under this field. */
export const FOLDED_IDS_FIELD = 'folded';

/** The window ids a base says it already contains (so their leftover records are skipped). */
export function foldedIdsOf(base: unknown): ReadonlySet<string> {
  const ids = (base as { [FOLDED_IDS_FIELD]?: unknown } | undefined)?.[FOLDED_IDS_FIELD];
  return new Set(Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : []);
}

/** What several {@link MemorySharedStore}s of one "machine" share. */
export class MemorySharedSpace {
  base: unknown;
  readonly windows = new Map<string, unknown>();
  readonly claims = new Map<string, { readonly owner: string; readonly expiresAt: number }>();
  readonly live = new Set<string>();
  readonly changed = new Emitter<string>();
  /** Time for claim expiry (tests pass their fake clock's). */
  constructor(readonly now: () => number = Date.now) {}
}

let memoryWindowCounter = 0;

/**
 * A shared store in memory: the windows of a test (or a single-process host) share one
 * {@link MemorySharedSpace}. Every operation completes in a later microtask, as a real store's
 * would, so tests see the interleavings that matter.
 */
export class MemorySharedStore implements SharedStore, IDisposable {
  readonly windowId: string;
  private readonly _onDidChange = new Emitter<void>();
  readonly onDidChange: Event<void> = this._onDidChange.event;
  private readonly subscription: IDisposable;

  constructor(
    private readonly space: MemorySharedSpace,
    windowId?: string,
  ) {
    this.windowId = windowId ?? `memory-${++memoryWindowCounter}`;
    space.live.add(this.windowId);
    this.subscription = space.changed.event((writer) => {
      if (writer !== this.windowId) this._onDidChange.fire();
    });
  }

  async read(): Promise<SharedRecords> {
    await Promise.resolve();
    return {
      base: structuredClone(this.space.base),
      windows: new Map(structuredClone([...this.space.windows])),
    };
  }

  async writeOwn(record: unknown): Promise<void> {
    await Promise.resolve();
    this.space.windows.set(this.windowId, structuredClone(record));
    this.space.changed.fire(this.windowId);
  }

  async claim(name: string, ttlMs: number): Promise<boolean> {
    await Promise.resolve();
    const now = this.space.now();
    const held = this.space.claims.get(name);
    if (held && held.owner !== this.windowId && held.expiresAt > now) return false;
    this.space.claims.set(name, { owner: this.windowId, expiresAt: ttlMs > 0 ? now + ttlMs : Infinity });
    if (!held || held.owner !== this.windowId) this.space.changed.fire(this.windowId);
    return true;
  }

  async release(name: string): Promise<void> {
    await Promise.resolve();
    if (this.space.claims.get(name)?.owner === this.windowId) {
      this.space.claims.delete(name);
      this.space.changed.fire(this.windowId);
    }
  }

  async compact(fold: (base: unknown, gone: ReadonlyMap<string, unknown>) => unknown): Promise<void> {
    await Promise.resolve();
    const gone = new Map([...this.space.windows].filter(([id]) => !this.space.live.has(id)));
    if (gone.size === 0) return;
    this.space.base = structuredClone(fold(structuredClone(this.space.base), structuredClone(gone)));
    for (const id of gone.keys()) this.space.windows.delete(id);
    this.space.changed.fire(this.windowId);
  }

  async liveWindows(): Promise<ReadonlySet<string>> {
    await Promise.resolve();
    return new Set(this.space.live);
  }

  /** The window closes: its record stays (for compaction), it is no longer live. */
  dispose(): void {
    this.space.live.delete(this.windowId);
    this.subscription.dispose();
    this._onDidChange.dispose();
  }
}
