/**
 * The models the manager knows: each with its provider, metadata, circuit breaker, statistics and
 * rate-limit bucket; the active model and the fallback chain; and the saved state of models that
 * are not registered (yet), so a settings edit that re-registers a model keeps its history.
 */
import { CircuitBreaker, type CircuitBreakerOptions, type PersistedCircuit } from './circuitBreaker';
import type { CircuitStateName } from './kinds';
import { Disposable, Emitter, MutableDisposable, type Event, type IDisposable } from './lifecycle';
import { ModelStats, type PersistedModelStats } from './metrics';
import { listedCandidates, removeFromChain } from './routing';
import { TokenBucket } from './tokenBucket';
import type { ChainStep, Clock, LlmProvider, ModelMetadata } from './types';

/** Models that disappeared from the registry keep their history this long (by count). */
const MAX_ORPHANED_MODELS = 50;

export interface ModelEntry {
  readonly name: string;
  readonly provider: LlmProvider;
  readonly metadata: ModelMetadata;
  readonly breaker: CircuitBreaker;
  readonly stats: ModelStats;
  readonly bucket?: TokenBucket;
  /** The provider asked for a longer wait than we retry within: skip until then. */
  blockedUntil?: number;
  /** Fires when an open circuit's timeout passes, so the change to half-open is seen when it happens. */
  readonly probeTimer: MutableDisposable<IDisposable>;
  /** When this window sent requests to the model lately (for requests-per-minute shared across windows). */
  readonly sends: number[];
}

export interface RegistryOptions {
  readonly clock: Clock;
  readonly breaker: () => CircuitBreakerOptions;
  readonly latencySamples: number;
  /** Told about every breaker transition of every model. */
  readonly onBreakerChange: (entry: ModelEntry, from: CircuitStateName, to: CircuitStateName) => void;
}

export class ModelRegistry extends Disposable {
  private readonly models = new Map<string, ModelEntry>();
  private active: string | undefined;
  private fallback: readonly ChainStep[] | undefined;
  private priorityOrder: string[] | undefined;
  /** The chain's steps, built once per change of the registry, the active model or the chain. */
  private steps: readonly ChainStep[] | undefined;
  /** Saved state of models not registered (yet), applied when they are. */
  readonly orphanCircuits = new Map<string, PersistedCircuit>();
  readonly orphanStats = new Map<string, PersistedModelStats>();

  private readonly _onDidChangeModels = this._register(new Emitter<void>());
  /** Models registered or removed, the active model or the chain changed. */
  readonly onDidChangeModels: Event<void> = this._onDidChangeModels.event;

  constructor(private readonly options: RegistryOptions) {
    super();
  }

  register(name: string, provider: LlmProvider, metadata: ModelMetadata): void {
    if (!name.trim()) throw new Error('A model needs a name.');
    validateMetadata(name, metadata);
    const previous = this.models.get(name);
    if (previous) {
      // Re-registering (a settings edit) replaces the provider, not the model's history.
      this.orphanCircuits.set(name, previous.breaker.toJSON());
      this.orphanStats.set(name, previous.stats.toJSON());
      previous.probeTimer.dispose();
    }
    const { clock } = this.options;
    const breaker: CircuitBreaker = new CircuitBreaker(
      this.options.breaker(),
      clock,
      (from, to) => {
        // Only the registered entry that owns this breaker reports (not a replaced one).
        const current = this.models.get(name);
        if (current?.breaker === breaker) this.breakerChanged(current, from, to);
      },
      this.orphanCircuits.get(name),
    );
    const stats = new ModelStats(this.options.latencySamples);
    const persistedStats = this.orphanStats.get(name);
    if (persistedStats) stats.restore(persistedStats);
    this.orphanCircuits.delete(name);
    this.orphanStats.delete(name);
    const bucket = metadata.rpm && metadata.rpm > 0 ? new TokenBucket(metadata.rpm, clock) : undefined;
    const entry: ModelEntry = {
      name,
      provider,
      metadata,
      breaker,
      stats,
      bucket,
      probeTimer: new MutableDisposable(),
      sends: [],
    };
    this.models.set(name, entry);
    this.priorityOrder = undefined;
    this.scheduleProbeTimer(entry);
    this.changed();
  }

  /** Removes a model; it also leaves the active slot and the fallback chain. */
  unregister(name: string): boolean {
    const entry = this.models.get(name);
    if (!entry) return false;
    // Keep its history so that re-registering (a settings edit) does not reset its circuit and stats.
    this.orphanCircuits.set(name, entry.breaker.toJSON());
    this.orphanStats.set(name, entry.stats.toJSON());
    this.trimOrphans();
    entry.probeTimer.dispose();
    this.models.delete(name);
    this.priorityOrder = undefined;
    if (this.active === name) this.active = undefined;
    if (this.fallback) this.fallback = removeFromChain(this.fallback, name);
    this.changed();
    return true;
  }

  get(name: string): ModelEntry | undefined {
    return this.models.get(name);
  }

  has(name: string): boolean {
    return this.models.has(name);
  }

  require(name: string): ModelEntry {
    const entry = this.models.get(name);
    if (!entry) throw new Error(`Unknown model "${name}".`);
    return entry;
  }

  names(): string[] {
    return [...this.models.keys()];
  }

  entries(): IterableIterator<ModelEntry> {
    return this.models.values();
  }

  get activeModel(): string | undefined {
    return this.active;
  }

  setActive(name: string | undefined): void {
    if (name !== undefined && !this.models.has(name)) throw new Error(`Unknown model "${name}".`);
    this.active = name;
    this.changed();
  }

  get fallbackChain(): readonly ChainStep[] | undefined {
    return this.fallback;
  }

