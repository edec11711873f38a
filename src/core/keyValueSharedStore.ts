/**
 * A {@link SharedStore} kept in a {@link KeyValueStore} under one key, for hosts where every window
 * lives in one process (tests, the terminal demo): the managers of one store object share one
 * in-memory space, so their operations never interleave badly, and the space is written back to
 * the store after every change so a later process finds it. VS Code windows are separate processes:
 * the extension uses files instead (src/extension/fileSharedStore.ts).
 */
import { MemorySharedSpace, MemorySharedStore } from './sharedStore';
import type { KeyValueStore, Logger } from './types';

/** The key the space is saved under. */
export const LEDGER_STORE_KEY = 'llmManager.ledger';

interface SavedSpace {
  readonly base?: unknown;
  readonly windows: Record<string, unknown>;
  readonly claims: Record<string, { readonly owner: string; readonly expiresAt: number | null }>;
}

/** One space per store object: the windows of one process that share a store share it. */
const spaces = new WeakMap<KeyValueStore, PersistedSpace>();

class PersistedSpace extends MemorySharedSpace {
  readonly loaded: Promise<void>;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: KeyValueStore,
    now: () => number,
    logger: Logger | undefined,
  ) {
    super(now);
    this.loaded = this.load(logger);
  }

  private async load(logger: Logger | undefined): Promise<void> {
    let saved: unknown;
    try {
      saved = await this.store.get<unknown>(LEDGER_STORE_KEY);
    } catch (error) {
      logger?.warn(
        `Could not read the saved ledger: ${error instanceof Error ? error.message : String(error)}`,
      );
      return;
    }
    if (saved === undefined || saved === null) return;
    if (!isSavedSpace(saved)) {
      logger?.warn('The saved ledger was unreadable and has been dropped; starting fresh.');
      return;
    }
    this.base = saved.base;
    for (const [id, record] of Object.entries(saved.windows)) this.windows.set(id, record);
    for (const [name, claim] of Object.entries(saved.claims)) {
      this.claims.set(name, { owner: claim.owner, expiresAt: claim.expiresAt ?? Infinity });
    }
  }

  /** Saves the space after a change; writes are chained so the last one wins. */
  save(): Promise<void> {
    const snapshot: SavedSpace = {
      ...(this.base === undefined ? {} : { base: this.base }),
      windows: Object.fromEntries(this.windows),
      claims: Object.fromEntries(
        [...this.claims].map(([name, claim]) => [
          name,
          { owner: claim.owner, expiresAt: Number.isFinite(claim.expiresAt) ? claim.expiresAt : null },
        ]),
      ),
    };
    this.writing = this.writing.then(
      () => this.store.set(LEDGER_STORE_KEY, snapshot),
      () => this.store.set(LEDGER_STORE_KEY, snapshot),
    );
    return this.writing;
  }
}

class KeyValueSharedStore extends MemorySharedStore {
  constructor(private readonly persisted: PersistedSpace) {
    super(persisted);
  }

  override async read() {
    await this.persisted.loaded;
    return super.read();
  }

  override async writeOwn(record: unknown): Promise<void> {
    await this.persisted.loaded;
    await super.writeOwn(record);
    await this.persisted.save();
  }

  override async claim(name: string, ttlMs: number): Promise<boolean> {
    await this.persisted.loaded;
    const before = this.persisted.claims.get(name);
    const held = await super.claim(name, ttlMs);
    if (held && this.persisted.claims.get(name) !== before) await this.persisted.save();
    return held;
  }

  override async release(name: string): Promise<void> {
    await this.persisted.loaded;
    await super.release(name);
    await this.persisted.save();
  }

  override async compact(
    fold: (base: unknown, gone: ReadonlyMap<string, unknown>) => unknown,
  ): Promise<void> {
    await this.persisted.loaded;
    const before = this.persisted.windows.size;
    await super.compact(fold);
    if (this.persisted.windows.size !== before) await this.persisted.save();
  }
}

/** The shared store of the windows in this process that use `store`. */
export function keyValueSharedStore(
  store: KeyValueStore,
  now: () => number,
  logger?: Logger,
): MemorySharedStore {
  let space = spaces.get(store);
  if (!space) {
    space = new PersistedSpace(store, now, logger);
    spaces.set(store, space);
  }
  return new KeyValueSharedStore(space);
}

function isSavedSpace(value: unknown): value is SavedSpace {
  if (typeof value !== 'object' || value === null) return false;
  const { windows, claims } = value as Record<string, unknown>;
  return (
    typeof windows === 'object' &&
    windows !== null &&
    !Array.isArray(windows) &&
    typeof claims === 'object' &&
    claims !== null &&
    !Array.isArray(claims) &&
    Object.values(claims).every(
      (claim) =>
        typeof claim === 'object' &&
        claim !== null &&
        typeof (claim as { owner?: unknown }).owner === 'string' &&
        (typeof (claim as { expiresAt?: unknown }).expiresAt === 'number' ||
          (claim as { expiresAt?: unknown }).expiresAt === null),
    )
  );
}
