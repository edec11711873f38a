/**
 * Dollars spent, per model per local day and per local month. Day and month boundaries come from
 * the injected clock's time in the host's time zone, as a user reads their own calendar.
 */

export interface BudgetOptions {
  /** Daily limit in US dollars; unset or 0 means no daily budget. */
  readonly dailyUsd?: number;
  readonly monthlyUsd?: number;
  /** Share of a budget at which `onDidCrossBudgetAlert` fires (once per period). */
  readonly alertAt: number;
  /** Skip paid models when a request's estimate would exceed a budget; free models still answer. */
  readonly hardStop: boolean;
}

export type { BudgetPeriod } from './kinds';
import type { BudgetPeriod } from './kinds';

export interface BudgetAlert {
  readonly period: BudgetPeriod;
  /** `alert` when `alertAt` of the budget is crossed, `exceeded` at 100 %. */
  readonly level: 'alert' | 'exceeded';
  readonly spentUsd: number;
  readonly limitUsd: number;
  readonly periodKey: string;
}

export const SPEND_FORMAT_VERSION = 1;
/** How long other windows count a reservation whose window died with the request in flight. */
const DEFAULT_RESERVATION_TTL_MS = 10 * 60_000;
const DAYS_KEPT = 62;
const MONTHS_KEPT = 24;

export interface PersistedSpend {
  readonly version: typeof SPEND_FORMAT_VERSION;
  readonly days: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly months: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly lifetime: Readonly<Record<string, number>>;
  readonly alertsFired: readonly string[];
}

