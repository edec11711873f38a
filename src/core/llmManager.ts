/**
 * The manager: a registry of models and the route every request takes through it —
 * response cache → fallback chain → each model's circuit breaker → retry with backoff → provider.
 * Every step feeds metrics, spend and the request's trace. This class is the facade; each job
 * lives in a part of its own (registry, routing, admission, attempts, provider call, accounting,
 * health probes, persistence), wired together here.
 */
import { Accountant } from './accounting';
import { Attempts } from './attempts';
import { CrossWindowGate } from './crossWindow';
import { systemClock } from './clock';
import { estimateCost } from './costs';
import { toLlmError } from './errors';
import { HealthProber } from './healthProber';
import {
  managerMetrics,
  modelInfo,
  type CircuitChange,
  type CompletedRequest,
  type CostEstimate,
  type ManagerMetrics,
  type ModelInfo,
} from './insights';
import type { CircuitStateName } from './kinds';
import { Disposable, Emitter, type Event } from './lifecycle';
import { DEFAULT_SETTINGS, mergeSettings, type ManagerSettings, type SettingsPatch } from './managerSettings';
import { TotalStats } from './metrics';
import { Persistence } from './persistence';
import { ProviderCaller } from './providerCall';
import { ModelRegistry, type ModelEntry } from './registry';
import { RecentRequests } from './recentRequests';
import { RequestPath } from './requestPath';
import { ResponseCache } from './responseCache';
import { routingStateOf, type RoutingState } from './routing';
import { keyValueSharedStore } from './keyValueSharedStore';
import { SharedLedger } from './sharedLedger';
import type { SharedStore } from './sharedStore';
import { alertId, SpendLedger, type BudgetAlert } from './spendLedger';
import { TraceIds, TraceRecorder } from './trace';
import type {
  ChainStep,
  Clock,
  GenerateRequest,
  GenerateResult,
  KeyValueStore,
  LlmProvider,
  Logger,
  ModelMetadata,
} from './types';

export interface LlmManagerOptions extends SettingsPatch {
  readonly clock?: Clock;
  /** Where the response cache persists (globalState); without one it lives in memory only. */
  readonly store?: KeyValueStore;
  /**
   * The ledger shared with other windows: spend, metrics, circuits, reservations. Without one, a
   * `store` holds the ledger for the windows of this process (tests, the terminal demo).
   */
  readonly shared?: SharedStore;
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

export class LlmManager extends Disposable {
  private settings: ManagerSettings;
  private readonly clock: Clock;
  private readonly logger?: Logger;
  private readonly random: () => number;
  private readonly registry: ModelRegistry;
  private readonly cache: ResponseCache;
  private readonly totals = new TotalStats();
  private readonly ledger = new SpendLedger();
  private readonly traceIds: TraceIds;
  private readonly path: RequestPath;
  private readonly persistence?: Persistence;
  private readonly sharedLedger?: SharedLedger;
  private readonly recent: RecentRequests<CompletedRequest>;
  private lastRequestAt = 0;
  private loaded = false;

  private readonly _onDidChangeCircuit = this._register(new Emitter<CircuitChange>());
  readonly onDidChangeCircuit: Event<CircuitChange> = this._onDidChangeCircuit.event;
  private readonly _onDidCompleteRequest = this._register(new Emitter<CompletedRequest>());
  readonly onDidCompleteRequest: Event<CompletedRequest> = this._onDidCompleteRequest.event;
  private readonly _onDidCrossBudgetAlert = this._register(new Emitter<BudgetAlert>());
  readonly onDidCrossBudgetAlert: Event<BudgetAlert> = this._onDidCrossBudgetAlert.event;
  private readonly _onDidChangeMetrics = this._register(new Emitter<void>());
  readonly onDidChangeMetrics: Event<void> = this._onDidChangeMetrics.event;
  /** Models registered or removed, the active model or the chain changed. */
  readonly onDidChangeModels: Event<void>;
  /** Resolves once persisted state has been loaded; `generate` waits for it. */
  readonly ready: Promise<void>;

