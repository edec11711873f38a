/**
 * What each window stores in the shared ledger, and how records merge. A window's counters only
 * ever grow while it runs (grow-only counters per day, month and model), so the merged figure is
 * simply the sum of the base and every window's record: no write can lose another's update.
 * Circuits merge by their newest change. Everything read from storage is validated here; a record
 * that does not parse is dropped whole and the valid ones are kept.
 */
import { parsePersistedCircuit, type PersistedCircuit } from './circuitBreaker';
import { type FOLDED_IDS_FIELD, foldedIdsOf } from './sharedStore';
import type { PersistedModelStats, PersistedTotals } from './metrics';
import { parsePersistedMetrics } from './metrics';

export const LEDGER_FORMAT_VERSION = 2;
const DAYS_KEPT = 62;
const MONTHS_KEPT = 24;
/** Latency samples kept per model in a record (and in the merged view of other windows). */
export const SAMPLES_PER_MODEL = 100;

type Amounts = Record<string, number>;

/** Grow-only counters: spend, request counts and token counts. */
export interface Counters {
  readonly totals: PersistedTotals;
  readonly models: Readonly<Record<string, PersistedModelStats>>;
  readonly spend: {
    readonly days: Readonly<Record<string, Amounts>>;
    readonly months: Readonly<Record<string, Amounts>>;
    readonly lifetime: Readonly<Amounts>;
  };
  /** Requests answered by models whose price was unknown, per model. */
  readonly unpriced: Readonly<Amounts>;
}

/** A budget reservation of a request in flight (its worst-case cost), visible to other windows. */
export interface SharedReservation {
  readonly id: string;
  readonly usd: number;
  /** When it was made: reservations are ordered by this, then window id, then id. */
  readonly at: number;
  readonly expiresAt: number;
}

export interface WindowRecord {
  readonly format: 'llm-manager.window';
  readonly version: typeof LEDGER_FORMAT_VERSION;
  readonly windowId: string;
  readonly writtenAt: number;
  readonly counters: Counters;
  readonly circuits: Readonly<Record<string, PersistedCircuit>>;
  readonly reservations: readonly SharedReservation[];
  /** Request start times per model in the last minute (for shared requests-per-minute limits). */
  readonly sends: Readonly<Record<string, readonly number[]>>;
  /** Budget alerts this window fired in the current day and month (so no other window fires them again). */
  readonly alerts: readonly string[];
}

export interface BaseRecord {
  readonly format: 'llm-manager.base';
  readonly version: typeof LEDGER_FORMAT_VERSION;
  /** Window ids folded into this base (bounded); their leftover records are skipped. */
  readonly [FOLDED_IDS_FIELD]: readonly string[];
  readonly counters: Counters;
  readonly circuits: Readonly<Record<string, PersistedCircuit>>;
  /** Set once the v1 globalState keys have been imported into the base. */
  readonly legacyImported?: boolean;
}

const MAX_FOLDED_IDS = 500;

export function emptyCounters(): Counters {
  return {
    totals: {
      requests: 0,
      successes: 0,
      failures: 0,
      cacheHits: 0,
      cacheMisses: 0,
      retries: 0,
      inputTokens: 0,
      outputTokens: 0,
      fallbacks: {},
    },
    models: {},
    spend: { days: {}, months: {}, lifetime: {} },
    unpriced: {},
  };
}

/** `a` + `b`, as new objects (neither input changes). */
export function addCounters(a: Counters, b: Counters): Counters {
  const totals = { ...a.totals, fallbacks: addAmounts(a.totals.fallbacks, b.totals.fallbacks) };
  for (const key of TOTAL_KEYS) totals[key] = a.totals[key] + b.totals[key];
  const models: Record<string, PersistedModelStats> = { ...a.models };
  for (const [name, stats] of Object.entries(b.models)) models[name] = addModel(models[name], stats);
  return {
    totals,
    models,
    spend: {
      days: keepNewest(addNested(a.spend.days, b.spend.days), DAYS_KEPT),
      months: keepNewest(addNested(a.spend.months, b.spend.months), MONTHS_KEPT),
      lifetime: addAmounts(a.spend.lifetime, b.spend.lifetime),
    },
    unpriced: addAmounts(a.unpriced, b.unpriced),
  };
}

const TOTAL_KEYS = [
  'requests',
  'successes',
  'failures',
  'cacheHits',
  'cacheMisses',
  'retries',
  'inputTokens',
  'outputTokens',
] as const;

function addModel(a: PersistedModelStats | undefined, b: PersistedModelStats): PersistedModelStats {
  if (!a) return b;
  const lastError = !a.lastError
    ? b.lastError
    : !b.lastError || a.lastError.at >= b.lastError.at
      ? a.lastError
      : b.lastError;
  return {
    requests: a.requests + b.requests,
    successes: a.successes + b.successes,
    failures: addAmounts(a.failures as Amounts, b.failures as Amounts),
    latencySumMs: a.latencySumMs + b.latencySumMs,
    latencyCount: a.latencyCount + b.latencyCount,
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheReadTokens: (a.cacheReadTokens ?? 0) + (b.cacheReadTokens ?? 0),
    cacheSavingsUsd: (a.cacheSavingsUsd ?? 0) + (b.cacheSavingsUsd ?? 0),
    reasoningTokens: (a.reasoningTokens ?? 0) + (b.reasoningTokens ?? 0),
    lastUsedAt: Math.max(a.lastUsedAt ?? 0, b.lastUsedAt ?? 0) || undefined,
    lastError,
    samples: newestSamples([...a.samples, ...b.samples]),
  };
}

function newestSamples(samples: ReadonlyArray<readonly [number, number]>): Array<readonly [number, number]> {
  return samples
    .slice()
    .sort((x, y) => x[0] - y[0])
    .slice(-SAMPLES_PER_MODEL);
}