export function dayKey(at: number): string {
  const d = new Date(at);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export function monthKey(at: number): string {
  const d = new Date(at);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}`;
}

/**
 * The local day and month a time falls in, remembered for the current day: every request asks,
 * and building dates and strings each time showed up in the benchmarks.
 */
class CalendarCache {
  private current:
    | { readonly start: number; readonly end: number; readonly day: string; readonly month: string }
    | undefined;

  of(at: number): { readonly day: string; readonly month: string } {
    const current = this.current;
    if (current && at >= current.start && at < current.end) return current;
    const d = new Date(at);
    const start = new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
    const end = new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime();
    this.current = { start, end, day: dayKey(at), month: monthKey(at) };
    return this.current;
  }
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Spend per period and model, as stored in the shared ledger. */
export interface SpendCounters {
  readonly days: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly months: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly lifetime: Readonly<Record<string, number>>;
}

/** A reservation of this window that other windows see (see `SharedReservation`). */
export interface OwnReservation {
  readonly id: string;
  readonly usd: number;
  readonly at: number;
  readonly expiresAt: number;
}

/**
 * Spend: what this window spent (per model per local day, month and lifetime), plus what every
 * other window sharing the ledger spent ({@link setShared}), so budgets count all windows. The
 * estimates of requests in flight are reserved here too — this window's and, as far as they are
 * known, the other windows' — so concurrent requests cannot all pass the same budget check.
 */
export class SpendLedger {
  private days = new Map<string, Map<string, number>>();
  private months = new Map<string, Map<string, number>>();
  private lifetime = new Map<string, number>();
  private readonly alertsFired = new Set<string>();
  /** Requests answered by models whose price is unknown, per model (their cost is not a figure). */
  private unpriced = new Map<string, number>();
  private readonly calendar = new CalendarCache();
  /** This window's reservations in flight, by id. */
  private readonly own = new Map<string, OwnReservation>();
  private ownUsd = 0;
  private reservationCounter = 0;
  /** Other windows' spend and reservations, as last read from the shared ledger. */
  private shared: { spend: SpendCounters; unpriced: Readonly<Record<string, number>> } | undefined;
  private othersReservations: ReadonlyArray<{ readonly usd: number; readonly expiresAt: number }> = [];

  record(model: string, usd: number, at: number): void {
    if (!(usd > 0)) return;
    this.apply(model, usd, at);
  }

  /** A request answered by a model whose price nobody knows: counted, never as $0 spend. */
  recordUnpriced(model: string): void {
    this.unpriced.set(model, (this.unpriced.get(model) ?? 0) + 1);
  }

  /** Requests whose cost is unknown, for `model` or in all (every window). */
  unpricedRequests(model?: string): number {
    const shared = this.shared?.unpriced ?? {};
    if (model !== undefined) return (this.unpriced.get(model) ?? 0) + (shared[model] ?? 0);
    let total = 0;
    for (const count of this.unpriced.values()) total += count;
    for (const count of Object.values(shared)) total += count;
    return total;
  }

  private apply(model: string, usd: number, at: number): void {
    const { day, month } = this.calendar.of(at);
    addTo(this.days, day, model, usd, DAYS_KEPT);
    addTo(this.months, month, model, usd, MONTHS_KEPT);
    this.lifetime.set(model, (this.lifetime.get(model) ?? 0) + usd);
  }

  /**
   * Reserves the worst case of a request in flight until the returned function releases it.
   * `at` and `ttlMs` say when it was made and how long other windows should count it (a window
   * that dies cannot release its reservations).
   */
  reserve(usd: number, at = 0, ttlMs = DEFAULT_RESERVATION_TTL_MS): { readonly id: string; release(): void } {
    const id = `r${++this.reservationCounter}`;
    if (!(usd > 0)) return { id, release: noop };
    this.own.set(id, { id, usd, at, expiresAt: at + ttlMs });
    this.ownUsd += usd;
    return {
      id,
      release: () => {
        if (!this.own.delete(id)) return;
        this.ownUsd -= usd;
      },
    };
  }

  /** This window's reservations in flight. */
  get reserved(): number {
    return this.ownUsd;
  }

  /** This window's and the other windows' reservations still in flight at `now`. */
  committed(now: number): number {
    let total = this.ownUsd;
    for (const reservation of this.othersReservations)
      if (reservation.expiresAt > now) total += reservation.usd;
    return total;
  }

  /** This window's reservations, for its record in the shared ledger. */
  ownReservations(): OwnReservation[] {
    return [...this.own.values()];
  }

  /** What the other windows (and the compacted base) spent and have reserved, as last read. */
  setShared(
    spend: SpendCounters,
    unpriced: Readonly<Record<string, number>>,
    reservations: ReadonlyArray<{ readonly usd: number; readonly expiresAt: number }>,
  ): void {
    this.shared = { spend, unpriced };
    this.othersReservations = reservations;
  }

  /** This window's own spend, for its record in the shared ledger. */
  ownSpend(): SpendCounters {
    return {
      days: toRecord(this.days),
      months: toRecord(this.months),
      lifetime: Object.fromEntries(this.lifetime),
    };
  }

  /** This window's own unpriced requests per model. */
  ownUnpriced(): Record<string, number> {
    return Object.fromEntries(this.unpriced);
  }

  spentToday(at: number, model?: string): number {
    const day = this.calendar.of(at).day;
    return sum(this.days.get(day), model) + sumRecord(this.shared?.spend.days[day], model);
  }

  spentThisMonth(at: number, model?: string): number {
    const month = this.calendar.of(at).month;
    return sum(this.months.get(month), model) + sumRecord(this.shared?.spend.months[month], model);
  }

  spentLifetime(model: string): number {
    return (this.lifetime.get(model) ?? 0) + (this.shared?.spend.lifetime[model] ?? 0);
  }

  /** Spend per model for each of the last `count` days, oldest first (days without spend included). */
  dailyHistory(at: number, count: number): Array<{ day: string; byModel: Record<string, number> }> {
    const result: Array<{ day: string; byModel: Record<string, number> }> = [];
    const today = new Date(at);
    for (let i = count - 1; i >= 0; i--) {
      const key = dayKey(new Date(today.getFullYear(), today.getMonth(), today.getDate() - i).getTime());
      const byModel: Record<string, number> = { ...this.shared?.spend.days[key] };
      for (const [model, usd] of this.days.get(key) ?? []) byModel[model] = (byModel[model] ?? 0) + usd;
      result.push({ day: key, byModel });
    }
    return result;
  }

  /**
   * Returns the alerts newly crossed at `at` for the given budget, remembering them so each fires
   * once per period.
   */
  takeNewAlerts(at: number, budget: BudgetOptions): BudgetAlert[] {
    const alerts: BudgetAlert[] = [];
    const periods: Array<[BudgetPeriod, number | undefined, string, number]> = [
      ['day', budget.dailyUsd, dayKey(at), this.spentToday(at)],
      ['month', budget.monthlyUsd, monthKey(at), this.spentThisMonth(at)],
    ];
    for (const [period, limit, periodKey, spent] of periods) {
      if (!limit || limit <= 0) continue;
      for (const [level, threshold] of [
        ['alert', budget.alertAt],
        ['exceeded', 1],
      ] as const) {
        const alert: BudgetAlert = { period, level, spentUsd: spent, limitUsd: limit, periodKey };
        const id = alertId(alert);
        if (spent >= limit * threshold && !this.alertsFired.has(id)) {
          this.alertsFired.add(id);
          alerts.push(alert);
        }
      }
    }
    this.pruneAlerts(at);
    return alerts;
  }

  toJSON(): PersistedSpend {
    return {
      version: SPEND_FORMAT_VERSION,
      days: toRecord(this.days),
      months: toRecord(this.months),
      lifetime: Object.fromEntries(this.lifetime),
      alertsFired: [...this.alertsFired],
    };
  }

  /**
   * Adopts the stored totals plus what this process spent since its last save. Returns false (and
   * changes nothing) when the data is not a ledger of this version.
   */
  restore(data: unknown): boolean {
    if (!isPersistedSpend(data)) return false;
    this.days = new Map(
      Object.entries(data.days).map(([key, byModel]) => [key, new Map(Object.entries(byModel))]),
    );
    this.months = new Map(
      Object.entries(data.months).map(([key, byModel]) => [key, new Map(Object.entries(byModel))]),
    );
    this.lifetime = new Map(Object.entries(data.lifetime));
    for (const id of data.alertsFired) this.alertsFired.add(id);
    return true;
  }

  /** Remembers an alert as fired (another window fired it), so this window does not. */
  markAlertFired(id: string): void {
    this.alertsFired.add(id);
  }

  /** The alerts fired in the current periods, for this window's record. */
  firedAlerts(): string[] {
    return [...this.alertsFired];
  }

  private pruneAlerts(at: number): void {
    const day = dayKey(at);
    const month = monthKey(at);
    for (const id of this.alertsFired) {
      if (!id.includes(day) && !id.includes(month)) this.alertsFired.delete(id);
    }
  }
}

function addTo(
  map: Map<string, Map<string, number>>,
  key: string,
  model: string,
  usd: number,
  keep: number,
): void {
  let byModel = map.get(key);
  if (!byModel) {
    byModel = new Map();
    map.set(key, byModel);
    // Keys are dates in ISO order, so sorting them finds the oldest to drop.
    if (map.size > keep) {
      for (const old of [...map.keys()].sort().slice(0, map.size - keep)) map.delete(old);
    }
  }
  byModel.set(model, (byModel.get(model) ?? 0) + usd);
}

/** The name an alert is known by across windows: `day:2026-12-01:alert`. */
export function alertId(alert: Pick<BudgetAlert, 'period' | 'periodKey' | 'level'>): string {
  return `${alert.period}:${alert.periodKey}:${alert.level}`;
}

function noop(): void {}

function sumRecord(byModel: Readonly<Record<string, number>> | undefined, model?: string): number {
  if (!byModel) return 0;
  if (model !== undefined) return byModel[model] ?? 0;
  let total = 0;
  for (const usd of Object.values(byModel)) total += usd;
  return total;
}

function sum(byModel: Map<string, number> | undefined, model?: string): number {
  if (!byModel) return 0;
  if (model !== undefined) return byModel.get(model) ?? 0;
  let total = 0;
  for (const usd of byModel.values()) total += usd;
  return total;
}

function toRecord(map: Map<string, Map<string, number>>): Record<string, Record<string, number>> {
  const result: Record<string, Record<string, number>> = {};
  for (const [key, byModel] of map) result[key] = Object.fromEntries(byModel);
  return result;
}

function isPersistedSpend(data: unknown): data is PersistedSpend {
  if (typeof data !== 'object' || data === null) return false;
  const record = data as Record<string, unknown>;
  return (
    record.version === SPEND_FORMAT_VERSION &&
    isNested(record.days) &&
    isNested(record.months) &&
    isAmounts(record.lifetime) &&
    Array.isArray(record.alertsFired) &&
    record.alertsFired.every((id) => typeof id === 'string')
  );
}

function isAmounts(value: unknown): value is Record<string, number> {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.values(value).every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0)
  );
}

function isNested(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.values(value).every(isAmounts);
}
