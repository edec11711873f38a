/**
 * This window's part in the shared ledger: it writes its own record (its grow-only counters, its
 * circuits, its reservations and recent sends) after changes, reads the other windows' records
 * when they change, and offers the view every figure merges: spend and reservations go to the
 * spend ledger, circuits to the registry, request counts to the insights. It also folds the
 * records of windows that are gone into the base, and decides the once-only actions across
 * windows through the store's claims.
 */
import type { PersistedCircuit } from './circuitBreaker';
import {
  emptyCounters,
  addCounters,
  foldIntoBase,
  LEDGER_FORMAT_VERSION,
  newestCircuits,
  parseBaseRecord,
  parseWindowRecord,
  type Counters,
  type SharedReservation,
  type WindowRecord,
} from './ledgerRecords';
import { Disposable, MutableDisposable, type Event } from './lifecycle';
import type { TotalStats } from './metrics';
import type { ModelRegistry } from './registry';
import { foldedIdsOf, type SharedStore } from './sharedStore';
import type { SpendLedger } from './spendLedger';
import type { Clock, Logger } from './types';

/** How often the records of windows that are gone are folded into the base. */
const COMPACT_EVERY_MS = 10 * 60_000;
/** Sends older than this no longer count against a requests-per-minute limit. */
const SEND_WINDOW_MS = 60_000;

export interface SharedLedgerOptions {
  readonly store: SharedStore;
  readonly clock: Clock;
  readonly logger?: Logger;
  /** Own writes are batched over this long (a circuit change reaches other windows within it). */
  readonly debounceMs: number;
  readonly registry: ModelRegistry;
  readonly totals: TotalStats;
  readonly ledger: SpendLedger;
  /** Events after which this window's record has something new. */
  readonly changes: ReadonlyArray<Event<unknown>>;
  /** Told when another window's record changed what the manager shows. */
  readonly onDidUpdate: () => void;
}

/** What the other windows (and the compacted base) hold, merged. */
export interface OthersView {
  readonly counters: Counters;
  readonly reservations: ReadonlyArray<SharedReservation & { readonly windowId: string }>;
  readonly sends: ReadonlyMap<string, readonly number[]>;
}

export class SharedLedger extends Disposable {
  private readonly writeTimer = this._register(new MutableDisposable());
  private lastCompactedAt = Number.NEGATIVE_INFINITY;
  private view: OthersView = { counters: emptyCounters(), reservations: [], sends: new Map() };
  private othersLive = false;
  private loaded = false;
  private readonly warnedAbout = new Set<string>();
  /** Resolves once the other windows' records have been read the first time. */
  readonly ready: Promise<void>;

  constructor(private readonly options: SharedLedgerOptions) {
    super();
    for (const event of options.changes) this._register(event(() => this.schedule()));
    this._register(options.store.onDidChange(() => void this.refresh()));
    this.ready = this.refresh('restore').then(() => {
      this.loaded = true;
      void this.compact();
    });
  }

  get isLoaded(): boolean {
    return this.loaded;
  }

  /** Other windows' merged counters (for request counts and per-model totals). */
  get others(): OthersView {
    return this.view;
  }

  /** Whether another window was running at the last read (alerts are then decided across windows). */
  get shared(): boolean {
    return this.othersLive;
  }

  /** Whether another window is running right now (asked of the store: for budgets and probes). */
  async othersRunning(): Promise<boolean> {
    try {
      const live = await this.options.store.liveWindows();
      this.othersLive = [...live].some((id) => id !== this.windowId);
    } catch {
      // Keep the last answer.
    }
    return this.othersLive;
  }

  get windowId(): string {
    return this.options.store.windowId;
  }

  /** Sends of other windows to `model` within the last minute. */
  othersSendsWithinMinute(model: string, now: number): number {
    const sends = this.view.sends.get(model);
    if (!sends) return 0;
    let count = 0;
    for (const at of sends) if (now - at < SEND_WINDOW_MS) count++;
    return count;
  }

  /** Asks for a write of this window's record within the debounce interval. */
  schedule(): void {
    if (this.writeTimer.value || this.isDisposed) return;
    this.writeTimer.value = this.options.clock.setTimeout(() => {
      this.writeTimer.clearWithoutDisposing();
      void this.flush();
    }, this.options.debounceMs);
  }

  /** Writes this window's record now. */
  async flush(): Promise<void> {
    this.writeTimer.value = undefined;
    if (!this.loaded) return;
    try {
      await this.options.store.writeOwn(this.ownRecord());
    } catch (error) {
      this.options.logger?.warn(`Could not save LLM Manager state: ${messageOf(error)}`);
    }
    // Compaction rides on writes (no timer of its own keeps an idle window busy).
    if (this.options.clock.now() - this.lastCompactedAt >= COMPACT_EVERY_MS) void this.compact();
  }

