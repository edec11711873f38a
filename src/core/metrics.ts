import type { LlmErrorKind } from './errors';
import type { TokenUsage } from './types';

/**
 * The last `capacity` latencies of a model in a fixed ring: memory stays bounded however many
 * requests run, and percentiles describe recent behaviour rather than all of history.
 */
export class LatencyWindow {
  private readonly at: number[] = [];
  private readonly ms: number[] = [];
  private next = 0;

  constructor(private readonly capacity: number) {}

  get count(): number {
    return this.ms.length;
  }

  add(at: number, ms: number): void {
    if (this.ms.length < this.capacity) {
      this.at.push(at);
      this.ms.push(ms);
    } else {
      this.at[this.next] = at;
      this.ms[this.next] = ms;
    }
    this.next = (this.next + 1) % this.capacity;
  }

  /** Nearest-rank percentile (p in 0..100) of the window, or undefined when empty. */
  percentile(p: number): number | undefined {
    if (this.ms.length === 0) return undefined;
    const sorted = this.ms.slice().sort((a, b) => a - b);
    const rank = Math.ceil((p / 100) * sorted.length);
    return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
  }

  /** Samples oldest first. */
  samples(): Array<readonly [at: number, ms: number]> {
    const result: Array<readonly [number, number]> = [];
    const start = this.ms.length < this.capacity ? 0 : this.next;
    for (let i = 0; i < this.ms.length; i++) {
      const index = (start + i) % this.ms.length;
      result.push([this.at[index], this.ms[index]]);
    }
    return result;
  }
}

/** Latency samples saved per model (of the in-memory window). */
const PERSISTED_SAMPLES = 100;

export interface LastError {
  readonly kind: LlmErrorKind;
  readonly message: string;
  readonly at: number;
}

/** Counters for one model. `requests` counts attempts sent to it. */
export class ModelStats {
  requests = 0;
  successes = 0;
  failures: Partial<Record<LlmErrorKind, number>> = {};
  latencySumMs = 0;
  latencyCount = 0;
  inputTokens = 0;
  outputTokens = 0;
  /** Input tokens read from the provider's prompt cache, and what that saved against the input price. */
  cacheReadTokens = 0;
  cacheSavingsUsd = 0;
  reasoningTokens = 0;
  lastUsedAt: number | undefined;
  lastError: LastError | undefined;
  readonly latency: LatencyWindow;

  constructor(latencySamples: number) {
    this.latency = new LatencyWindow(latencySamples);
  }

  recordSuccess(at: number, latencyMs: number, usage: TokenUsage, cacheSavingsUsd = 0): void {
    this.requests++;
    this.successes++;
    this.latencySumMs += latencyMs;
    this.latencyCount++;
    this.latency.add(at, latencyMs);
    this.inputTokens += usage.inputTokens;
    this.outputTokens += usage.outputTokens;
    this.cacheReadTokens += usage.cacheReadTokens ?? 0;
    this.reasoningTokens += usage.reasoningTokens ?? 0;
    this.cacheSavingsUsd += cacheSavingsUsd;
    this.lastUsedAt = at;
  }

  recordFailure(at: number, kind: LlmErrorKind, message: string): void {
    this.requests++;
    this.failures[kind] = (this.failures[kind] ?? 0) + 1;
    this.lastUsedAt = at;
    this.lastError = { kind, message: message.slice(0, 300), at };
  }

  toJSON(): PersistedModelStats {
    return {
      requests: this.requests,
      successes: this.successes,
      failures: this.failures,
      latencySumMs: this.latencySumMs,
      latencyCount: this.latencyCount,
      inputTokens: this.inputTokens,
      outputTokens: this.outputTokens,
      cacheReadTokens: this.cacheReadTokens,
      cacheSavingsUsd: this.cacheSavingsUsd,
      reasoningTokens: this.reasoningTokens,
      lastUsedAt: this.lastUsedAt,
      lastError: this.lastError,
      // The most recent samples are enough to rebuild percentiles after a restart, and keep
      // globalState small with many models.
      samples: this.latency.samples().slice(-PERSISTED_SAMPLES),
    };
  }

