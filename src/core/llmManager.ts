import { backoffDelay, type BackoffOptions } from './backoff';
import {
  costUsd,
  estimateInputTokens,
  estimateTextTokens,
  isFree,
  normalizeRequest,
  planCandidates,
  validateToolCalls,
  type NormalizedRequest,
} from './chainPlan';
import {
  CircuitBreaker,
  parsePersistedCircuit,
  type CircuitBreakerOptions,
  type CircuitSnapshot,
  type PersistedCircuit,
} from './circuitBreaker';
import { cancelledError, sleep, systemClock } from './clock';
import {
  ChainFailedError,
  countsAgainstCircuit,
  describeErrorKind,
  describeSkipReason,
  LlmError,
  toLlmError,
  type LlmErrorKind,
  type ModelFailure,
  type SkipReason,
} from './errors';
import { formatDuration, formatUsd } from './format';
import { Emitter, type Event } from './lifecycle';
import {
  ModelStats,
  parsePersistedMetrics,
  TotalStats,
  type LastError,
  type PersistedModelStats,
} from './metrics';
import { cacheKey, ResponseCache, type CacheOptions } from './responseCache';
import { SpendLedger, type BudgetAlert, type BudgetOptions } from './spendLedger';
import { TokenBucket } from './tokenBucket';
import type {
  ChainStep,
  CircuitStateName,
  Clock,
  GenerateRequest,
  GenerateResult,
  KeyValueStore,
  LlmProvider,
  Logger,
  ModelMetadata,
  ProviderRequest,
  ProviderResponse,
  RequestTrace,
  TokenUsage,
  ToolCall,
  TraceStep,
} from './types';

/** How demanding a task is; each tier may have its own chain (an empty one means the default chain). */
export type QualityTier = 'economy' | 'standard' | 'high';

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
}

export interface LlmManagerOptions extends SettingsPatch {
  readonly clock?: Clock;
  /** Where cache, metrics, spend and circuit states persist; without one they live in memory only. */
  readonly store?: KeyValueStore;
  readonly logger?: Logger;
  /** Source of randomness for jitter and weighted groups (tests make it deterministic). */
  readonly random?: () => number;
  /** Writes to the store are batched over this long. */
  readonly persistDebounceMs?: number;
  /** Latency samples kept per model for percentiles. */
  readonly latencySamples?: number;
  /** Requests whose traces are kept for the dashboard. */
  readonly recentRequests?: number;
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
};

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
/** Models that disappeared from the registry keep their history this long (by count). */
const MAX_ORPHANED_MODELS = 50;

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
  readonly tokens: { readonly input: number; readonly output: number };
  readonly spend: { readonly todayUsd: number; readonly monthUsd: number; readonly lifetimeUsd: number };
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
  }>;
}

/** Why a request's chain was chosen, when it is not simply the default chain. */
export interface RoutingState {
  /** Set while a budget is nearly used up. */
  readonly pressure?: { readonly period: 'day' | 'month'; readonly remainingShare: number };
  /** True while standard-tier requests are moved to the economy chain. */
  readonly standardUsesEconomy: boolean;
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

interface ModelEntry {
  readonly name: string;
  readonly provider: LlmProvider;
  readonly metadata: ModelMetadata;
  readonly breaker: CircuitBreaker;
  readonly stats: ModelStats;
  readonly bucket?: TokenBucket;
  /** The provider asked for a longer wait than we retry within: skip until then. */
  blockedUntil?: number;
  probeTimer?: { dispose(): void };
}

type Admission =
  | { readonly admitted: true; readonly probe: boolean; readonly releaseBudget: () => void }
  /** Only the last model of a chain waits for a rate-limit slot; then admission is asked again. */
  | { readonly admitted: 'wait'; readonly waitMs: number }
  | { readonly admitted: false; readonly reason: SkipReason; readonly detail: string };

type ModelOutcome =
  | { readonly ok: true; readonly result: GenerateResult }
  | { readonly ok: false; readonly failure: ModelFailure; readonly kind: LlmErrorKind | SkipReason };

/**
 * The manager: a registry of models and the route every request takes through it —
 * response cache → fallback chain → each model's circuit breaker → retry with backoff → provider.
 * Every step feeds metrics, spend and the request's trace.
 */
export class LlmManager {
  private settings: ManagerSettings;
  private readonly clock: Clock;
  private readonly store?: KeyValueStore;
  private readonly logger?: Logger;
  private readonly random: () => number;
  private readonly persistDebounceMs: number;
  private readonly latencySamples: number;
  private readonly recentLimit: number;

  private readonly models = new Map<string, ModelEntry>();
  private activeModel: string | undefined;
  private fallbackChain: readonly ChainStep[] | undefined;
  private readonly cache: ResponseCache;
  private readonly totals = new TotalStats();
  private readonly ledger = new SpendLedger();
  private readonly recent: CompletedRequest[] = [];
  /** Persisted state of models not (yet) registered, applied when they are. */
  private readonly orphanCircuits = new Map<string, PersistedCircuit>();
  private readonly orphanStats = new Map<string, PersistedModelStats>();
  private persistTimer: { dispose(): void } | undefined;
  private probeLoop: { dispose(): void } | undefined;
  private probesInFlight = new Set<string>();
  private lastRequestAt = 0;
  private traceCounter = 0;
  private traceIdPrefix: string | undefined;
  private priorityOrder: string[] | undefined;
  private restored = false;
  private disposed = false;

  private readonly _onDidChangeCircuit = new Emitter<CircuitChange>();
  readonly onDidChangeCircuit: Event<CircuitChange> = this._onDidChangeCircuit.event;
  private readonly _onDidCompleteRequest = new Emitter<CompletedRequest>();
  readonly onDidCompleteRequest: Event<CompletedRequest> = this._onDidCompleteRequest.event;
  private readonly _onDidCrossBudgetAlert = new Emitter<BudgetAlert>();
  readonly onDidCrossBudgetAlert: Event<BudgetAlert> = this._onDidCrossBudgetAlert.event;
  private readonly _onDidChangeMetrics = new Emitter<void>();
  readonly onDidChangeMetrics: Event<void> = this._onDidChangeMetrics.event;
  private readonly _onDidChangeModels = new Emitter<void>();
  /** Models registered or removed, the active model or the chain changed. */
  readonly onDidChangeModels: Event<void> = this._onDidChangeModels.event;

  /** Resolves once persisted state has been loaded; `generate` waits for it. */
  readonly ready: Promise<void>;

