/**
 * The dashboard's figures: totals, budget bars, spend per day, latency points and outcomes, from
 * the manager's metrics (pure, like dashboardModel.ts, which puts them in the view state).
 */
import type { ManagerMetrics, ModelInfo } from '../core';
import {
  formatCompact,
  formatCount,
  formatPercent,
  formatUsd,
  formatUsdTogether,
  words,
} from '../shared/format';
import type {
  BudgetBarView,
  BudgetsView,
  LatencyView,
  OutcomesView,
  SpendHistoryView,
  StatView,
  TotalsView,
} from '../shared/protocol';

/** Latency points sent per model; more are merged so a message stays small. */
export const LATENCY_POINTS_PER_MODEL = 120;

export function totals(metrics: ManagerMetrics): TotalsView {
  const lookups = metrics.cacheHits + metrics.cacheMisses;
  const fallbackTotal = Object.values(metrics.fallbacks).reduce((sum, n) => sum + n, 0);
  const routes = Object.entries(metrics.fallbacks)
    .map(([route, count]) => ({ route: route.replace('→', ' → '), count }))
    .sort((a, b) => b.count - a.count || a.route.localeCompare(b.route));
  const stats: StatView[] = [
    {
      id: 'requests',
      label: 'Requests',
      value: formatCount(metrics.requests),
      detail: `${formatCount(metrics.successes)} answered · ${formatCount(metrics.failures)} failed`,
      tone: 'info',
    },
    {
      id: 'successRate',
      label: 'Success rate',
      value: formatPercent(metrics.successRate),
      tone:
        metrics.successRate === undefined
          ? 'muted'
          : metrics.successRate >= 0.95
            ? 'ok'
            : metrics.successRate >= 0.8
              ? 'warning'
              : 'error',
    },
    {
      id: 'cacheHitRate',
      label: 'Cache hit rate',
      value: formatPercent(metrics.cacheHitRate),
      detail:
        lookups === 0
          ? 'no cacheable requests yet'
          : `${formatCount(metrics.cacheHits)} of ${formatCount(lookups)} lookups`,
      tone: metrics.cacheHitRate === undefined ? 'muted' : 'info',
    },
    {
      id: 'retries',
      label: 'Retries',
      value: formatCount(metrics.retries),
      hint: 'Transient errors (rate limits, server errors, timeouts) retried on the same model',
      tone: metrics.retries > 0 ? 'warning' : 'muted',
    },
    {
      id: 'fallbacks',
      label: 'Fallbacks',
      value: formatCount(fallbackTotal),
      detail:
        routes.length > 0
          ? `most: ${routes[0].route} (${formatCount(routes[0].count)})`
          : 'every answer came from the first choice',
      tone: fallbackTotal > 0 ? 'warning' : 'muted',
    },
    {
      id: 'tokens',
      label: 'Tokens',
      value: formatCompact(metrics.tokens.input + metrics.tokens.output),
      detail: `${formatCompact(metrics.tokens.input)} in · ${formatCompact(metrics.tokens.output)} out`,
      tone: 'muted',
    },
  ];
  return { stats, fallbackRoutes: routes };
}

export function budgets(metrics: ManagerMetrics): BudgetsView {
  const { spend } = metrics;
  return {
    bars: [
      budgetBar('day', 'Today', spend.todayUsd, spend.dailyBudgetUsd, spend.alertAt, spend.hardStop),
      budgetBar('month', 'This month', spend.monthUsd, spend.monthlyBudgetUsd, spend.alertAt, spend.hardStop),
    ],
    hardStop: spend.hardStop,
  };
}

