/**
 * What the manager keeps in the host's key-value store (globalState): the response cache, and —
 * once — the state of the version before the shared ledger (v1 metrics, spend and circuits),
 * imported into this window's ledger record by the one window that claims it. Everything is
 * validated; corrupt or oversized data is dropped with a warning and the rest loads.
 */
import { parsePersistedCircuit, type PersistedCircuit } from './circuitBreaker';
import { LEDGER_STORE_KEY } from './keyValueSharedStore';
import { Disposable, MutableDisposable, type Event } from './lifecycle';
import { parsePersistedMetrics, type TotalStats } from './metrics';
import type { ModelRegistry } from './registry';
import type { ResponseCache } from './responseCache';
import type { SpendLedger } from './spendLedger';
import type { Clock, KeyValueStore, Logger } from './types';

/** Keys under which state persists in the key-value store. Each value carries its own format version. */
export const STORE_KEYS = {
  cache: 'llmManager.cache',
  /** Only where the ledger itself lives in the key-value store (tests, the terminal demo). */
  ledger: LEDGER_STORE_KEY,
} as const;

/** Where the version before the shared ledger kept metrics, spend and circuits. */
export const LEGACY_STORE_KEYS = {
  metrics: 'llmManager.metrics',
  circuits: 'llmManager.circuits',
  spend: 'llmManager.spend',
} as const;

const CIRCUITS_FORMAT_VERSION = 1;
/** Persisted values beyond this are treated as corrupt rather than parsed. */
const MAX_PERSISTED_CHARS = 8 * 1024 * 1024;

export interface PersistenceOptions {
  readonly store: KeyValueStore;
  readonly clock: Clock;
  readonly logger?: Logger;
  readonly debounceMs: number;
  readonly registry: ModelRegistry;
  readonly cache: ResponseCache;
  readonly totals: TotalStats;
  readonly ledger: SpendLedger;
  /** Whether answers are cached at all (a disabled cache is not saved). */
  readonly cachingEnabled: () => boolean;
  /** Events after which the cache may have changed. */
  readonly changes: ReadonlyArray<Event<unknown>>;
  /** Takes the once-only claim to import the v1 state (true: this window imports it). */
  readonly claimLegacyImport: () => Promise<boolean>;
  /** Told when loading changed what the manager shows. */
  readonly onDidLoad: () => void;
}

export class Persistence extends Disposable {
  private readonly timer = this._register(new MutableDisposable());
  private restored = false;
  /** Resolves once the cache (and any v1 state) has been loaded. */
  readonly ready: Promise<void>;

  constructor(private readonly options: PersistenceOptions) {
    super();
    for (const event of options.changes) this._register(event(() => this.schedule()));
    this.ready = this.restore().then(() => {
      this.restored = true;
    });
  }

  /** Asks for a write of the cache within the debounce interval. */
  schedule(): void {
    if (this.timer.value || this.isDisposed || !this.restored) return;
    this.timer.value = this.options.clock.setTimeout(() => {
      this.timer.clearWithoutDisposing();
      void this.flush();
    }, this.options.debounceMs);
  }

  async flush(): Promise<void> {
    this.timer.value = undefined;
    if (!this.restored) return;
    const { store, cache } = this.options;
    try {
      await store.set(STORE_KEYS.cache, this.options.cachingEnabled() ? cache.toJSON() : undefined);
    } catch (error) {
      this.options.logger?.warn(`Could not save LLM Manager state: ${messageOf(error)}`);
    }
  }

  override dispose(): void {
    if (this.isDisposed) return;
    if (this.timer.value) void this.flush();
    super.dispose();
  }

  private async restore(): Promise<void> {
    const { cache } = this.options;
    await this.load(STORE_KEYS.cache, 'response cache', (value) => cache.restore(value));
    await this.importLegacy();
    this.options.onDidLoad();
  }

  /** Reads one value and applies it; returns whether a value was there at all. */
  private async load(key: string, label: string, apply: (value: unknown) => boolean): Promise<boolean> {
    const { store, logger } = this.options;
    let value: unknown;
    try {
      value = await store.get<unknown>(key);
    } catch (error) {
      logger?.warn(`Could not read saved ${label}: ${messageOf(error)}`);
      return false;
    }
    if (value === undefined || value === null) return false;
    let ok: boolean;
    try {
      ok = approximateSize(value) <= MAX_PERSISTED_CHARS && apply(value);
    } catch {
      ok = false;
    }
    if (!ok) logger?.warn(`Saved ${label} was unreadable or too large and has been dropped; starting fresh.`);
    return true;
  }

  /**
   * The v1 state (one copy of spend, metrics and circuits for all windows) goes into this window's
   * ledger record — in the one window that claims the import — and the old keys are removed.
   */
  private async importLegacy(): Promise<void> {
    const { store, ledger, totals, registry } = this.options;
    let present: boolean;
    try {
      const values = await Promise.all(
        Object.values(LEGACY_STORE_KEYS).map((key) => store.get<unknown>(key)),
      );
      present = values.some((value) => value !== undefined && value !== null);
    } catch {
      return;
    }
    if (!present || !(await this.options.claimLegacyImport())) return;
    await this.load(LEGACY_STORE_KEYS.spend, 'spend', (value) => ledger.restore(value));
    await this.load(LEGACY_STORE_KEYS.metrics, 'metrics', (value) => {
      const metrics = parsePersistedMetrics(value);
      if (!metrics) return false;
      totals.restore(metrics.totals);
      for (const [name, stats] of Object.entries(metrics.models)) registry.applyStats(name, stats);
      return true;
    });
    await this.load(LEGACY_STORE_KEYS.circuits, 'circuit states', (value) =>
      applyLegacyCircuits(value, registry),
    );
    registry.trimOrphans();
    try {
      await Promise.all(Object.values(LEGACY_STORE_KEYS).map((key) => store.set(key, undefined)));
    } catch (error) {
      this.options.logger?.warn(`Could not remove the imported v1 state: ${messageOf(error)}`);
    }
  }
}

function applyLegacyCircuits(value: unknown, registry: ModelRegistry): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as { version?: unknown; circuits?: unknown };
  if (
    record.version !== CIRCUITS_FORMAT_VERSION ||
    typeof record.circuits !== 'object' ||
    record.circuits === null
  ) {
    return false;
  }
  const parsed = new Map<string, PersistedCircuit>();
  for (const [name, raw] of Object.entries(record.circuits)) {
    const circuit = parsePersistedCircuit(raw);
    if (!circuit) return false;
    parsed.set(name, circuit);
  }
  for (const [name, circuit] of parsed) registry.applyCircuit(name, circuit, 'adoptNewer');
  return true;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function approximateSize(value: unknown): number {
  return JSON.stringify(value)?.length ?? 0;
}