  constructor(options: LlmManagerOptions = {}) {
    this.settings = mergeSettings(DEFAULT_SETTINGS, options);
    this.clock = options.clock ?? systemClock;
    this.store = options.store;
    this.logger = options.logger;
    this.random = options.random ?? Math.random;
    this.persistDebounceMs = options.persistDebounceMs ?? 1000;
    this.latencySamples = options.latencySamples ?? 256;
    this.recentLimit = options.recentRequests ?? 50;
    this.cache = new ResponseCache(this.settings.cache, this.clock);
    this.ready = this.restore().then(() => {
      this.restored = true;
    });
  }

  // ---- Configuration and registry -------------------------------------------------------

  get currentSettings(): ManagerSettings {
    return this.settings;
  }

  /** Applies new settings live: breakers, cache bounds and budgets take effect at once. */
  configure(patch: SettingsPatch): void {
    this.settings = mergeSettings(this.settings, patch);
    for (const entry of this.models.values()) entry.breaker.configure(this.settings.breaker);
    this.cache.configure(this.settings.cache);
    this._onDidChangeMetrics.fire();
  }

  registerModel(name: string, provider: LlmProvider, metadata: ModelMetadata): void {
    if (!name.trim()) throw new Error('A model needs a name.');
    validateMetadata(name, metadata);
    const previous = this.models.get(name);
    if (previous) {
      // Re-registering (a settings edit) replaces the provider, not the model's history.
      this.orphanCircuits.set(name, previous.breaker.toJSON());
      this.orphanStats.set(name, previous.stats.toJSON());
      this.disposeEntry(previous);
    }
    const breaker = new CircuitBreaker(
      this.settings.breaker,
      this.clock,
      (from, to) => this.onBreakerChange(name, from, to),
      this.orphanCircuits.get(name),
    );
    const stats = new ModelStats(this.latencySamples);
    const persistedStats = this.orphanStats.get(name);
    if (persistedStats) stats.restore(persistedStats);
    this.orphanCircuits.delete(name);
    this.orphanStats.delete(name);
    const bucket = metadata.rpm && metadata.rpm > 0 ? new TokenBucket(metadata.rpm, this.clock) : undefined;
    const entry: ModelEntry = { name, provider, metadata, breaker, stats, bucket };
    this.models.set(name, entry);
    this.priorityOrder = undefined;
    this.scheduleProbeTimer(entry);
    this._onDidChangeModels.fire();
  }

  /** Removes a model; it also leaves the active slot and the fallback chain. */
  unregisterModel(name: string): boolean {
    const entry = this.models.get(name);
    if (!entry) return false;
    // Keep its history so that re-registering (a settings edit) does not reset its circuit and stats.
    this.orphanCircuits.set(name, entry.breaker.toJSON());
    this.orphanStats.set(name, entry.stats.toJSON());
    this.trimOrphans();
    this.disposeEntry(entry);
    this.models.delete(name);
    this.priorityOrder = undefined;
    if (this.activeModel === name) this.activeModel = undefined;
    if (this.fallbackChain) this.fallbackChain = removeFromChain(this.fallbackChain, name);
    this._onDidChangeModels.fire();
    return true;
  }

  listModels(): string[] {
    return [...this.models.keys()];
  }

  getActiveModel(): string | undefined {
    return this.activeModel;
  }

  setActiveModel(name: string | undefined): void {
    if (name !== undefined && !this.models.has(name)) throw new Error(`Unknown model "${name}".`);
    this.activeModel = name;
    this._onDidChangeModels.fire();
  }

  /**
   * Sets the models tried after the active one, in order. A step that is an array is a group whose
   * members share load by weight. Without a chain, every registered model is tried by priority.
   */
  setFallbackChain(steps: readonly ChainStep[] | undefined): void {
    if (steps) {
      for (const name of steps.flat()) {
        if (!this.models.has(name)) throw new Error(`Unknown model "${name}" in the fallback chain.`);
      }
    }
    this.fallbackChain = steps?.map((step) => (typeof step === 'string' ? step : [...step]));
    this._onDidChangeModels.fire();
  }

  getFallbackChain(): readonly ChainStep[] | undefined {
    return this.fallbackChain;
  }

  /** The chain's steps as they stand: the active model, then the fallback chain (or all by priority). */
  chainSteps(): ChainStep[] {
    const steps: ChainStep[] = [];
    if (this.activeModel) steps.push(this.activeModel);
    if (this.fallbackChain) steps.push(...this.fallbackChain);
    else steps.push(...this.modelsByPriority());
    return steps;
  }

  /** The order models would be tried in now (a group's order is one weighted draw). */
  resolveChain(chain?: readonly ChainStep[]): string[] {
    return planCandidates(
      chain ?? this.chainSteps(),
      (name) => this.models.has(name),
      (name) => this.models.get(name)?.metadata.weight ?? 1,
      this.random,
    );
  }

  // ---- Observability ----------------------------------------------------------------------

  getModelInfo(name: string): ModelInfo | undefined {
    const entry = this.models.get(name);
    if (!entry) return undefined;
    const { stats } = entry;
    const now = this.clock.now();
    return {
      name,
      metadata: entry.metadata,
      active: this.activeModel === name,
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
      tokens: { input: stats.inputTokens, output: stats.outputTokens },
      spend: {
        todayUsd: this.ledger.spentToday(now, name),
        monthUsd: this.ledger.spentThisMonth(now, name),
        lifetimeUsd: this.ledger.spentLifetime(name),
      },
      lastUsedAt: stats.lastUsedAt,
      lastError: stats.lastError,
      retryAfterUntil:
        entry.blockedUntil !== undefined && entry.blockedUntil > now ? entry.blockedUntil : undefined,
    };
  }

  getMetrics(): ManagerMetrics {
    const t = this.totals;
    const now = this.clock.now();
    const lookups = t.cacheHits + t.cacheMisses;
    const { budget } = this.settings;
    return {
      requests: t.requests,
      successes: t.successes,
      failures: t.failures,
      successRate: t.requests > 0 ? t.successes / t.requests : undefined,
      cacheHits: t.cacheHits,
      cacheMisses: t.cacheMisses,
      cacheHitRate: lookups > 0 ? t.cacheHits / lookups : undefined,
      cache: { entries: this.cache.size, bytes: this.cache.bytes },
      retries: t.retries,
      fallbacks: { ...t.fallbacks },
      tokens: { input: t.inputTokens, output: t.outputTokens },
      spend: {
        todayUsd: this.ledger.spentToday(now),
        monthUsd: this.ledger.spentThisMonth(now),
        dailyBudgetUsd: budget.dailyUsd || undefined,
        monthlyBudgetUsd: budget.monthlyUsd || undefined,
        alertAt: budget.alertAt,
        hardStop: budget.hardStop,
        history: this.ledger.dailyHistory(now, 30),
      },
    };
  }