  setFallbackChain(steps: readonly ChainStep[] | undefined): void {
    if (steps) {
      for (const name of steps.flat()) {
        if (!this.models.has(name)) throw new Error(`Unknown model "${name}" in the fallback chain.`);
      }
    }
    this.fallback = steps?.map((step) => (typeof step === 'string' ? step : [...step]));
    this.changed();
  }

  /** The chain's steps as they stand: the active model, then the fallback chain (or all by priority). */
  chainSteps(): readonly ChainStep[] {
    if (this.steps) return this.steps;
    const steps: ChainStep[] = [];
    if (this.active) steps.push(this.active);
    if (this.fallback) steps.push(...this.fallback);
    else steps.push(...this.modelsByPriority());
    this.steps = steps;
    return steps;
  }

  /** The chain's models for display, a group's members in listed order (no random draw). */
  chainModels(chain?: readonly ChainStep[]): string[] {
    return listedCandidates(chain ?? this.chainSteps(), (name) => this.models.has(name));
  }

  configureBreakers(options: CircuitBreakerOptions): void {
    for (const entry of this.models.values()) entry.breaker.configure(options);
  }

  /** Adopts a saved circuit: `restore` takes it as is, `adoptNewer` only when it changed later than ours. */
  applyCircuit(name: string, circuit: PersistedCircuit, mode: 'restore' | 'adoptNewer'): void {
    const entry = this.models.get(name);
    if (entry) {
      if (mode === 'restore') entry.breaker.restore(circuit);
      else if (!entry.breaker.adoptIfNewer(circuit)) return;
      this.scheduleProbeTimer(entry);
    } else if (
      mode === 'restore' ||
      (circuit.changedAt ?? 0) > (this.orphanCircuits.get(name)?.changedAt ?? 0)
    ) {
      this.orphanCircuits.set(name, circuit);
    }
  }

  applyStats(name: string, stats: PersistedModelStats): void {
    const entry = this.models.get(name);
    if (entry) entry.stats.restore(stats);
    else this.orphanStats.set(name, stats);
  }

  /** Every model's circuit and statistics, registered or not, for saving. */
  persistedState(): {
    circuits: Record<string, PersistedCircuit>;
    models: Record<string, PersistedModelStats>;
  } {
    const circuits: Record<string, PersistedCircuit> = Object.fromEntries(this.orphanCircuits);
    const models: Record<string, PersistedModelStats> = Object.fromEntries(this.orphanStats);
    for (const entry of this.models.values()) {
      circuits[entry.name] = entry.breaker.toJSON();
      models[entry.name] = entry.stats.toJSON();
    }
    return { circuits, models };
  }

  trimOrphans(): void {
    for (const map of [this.orphanCircuits, this.orphanStats] as Array<Map<string, unknown>>) {
      for (const name of [...map.keys()].slice(0, Math.max(0, map.size - MAX_ORPHANED_MODELS)))
        map.delete(name);
    }
  }

  /** Something the chain depends on changed: forget the cached steps and tell the listeners. */
  private changed(): void {
    this.steps = undefined;
    this._onDidChangeModels.fire();
  }

  override dispose(): void {
    for (const entry of this.models.values()) entry.probeTimer.dispose();
    super.dispose();
  }

  private breakerChanged(entry: ModelEntry, from: CircuitStateName, to: CircuitStateName): void {
    this.scheduleProbeTimer(entry);
    this.options.onBreakerChange(entry, from, to);
  }

  /** An open circuit becomes half-open by time alone: a timer makes that visible when it happens. */
  private scheduleProbeTimer(entry: ModelEntry): void {
    const snapshot = entry.breaker.snapshot();
    if (snapshot.state !== 'open' || snapshot.nextProbeAt === undefined || this.isDisposed) {
      entry.probeTimer.value = undefined;
      return;
    }
    const { clock } = this.options;
    entry.probeTimer.value = clock.setTimeout(
      () => {
        entry.probeTimer.clearWithoutDisposing();
        void entry.breaker.state;
      },
      Math.max(0, snapshot.nextProbeAt - clock.now()),
    );
  }

  /** Registered models by priority; computed once per registry change, not per request. */
  private modelsByPriority(): readonly string[] {
    this.priorityOrder ??= [...this.models.values()]
      .map((entry, index) => ({ name: entry.name, priority: entry.metadata.priority ?? 100, index }))
      .sort((a, b) => a.priority - b.priority || a.index - b.index)
      .map((m) => m.name);
    return this.priorityOrder;
  }
}

function validateMetadata(name: string, m: ModelMetadata): void {
  const problems: string[] = [];
  if (!(m.contextWindow > 0)) problems.push('contextWindow must be > 0');
  if (!(m.maxOutputTokens > 0)) problems.push('maxOutputTokens must be > 0');
  if (m.outputCap !== undefined && !(Number.isInteger(m.outputCap) && m.outputCap > 0)) {
    problems.push('outputCap must be a whole number > 0');
  }
  const optionalPrices = [m.cacheReadPricePerMTok, m.cacheWritePricePerMTok];
  if (
    !(m.inputPricePerMTok >= 0 && m.outputPricePerMTok >= 0) ||
    !optionalPrices.every((price) => price === undefined || price >= 0)
  ) {
    problems.push('prices must be ≥ 0');
  }
  if (m.rpm !== undefined && !(m.rpm >= 0)) problems.push('rpm must be ≥ 0');
  if (m.weight !== undefined && !(m.weight >= 0)) problems.push('weight must be ≥ 0');
  if (problems.length > 0) throw new RangeError(`Model "${name}": ${problems.join('; ')}.`);
}