  constructor(options: LlmManagerOptions = {}) {
    super();
    this.settings = mergeSettings(DEFAULT_SETTINGS, options);
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger;
    this.random = options.random ?? Math.random;
    this.recent = new RecentRequests(options.recentRequests ?? 50);
    this.traceIds = new TraceIds(this.clock);
    this.cache = new ResponseCache(this.settings.cache, this.clock);
    this.registry = this._register(
      new ModelRegistry({
        clock: this.clock,
        breaker: () => this.settings.breaker,
        latencySamples: options.latencySamples ?? 256,
        onBreakerChange: (entry, from, to) => this.breakerChanged(entry, from, to),
      }),
    );
    this.onDidChangeModels = this.registry.onDidChangeModels;
    const accountant = new Accountant({
      clock: this.clock,
      logger: this.logger,
      totals: this.totals,
      ledger: this.ledger,
      budget: () => this.settings.budget,
      onAlert: (alert) => this.alertOnce(alert),
    });
    const caller = new ProviderCaller({
      clock: this.clock,
      settings: () => this.settings,
      logger: this.logger,
    });
    const attempts = new Attempts({
      clock: this.clock,
      // Read on each draw, so a test may replace the source after construction.
      random: () => this.random(),
      settings: () => this.settings,
      totals: this.totals,
      caller,
      accountant,
    });
    const sharedStore =
      options.shared ??
      (options.store
        ? this._register(keyValueSharedStore(options.store, () => this.clock.now(), this.logger))
        : undefined);
    if (sharedStore) {
      this.sharedLedger = this._register(
        new SharedLedger({
          store: sharedStore,
          clock: this.clock,
          logger: this.logger,
          debounceMs: options.persistDebounceMs ?? 1000,
          registry: this.registry,
          totals: this.totals,
          ledger: this.ledger,
          changes: [this.onDidChangeCircuit, this.onDidCompleteRequest],
          onDidUpdate: () => this._onDidChangeMetrics.fire(),
        }),
      );
    }
    this.path = new RequestPath({
      clock: this.clock,
      logger: this.logger,
      // Read on each draw, so a test may replace the source after construction.
      random: () => this.random(),
      settings: () => this.settings,
      registry: this.registry,
      cache: this.cache,
      totals: this.totals,
      ledger: this.ledger,
      attempts,
      routingState: () => this.getRoutingState(),
      shared: this.sharedLedger,
      crossWindow:
        this.sharedLedger &&
        new CrossWindowGate({
          shared: this.sharedLedger,
          ledger: this.ledger,
          clock: this.clock,
          settings: () => this.settings,
        }),
    });
    this._register(
      new HealthProber({
        clock: this.clock,
        logger: this.logger,
        registry: this.registry,
        settings: () => this.settings.healthProbe,
        lastRequestAt: () => this.lastRequestAt,
        onDidChangeCircuit: this.onDidChangeCircuit,
      }),
    );
    if (options.store) {
      this.persistence = this._register(
        new Persistence({
          store: options.store,
          clock: this.clock,
          logger: this.logger,
          debounceMs: options.persistDebounceMs ?? 1000,
          registry: this.registry,
          cache: this.cache,
          totals: this.totals,
          ledger: this.ledger,
          cachingEnabled: () => this.settings.enableCaching,
          changes: [this.onDidCompleteRequest],
          claimLegacyImport: async () => (await this.sharedLedger?.claim('import:v1', 0)) ?? true,
          onDidLoad: () => this._onDidChangeMetrics.fire(),
        }),
      );
    }
    this.ready = Promise.all([this.persistence?.ready, this.sharedLedger?.ready]).then(() => {
      this.loaded = true;
    });
  }

  // ---- Configuration and registry -------------------------------------------------------

  get currentSettings(): ManagerSettings {
    return this.settings;
  }

  /** Applies new settings live: breakers, cache bounds and budgets take effect at once. */
  configure(patch: SettingsPatch): void {
    this.settings = mergeSettings(this.settings, patch);
    this.registry.configureBreakers(this.settings.breaker);
    this.cache.configure(this.settings.cache);
    this._onDidChangeMetrics.fire();
  }

  registerModel(name: string, provider: LlmProvider, metadata: ModelMetadata): void {
    this.registry.register(name, provider, metadata);
  }

  /** Removes a model; it also leaves the active slot and the fallback chain. */
  unregisterModel(name: string): boolean {
    return this.registry.unregister(name);
  }

  listModels(): string[] {
    return this.registry.names();
  }

  getActiveModel(): string | undefined {
    return this.registry.activeModel;
  }

  setActiveModel(name: string | undefined): void {
    this.registry.setActive(name);
  }

  /**
   * Sets the models tried after the active one, in order. A step that is an array is a group whose
   * members share load by weight. Without a chain, every registered model is tried by priority.
   */
  setFallbackChain(steps: readonly ChainStep[] | undefined): void {
    this.registry.setFallbackChain(steps);
  }

  getFallbackChain(): readonly ChainStep[] | undefined {
    return this.registry.fallbackChain;
  }

  /** The chain's steps as they stand: the active model, then the fallback chain (or all by priority). */
  chainSteps(): ChainStep[] {
    return [...this.registry.chainSteps()];
  }