  /** The most recent requests with their traces, newest last. */
  getRecentRequests(): readonly CompletedRequest[] {
    return this.recent.slice();
  }

  /** What a request may cost on each model of its chain, before it is sent. */
  estimateCost(request: GenerateRequest): CostEstimate {
    const normalized = normalizeRequest(request);
    const inputTokens = estimateInputTokens(normalized);
    const perModel = this.resolveChain(request.chain).map((name) => {
      const { metadata } = this.models.get(name)!;
      const outputTokens = Math.min(request.maxTokens ?? metadata.maxOutputTokens, metadata.maxOutputTokens);
      return {
        model: name,
        minUsd: costUsd(metadata, inputTokens, 0),
        maxUsd: costUsd(metadata, inputTokens, outputTokens),
        free: isFree(metadata),
      };
    });
    return {
      inputTokens,
      minUsd: perModel.length ? Math.min(...perModel.map((m) => m.minUsd)) : 0,
      maxUsd: perModel.length ? Math.max(...perModel.map((m) => m.maxUsd)) : 0,
      perModel,
    };
  }

  // ---- Control -----------------------------------------------------------------------------

  resetCircuitBreaker(name?: string): void {
    const entries = name === undefined ? [...this.models.values()] : [this.requireModel(name)];
    for (const entry of entries) {
      entry.breaker.reset();
      entry.blockedUntil = undefined;
    }
    this.schedulePersist();
  }

  /** Takes a model out of rotation until {@link resetCircuitBreaker}. */
  isolateModel(name: string): void {
    this.requireModel(name).breaker.isolate();
    this.schedulePersist();
  }

  clearCache(): void {
    this.cache.clear();
    this.schedulePersist();
    this._onDidChangeMetrics.fire();
  }

  // ---- The request path --------------------------------------------------------------------

  /**
   * Answers a request through the cache and the fallback chain. Resolves with the answer and its
   * trace; rejects with an {@link LlmError} (a {@link ChainFailedError} when every model failed)
   * whose `trace` says what was tried.
   */
  async generate(request: GenerateRequest): Promise<GenerateResult> {
    if (!this.restored) await this.ready;
    const trace = new TraceRecorder(this.nextTraceId(), this.clock);
    this.totals.requests++;
    this.lastRequestAt = this.clock.now();
    try {
      const result = await this.route(request, trace);
      this.totals.successes++;
      // The result already carries the finished trace; a second copy per request is wasted work.
      this.complete({ trace: result.trace, result });
      return result;
    } catch (thrown) {
      const error = toLlmError(thrown);
      error.trace = trace.snapshot();
      this.totals.failures++;
      this.complete({ trace: error.trace, error });
      throw error;
    }
  }

  private async route(request: GenerateRequest, trace: TraceRecorder): Promise<GenerateResult> {
    const startedAt = this.clock.now();
    const normalized = normalizeRequest(request);
    const { signal } = request;
    if (signal?.aborted) throw cancelledError();

    const steps = this.stepsFor(request, trace);
    const candidates = this.resolveChain(steps);
    if (candidates.length === 0) {
      throw new ChainFailedError(
        'allModelsFailed',
        [],
        'No models are configured: add a model in the settings, or try the demo models.',
      );
    }

    const key = this.cacheKeyFor(request, normalized, steps);
    if (key !== undefined) {
      const hit = this.cache.get(key);
      trace.add({ type: 'cache', hit: hit !== undefined });
      if (hit) {
        this.totals.cacheHits++;
        if (request.onToken) safeDeliver(request.onToken, hit.text, this.logger);
        return {
          text: hit.text,
          model: hit.model,
          usage: hit.usage,
          costUsd: 0,
          cached: true,
          latencyMs: this.clock.now() - startedAt,
          trace: trace.snapshot(),
        };
      }
      this.totals.cacheMisses++;
    }

    const inputTokens = estimateInputTokens(normalized);
    const providerRequest = { ...normalized, temperature: request.temperature, maxTokens: request.maxTokens };
    const needsTools = normalized.tools !== undefined;
    const failures: ModelFailure[] = [];
    let needsWindowAbove = inputTokens - 1;

    for (let i = 0; i < candidates.length; i++) {
      const entry = this.models.get(candidates[i]);
      if (!entry) continue;
      const isLast = i === candidates.length - 1;
      let admission = this.admit(entry, inputTokens, needsWindowAbove, request, isLast, needsTools);
      while (admission.admitted === 'wait') {
        await sleep(this.clock, admission.waitMs, request.signal);
        admission = this.admit(entry, inputTokens, needsWindowAbove, request, isLast, needsTools);
      }
      if (!admission.admitted) {
        trace.add({ type: 'skip', model: entry.name, reason: admission.reason, detail: admission.detail });
        failures.push({
          model: entry.name,
          outcome: admission.reason,
          summary: admission.detail,
          attempts: 0,
        });
        continue;
      }
      let outcome: ModelOutcome;
      try {
        outcome = await this.tryModel(
          entry,
          { ...providerRequest, model: entry.name },
          request,
          trace,
          inputTokens,
          startedAt,
          admission.probe,
        );
      } finally {
        admission.releaseBudget();
      }
      if (outcome.ok) {
        if (entry.name !== candidates[0]) this.totals.recordFallback(candidates[0], entry.name);
        // An answer that asks for tool calls depends on what the tools return next: never cache it.
        if (key !== undefined && !outcome.result.toolCalls?.length) {
          this.cache.set(key, { text: outcome.result.text, model: entry.name, usage: outcome.result.usage });
        }
        return outcome.result;
      }
      failures.push(outcome.failure);
      if (outcome.kind === 'contextLength') {
        needsWindowAbove = Math.max(needsWindowAbove, entry.metadata.contextWindow);
      }
    }
    throw chainFailure(failures);
  }

