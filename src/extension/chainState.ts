/**
 * One snapshot of the chain that the status bar, the sidebar and the dashboard all read. It is
 * rebuilt at most every 250 ms (on the injected clock) after the manager's, the models' or the
 * keys' events, and key presence comes from the key store's cache (SecretStorage's change event
 * invalidates it), so no surface awaits the keychain per model per render. No `vscode` here.
 */
import {
  Disposable,
  Emitter,
  MutableDisposable,
  type ChainStep,
  type Clock,
  type CompletedRequest,
  type Event,
  type LlmManager,
  type ManagerMetrics,
  type ModelInfo,
  type RoutingState,
} from '../core';
import type { TeamBudgetReading } from './teamBudgets';

export interface ChainState {
  /** When the snapshot was taken (host clock). */
  readonly now: number;
  /** The chain's steps as they stand: the active model first. */
  readonly chain: readonly ChainStep[];
  /** The chain's models in the order they are tried (a group's members as listed). */
  readonly order: readonly string[];
  /** Every registered model, in registry order. */
  readonly models: readonly ModelInfo[];
  readonly metrics: ManagerMetrics;
  /** Recent requests, oldest first. */
  readonly recent: readonly CompletedRequest[];
  readonly routing: RoutingState;
  /** The "Try Without Keys" demo models are in use. */
  readonly demo: boolean;
  /** Models that need a key and have none. */
  readonly missingKeys: ReadonlySet<string>;
  /** The last reading of each gateway member's team budget. */
  readonly teamBudgets: ReadonlyMap<string, TeamBudgetReading>;
}

/** Whether a stored key exists, answered from a cache; `undefined` until it has been looked up. */
export interface KeyPresence {
  cachedPresence(keyId: string): boolean | undefined;
  hasKey(keyId: string): Promise<boolean>;
  readonly onDidChange: Event<string>;
}

export interface ChainStateOptions {
  readonly manager: LlmManager;
  readonly keys: KeyPresence;
  /** The stored-key id a model needs, or undefined when it needs none. */
  readonly keyIdOf: (model: string) => string | undefined;
  readonly demoRunning: () => boolean;
  readonly clock: Clock;
  /** Further events after which the state may have changed (the model service's). */
  readonly changes?: ReadonlyArray<Event<unknown>>;
  /** Shortest time between two snapshots. */
  readonly minIntervalMs?: number;
  /** The team budgets read so far (their change event belongs in `changes`). */
  readonly teamBudgets?: () => ReadonlyMap<string, TeamBudgetReading>;
}

export class ChainStateFeed extends Disposable {
  private readonly timer = this._register(new MutableDisposable());
  private readonly minIntervalMs: number;
  private lastBuiltAt = Number.NEGATIVE_INFINITY;
  private latest: ChainState | undefined;
  private readonly _onDidChange = this._register(new Emitter<ChainState>());
  /** A new snapshot (at most every `minIntervalMs`). */
  readonly onDidChange: Event<ChainState> = this._onDidChange.event;

  constructor(private readonly options: ChainStateOptions) {
    super();
    this.minIntervalMs = options.minIntervalMs ?? 250;
    const { manager, keys } = options;
    const schedule = () => this.schedule();
    for (const event of [
      manager.onDidChangeCircuit,
      manager.onDidChangeMetrics,
      manager.onDidChangeModels,
      keys.onDidChange,
      ...(options.changes ?? []),
    ]) {
      this._register(event(schedule));
    }
  }

  /** The last snapshot, or a fresh one when there is none yet. */
  get current(): ChainState {
    return this.latest ?? this.build();
  }

  /** A snapshot taken now (for surfaces that show time-dependent things such as countdowns). */
  fresh(): ChainState {
    return this.build();
  }

  /** Asks for a new snapshot; several asks within the interval make one. */
  schedule(): void {
    if (this.timer.value || this.isDisposed) return;
    const wait = Math.max(0, this.lastBuiltAt + this.minIntervalMs - this.options.clock.now());
    this.timer.value = this.options.clock.setTimeout(() => {
      this.timer.clearWithoutDisposing();
      this._onDidChange.fire(this.build());
    }, wait);
  }

  private build(): ChainState {
    const { manager, clock } = this.options;
    const now = clock.now();
    const models = manager
      .listModels()
      .map((name) => manager.getModelInfo(name))
      .filter((info): info is ModelInfo => info !== undefined);
    const state: ChainState = {
      now,
      chain: manager.chainSteps(),
      order: manager.chainModels(),
      models,
      metrics: manager.getMetrics(),
      recent: manager.getRecentRequests(),
      routing: manager.getRoutingState(),
      demo: this.options.demoRunning(),
      missingKeys: this.missingKeys(models),
      teamBudgets: this.options.teamBudgets?.() ?? NO_READINGS,
    };
    this.latest = state;
    this.lastBuiltAt = now;
    return state;
  }

  /** Models whose key is known to be missing; keys not looked up yet are fetched, then a new snapshot follows. */
  private missingKeys(models: readonly ModelInfo[]): Set<string> {
    const missing = new Set<string>();
    const unknown = new Set<string>();
    for (const info of models) {
      const keyId = this.options.keyIdOf(info.name);
      if (!keyId) continue;
      const present = this.options.keys.cachedPresence(keyId);
      if (present === false) missing.add(info.name);
      else if (present === undefined) unknown.add(keyId);
    }
    if (unknown.size > 0) {
      void Promise.all([...unknown].map((keyId) => this.options.keys.hasKey(keyId).catch(() => false))).then(
        () => this.schedule(),
      );
    }
    return missing;
  }
}

const NO_READINGS: ReadonlyMap<string, TeamBudgetReading> = new Map();

/** The first model the chain tries, for headlines. */
export function firstChoice(state: ChainState): string | undefined {
  return state.order[0];
}

/** The chain's models in order, with their info. */
export function chainInfos(state: ChainState): ModelInfo[] {
  const byName = new Map(state.models.map((info) => [info.name, info]));
  return state.order.map((name) => byName.get(name)).filter((info): info is ModelInfo => info !== undefined);
}