function addAmounts(a: Readonly<Amounts>, b: Readonly<Amounts>): Amounts {
  const result = { ...a };
  for (const [key, value] of Object.entries(b)) result[key] = (result[key] ?? 0) + value;
  return result;
}

function addNested(
  a: Readonly<Record<string, Amounts>>,
  b: Readonly<Record<string, Amounts>>,
): Record<string, Amounts> {
  const result: Record<string, Amounts> = { ...a };
  for (const [key, amounts] of Object.entries(b)) result[key] = addAmounts(result[key] ?? {}, amounts);
  return result;
}

/** Keys are dates in ISO order, so sorting finds the oldest to drop. */
function keepNewest(byPeriod: Record<string, Amounts>, keep: number): Record<string, Amounts> {
  const keys = Object.keys(byPeriod).sort();
  if (keys.length <= keep) return byPeriod;
  return Object.fromEntries(keys.slice(-keep).map((key) => [key, byPeriod[key]]));
}

/** The newest verdict per model among several sets of circuits. */
export function newestCircuits(
  sets: ReadonlyArray<Readonly<Record<string, PersistedCircuit>>>,
): Record<string, PersistedCircuit> {
  const result: Record<string, PersistedCircuit> = {};
  for (const set of sets) {
    for (const [name, circuit] of Object.entries(set)) {
      if ((circuit.changedAt ?? 0) >= (result[name]?.changedAt ?? -1)) result[name] = circuit;
    }
  }
  return result;
}

/** The base after folding `records` into it. */
export function foldIntoBase(
  base: BaseRecord | undefined,
  records: ReadonlyMap<string, WindowRecord>,
): BaseRecord {
  let counters = base?.counters ?? emptyCounters();
  for (const record of records.values()) counters = addCounters(counters, record.counters);
  const folded = [...(base?.folded ?? []), ...records.keys()].slice(-MAX_FOLDED_IDS);
  return {
    format: 'llm-manager.base',
    version: LEDGER_FORMAT_VERSION,
    folded,
    counters,
    circuits: newestCircuits([base?.circuits ?? {}, ...[...records.values()].map((r) => r.circuits)]),
    ...(base?.legacyImported ? { legacyImported: true } : {}),
  };
}

// ---- Validation ---------------------------------------------------------------------------------

export function parseWindowRecord(value: unknown): WindowRecord | undefined {
  if (!isRecord(value) || value.format !== 'llm-manager.window' || value.version !== LEDGER_FORMAT_VERSION)
    return undefined;
  if (typeof value.windowId !== 'string' || !isFiniteNumber(value.writtenAt)) return undefined;
  const counters = parseCounters(value.counters);
  const circuits = parseCircuits(value.circuits);
  if (!counters || !circuits || !Array.isArray(value.reservations) || !isRecord(value.sends))
    return undefined;
  const reservations = value.reservations.filter(isReservation);
  if (reservations.length !== value.reservations.length) return undefined;
  const sends: Record<string, number[]> = {};
  for (const [name, times] of Object.entries(value.sends)) {
    if (!Array.isArray(times) || !times.every(isFiniteNumber)) return undefined;
    sends[name] = times;
  }
  const alerts = value.alerts ?? [];
  if (!Array.isArray(alerts) || !alerts.every((id) => typeof id === 'string')) return undefined;
  return { ...(value as unknown as WindowRecord), counters, circuits, reservations, sends, alerts };
}

export function parseBaseRecord(value: unknown): BaseRecord | undefined {
  if (!isRecord(value) || value.format !== 'llm-manager.base' || value.version !== LEDGER_FORMAT_VERSION)
    return undefined;
  const counters = parseCounters(value.counters);
  const circuits = parseCircuits(value.circuits);
  if (!counters || !circuits) return undefined;
  return {
    format: 'llm-manager.base',
    version: LEDGER_FORMAT_VERSION,
    folded: [...foldedIdsOf(value)],
    counters,
    circuits,
    ...(value.legacyImported === true ? { legacyImported: true } : {}),
  };
}

function parseCounters(value: unknown): Counters | undefined {
  if (!isRecord(value) || !isRecord(value.spend)) return undefined;
  // The metrics part has the v1 shape of totals and per-model stats: reuse its validation.
  const metrics = parsePersistedMetrics({ version: 1, totals: value.totals, models: value.models });
  const { days, months, lifetime } = value.spend;
  if (
    !metrics ||
    !isNested(days) ||
    !isNested(months) ||
    !isAmounts(lifetime) ||
    !isAmounts(value.unpriced)
  ) {
    return undefined;
  }
  return {
    totals: metrics.totals,
    models: metrics.models,
    spend: { days: days as Record<string, Amounts>, months: months as Record<string, Amounts>, lifetime },
    unpriced: value.unpriced,
  };
}

function parseCircuits(value: unknown): Record<string, PersistedCircuit> | undefined {
  if (!isRecord(value)) return undefined;
  const result: Record<string, PersistedCircuit> = {};
  for (const [name, raw] of Object.entries(value)) {
    const circuit = parsePersistedCircuit(raw);
    if (!circuit) return undefined;
    result[name] = circuit;
  }
  return result;
}

function isReservation(value: unknown): value is SharedReservation {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    isFiniteNumber(value.usd) &&
    value.usd >= 0 &&
    isFiniteNumber(value.at) &&
    isFiniteNumber(value.expiresAt)
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isAmounts(value: unknown): value is Amounts {
  return isRecord(value) && Object.values(value).every((v) => isFiniteNumber(v) && v >= 0);
}

function isNested(value: unknown): boolean {
  return isRecord(value) && Object.values(value).every(isAmounts);
}
