/**
 * The manager's tunables: one typed object, its defaults, and the one place that validates it
 * (a patch that breaks a rule is refused with a RangeError naming each problem).
 */
import type { BackoffOptions } from './backoff';
import type { CircuitBreakerOptions } from './circuitBreaker';
import type { QualityTier } from './kinds';
import type { CacheOptions } from './responseCache';
import type { BudgetOptions } from './spendLedger';
import type { ChainStep } from './types';

export interface RoutingOptions {
  /** A chain per tier; tiers without one use the active model and fallback chain. */
  readonly tierChains: Readonly<Partial<Record<QualityTier, readonly ChainStep[]>>>;
  /**
   * Budget pressure: when less than this share of the daily or monthly budget remains,
   * standard-tier requests move to the economy chain.
   */
  readonly pressureThreshold: number;
}

export interface HealthProbeOptions {
  /** Probe recovered models in the background when every model of the chain is unavailable. */
  readonly enabled: boolean;
  /** At most one check per model per interval. */
  readonly intervalMs: number;
  /** Stop probing when no request came for this long (the window is idle). */
  readonly idleAfterMs: number;
  /** Deadline of one check. */
  readonly timeoutMs: number;
}

/** How many output tokens a request asks for when it names no cap of its own. */
export interface OutputCapOptions {
  /** The cap when neither the model nor the tier sets one (never above a model's limit). */
  readonly defaultTokens: number;
  /** A cap per task tier; a model's own cap wins over its tier's. */
  readonly tierTokens: Readonly<Partial<Record<QualityTier, number>>>;
}

export interface StreamTimeouts {
  /** How long to wait for the first piece of a streamed answer. */
  readonly firstChunkTimeoutMs: number;
  /** How long a stream may stay silent between pieces. */
  readonly idleTimeoutMs: number;
}

/** Everything tunable; the extension maps its settings onto this and calls {@link LlmManager.configure}. */
export interface ManagerSettings {
  /** Retries of a transient error on the same model before moving on (so up to 1 + maxRetries attempts). */
  readonly maxRetries: number;
  readonly enableCaching: boolean;
  readonly breaker: CircuitBreakerOptions;
  readonly backoff: BackoffOptions;
  /** Deadline for one non-streaming attempt. */
  readonly requestTimeoutMs: number;
  readonly stream: StreamTimeouts;
  readonly cache: CacheOptions;
  readonly budget: BudgetOptions;
  readonly routing: RoutingOptions;
  readonly healthProbe: HealthProbeOptions;
  readonly output: OutputCapOptions;
}

export interface SettingsPatch {
  readonly maxRetries?: number;
  readonly enableCaching?: boolean;
  readonly breaker?: Partial<CircuitBreakerOptions>;
  readonly backoff?: Partial<BackoffOptions>;
  readonly requestTimeoutMs?: number;
  readonly stream?: Partial<StreamTimeouts>;
  readonly cache?: Partial<CacheOptions>;
  readonly budget?: Partial<BudgetOptions>;
  readonly routing?: Partial<RoutingOptions>;
  readonly healthProbe?: Partial<HealthProbeOptions>;
  readonly output?: Partial<OutputCapOptions>;
}

export const DEFAULT_SETTINGS: ManagerSettings = {
  maxRetries: 3,
  enableCaching: true,
  breaker: { failureThreshold: 5, recoveryTimeoutMs: 60_000 },
  backoff: { initialDelayMs: 1000, multiplier: 2, maxDelayMs: 30_000, jitter: 0.2 },
  requestTimeoutMs: 120_000,
  stream: { firstChunkTimeoutMs: 30_000, idleTimeoutMs: 30_000 },
  cache: { ttlMs: 3_600_000, maxEntries: 500, maxBytes: 512 * 1024, maxTemperature: 0.3 },
  budget: { alertAt: 0.8, hardStop: false },
  routing: { tierChains: {}, pressureThreshold: 0.2 },
  healthProbe: { enabled: true, intervalMs: 30_000, idleAfterMs: 300_000, timeoutMs: 10_000 },
  output: { defaultTokens: 8192, tierTokens: {} },
};

