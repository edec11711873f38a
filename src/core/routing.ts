/**
 * Where a request goes: which chain it takes (its own, its tier's, the economy chain under budget
 * pressure, or the default) — decided by the pure {@link planRoute} — and the order of the models
 * it tries, where a weighted group is drawn at random ({@link drawCandidates}, used only when a
 * request is routed; displays use the registry's `chainModels()`).
 */
import type { BudgetPeriod, QualityTier } from './kinds';
import type { RoutingOptions } from './managerSettings';
import type { BudgetOptions } from './spendLedger';
import type { ChainStep, GenerateRequest } from './types';

/** Why a request's chain was chosen, when it is not simply the default chain. */
export interface RoutingState {
  /** Set while a budget is nearly used up. */
  readonly pressure?: { readonly period: BudgetPeriod; readonly remainingShare: number };
  /** True while standard-tier requests are moved to the economy chain. */
  readonly standardUsesEconomy: boolean;
}

export interface RoutePlan {
  readonly tier: QualityTier;
  readonly steps: readonly ChainStep[];
  /** What the trace records about the choice (nothing when the default chain is used). */
  readonly note?: { readonly chain: QualityTier; readonly reason?: string };
}

/**
 * The chain a request takes: its own, else its tier's, else the default. Under budget pressure a
 * standard-tier request takes the economy chain instead. `routingState` is only asked when it can
 * matter (a standard request with an economy chain), which keeps date arithmetic off the hot path.
 */
export function planRoute(
  request: Pick<GenerateRequest, 'chain' | 'tier'>,
  defaultSteps: () => readonly ChainStep[],
  routing: RoutingOptions,
  routingState: () => RoutingState,
): RoutePlan {
  const tier = request.tier ?? 'standard';
  if (request.chain) return { tier, steps: request.chain };
  const chains = routing.tierChains;
  const economy = chains.economy;
  if (tier === 'standard' && economy?.length) {
    const state = routingState();
    if (state.standardUsesEconomy && state.pressure) {
      const { period, remainingShare } = state.pressure;
      const budget = period === 'day' ? 'daily' : 'monthly';
      const reason = `budget pressure: ${Math.round(remainingShare * 100)} % of the ${budget} budget left`;
      return { tier, steps: economy, note: { chain: 'economy', reason } };
    }
  }
  const own = chains[tier];
  if (own && own.length > 0) return { tier, steps: own, note: { chain: tier } };
  return { tier, steps: defaultSteps() };
}

/** Whether a budget is nearly used up, and whether that moves standard requests to the economy chain. */
export function routingStateOf(
  budget: BudgetOptions,
  routing: RoutingOptions,
  spent: { readonly today: number; readonly month: number },
): RoutingState {
  let pressure: RoutingState['pressure'];
  const periods: Array<[BudgetPeriod, number | undefined, number]> = [
    ['day', budget.dailyUsd, spent.today],
    ['month', budget.monthlyUsd, spent.month],
  ];
  for (const [period, limit, used] of periods) {
    if (!limit || limit <= 0) continue;
    const remainingShare = Math.max(0, (limit - used) / limit);
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

/**
 * The models a request will try, in order: each step in turn, a group's members in a weighted
 * random order (so groups share load by weight), and no model twice.
 */
export function drawCandidates(
  steps: readonly ChainStep[],
  isRegistered: (name: string) => boolean,
  weightOf: (name: string) => number,
  random: () => number,
): string[] {
  return flattenSteps(steps, isRegistered, (group) => weightedOrder(group, weightOf, random));
}

/** The chain's models in listed order, a group's members as listed (for display: no draw). */
export function listedCandidates(
  steps: readonly ChainStep[],
  isRegistered: (name: string) => boolean,
): string[] {
  return flattenSteps(steps, isRegistered, (group) => group);
}

function flattenSteps(
  steps: readonly ChainStep[],
  isRegistered: (name: string) => boolean,
  orderGroup: (group: readonly string[]) => readonly string[],
): string[] {
  const seen = new Set<string>();
  const result: string[] = [];
  const add = (name: string) => {
    if (!seen.has(name) && isRegistered(name)) {
      seen.add(name);
      result.push(name);
    }
  };
  for (const step of steps) {
    if (typeof step === 'string') add(step);
    else for (const name of orderGroup(step)) add(name);
  }
  return result;
}

/** Sampling without replacement, each pick proportional to its weight. */
export function weightedOrder(
  names: readonly string[],
  weightOf: (name: string) => number,
  random: () => number,
): string[] {
  const pool = names.map((name) => ({ name, weight: Math.max(0, weightOf(name)) }));
  const ordered: string[] = [];
  while (pool.length > 0) {
    const total = pool.reduce((sum, item) => sum + item.weight, 0);
    let index = 0;
    if (total > 0) {
      let r = random() * total;
      index = pool.findIndex((item) => (r -= item.weight) < 0);
      if (index < 0) index = pool.length - 1;
    }
    ordered.push(pool[index].name);
    pool.splice(index, 1);
  }
  return ordered;
}

/** The chain without `name` (groups that become empty disappear). */
export function removeFromChain(steps: readonly ChainStep[], name: string): ChainStep[] {
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
