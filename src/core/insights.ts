/**
 * What the manager shows about itself: a model's circuit, latency, tokens and spend
 * ({@link ModelInfo}), the totals ({@link ManagerMetrics}), and the events other layers follow.
 * Built on request from the registry and the ledgers; nothing here is stored.
 */
import type { CircuitSnapshot } from './circuitBreaker';
import type { CircuitStateName, LlmErrorKind } from './kinds';
import type { LastError, PersistedModelStats, PersistedTotals, TotalStats } from './metrics';
import type { ModelEntry } from './registry';
import type { ResponseCache } from './responseCache';
import type { BudgetOptions, SpendLedger } from './spendLedger';
import type { GenerateResult, ModelMetadata, RequestTrace } from './types';
import type { LlmError } from './errors';

export interface ModelInfo {
  readonly name: string;
  readonly metadata: ModelMetadata;
  readonly active: boolean;
  readonly circuit: CircuitSnapshot;
  /** Attempts sent to this model. */
  readonly requests: number;
  readonly successes: number;
  readonly failures: Readonly<Partial<Record<LlmErrorKind, number>>>;
  /** successes / requests, or undefined before the first request. */
  readonly successRate?: number;
  readonly latency: {
    readonly averageMs?: number;
    readonly p50Ms?: number;
    readonly p95Ms?: number;
    readonly p99Ms?: number;
    /** Recent samples, oldest first, for charts. */
    readonly samples: ReadonlyArray<readonly [at: number, ms: number]>;
  };
  readonly tokens: {
    readonly input: number;
    readonly output: number;
    /** Input tokens read from the provider's prompt cache. */
    readonly cacheRead: number;
    /** Output tokens spent reasoning or thinking. */
    readonly reasoning: number;
  };
  readonly spend: {
    readonly todayUsd: number;
    readonly monthUsd: number;
    readonly lifetimeUsd: number;
    /** What prompt caching saved against the full input price (lifetime). */
    readonly savedByCacheUsd: number;
    /** Requests answered while the model's price was unknown (their cost is not in the figures). */
    readonly unpricedRequests: number;
  };
  readonly lastUsedAt?: number;
  readonly lastError?: LastError;
  /** Set while the provider's Retry-After keeps the model out of rotation. */
  readonly retryAfterUntil?: number;
}

export interface ManagerMetrics {
  readonly requests: number;
  readonly successes: number;
  readonly failures: number;
  readonly successRate?: number;
  readonly cacheHits: number;
  readonly cacheMisses: number;
  readonly cacheHitRate?: number;
  readonly cache: { readonly entries: number; readonly bytes: number };
  readonly retries: number;
  /** Requests answered by another model than their first choice, keyed `first→answering`. */
  readonly fallbacks: Readonly<Record<string, number>>;
  readonly tokens: { readonly input: number; readonly output: number };
  readonly spend: {
    readonly todayUsd: number;
    readonly monthUsd: number;
    readonly dailyBudgetUsd?: number;
    readonly monthlyBudgetUsd?: number;
    readonly alertAt: number;
    readonly hardStop: boolean;
    /** Per day for the last 30 days, oldest first. */
    readonly history: ReadonlyArray<{
      readonly day: string;
      readonly byModel: Readonly<Record<string, number>>;
    }>;
  };
}

export interface CostEstimate {
  readonly inputTokens: number;
  readonly minUsd: number;
  readonly maxUsd: number;
  readonly perModel: ReadonlyArray<{
    readonly model: string;
    readonly minUsd: number;
    readonly maxUsd: number;
    readonly free: boolean;
    /** The output cap the request would send to this model (what `maxUsd` assumes). */
    readonly outputCap: number;
    /** Nobody knows this model's price: its figures are 0 but not real. */
    readonly priceUnknown: boolean;
  }>;
}

export interface CircuitChange {
  readonly model: string;
  readonly from: CircuitStateName;
  readonly to: CircuitStateName;
  readonly at: number;
}

export interface CompletedRequest {
  readonly trace: RequestTrace;
  readonly result?: GenerateResult;
  readonly error?: LlmError;
}

/**
 * A model as every window together sees it: this window's live statistics plus what the other
 * windows (and the windows that are gone) recorded for it.
 */