  restore(data: PersistedModelStats): void {
    this.requests = data.requests;
    this.successes = data.successes;
    this.failures = { ...data.failures };
    this.latencySumMs = data.latencySumMs;
    this.latencyCount = data.latencyCount;
    this.inputTokens = data.inputTokens;
    this.outputTokens = data.outputTokens;
    this.cacheReadTokens = data.cacheReadTokens ?? 0;
    this.cacheSavingsUsd = data.cacheSavingsUsd ?? 0;
    this.reasoningTokens = data.reasoningTokens ?? 0;
    this.lastUsedAt = data.lastUsedAt;
    this.lastError = data.lastError;
    for (const [at, ms] of data.samples) this.latency.add(at, ms);
  }
}

export interface PersistedModelStats {
  readonly requests: number;
  readonly successes: number;
  readonly failures: Partial<Record<LlmErrorKind, number>>;
  readonly latencySumMs: number;
  readonly latencyCount: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheReadTokens?: number;
  readonly cacheSavingsUsd?: number;
  readonly reasoningTokens?: number;
  readonly lastUsedAt?: number;
  readonly lastError?: LastError;
  readonly samples: ReadonlyArray<readonly [number, number]>;
}

/** Request-level counters across all models. `requests` counts `generate` calls. */
export class TotalStats {
  requests = 0;
  successes = 0;
  failures = 0;
  cacheHits = 0;
  cacheMisses = 0;
  retries = 0;
  inputTokens = 0;
  outputTokens = 0;
  fallbacks: Record<string, number> = {};

  recordFallback(from: string, to: string): void {
    const key = `${from}→${to}`;
    this.fallbacks[key] = (this.fallbacks[key] ?? 0) + 1;
  }

  toJSON(): PersistedTotals {
    return {
      requests: this.requests,
      successes: this.successes,
      failures: this.failures,
      cacheHits: this.cacheHits,
      cacheMisses: this.cacheMisses,
      retries: this.retries,
      inputTokens: this.inputTokens,
      outputTokens: this.outputTokens,
      fallbacks: this.fallbacks,
    };
  }

  restore(data: PersistedTotals): void {
    Object.assign(this, { ...data, fallbacks: { ...data.fallbacks } });
  }
}

export type PersistedTotals = Pick<
  TotalStats,
  | 'requests'
  | 'successes'
  | 'failures'
  | 'cacheHits'
  | 'cacheMisses'
  | 'retries'
  | 'inputTokens'
  | 'outputTokens'
  | 'fallbacks'
>;

export const METRICS_FORMAT_VERSION = 1;

export interface PersistedMetrics {
  readonly version: typeof METRICS_FORMAT_VERSION;
  readonly totals: PersistedTotals;
  readonly models: Readonly<Record<string, PersistedModelStats>>;
}

const counterKeys = [
  'requests',
  'successes',
  'failures',
  'cacheHits',
  'cacheMisses',
  'retries',
  'inputTokens',
  'outputTokens',
] as const;
const modelCounterKeys = [
  'requests',
  'successes',
  'latencySumMs',
  'latencyCount',
  'inputTokens',
  'outputTokens',
] as const;

/** Validates persisted metrics; anything malformed yields undefined. */
export function parsePersistedMetrics(data: unknown): PersistedMetrics | undefined {
  if (!isRecord(data) || data.version !== METRICS_FORMAT_VERSION) return undefined;
  const { totals, models } = data;
  if (!isRecord(totals) || !isRecord(models)) return undefined;
  if (!counterKeys.every((k) => isCount(totals[k])) || !isNumberRecord(totals.fallbacks)) return undefined;
  for (const stats of Object.values(models)) {
    if (!isRecord(stats) || !modelCounterKeys.every((k) => isCount(stats[k]))) return undefined;
    if (!isNumberRecord(stats.failures) || !Array.isArray(stats.samples)) return undefined;
    if (!stats.samples.every((s) => Array.isArray(s) && s.length === 2 && s.every(Number.isFinite)))
      return undefined;
    if (stats.lastUsedAt !== undefined && !Number.isFinite(stats.lastUsedAt)) return undefined;
    const lastError = stats.lastError;
    if (
      lastError !== undefined &&
      !(
        isRecord(lastError) &&
        typeof lastError.kind === 'string' &&
        typeof lastError.message === 'string' &&
        Number.isFinite(lastError.at)
      )
    )
      return undefined;
  }
  return data as unknown as PersistedMetrics;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function isNumberRecord(value: unknown): value is Record<string, number> {
  return isRecord(value) && Object.values(value).every(isCount);
}
