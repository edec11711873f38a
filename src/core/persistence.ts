/**
 * Saving and restoring the manager's state through the host's key-value store: the response cache,
 * metrics, spend and circuit states, each versioned and validated (corrupt or oversized data is
 * dropped with a warning; the rest loads). Writes are batched: the manager's events schedule one
 * flush per debounce interval. Spend and circuits are merged with what other windows saved.
 */
import { parsePersistedCircuit, type PersistedCircuit } from './circuitBreaker';
import { Disposable, MutableDisposable, type Event } from './lifecycle';
import { parsePersistedMetrics, type TotalStats } from './metrics';
import type { ModelRegistry } from './registry';
import type { ResponseCache } from './responseCache';
import type { SpendLedger } from './spendLedger';
import type { Clock, KeyValueStore, Logger } from './types';

/** Keys under which state persists in the store. Each value carries its own format version. */
export const STORE_KEYS = {
  cache: 'llmManager.cache',
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
  /** Events after which there is something new to save. */
  readonly changes: ReadonlyArray<Event<unknown>>;
  /** Told when restored or shared state changed what the manager shows. */
  readonly onDidLoad: () => void;
}

export class Persistence extends Disposable {
  private readonly timer = this._register(new MutableDisposable());
  private restored = false;
  /** Set while loading, so the change events that loading fires do not schedule a write. */
  private loading = false;
  /** Resolves once saved state has been loaded. */
  readonly ready: Promise<void>;

  constructor(private readonly options: PersistenceOptions) {
    super();
    options.ledger.startJournal();
    for (const event of options.changes) this._register(event(() => this.schedule()));
    this.ready = this.restore().then(() => {
      this.restored = true;
    });
  }

  get isRestored(): boolean {
    return this.restored;
  }

  /** Asks for a write within the debounce interval (several asks make one write). */
  schedule(): void {
    if (this.timer.value || this.isDisposed || this.loading) return;
    this.timer.value = this.options.clock.setTimeout(() => {
      this.timer.clearWithoutDisposing();
      void this.flush();
    }, this.options.debounceMs);
  }

  /**
   * Writes cache, metrics, spend and circuits to the store now. Spend and circuits are merged with
   * what other windows stored meanwhile: spend adds up, the newer circuit verdict wins.
   */
  async flush(): Promise<void> {
    this.timer.value = undefined;
    if (!this.restored) return;
    const { store, registry, cache, totals, ledger } = this.options;
    try {
      await this.readShared();
      const { circuits, models } = registry.persistedState();
      const savedSpendRecords = ledger.unsavedCount;
      await Promise.all([
        store.set(STORE_KEYS.cache, this.options.cachingEnabled() ? cache.toJSON() : undefined),
        store.set(STORE_KEYS.metrics, { version: 1, totals: totals.toJSON(), models }),
        store.set(STORE_KEYS.circuits, { version: CIRCUITS_FORMAT_VERSION, circuits }),
        store.set(STORE_KEYS.spend, ledger.toJSON()),
      ]);
      ledger.markSaved(savedSpendRecords);
    } catch (error) {
      this.options.logger?.warn(`Could not save LLM Manager state: ${messageOf(error)}`);
    }
  }

  /**
   * Picks up what other windows sharing the store have saved: their spend (added to ours) and any
   * circuit whose state changed there more recently than here.
   */
  async syncFromStore(): Promise<void> {
    if (!this.restored) return;
    try {
      await this.readShared();
    } catch (error) {
      this.options.logger?.warn(`Could not read shared LLM Manager state: ${messageOf(error)}`);
    }
    this.notifyLoaded();
  }

  /** Saves what is pending and stops the timer. */
  override dispose(): void {
    if (this.isDisposed) return;
    // Fire and forget: VS Code expects a synchronous dispose; `deactivate` awaits `flush` itself.
    void this.flush();
    super.dispose();
  }

  private async readShared(): Promise<void> {
    const { store, ledger } = this.options;
    const [spend, circuits] = await Promise.all([
      store.get<unknown>(STORE_KEYS.spend),
      store.get<unknown>(STORE_KEYS.circuits),
    ]);
    if (spend !== undefined) ledger.restore(spend);
    if (circuits !== undefined) this.applyCircuits(circuits, 'adoptNewer');
  }

  private async restore(): Promise<void> {
    const { store, logger, cache, ledger } = this.options;
    const load = async (key: string, label: string, apply: (value: unknown) => boolean) => {
      let value: unknown;
      try {
        value = await store.get<unknown>(key);
      } catch (error) {
        logger?.warn(`Could not read saved ${label}: ${messageOf(error)}`);
        return;
      }
      if (value === undefined || value === null) return;
      let ok: boolean;
      try {
        ok = approximateSize(value) <= MAX_PERSISTED_CHARS && apply(value);
      } catch {
        ok = false;
      }
      if (!ok)
        logger?.warn(`Saved ${label} was unreadable or too large and has been dropped; starting fresh.`);
    };
    await Promise.all([
      load(STORE_KEYS.cache, 'response cache', (value) => cache.restore(value)),
      load(STORE_KEYS.spend, 'spend', (value) => ledger.restore(value)),
      load(STORE_KEYS.metrics, 'metrics', (value) => this.applyMetrics(value)),
      load(STORE_KEYS.circuits, 'circuit states', (value) => this.applyCircuits(value, 'restore')),
    ]);
    this.notifyLoaded();
  }

  private notifyLoaded(): void {
    this.loading = true;
    try {
      this.options.onDidLoad();
    } finally {
      this.loading = false;
    }
  }

  private applyMetrics(value: unknown): boolean {
    const metrics = parsePersistedMetrics(value);
    if (!metrics) return false;
    const { registry } = this.options;
    this.options.totals.restore(metrics.totals);
    for (const [name, stats] of Object.entries(metrics.models)) registry.applyStats(name, stats);
    registry.trimOrphans();
    return true;
  }

  private applyCircuits(value: unknown, mode: 'restore' | 'adoptNewer'): boolean {
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
    const { registry } = this.options;
    for (const [name, circuit] of parsed) registry.applyCircuit(name, circuit, mode);
    registry.trimOrphans();
    return true;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function approximateSize(value: unknown): number {
  return JSON.stringify(value)?.length ?? 0;
}