  /**
   * The chain a request takes: its own, else its tier's, else the default. Under budget pressure a
   * standard-tier request takes the economy chain instead, and the trace says why.
   */
  private stepsFor(request: GenerateRequest, trace: TraceRecorder): readonly ChainStep[] {
    if (request.chain) return request.chain;
    const tier = request.tier ?? 'standard';
    const chains = this.settings.routing.tierChains;
    // Budget pressure can only move standard requests, and only to an economy chain: skip the
    // date arithmetic on the hot path otherwise.
    const routing = tier === 'standard' && chains.economy?.length ? this.getRoutingState() : undefined;
    if (routing?.standardUsesEconomy && routing.pressure) {
      const { period, remainingShare } = routing.pressure;
      trace.add({
        type: 'route',
        tier,
        chain: 'economy',
        reason: `budget pressure: ${Math.round(remainingShare * 100)} % of the ${period === 'day' ? 'daily' : 'monthly'} budget left`,
      });
      return chains.economy!;
    }
    const own = chains[tier];
    if (own && own.length > 0) {
      trace.add({ type: 'route', tier, chain: tier });
      return own;
    }
    return this.chainSteps();
  }

  /** Whether a budget is nearly used up, and whether that moves standard requests to the economy chain. */
  getRoutingState(): RoutingState {
    const { budget, routing } = this.settings;
    const now = this.clock.now();
    let pressure: RoutingState['pressure'];
    const periods: Array<['day' | 'month', number | undefined, number]> = [
      ['day', budget.dailyUsd, this.ledger.spentToday(now)],
      ['month', budget.monthlyUsd, this.ledger.spentThisMonth(now)],
    ];
    for (const [period, limit, spent] of periods) {
      if (!limit || limit <= 0) continue;
      const remainingShare = Math.max(0, (limit - spent) / limit);
      if (
        remainingShare < routing.pressureThreshold &&
        (!pressure || remainingShare < pressure.remainingShare)
      ) {
        pressure = { period, remainingShare };
      }
    }
    const economy = routing.tierChains.economy;
    return {
      pressure,
      standardUsesEconomy: pressure !== undefined && economy !== undefined && economy.length > 0,
    };
  }

  // ---- Background health probes --------------------------------------------------------------

  /**
   * When every model of the default chain is unavailable, checks the open ones in the background
   * (a model list or a one-token request, once per model per interval), so a recovered model comes
   * back before its breaker's own timeout. Stops when any model is available again or the window
   * has been idle for a while.
   */
  private considerHealthProbes(): void {
    const options = this.settings.healthProbe;
    if (!options.enabled || this.disposed || this.probeLoop) return;
    if (!this.chainIsDown()) return;
    this.logger?.info('Every model of the chain is unavailable; probing them in the background.');
    this.probeLoop = this.clock.setTimeout(() => this.runHealthProbes(), options.intervalMs);
  }

  private chainIsDown(): boolean {
    const names = this.resolveChain();
    return (
      names.length > 0 &&
      names.every(
        (name) =>
          this.models.get(name)!.breaker.state === 'open' ||
          this.models.get(name)!.breaker.state === 'isolated',
      )
    );
  }

  private runHealthProbes(): void {
    this.probeLoop = undefined;
    const options = this.settings.healthProbe;
    if (this.disposed || !options.enabled || !this.chainIsDown()) return;
    if (this.clock.now() - this.lastRequestAt >= options.idleAfterMs) {
      this.logger?.info('Background health probes stopped: no requests for a while.');
      return;
    }
    for (const name of this.resolveChain()) {
      const entry = this.models.get(name)!;
      if (entry.breaker.state !== 'open' || !entry.provider.healthCheck || this.probesInFlight.has(name))
        continue;
      void this.probeModel(entry, options.timeoutMs);
    }
    this.probeLoop = this.clock.setTimeout(() => this.runHealthProbes(), options.intervalMs);
  }

  private async probeModel(entry: ModelEntry, timeoutMs: number): Promise<void> {
    this.probesInFlight.add(entry.name);
    const controller = new AbortController();
    const deadline = new Deadline(this.clock, controller, undefined);
    try {
      await deadline.race(
        entry.provider.healthCheck!(controller.signal),
        timeoutMs,
        () => `health check of ${entry.name} timed out`,
      );
      if (entry.breaker.state === 'open') {
        this.logger?.info(
          `${entry.name} answered a background health check; its circuit closes before its timeout.`,
        );
        entry.breaker.reset();
        entry.blockedUntil = undefined;
      }
    } catch (error) {
      this.logger?.debug(`Background health check of ${entry.name} failed: ${toLlmError(error).message}`);
    } finally {
      deadline.dispose();
      this.probesInFlight.delete(entry.name);
    }
  }

  private cacheKeyFor(
    request: GenerateRequest,
    normalized: NormalizedRequest,
    steps: readonly ChainStep[],
  ): string | undefined {
    if (!this.settings.enableCaching || request.useCache === false) return undefined;
    if (!this.cache.isCacheableTemperature(request.temperature)) return undefined;
    return cacheKey([
      steps,
      normalized.system ?? '',
      normalized.messages,
      request.temperature,
      request.maxTokens ?? null,
      normalized.tools ?? null,
      normalized.toolChoice ?? null,
    ]);
  }

  /**
   * Decides whether a model may take the request now: says why not, or claims what an attempt
   * needs (the half-open probe slot, a rate-limit token).
   */
  private admit(
    entry: ModelEntry,
    inputTokens: number,
    needsWindowAbove: number,
    request: GenerateRequest,
    isLast: boolean,
    needsTools: boolean,
  ): Admission {
    const now = this.clock.now();
    const state = entry.breaker.state;
    if (state === 'open') {
      const nextProbeAt = entry.breaker.snapshot().nextProbeAt!;
      return {
        admitted: false,
        reason: 'circuitOpen',
        detail: `circuit open after repeated failures; next probe in ${formatDuration(nextProbeAt - now)}`,
      };
    }
    if (state === 'isolated')
      return { admitted: false, reason: 'isolated', detail: describeSkipReason('isolated') };
    if (entry.blockedUntil !== undefined && entry.blockedUntil > now) {
      return {
        admitted: false,
        reason: 'retryAfter',
        detail: `the provider asked us to wait; not tried again for ${formatDuration(entry.blockedUntil - now)}`,
      };
    }
    if (needsTools && entry.metadata.supportsTools === false) {
      return { admitted: false, reason: 'noToolSupport', detail: describeSkipReason('noToolSupport') };
    }
    if (entry.metadata.contextWindow <= needsWindowAbove) {
      return {
        admitted: false,
        reason: 'contextTooSmall',
        detail: `context window too small (${entry.metadata.contextWindow.toLocaleString('en-US')} tokens; the prompt needs about ${(needsWindowAbove + 1).toLocaleString('en-US')})`,
      };
    }
    const wait = entry.bucket?.msUntilAvailable() ?? 0;
    if (wait > 0) {
      if (!isLast)
        return {
          admitted: false,
          reason: 'rateLimited',
          detail: `requests-per-minute limit reached; a slot frees in ${formatDuration(wait)}`,
        };
      // The last model in the chain: waiting for a slot beats failing the request.
      return { admitted: 'wait', waitMs: wait };
    }
    // Synchronous on purpose: the budget check, the permit and the reservation happen together.
    const overBudget = this.budgetBlock(entry, inputTokens, request.maxTokens);
    if (overBudget) return { admitted: false, reason: 'overBudget', detail: overBudget };
    const permit = entry.breaker.tryAcquire();
    if (!permit.allowed) {
      return { admitted: false, reason: permit.reason, detail: describeSkipReason(permit.reason) };
    }
    entry.bucket?.tryTake();
    // Reserved with the check, so concurrent requests cannot all pass it before any is charged.
    const releaseBudget = this.ledger.reserve(
      isFree(entry.metadata) ? 0 : this.worstCaseCost(entry.metadata, inputTokens, request.maxTokens),
    );
    return { admitted: true, probe: permit.probe, releaseBudget };
  }

