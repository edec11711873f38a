/**
 * The team's budget beside ours: for each chain member behind a team gateway that keeps a budget
 * per key (the LiteLLM proxy), the key's spend and budget as the gateway reports them. Read at most
 * once a minute per model, and only when a metrics view asks (the sidebar or the dashboard is
 * visible: the feed renders only for visible views); the status tooltip shows the last reading.
 * No `vscode` here: time is an injected clock, the reading an injected function, so the schedule is
 * unit-tested on a fake clock.
 */

import { Disposable, Emitter, formatDuration, type Clock, type Event, type Logger } from '../core';
import { describeTeamBudget, type TeamBudget } from '../providers';
import type { TeamBudgetView, Tone } from '../shared/protocol';

/** Reads one model's team budget (the provider's `teamBudget` with the model's stored key). */
export type TeamBudgetReader = (signal: AbortSignal) => Promise<TeamBudget>;

/** The last reading of a model's team budget, and when it was taken (host clock). */
export interface TeamBudgetReading {
  readonly budget: TeamBudget;
  readonly readAt: number;
}

export interface TeamBudgetsOptions {
  /** The reader of a model, or undefined when the model has no team budget to read. */
  readonly readerOf: (model: string) => TeamBudgetReader | undefined;
  /** The models to consider (the registered ones). */
  readonly models: () => readonly string[];
  readonly clock: Clock;
  readonly logger: Logger;
  /** Shortest time between two readings of one model. Default one minute. */
  readonly intervalMs?: number;
  /** A reading that takes longer is abandoned. Default 10 s. */
  readonly timeoutMs?: number;
}

export const TEAM_BUDGET_INTERVAL_MS = 60_000;

export class TeamBudgets extends Disposable {
  private readonly readings = new Map<string, TeamBudgetReading>();
  /** When each model was last asked (answered or not), so a failing gateway is not asked more often. */
  private readonly askedAt = new Map<string, number>();
  private readonly inFlight = new Map<string, AbortController>();
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private readonly _onDidChange = this._register(new Emitter<void>());
  /** A new reading arrived (or a model's reading was dropped). */
  readonly onDidChange: Event<void> = this._onDidChange.event;
  /** How many readings were started (for tests and diagnostics). */
  reads = 0;

  constructor(private readonly options: TeamBudgetsOptions) {
    super();
    this.intervalMs = options.intervalMs ?? TEAM_BUDGET_INTERVAL_MS;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this._register({ dispose: () => this.inFlight.forEach((controller) => controller.abort()) });
  }

  /** The latest reading of each model that has one. */
  current(): ReadonlyMap<string, TeamBudgetReading> {
    return this.readings;
  }

  /**
   * A view is showing: reads every model whose last reading is older than the interval. Returns at
   * once; each reading that arrives fires {@link onDidChange}.
   */
  refreshDue(): void {
    if (this.isDisposed) return;
    const now = this.options.clock.now();
    const models = new Set(this.options.models());
    for (const name of [...this.readings.keys()]) {
      if (models.has(name) && this.options.readerOf(name)) continue;
      this.readings.delete(name);
      this._onDidChange.fire();
    }
    for (const name of models) {
      const read = this.options.readerOf(name);
      if (!read || this.inFlight.has(name)) continue;
      const asked = this.askedAt.get(name);
      if (asked !== undefined && now - asked < this.intervalMs) continue;
      this.askedAt.set(name, now);
      void this.readOne(name, read);
    }
  }

  private async readOne(name: string, read: TeamBudgetReader): Promise<void> {
    const controller = new AbortController();
    this.inFlight.set(name, controller);
    const timer = this.options.clock.setTimeout(() => controller.abort(), this.timeoutMs);
    this.reads++;
    try {
      const budget = await read(controller.signal);
      if (this.isDisposed) return;
      this.readings.set(name, { budget, readAt: this.options.clock.now() });
      this._onDidChange.fire();
    } catch (error) {
      // The last reading stays (marked by its age); the gateway is asked again after the interval.
      this.options.logger.debug(
        `Team budget of ${name} not read: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      timer.dispose();
      this.inFlight.delete(name);
    }
  }
}

/** What a card and the tooltip show of a reading: one wording for both. */
export function teamBudgetView(reading: TeamBudgetReading, now: number): TeamBudgetView {
  const { budget } = reading;
  const share = budget.maxBudgetUsd ? budget.spendUsd / budget.maxBudgetUsd : undefined;
  const tone: Tone =
    budget.maxBudgetUsd === undefined
      ? 'info'
      : share !== undefined && share >= 1
        ? 'error'
        : share !== undefined && share >= 0.8
          ? 'warning'
          : 'ok';
  const resets =
    budget.resetsAt !== undefined && budget.resetsAt > now
      ? `resets in ${formatDuration(budget.resetsAt - now)}`
      : budget.maxBudgetUsd !== undefined
        ? 'no reset'
        : undefined;
  const read = `read ${formatDuration(Math.max(0, now - reading.readAt))} ago`;
  return {
    text: describeTeamBudget(budget),
    detail: `The team gateway's spend on this model's key (all of the team's requests, not only these), ${read}${resets ? `; ${resets}` : ''}.`,
    tone,
  };
}