  /** Reads the other windows' records again and applies what changed. */
  async refresh(mode: 'restore' | 'adoptNewer' = 'adoptNewer'): Promise<void> {
    const { store, registry, ledger, logger } = this.options;
    let records;
    let live: ReadonlySet<string>;
    try {
      [records, live] = await Promise.all([store.read(), store.liveWindows()]);
    } catch (error) {
      logger?.warn(`Could not read shared LLM Manager state: ${messageOf(error)}`);
      return;
    }
    const base = records.base === undefined ? undefined : parseBaseRecord(records.base);
    if (records.base !== undefined && !base)
      this.warnOnce('base', 'The shared ledger base was unreadable and has been skipped.');
    const folded = foldedIdsOf(base);
    let counters = base?.counters ?? emptyCounters();
    const circuitSets: Array<Readonly<Record<string, PersistedCircuit>>> = [base?.circuits ?? {}];
    const reservations: Array<SharedReservation & { windowId: string }> = [];
    const sends = new Map<string, number[]>();
    const alerts = new Set<string>();
    for (const [id, raw] of records.windows) {
      if (id === store.windowId || folded.has(id)) continue;
      const record = parseWindowRecord(raw);
      if (!record || record.windowId !== id) {
        this.warnOnce(id, `The shared ledger record of window ${id} was unreadable and has been skipped.`);
        continue;
      }
      counters = addCounters(counters, record.counters);
      circuitSets.push(record.circuits);
      for (const reservation of record.reservations) reservations.push({ ...reservation, windowId: id });
      for (const [model, times] of Object.entries(record.sends))
        sends.set(model, [...(sends.get(model) ?? []), ...times]);
    }
    this.view = { counters, reservations, sends };
    this.othersLive = [...live].some((id) => id !== store.windowId);
    ledger.setShared(counters.spend, counters.unpriced, reservations);
    for (const alert of alerts) ledger.markAlertFired(alert);
    for (const [name, circuit] of Object.entries(newestCircuits(circuitSets)))
      registry.applyCircuit(name, circuit, mode);
    registry.trimOrphans();
    this.options.onDidUpdate();
  }

  /**
   * Confirms a reservation across windows before its request is sent: publishes it, reads every
   * window's reservations afresh, and checks the budget counting only reservations made before
   * this one (ordered by time, then window, then id). Of two windows racing for the last dollars,
   * exactly the earlier goes ahead; each window overshoots by at most its requests in flight.
   */
  async confirmReservation(
    reservation: { readonly id: string; readonly at: number },
    limits: ReadonlyArray<{ readonly limit: number; readonly spent: () => number }>,
  ): Promise<boolean> {
    await this.flush();
    await this.refresh();
    const windowId = this.windowId;
    const all = [
      ...this.view.reservations.filter((r) => r.expiresAt > this.options.clock.now()),
      ...this.options.ledger.ownReservations().map((r) => ({ ...r, windowId })),
    ].sort((a, b) => a.at - b.at || a.windowId.localeCompare(b.windowId) || a.id.localeCompare(b.id));
    let ahead = 0;
    for (const r of all) {
      ahead += r.usd;
      if (r.windowId === windowId && r.id === reservation.id) break;
    }
    return limits.every(({ limit, spent }) => spent() + ahead <= limit + 1e-12);
  }

  /** Takes a claim across windows (the half-open probe, a budget alert); true when this window has it. */
  async claim(name: string, ttlMs: number): Promise<boolean> {
    try {
      return await this.options.store.claim(name, ttlMs);
    } catch (error) {
      this.options.logger?.warn(`Could not take the shared claim ${name}: ${messageOf(error)}`);
      return !this.othersLive;
    }
  }

  async release(name: string): Promise<void> {
    try {
      await this.options.store.release(name);
    } catch (error) {
      this.options.logger?.debug(`Could not release the shared claim ${name}: ${messageOf(error)}`);
    }
  }

  override dispose(): void {
    if (this.isDisposed) return;
    // Fire and forget: VS Code expects a synchronous dispose; `deactivate` awaits `flush` itself.
    void this.flush();
    super.dispose();
  }

  /** Folds the records of windows that are gone into the base (at start, then with writes every few minutes). */
  private async compact(): Promise<void> {
    if (this.isDisposed) return;
    this.lastCompactedAt = this.options.clock.now();
    try {
      await this.options.store.compact((base, gone) => {
        const records = new Map<string, WindowRecord>();
        for (const [id, raw] of gone) {
          const record = parseWindowRecord(raw);
          if (record) records.set(id, record);
          else
            this.warnOnce(
              id,
              `The shared ledger record of window ${id} was unreadable and is dropped at compaction.`,
            );
        }
        return foldIntoBase(base === undefined ? undefined : parseBaseRecord(base), records);
      });
    } catch (error) {
      this.options.logger?.warn(`Could not compact the shared ledger: ${messageOf(error)}`);
    }
  }

  private ownRecord(): WindowRecord {
    const { registry, totals, ledger, clock } = this.options;
    const now = clock.now();
    const { circuits, models } = registry.persistedState();
    const sends: Record<string, number[]> = {};
    for (const entry of registry.entries()) {
      const recent = entry.sends.filter((at) => now - at < SEND_WINDOW_MS);
      entry.sends.splice(0, entry.sends.length, ...recent);
      if (recent.length > 0) sends[entry.name] = recent;
    }
    return {
      format: 'llm-manager.window',
      version: LEDGER_FORMAT_VERSION,
      windowId: this.windowId,
      writtenAt: now,
      counters: { totals: totals.toJSON(), models, spend: ledger.ownSpend(), unpriced: ledger.ownUnpriced() },
      circuits,
      reservations: ledger.ownReservations().filter((r) => r.expiresAt > now),
      sends,
      alerts: ledger.firedAlerts(),
    };
  }

  private warnOnce(key: string, message: string): void {
    if (this.warnedAbout.has(key)) return;
    this.warnedAbout.add(key);
    this.options.logger?.warn(message);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