  /** With a hard stop, why a paid model may not take this request (undefined when it may). */
  private budgetBlock(
    entry: ModelEntry,
    inputTokens: number,
    maxTokens: number | undefined,
  ): string | undefined {
    const { budget } = this.settings;
    if (!budget.hardStop || isFree(entry.metadata)) return undefined;
    const estimate = this.worstCaseCost(entry.metadata, inputTokens, maxTokens);
    const now = this.clock.now();
    const committed = this.ledger.reserved;
    const checks: Array<[string, number | undefined, number]> = [
      ['daily', budget.dailyUsd, this.ledger.spentToday(now)],
      ['monthly', budget.monthlyUsd, this.ledger.spentThisMonth(now)],
    ];
    for (const [label, limit, spent] of checks) {
      if (limit && limit > 0 && spent + committed + estimate > limit) {
        return `over the ${label} budget (${formatUsd(spent)} of ${formatUsd(limit)} spent; this request could cost up to ${formatUsd(estimate)})`;
      }
    }
    return undefined;
  }

  private worstCaseCost(metadata: ModelMetadata, inputTokens: number, maxTokens: number | undefined): number {
    const outputTokens = Math.min(maxTokens ?? metadata.maxOutputTokens, metadata.maxOutputTokens);
    return costUsd(metadata, inputTokens, outputTokens);
  }

  /** Attempts one model, retrying transient errors with backoff. The first permit is already held. */
  private async tryModel(
    entry: ModelEntry,
    providerRequest: ProviderRequest,
    request: GenerateRequest,
    trace: TraceRecorder,
    inputTokens: number,
    startedAt: number,
    firstAttemptIsProbe: boolean,
  ): Promise<ModelOutcome> {
    const { signal, onToken } = request;
    let probe = firstAttemptIsProbe;
    for (let attempt = 1; ; attempt++) {
      if (attempt > 1) {
        const permit = entry.breaker.tryAcquire();
        if (!permit.allowed) {
          return this.modelFailed(
            entry,
            'circuitOpen',
            `circuit opened after ${attempt - 1} failed attempts`,
            attempt - 1,
          );
        }
        probe = permit.probe;
      }
      const attemptStart = this.clock.now();
      const streamed = { text: '' };
      let response: ProviderResponse;
      try {
        response = await this.callProvider(entry, providerRequest, signal, onToken, streamed);
      } catch (thrown) {
        const error = toLlmError(thrown, entry.name);
        const latencyMs = this.clock.now() - attemptStart;
        if (error.missingKey) {
          if (probe) entry.breaker.releaseProbe();
          const detail = describeSkipReason('noApiKey');
          trace.add({ type: 'skip', model: entry.name, reason: 'noApiKey', detail });
          return {
            ok: false,
            kind: 'noApiKey',
            failure: { model: entry.name, outcome: 'noApiKey', summary: detail, attempts: 0 },
          };
        }
        if (error.kind === 'cancelled' || signal?.aborted) {
          if (probe) entry.breaker.releaseProbe();
          trace.add({
            type: 'attempt',
            model: entry.name,
            attempt,
            latencyMs,
            outcome: 'error',
            errorKind: 'cancelled',
            message: 'cancelled',
          });
          throw new LlmError('cancelled', 'The request was cancelled.', {
            model: entry.name,
            partialText: streamed.text || undefined,
          });
        }
        entry.stats.recordFailure(this.clock.now(), error.kind, error.message);
        trace.add({
          type: 'attempt',
          model: entry.name,
          attempt,
          latencyMs,
          outcome: 'error',
          errorKind: error.kind,
          message: error.message,
        });
        if (countsAgainstCircuit(error.kind)) entry.breaker.recordFailure(probe);
        else if (probe) entry.breaker.releaseProbe();
        this.schedulePersist();

        if (streamed.text.length > 0) {
          // Text is already on the user's screen: restarting elsewhere would duplicate it.
          throw new LlmError(
            'interrupted',
            `The answer from ${entry.name} stopped part-way (${describeErrorKind(error.kind)}). The partial answer is kept.`,
            { model: entry.name, partialText: streamed.text, cause: error },
          );
        }
        if (!error.transient || attempt > this.settings.maxRetries) {
          const retried = attempt > 1 ? ` after ${attempt} attempts` : '';
          return this.modelFailed(entry, error.kind, `${describeErrorKind(error.kind)}${retried}`, attempt);
        }
        let delayMs: number;
        let reason: 'exponential' | 'retryAfter' = 'exponential';
        if (error.retryAfterMs !== undefined) {
          if (error.retryAfterMs > this.settings.backoff.maxDelayMs) {
            entry.blockedUntil = this.clock.now() + error.retryAfterMs;
            return this.modelFailed(
              entry,
              error.kind,
              `${describeErrorKind(error.kind)}; the provider asked us to wait ${formatDuration(error.retryAfterMs)}, so it is skipped until then`,
              attempt,
            );
          }
          delayMs = error.retryAfterMs;
          reason = 'retryAfter';
        } else {
          delayMs = backoffDelay(this.settings.backoff, attempt - 1, this.random);
        }
        if (entry.breaker.state !== 'closed') {
          return this.modelFailed(
            entry,
            error.kind,
            `${describeErrorKind(error.kind)}; circuit opened`,
            attempt,
          );
        }
        if (entry.bucket) delayMs = Math.max(delayMs, entry.bucket.msUntilAvailable());
        trace.add({ type: 'backoff', model: entry.name, delayMs, reason });
        this.totals.retries++;
        await sleep(this.clock, delayMs, signal);
        entry.bucket?.tryTake();
        continue;
      }
      return {
        ok: true,
        result: this.succeeded(
          entry,
          response,
          attemptStart,
          attempt,
          probe,
          trace,
          startedAt,
          inputTokens,
          streamed.text,
        ),
      };
    }
  }