export function modelInfo(
  entry: ModelEntry,
  active: boolean,
  ledger: SpendLedger,
  now: number,
  others?: PersistedModelStats,
): ModelInfo {
  const own = entry.stats;
  const requests = own.requests + (others?.requests ?? 0);
  const successes = own.successes + (others?.successes ?? 0);
  const latencyCount = own.latencyCount + (others?.latencyCount ?? 0);
  const latencySumMs = own.latencySumMs + (others?.latencySumMs ?? 0);
  const samples = others?.samples.length
    ? mergeSamples(own.latency.samples(), others.samples)
    : own.latency.samples();
  const sorted = others?.samples.length ? samples.map(([, ms]) => ms).sort((a, b) => a - b) : undefined;
  const percentile = (p: number) => (sorted ? nearestRank(sorted, p) : own.latency.percentile(p));
  const lastError = newest(own.lastError, others?.lastError);
  return {
    name: entry.name,
    metadata: entry.metadata,
    active,
    circuit: entry.breaker.snapshot(),
    requests,
    successes,
    failures: others ? addCounts(own.failures, others.failures) : { ...own.failures },
    successRate: requests > 0 ? successes / requests : undefined,
    latency: {
      averageMs: latencyCount > 0 ? latencySumMs / latencyCount : undefined,
      p50Ms: percentile(50),
      p95Ms: percentile(95),
      p99Ms: percentile(99),
      samples,
    },
    tokens: {
      input: own.inputTokens + (others?.inputTokens ?? 0),
      output: own.outputTokens + (others?.outputTokens ?? 0),
      cacheRead: own.cacheReadTokens + (others?.cacheReadTokens ?? 0),
      reasoning: own.reasoningTokens + (others?.reasoningTokens ?? 0),
    },
    spend: {
      todayUsd: ledger.spentToday(now, entry.name),
      monthUsd: ledger.spentThisMonth(now, entry.name),
      lifetimeUsd: ledger.spentLifetime(entry.name),
      savedByCacheUsd: own.cacheSavingsUsd + (others?.cacheSavingsUsd ?? 0),
      unpricedRequests: ledger.unpricedRequests(entry.name),
    },
    lastUsedAt: Math.max(own.lastUsedAt ?? 0, others?.lastUsedAt ?? 0) || undefined,
    lastError,
    retryAfterUntil:
      entry.blockedUntil !== undefined && entry.blockedUntil > now ? entry.blockedUntil : undefined,
  };
}

/** The totals of every window: this window's live counters plus the others'. */
export function managerMetrics(
  own: TotalStats,
  cache: ResponseCache,
  ledger: SpendLedger,
  budget: BudgetOptions,
  now: number,
  others?: PersistedTotals,
): ManagerMetrics {
  const sum = (key: Exclude<keyof PersistedTotals, 'fallbacks'>) => own[key] + (others?.[key] ?? 0);
  const requests = sum('requests');
  const successes = sum('successes');
  const cacheHits = sum('cacheHits');
  const lookups = cacheHits + sum('cacheMisses');
  return {
    requests,
    successes,
    failures: sum('failures'),
    successRate: requests > 0 ? successes / requests : undefined,
    cacheHits,
    cacheMisses: sum('cacheMisses'),
    cacheHitRate: lookups > 0 ? cacheHits / lookups : undefined,
    cache: { entries: cache.size, bytes: cache.bytes },
    retries: sum('retries'),
    fallbacks: (others ? addCounts(own.fallbacks, others.fallbacks) : { ...own.fallbacks }) as Record<
      string,
      number
    >,
    tokens: { input: sum('inputTokens'), output: sum('outputTokens') },
    spend: {
      todayUsd: ledger.spentToday(now),
      monthUsd: ledger.spentThisMonth(now),
      dailyBudgetUsd: budget.dailyUsd || undefined,
      monthlyBudgetUsd: budget.monthlyUsd || undefined,
      alertAt: budget.alertAt,
      hardStop: budget.hardStop,
      history: ledger.dailyHistory(now, 30),
    },
  };
}

/** Latency samples kept for charts when windows' samples are merged. */
const MERGED_SAMPLES = 256;

function mergeSamples(
  a: ReadonlyArray<readonly [number, number]>,
  b: ReadonlyArray<readonly [number, number]>,
): Array<readonly [number, number]> {
  return [...a, ...b].sort((x, y) => x[0] - y[0]).slice(-MERGED_SAMPLES);
}

function nearestRank(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

function addCounts<K extends string>(
  a: Readonly<Partial<Record<K, number>>>,
  b: Readonly<Partial<Record<K, number>>>,
): Partial<Record<K, number>> {
  const result: Partial<Record<K, number>> = { ...a };
  for (const [key, value] of Object.entries(b) as Array<[K, number]>)
    result[key] = (result[key] ?? 0) + value;
  return result;
}

function newest(a: LastError | undefined, b: LastError | undefined): LastError | undefined {
  if (!a) return b;
  if (!b) return a;
  return a.at >= b.at ? a : b;
}