/** One budget as a bar: how full, whether the alert share is reached, and a sentence saying so. */
export function budgetBar(
  period: 'day' | 'month',
  label: string,
  spentUsd: number,
  limitUsd: number | undefined,
  alertAt: number,
  hardStop: boolean,
): BudgetBarView {
  const periodWord = period === 'day' ? 'daily' : 'monthly';
  const setting = period === 'day' ? 'llmManager.budget.dailyUsd' : 'llmManager.budget.monthlyUsd';
  if (limitUsd === undefined || !(limitUsd > 0)) {
    const note = `No ${periodWord} budget (${setting}).`;
    return { period, label, spent: formatUsd(spentUsd), alertFraction: alertAt, level: 'none', note };
  }
  const ratio = spentUsd / limitUsd;
  const percent = formatPercent(ratio);
  const alertPercent = formatPercent(alertAt);
  const level = ratio >= 1 ? 'exceeded' : ratio >= alertAt ? 'alert' : 'ok';
  // Spent, limit and (below the alert) what is left are read together: one precision, so they add up.
  const [spent, limit, left] = formatUsdTogether(
    spentUsd,
    limitUsd,
    ...(level === 'ok' ? [limitUsd - spentUsd] : []),
  );
  const note =
    level === 'exceeded'
      ? `The ${periodWord} budget is used up${hardStop ? ': paid models are skipped, free ones still answer.' : ' (no hard stop: requests continue).'}`
      : level === 'alert'
        ? `Alert: ${percent} of the ${periodWord} budget spent (alert at ${alertPercent}).`
        : `${left} left; alert at ${alertPercent}.`;
  return {
    period,
    label,
    spent,
    alertFraction: alertAt,
    limit: `of ${limit}`,
    fraction: Math.min(1, Math.max(0, ratio)),
    percent,
    level,
    note,
  };
}

export function spendHistory(
  metrics: ManagerMetrics,
  colours: ReadonlyMap<string, number>,
): SpendHistoryView {
  const history = metrics.spend.history;
  const names = new Set<string>();
  for (const day of history)
    for (const [name, usd] of Object.entries(day.byModel)) if (usd > 0) names.add(name);
  const ordered = [...colours.keys()].filter((name) => names.has(name));
  const series = ordered.map((model) => ({
    model,
    colour: colours.get(model) ?? 0,
    values: history.map((day) => day.byModel[model] ?? 0),
  }));
  const total = series.reduce((sum, s) => sum + s.values.reduce((a, b) => a + b, 0), 0);
  return { days: history.map((day) => day.day), series, total: `total ${formatUsd(total)}` };
}

export function latency(models: readonly ModelInfo[], colours: ReadonlyMap<string, number>): LatencyView {
  return {
    series: models
      .filter((info) => info.latency.samples.length > 0)
      .map((info) => ({
        model: info.name,
        colour: colours.get(info.name) ?? 0,
        points: downsample(info.latency.samples, LATENCY_POINTS_PER_MODEL),
      })),
  };
}

/**
 * At most `limit` points: consecutive samples are merged into one at their mean time with their
 * highest latency, so spikes stay visible however long the window.
 */
export function downsample(
  samples: ReadonlyArray<readonly [number, number]>,
  limit: number,
): Array<readonly [number, number]> {
  if (samples.length <= limit) return samples.map(([at, ms]) => [at, Math.round(ms)] as const);
  const size = Math.ceil(samples.length / limit);
  const points: Array<readonly [number, number]> = [];
  for (let i = 0; i < samples.length; i += size) {
    const chunk = samples.slice(i, i + size);
    const at = chunk.reduce((sum, [t]) => sum + t, 0) / chunk.length;
    points.push([Math.round(at), Math.round(Math.max(...chunk.map(([, ms]) => ms)))]);
  }
  return points;
}

export function outcomes(
  metrics: ManagerMetrics,
  models: readonly ModelInfo[],
  colours: ReadonlyMap<string, number>,
): OutcomesView {
  const fallbacks = Object.values(metrics.fallbacks).reduce((sum, n) => sum + n, 0);
  const firstChoice = Math.max(0, metrics.successes - metrics.cacheHits - fallbacks);
  return {
    requests: [
      { outcome: 'firstChoice', label: 'First choice answered', count: firstChoice, tone: 'ok' },
      { outcome: 'fallback', label: 'Answered after fallback', count: fallbacks, tone: 'warning' },
      { outcome: 'cached', label: 'From the cache', count: metrics.cacheHits, tone: 'info' },
      { outcome: 'failed', label: 'Failed', count: metrics.failures, tone: 'error' },
    ],
    perModel: models
      .filter((info) => info.requests > 0)
      .map((info) => ({
        model: info.name,
        colour: colours.get(info.name) ?? 0,
        successes: info.successes,
        failures: Object.entries(info.failures)
          .filter(([, count]) => (count ?? 0) > 0)
          .map(([kind, count]) => ({ kind: words(kind), count: count ?? 0 }))
          .sort((a, b) => b.count - a.count || a.kind.localeCompare(b.kind)),
      })),
  };
}