  private succeeded(
    entry: ModelEntry,
    response: ProviderResponse,
    attemptStart: number,
    attempt: number,
    probe: boolean,
    trace: TraceRecorder,
    startedAt: number,
    inputTokens: number,
    streamedText: string,
  ): GenerateResult {
    const now = this.clock.now();
    const latencyMs = now - attemptStart;
    let usage = response.usage;
    if (!(usage.inputTokens > 0 || usage.outputTokens > 0)) {
      // Without usage we still charge an estimate: silently billing nothing would break the budget.
      usage = { inputTokens, outputTokens: estimateTextTokens(response.text || streamedText) };
      this.logger?.warn(`${entry.name} reported no token usage; spend uses an estimate.`);
    }
    const cost = costUsd(entry.metadata, usage.inputTokens, usage.outputTokens);
    entry.stats.recordSuccess(now, latencyMs, usage);
    entry.breaker.recordSuccess(probe);
    entry.blockedUntil = undefined;
    this.totals.inputTokens += usage.inputTokens;
    this.totals.outputTokens += usage.outputTokens;
    this.ledger.record(entry.name, cost, now);
    // Without a store nothing is ever saved, so the journal of unsaved spend would grow by one
    // record per paid request forever (a leak in long-running hosts, tests and benchmarks).
    if (!this.store) this.ledger.markSaved(this.ledger.unsavedCount);
    // Alerts exist only against a budget; skipping the check otherwise keeps date work off the hot path.
    const { dailyUsd, monthlyUsd } = this.settings.budget;
    if ((dailyUsd ?? 0) > 0 || (monthlyUsd ?? 0) > 0) {
      for (const alert of this.ledger.takeNewAlerts(now, this.settings.budget))
        this._onDidCrossBudgetAlert.fire(alert);
    }
    trace.add({ type: 'attempt', model: entry.name, attempt, latencyMs, outcome: 'success' });
    trace.add({ type: 'answered', model: entry.name, costUsd: cost });
    this.schedulePersist();
    return {
      text: response.text,
      ...(response.toolCalls?.length ? { toolCalls: response.toolCalls } : {}),
      model: entry.name,
      usage,
      costUsd: cost,
      cached: false,
      latencyMs: now - startedAt,
      trace: trace.snapshot(),
    };
  }

  private modelFailed(
    entry: ModelEntry,
    kind: LlmErrorKind | SkipReason,
    summary: string,
    attempts: number,
  ): ModelOutcome {
    return { ok: false, kind, failure: { model: entry.name, outcome: kind, summary, attempts } };
  }

  /** One attempt with its deadlines; aborts the provider's work when a deadline passes or the caller cancels. */
  private async callProvider(
    entry: ModelEntry,
    request: ProviderRequest,
    outer: AbortSignal | undefined,
    onToken: ((text: string) => void) | undefined,
    streamed: { text: string },
  ): Promise<ProviderResponse> {
    const controller = new AbortController();
    const deadline = new Deadline(this.clock, controller, outer);
    try {
      if (!onToken) {
        const response = await deadline.race(
          entry.provider.generate(request, controller.signal),
          this.settings.requestTimeoutMs,
          () => `No answer from ${entry.name} within ${formatDuration(this.settings.requestTimeoutMs)}.`,
        );
        if (
          typeof response?.text !== 'string' ||
          (response.text.length === 0 && !response.toolCalls?.length)
        ) {
          throw new LlmError('badResponse', `${entry.name} returned an empty answer.`, { model: entry.name });
        }
        if (response.toolCalls?.length) validateToolCalls(response.toolCalls, request.tools, entry.name);
        return response;
      }
      return await this.consumeStream(entry, request, controller, deadline, onToken, streamed);
    } finally {
      deadline.dispose();
    }
  }

  private async consumeStream(
    entry: ModelEntry,
    request: ProviderRequest,
    controller: AbortController,
    deadline: Deadline,
    onToken: (text: string) => void,
    streamed: { text: string },
  ): Promise<ProviderResponse> {
    const { firstChunkTimeoutMs, idleTimeoutMs } = this.settings.stream;
    const iterator = entry.provider.stream(request, controller.signal)[Symbol.asyncIterator]();
    let usage: TokenUsage = { inputTokens: 0, outputTokens: 0 };
    let finishReason: string | undefined;
    let received = false;
    const toolCalls: ToolCall[] = [];
    try {
      for (;;) {
        const next = await deadline.race(
          iterator.next(),
          received ? idleTimeoutMs : firstChunkTimeoutMs,
          () =>
            received
              ? `${entry.name} went silent for ${formatDuration(idleTimeoutMs)} mid-answer.`
              : `No first chunk from ${entry.name} within ${formatDuration(firstChunkTimeoutMs)}.`,
        );
        if (next.done) break;
        received = true;
        const chunk = next.value;
        switch (chunk.type) {
          case 'text':
            if (chunk.text) {
              streamed.text += chunk.text;
              safeDeliver(onToken, chunk.text, this.logger);
            }
            break;
          case 'usage':
            usage = chunk.usage;
            break;
          case 'finish':
            finishReason = chunk.finishReason;
            break;
          case 'toolCall':
            toolCalls.push(chunk.call);
            break;
        }
      }
    } catch (error) {
      controller.abort();
      // Closing the iterator lets the provider release its connection; its own error is not ours.
      iterator.return?.().catch(() => undefined);
      throw error;
    }
    if (streamed.text.length === 0 && toolCalls.length === 0) {
      throw new LlmError('badResponse', `${entry.name} streamed an empty answer.`, { model: entry.name });
    }
    if (toolCalls.length > 0) validateToolCalls(toolCalls, request.tools, entry.name);
    return { text: streamed.text, usage, finishReason, ...(toolCalls.length ? { toolCalls } : {}) };
  }

  // ---- Events, persistence, lifecycle ------------------------------------------------------

  private complete(completed: CompletedRequest): void {
    this.recent.push(completed);
    if (this.recent.length > this.recentLimit) this.recent.splice(0, this.recent.length - this.recentLimit);
    this.schedulePersist();
    this._onDidCompleteRequest.fire(completed);
    this._onDidChangeMetrics.fire();
  }

