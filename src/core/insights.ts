/**
 * What the manager shows about itself: a model's circuit, latency, tokens and spend
 * ({@link ModelInfo}), the totals ({@link ManagerMetrics}), and the events other layers follow.
 * Built on request from the registry and the ledgers; nothing here is stored.
 */
import type { CircuitSnapshot } from './circuitBreaker';
import type { CircuitStateName, LlmErrorKind } from './kinds';
import type { LastError, TotalStats } from './metrics';
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

export function modelInfo(entry: ModelEntry, active: boolean, ledger: SpendLedger, now: number): ModelInfo {
  const { stats } = entry;
  return {
    name: entry.name,
    metadata: entry.metadata,
    active,
    circuit: entry.breaker.snapshot(),
    requests: stats.requests,
    successes: stats.successes,
    failures: { ...stats.failures },
    successRate: stats.requests > 0 ? stats.successes / stats.requests : undefined,
    latency: {
      averageMs: stats.latencyCount > 0 ? stats.latencySumMs / stats.latencyCount : undefined,
      p50Ms: stats.latency.percentile(50),
      p95Ms: stats.latency.percentile(95),
      p99Ms: stats.latency.percentile(99),
      samples: stats.latency.samples(),
    },
    tokens: {
      input: stats.inputTokens,
      output: stats.outputTokens,
      cacheRead: stats.cacheReadTokens,
      reasoning: stats.reasoningTokens,
    },
    spend: {
      todayUsd: ledger.spentToday(now, entry.name),
      monthUsd: ledger.spentThisMonth(now, entry.name),
      lifetimeUsd: ledger.spentLifetime(entry.name),
      savedByCacheUsd: stats.cacheSavingsUsd,
      unpricedRequests: ledger.unpricedRequests(entry.name),
    },
    lastUsedAt: stats.lastUsedAt,
    lastError: stats.lastError,
    retryAfterUntil:
      entry.blockedUntil !== undefined && entry.blockedUntil > now ? entry.blockedUntil : undefined,
  };
}

export function managerMetrics(
  totals: TotalStats,
  cache: ResponseCache,
  ledger: SpendLedger,
  budget: BudgetOptions,
  now: number,
): ManagerMetrics {
  const lookups = totals.cacheHits + totals.cacheMisses;
  return {
    requests: totals.requests,
    successes: totals.successes,
    failures: totals.failures,
    successRate: totals.requests > 0 ? totals.successes / totals.requests : undefined,
    cacheHits: totals.cacheHits,
    cacheMisses: totals.cacheMisses,
    cacheHitRate: lookups > 0 ? totals.cacheHits / lookups : undefined,
    cache: { entries: cache.size, bytes: cache.bytes },
    retries: totals.retries,
    fallbacks: { ...totals.fallbacks },
    tokens: { input: totals.inputTokens, output: totals.outputTokens },
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
