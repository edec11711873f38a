/**
 * The chain's health and the sentence that says it: one verdict and one headline for the
 * status-bar tooltip, the sidebar and the dashboard, so no two surfaces describe the chain
 * differently. Pure (no `vscode`).
 */
import { isFree, type ManagerMetrics, type ModelInfo } from '../core';
import type { Tone } from '../shared/protocol';

export type ChainHealth = 'noModels' | 'healthy' | 'degraded' | 'down' | 'budgetExhausted';

export function chainHealth(input: {
  readonly models: readonly ModelInfo[];
  readonly metrics: ManagerMetrics;
}): ChainHealth {
  const { models, metrics } = input;
  if (models.length === 0) return 'noModels';
  const { spend } = metrics;
  const exhausted =
    spend.hardStop &&
    ((spend.dailyBudgetUsd !== undefined && spend.todayUsd >= spend.dailyBudgetUsd) ||
      (spend.monthlyBudgetUsd !== undefined && spend.monthUsd >= spend.monthlyBudgetUsd));
  if (exhausted && models.every((m) => !isFree(m.metadata))) return 'budgetExhausted';
  const available = models.filter((m) => m.circuit.state === 'closed' || m.circuit.state === 'halfOpen');
  if (available.length === 0) return 'down';
  if (exhausted || models.some((m) => m.circuit.state !== 'closed')) return 'degraded';
  return 'healthy';
}

/**
 * How a success rate looks: ok from 95 %, a warning from 80 %, an error below. A model in the
 * error band is "failing" in the headline, whatever its circuit says (a circuit opens only after
 * several failures in a row, and a reset closes it with the record unchanged).
 */
export function successTone(rate: number | undefined): Tone {
  if (rate === undefined) return 'muted';
  return rate >= 0.95 ? 'ok' : rate >= 0.8 ? 'warning' : 'error';
}

export interface ChainHeadline {
  /** Plain text (model names unescaped): `All circuits closed, but demo-openai is failing (4 of 4 requests failed).` */
  readonly text: string;
  readonly tone: Tone;
}

const HEADLINES: Record<ChainHealth, ChainHeadline> = {
  noModels: { text: 'No models configured yet.', tone: 'info' },
  healthy: { text: 'All circuits closed: the chain is healthy.', tone: 'ok' },
  degraded: { text: 'Some models are unavailable; the chain routes around them.', tone: 'warning' },
  down: { text: 'Every circuit is open: requests fail until a probe succeeds.', tone: 'error' },
  budgetExhausted: { text: 'Budget used up: paid models are stopped.', tone: 'error' },
};

/**
 * The sentence about the chain. "Healthy" is said only while no closed-circuit model is failing
 * most of its requests: beside a card at 0 % success it would read as a contradiction, so such
 * models are named with their record instead.
 */
export function chainHeadline(health: ChainHealth, models: readonly ModelInfo[]): ChainHeadline {
  if (health !== 'healthy') return HEADLINES[health];
  const failing = models.filter((m) => m.requests > 0 && successTone(m.successRate) === 'error');
  if (failing.length === 0) return HEADLINES.healthy;
  const record = (m: ModelInfo) => `${m.requests - m.successes} of ${m.requests}`;
  if (failing.length === 1) {
    const [model] = failing;
    return {
      text: `All circuits closed, but ${model.name} is failing (${record(model)} requests failed).`,
      tone: 'warning',
    };
  }
  const named = failing.map((m) => `${m.name} (${record(m)} failed)`);
  const list = `${named.slice(0, -1).join(', ')} and ${named[named.length - 1]}`;
  return { text: `All circuits closed, but ${list} are failing.`, tone: 'warning' };
}