  private onBreakerChange(model: string, from: CircuitStateName, to: CircuitStateName): void {
    const entry = this.models.get(model);
    if (entry) this.scheduleProbeTimer(entry);
    this.logger?.info(`Circuit of ${model}: ${from} → ${to}`);
    this.schedulePersist();
    this._onDidChangeCircuit.fire({ model, from, to, at: this.clock.now() });
    if (to === 'open') this.considerHealthProbes();
  }

  /** An open circuit becomes half-open by time alone: a timer makes that visible when it happens. */
  private scheduleProbeTimer(entry: ModelEntry): void {
    entry.probeTimer?.dispose();
    entry.probeTimer = undefined;
    const snapshot = entry.breaker.snapshot();
    if (snapshot.state === 'open' && snapshot.nextProbeAt !== undefined && !this.disposed) {
      entry.probeTimer = this.clock.setTimeout(
        () => {
          entry.probeTimer = undefined;
          void entry.breaker.state;
        },
        Math.max(0, snapshot.nextProbeAt - this.clock.now()),
      );
    }
  }

  private disposeEntry(entry: ModelEntry): void {
    entry.probeTimer?.dispose();
  }

  private schedulePersist(): void {
    if (!this.store || this.persistTimer || this.disposed) return;
    this.persistTimer = this.clock.setTimeout(() => {
      this.persistTimer = undefined;
      void this.flush();
    }, this.persistDebounceMs);
  }