  /** The chain's models for display, in order (a group's members as listed, no random draw). */
  chainModels(chain?: readonly ChainStep[]): string[] {
    return this.registry.chainModels(chain);
  }

  /** The order models would be tried in now (a group's order is one weighted draw). */
  resolveChain(chain?: readonly ChainStep[]): string[] {
    return this.path.drawCandidates(chain ?? this.registry.chainSteps());
  }

  // ---- Observability ----------------------------------------------------------------------

  getModelInfo(name: string): ModelInfo | undefined {
    const entry = this.registry.get(name);
    if (!entry) return undefined;
    const others = this.sharedLedger?.others.counters.models[name];
    return modelInfo(entry, this.registry.activeModel === name, this.ledger, this.clock.now(), others);
  }

  getMetrics(): ManagerMetrics {
    const others = this.sharedLedger?.others.counters.totals;
    return managerMetrics(
      this.totals,
      this.cache,
      this.ledger,
      this.settings.budget,
      this.clock.now(),
      others,
    );
  }

  /** The most recent requests with their traces, newest last. */
  getRecentRequests(): readonly CompletedRequest[] {
    return this.recent.toArray();
  }

  /** What a request may cost on each model of its chain (each at the output cap it would send). */
  estimateCost(request: GenerateRequest): CostEstimate {
    const models = this.chainModels(request.chain).map((name) => this.registry.require(name));
    return estimateCost(request, models, this.settings.output);
  }

  /** Whether a budget is nearly used up, and whether that moves standard requests to the economy chain. */
  getRoutingState(): RoutingState {
    const now = this.clock.now();
    const spent = { today: this.ledger.spentToday(now), month: this.ledger.spentThisMonth(now) };
    return routingStateOf(this.settings.budget, this.settings.routing, spent);
  }

  // ---- Control -----------------------------------------------------------------------------

  resetCircuitBreaker(name?: string): void {
    const entries = name === undefined ? [...this.registry.entries()] : [this.registry.require(name)];
    for (const entry of entries) {
      entry.breaker.reset();
      entry.blockedUntil = undefined;
    }
    this.sharedLedger?.schedule();
  }

  /** Takes a model out of rotation until {@link resetCircuitBreaker}. */
  isolateModel(name: string): void {
    this.registry.require(name).breaker.isolate();
  }

  clearCache(): void {
    this.cache.clear();
    this.persistence?.schedule();
    this._onDidChangeMetrics.fire();
  }

  // ---- The request path --------------------------------------------------------------------

  /**
   * Answers a request through the cache and the fallback chain. Resolves with the answer and its
   * trace; rejects with an `LlmError` (a `ChainFailedError` when every model failed)
   * whose `trace` says what was tried.
   */
  async generate(request: GenerateRequest): Promise<GenerateResult> {
    if (!this.loaded) await this.ready;
    const trace = new TraceRecorder(this.traceIds.next(), this.clock);
    this.totals.requests++;
    this.lastRequestAt = this.clock.now();
    try {
      const result = await this.path.route(request, trace);
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

  // ---- Events, persistence, lifecycle ------------------------------------------------------

  private complete(completed: CompletedRequest): void {
    this.recent.add(completed);
    this._onDidCompleteRequest.fire(completed);
    this._onDidChangeMetrics.fire();
  }

  private breakerChanged(entry: ModelEntry, from: CircuitStateName, to: CircuitStateName): void {
    this.logger?.info(`Circuit of ${entry.name}: ${from} → ${to}`);
    this._onDidChangeCircuit.fire({ model: entry.name, from, to, at: this.clock.now() });
  }

  /** Writes the cache and this window's ledger record now. */
  async flush(): Promise<void> {
    await Promise.all([this.persistence?.flush(), this.sharedLedger?.flush()]);
  }

  /** Picks up the spend, counts and newer circuit states other windows saved to the shared ledger. */
  async syncFromStore(): Promise<void> {
    await this.sharedLedger?.refresh();
  }

  /**
   * Fires a budget alert once across windows: with other windows running, only the one that takes
   * the alert's claim fires it; alone, it fires at once (and still claims it for later windows).
   */
  private alertOnce(alert: BudgetAlert): void {
    const shared = this.sharedLedger;
    const claim = shared?.claim(`alert:${alertId(alert)}`, 0);
    if (!shared?.shared || !claim) {
      this._onDidCrossBudgetAlert.fire(alert);
      return;
    }
    void claim.then((won) => (won ? this._onDidCrossBudgetAlert.fire(alert) : undefined));
  }
}