/** Applies a patch to settings and validates the result; throws a RangeError naming each problem. */
export function mergeSettings(base: ManagerSettings, patch: SettingsPatch): ManagerSettings {
  const merged: ManagerSettings = {
    maxRetries: patch.maxRetries ?? base.maxRetries,
    enableCaching: patch.enableCaching ?? base.enableCaching,
    breaker: { ...base.breaker, ...defined(patch.breaker) },
    backoff: { ...base.backoff, ...defined(patch.backoff) },
    requestTimeoutMs: patch.requestTimeoutMs ?? base.requestTimeoutMs,
    stream: { ...base.stream, ...defined(patch.stream) },
    cache: { ...base.cache, ...defined(patch.cache) },
    budget: { ...base.budget, ...defined(patch.budget) },
    routing: { ...base.routing, ...defined(patch.routing) },
    healthProbe: { ...base.healthProbe, ...defined(patch.healthProbe) },
    output: { ...base.output, ...defined(patch.output) },
  };
  validateSettings(merged);
  return merged;
}

/** Drops undefined values so a patch never erases a setting by accident. */
function defined<T extends object>(value: T | undefined): Partial<T> {
  if (!value) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function validateSettings(s: ManagerSettings): void {
  const problems: string[] = [];
  const check = (ok: boolean, message: string) => {
    if (!ok) problems.push(message);
  };
  check(Number.isInteger(s.maxRetries) && s.maxRetries >= 0, 'maxRetries must be a whole number ≥ 0');
  check(
    Number.isInteger(s.breaker.failureThreshold) && s.breaker.failureThreshold >= 1,
    'breaker.failureThreshold must be a whole number ≥ 1',
  );
  check(s.breaker.recoveryTimeoutMs >= 0, 'breaker.recoveryTimeoutMs must be ≥ 0');
  check(s.backoff.initialDelayMs >= 0, 'backoff.initialDelayMs must be ≥ 0');
  check(s.backoff.multiplier >= 1, 'backoff.multiplier must be ≥ 1');
  check(s.backoff.maxDelayMs >= 0, 'backoff.maxDelayMs must be ≥ 0');
  check(s.backoff.jitter >= 0 && s.backoff.jitter <= 1, 'backoff.jitter must be between 0 and 1');
  check(s.requestTimeoutMs > 0, 'requestTimeoutMs must be > 0');
  check(s.stream.firstChunkTimeoutMs > 0 && s.stream.idleTimeoutMs > 0, 'stream timeouts must be > 0');
  check(s.cache.ttlMs >= 0 && s.cache.maxEntries >= 0 && s.cache.maxBytes >= 0, 'cache bounds must be ≥ 0');
  check(s.cache.maxTemperature >= 0, 'cache.maxTemperature must be ≥ 0');
  check(s.budget.dailyUsd === undefined || s.budget.dailyUsd >= 0, 'budget.dailyUsd must be ≥ 0');
  check(s.budget.monthlyUsd === undefined || s.budget.monthlyUsd >= 0, 'budget.monthlyUsd must be ≥ 0');
  check(s.budget.alertAt > 0 && s.budget.alertAt <= 1, 'budget.alertAt must be in (0, 1]');
  check(
    s.routing.pressureThreshold >= 0 && s.routing.pressureThreshold < 1,
    'routing.pressureThreshold must be in [0, 1)',
  );
  check(
    s.healthProbe.intervalMs >= 1000 && s.healthProbe.timeoutMs > 0 && s.healthProbe.idleAfterMs >= 0,
    'healthProbe timings must be positive (interval ≥ 1 s)',
  );
  const caps = [s.output.defaultTokens, ...Object.values(s.output.tierTokens)];
  check(
    caps.every((cap) => cap === undefined || (Number.isInteger(cap) && cap > 0)),
    'output caps must be whole numbers > 0',
  );
  if (problems.length > 0) throw new RangeError(`Invalid LLM Manager settings: ${problems.join('; ')}.`);
}