  /**
   * Writes cache, metrics, spend and circuits to the store now. Spend and circuits are merged with
   * what other windows stored meanwhile: spend adds up, the newer circuit verdict wins.
   */
  async flush(): Promise<void> {
    this.persistTimer?.dispose();
    this.persistTimer = undefined;
    const store = this.store;
    if (!store || !this.restored) return;
    try {
      await this.readShared(store);
      const circuits: Record<string, PersistedCircuit> = Object.fromEntries(this.orphanCircuits);
      const models: Record<string, PersistedModelStats> = Object.fromEntries(this.orphanStats);
      for (const entry of this.models.values()) {
        circuits[entry.name] = entry.breaker.toJSON();
        models[entry.name] = entry.stats.toJSON();
      }
      const savedSpendRecords = this.ledger.unsavedCount;
      await Promise.all([
        store.set(STORE_KEYS.cache, this.settings.enableCaching ? this.cache.toJSON() : undefined),
        store.set(STORE_KEYS.metrics, { version: 1, totals: this.totals.toJSON(), models }),
        store.set(STORE_KEYS.circuits, { version: CIRCUITS_FORMAT_VERSION, circuits }),
        store.set(STORE_KEYS.spend, this.ledger.toJSON()),
      ]);
      this.ledger.markSaved(savedSpendRecords);
    } catch (error) {
      this.logger?.warn(
        `Could not save LLM Manager state: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  /**
   * Picks up what other windows sharing the store have saved: their spend (added to ours) and any
   * circuit whose state changed there more recently than here.
   */
  async syncFromStore(): Promise<void> {
    if (!this.store || !this.restored) return;
    try {
      await this.readShared(this.store);
    } catch (error) {
      this.logger?.warn(
        `Could not read shared LLM Manager state: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    this._onDidChangeMetrics.fire();
  }

  private async readShared(store: KeyValueStore): Promise<void> {
    const [spend, circuits] = await Promise.all([
      store.get<unknown>(STORE_KEYS.spend),
      store.get<unknown>(STORE_KEYS.circuits),
    ]);
    if (spend !== undefined) this.ledger.restore(spend);
    if (circuits !== undefined) this.applyCircuits(circuits, 'adoptNewer');
  }

  private async restore(): Promise<void> {
    const store = this.store;
    if (!store) return;
    const load = async (key: string, label: string, apply: (value: unknown) => boolean) => {
      let value: unknown;
      try {
        value = await store.get<unknown>(key);
      } catch (error) {
        this.logger?.warn(
          `Could not read saved ${label}: ${error instanceof Error ? error.message : String(error)}`,
        );
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
        this.logger?.warn(`Saved ${label} was unreadable or too large and has been dropped; starting fresh.`);
    };
    await Promise.all([
      load(STORE_KEYS.cache, 'response cache', (value) => this.cache.restore(value)),
      load(STORE_KEYS.spend, 'spend', (value) => this.ledger.restore(value)),
      load(STORE_KEYS.metrics, 'metrics', (value) => this.applyMetrics(value)),
      load(STORE_KEYS.circuits, 'circuit states', (value) => this.applyCircuits(value, 'restore')),
    ]);
    this._onDidChangeMetrics.fire();
  }

  private applyMetrics(value: unknown): boolean {
    const metrics = parsePersistedMetrics(value);
    if (!metrics) return false;
    this.totals.restore(metrics.totals);
    for (const [name, stats] of Object.entries(metrics.models)) {
      const entry = this.models.get(name);
      if (entry) entry.stats.restore(stats);
      else this.orphanStats.set(name, stats);
    }
    this.trimOrphans();
    return true;
  }

  private applyCircuits(value: unknown, mode: 'restore' | 'adoptNewer'): boolean {
    if (typeof value !== 'object' || value === null) return false;
    const record = value as { version?: unknown; circuits?: unknown };
    if (
      record.version !== CIRCUITS_FORMAT_VERSION ||
      typeof record.circuits !== 'object' ||
      record.circuits === null
    )
      return false;
    const parsed = new Map<string, PersistedCircuit>();
    for (const [name, raw] of Object.entries(record.circuits)) {
      const circuit = parsePersistedCircuit(raw);
      if (!circuit) return false;
      parsed.set(name, circuit);
    }
    for (const [name, circuit] of parsed) {
      const entry = this.models.get(name);
      if (entry) {
        if (mode === 'restore') entry.breaker.restore(circuit);
        else if (!entry.breaker.adoptIfNewer(circuit)) continue;
        this.scheduleProbeTimer(entry);
      } else if (
        mode === 'restore' ||
        (circuit.changedAt ?? 0) > (this.orphanCircuits.get(name)?.changedAt ?? 0)
      ) {
        this.orphanCircuits.set(name, circuit);
      }
    }
    this.trimOrphans();
    return true;
  }

  private trimOrphans(): void {
    for (const map of [this.orphanCircuits, this.orphanStats] as Array<Map<string, unknown>>) {
      for (const name of [...map.keys()].slice(0, Math.max(0, map.size - MAX_ORPHANED_MODELS)))
        map.delete(name);
    }
  }

  /** Saves pending state and stops timers. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    await this.flush();
    this.disposed = true;
    for (const entry of this.models.values()) this.disposeEntry(entry);
    this.probeLoop?.dispose();
    this._onDidChangeCircuit.dispose();
    this._onDidCompleteRequest.dispose();
    this._onDidCrossBudgetAlert.dispose();
    this._onDidChangeMetrics.dispose();
    this._onDidChangeModels.dispose();
  }

  // ---- Helpers --------------------------------------------------------------------------------

  private requireModel(name: string): ModelEntry {
    const entry = this.models.get(name);
    if (!entry) throw new Error(`Unknown model "${name}".`);
    return entry;
  }

  /** Registered models by priority; computed once per registry change, not per request. */
  private modelsByPriority(): readonly string[] {
    this.priorityOrder ??= [...this.models.values()]
      .map((entry, index) => ({ name: entry.name, priority: entry.metadata.priority ?? 100, index }))
      .sort((a, b) => a.priority - b.priority || a.index - b.index)
      .map((m) => m.name);
    return this.priorityOrder;
  }

  /** Unique per manager: its start time (base 36, formatted once) and a request counter. */
  private nextTraceId(): string {
    this.traceIdPrefix ??= this.clock.now().toString(36);
    return `${this.traceIdPrefix}-${++this.traceCounter}`;
  }
}

/** Collects a request's steps, stamping each with the clock. */
class TraceRecorder {
  private readonly steps: TraceStep[] = [];
  private readonly startedAt: number;

  constructor(
    private readonly id: string,
    private readonly clock: Clock,
  ) {
    this.startedAt = clock.now();
  }

  /** Stamps the step in place: every caller passes a fresh literal, so no copy is needed. */
  add(step: DistributiveOmit<TraceStep, 'at'>): void {
    (step as { at?: number }).at = this.clock.now();
    this.steps.push(step as TraceStep);
  }

  snapshot(): RequestTrace {
    return { id: this.id, startedAt: this.startedAt, steps: this.steps.slice() };
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * Races provider promises against a deadline on the injected clock and the caller's signal. When
 * either wins, the attempt's controller aborts so the provider stops its network work.
 */
class Deadline {
  private readonly onOuterAbort: () => void;
  private rejectCurrent: ((error: LlmError) => void) | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly controller: AbortController,
    private readonly outer: AbortSignal | undefined,
  ) {
    this.onOuterAbort = () => {
      controller.abort();
      this.rejectCurrent?.(cancelledError());
    };
    outer?.addEventListener('abort', this.onOuterAbort, { once: true });
  }

  race<T>(work: Promise<T>, timeoutMs: number, describe: () => string): Promise<T> {
    if (this.outer?.aborted) {
      this.controller.abort();
      work.catch(() => undefined);
      return Promise.reject(cancelledError());
    }
    return new Promise<T>((resolve, reject) => {
      this.rejectCurrent = reject;
      const timer = this.clock.setTimeout(() => {
        this.controller.abort();
        reject(new LlmError('timeout', describe()));
      }, timeoutMs);
      work.then(
        (value) => {
          timer.dispose();
          resolve(value);
        },
        (error: unknown) => {
          timer.dispose();
          reject(error);
        },
      );
    });
  }

  dispose(): void {
    this.outer?.removeEventListener('abort', this.onOuterAbort);
    this.rejectCurrent = undefined;
  }
}

function chainFailure(failures: readonly ModelFailure[]): ChainFailedError {
  const outcomes = new Set(failures.map((f) => f.outcome));
  const only = outcomes.size === 1 ? [...outcomes][0] : undefined;
  let kind: LlmErrorKind = 'allModelsFailed';
  let headline = `No model could answer (${failures.length} tried):`;
  switch (only) {
    case 'circuitOpen':
    case 'halfOpenProbeBusy':
    case 'isolated':
      kind = 'circuitOpen';
      headline = 'Every model is unavailable: their circuits are open after repeated failures.';
      break;
    case 'overBudget':
      kind = 'budgetExceeded';
      headline = 'The budget is used up: every paid model was skipped and no free model is in the chain.';
      break;
    case 'contextTooSmall':
    case 'contextLength':
      kind = 'contextLength';
      headline = 'The prompt is too long for every model in the chain.';
      break;
    case 'noApiKey':
      kind = 'auth';
      headline = 'No model has an API key: set one with "LLM Manager: Set API Key".';
      break;
    case undefined:
      break;
    default:
      if (isErrorKind(only)) kind = only;
  }
  return new ChainFailedError(kind, failures, headline);
}

const errorKinds: ReadonlySet<string> = new Set<LlmErrorKind>([
  'rateLimit',
  'quota',
  'auth',
  'contextLength',
  'contentPolicy',
  'badRequest',
  'server',
  'timeout',
  'network',
  'badResponse',
  'cancelled',
  'circuitOpen',
  'budgetExceeded',
  'interrupted',
  'allModelsFailed',
]);

function isErrorKind(value: string): value is LlmErrorKind {
  return errorKinds.has(value);
}

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
  if (problems.length > 0) throw new RangeError(`Invalid LLM Manager settings: ${problems.join('; ')}.`);
}

function validateMetadata(name: string, m: ModelMetadata): void {
  const problems: string[] = [];
  if (!(m.contextWindow > 0)) problems.push('contextWindow must be > 0');
  if (!(m.maxOutputTokens > 0)) problems.push('maxOutputTokens must be > 0');
  if (!(m.inputPricePerMTok >= 0) || !(m.outputPricePerMTok >= 0)) problems.push('prices must be ≥ 0');
  if (m.rpm !== undefined && !(m.rpm >= 0)) problems.push('rpm must be ≥ 0');
  if (m.weight !== undefined && !(m.weight >= 0)) problems.push('weight must be ≥ 0');
  if (problems.length > 0) throw new RangeError(`Model "${name}": ${problems.join('; ')}.`);
}

function removeFromChain(steps: readonly ChainStep[], name: string): ChainStep[] {
  const result: ChainStep[] = [];
  for (const step of steps) {
    if (typeof step === 'string') {
      if (step !== name) result.push(step);
    } else {
      const rest = step.filter((n) => n !== name);
      if (rest.length > 0) result.push(rest);
    }
  }
  return result;
}

function safeDeliver(onToken: (text: string) => void, text: string, logger: Logger | undefined): void {
  try {
    onToken(text);
  } catch (error) {
    logger?.error(`A streaming listener threw: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function approximateSize(value: unknown): number {
  return JSON.stringify(value)?.length ?? 0;
}
