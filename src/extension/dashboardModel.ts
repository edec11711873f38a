/**
 * The metrics views' model: the manager's state turned into what the sidebar and the dashboard
 * show (src/shared/protocol.ts), and the difference between two such states for live updates.
 * Pure (no `vscode`), so wording, ordering, states and budget bars are unit-tested.
 *
 * Keys never reach a view: models only say whether they need one, and every text that came from a
 * provider (error messages) passes through `redact` first.
 */
import {
  describeErrorKind,
  isFree,
  type ChainStep,
  type CircuitStateName,
  type CompletedRequest,
  type ManagerMetrics,
  type ModelInfo,
  type TraceStep,
} from '../core';
import {
  formatBytes,
  formatCompact,
  formatCount,
  formatDuration,
  formatLatency,
  formatPercent,
  formatUsd,
  formatUsdTogether,
  words,
} from '../shared/format';
import {
  SERIES_COLOURS,
  SURFACE_SECTIONS,
  TRACE_LIMIT,
  type BudgetBarView,
  type BudgetsView,
  type CircuitStateView,
  type CircuitView,
  type HeaderView,
  type LatencyView,
  type ModelCardView,
  type OutcomesView,
  type SpendHistoryView,
  type StatView,
  type Surface,
  type Tone,
  type TotalsView,
  type TraceStepView,
  type TraceView,
  type UpdateMessage,
  type ViewState,
} from '../shared/protocol';
import { chainHeadline, chainHealth, successTone } from './chainHealth';
import { teamBudgetView, type TeamBudgetReading } from './teamBudgets';
import { describeStep } from './traceFormat';

/** Fails to compile if the core gains a circuit state the views do not know. */
const sameCircuitStates: [CircuitStateName, CircuitStateView] extends [CircuitStateView, CircuitStateName]
  ? true
  : never = true;
void sameCircuitStates;

/** Latency points sent per model; more are merged so a message stays small. */
export const LATENCY_POINTS_PER_MODEL = 120;
/** Longest provider text (an error message) that reaches a view. */
const MAX_MESSAGE_CHARS = 160;

export interface DashboardInput {
  /** The chain's steps as they stand (`LlmManager.chainSteps()`): the active model first. */
  readonly chain: readonly ChainStep[];
  /** Every registered model, in any order. */
  readonly models: readonly ModelInfo[];
  readonly metrics: ManagerMetrics;
  /** Recent requests, oldest first (`LlmManager.getRecentRequests()`). */
  readonly recent: readonly CompletedRequest[];
  readonly now: number;
  readonly demo: boolean;
  /** Models that need a key and have none. */
  readonly missingKeys: ReadonlySet<string>;
  /** Removes secrets from provider texts (error messages) before they are shown. */
  readonly redact: (text: string) => string;
  /** The last reading of each gateway member's team budget (teamBudgets.ts). */
  readonly teamBudgets?: ReadonlyMap<string, TeamBudgetReading>;
}

/** Builds every section (the dashboard's view); {@link forSurface} trims it for the sidebar. */
export function buildViewState(input: DashboardInput): ViewState {
  const ordered = orderModels(input.chain, input.models);
  const colours = colourMap(
    ordered.map((entry) => entry.info.name),
    input.metrics.spend.history,
  );
  const models = ordered.map((entry) => modelCard(entry, input, colours.get(entry.info.name) ?? 0));
  return {
    header: header(
      input,
      ordered.map((entry) => entry.info),
    ),
    models,
    totals: totals(input.metrics),
    budgets: budgets(input.metrics),
    spendHistory: spendHistory(input.metrics, colours),
    latency: latency(
      ordered.map((entry) => entry.info),
      colours,
    ),
    outcomes: outcomes(
      input.metrics,
      ordered.map((entry) => entry.info),
      colours,
    ),
    traces: input.recent
      .slice(-TRACE_LIMIT)
      .reverse()
      .map((completed) => traceView(completed, input.redact)),
  };
}

/** The sections one surface receives (the sidebar has no charts or traces). */
export function forSurface(surface: Surface, state: ViewState): ViewState {
  const sections = SURFACE_SECTIONS[surface];
  const result: Record<string, unknown> = {};
  for (const name of sections) if (state[name] !== undefined) result[name] = state[name];
  return result as unknown as ViewState;
}

/**
 * What to send so that a webview holding `previous` ends up with `next`: only the sections that
 * changed, and new requests as `tracesAdded` when the trace list only grew at the front.
 * Undefined when nothing changed.
 */
export function diffViewState(previous: ViewState, next: ViewState, now: number): UpdateMessage | undefined {
  const changes: Record<string, unknown> = {};
  let tracesAdded: TraceView[] | undefined;
  for (const name of Object.keys(next) as Array<keyof ViewState>) {
    if (name === 'traces') continue;
    if (!sameJson(previous[name], next[name])) changes[name] = next[name];
  }
  const before = previous.traces ?? [];
  const after = next.traces;
  if (after && !sameJson(before, after)) {
    // New requests come in at the front; the oldest fall off the end once the list is full.
    const added = before.length > 0 ? after.findIndex((trace) => trace.id === before[0].id) : -1;
    const onlyGrew =
      added > 0 &&
      after.length === Math.min(TRACE_LIMIT, added + before.length) &&
      sameJson(after.slice(added), before.slice(0, after.length - added));
    if (onlyGrew) tracesAdded = after.slice(0, added);
    else changes.traces = after;
  }
  if (Object.keys(changes).length === 0 && !tracesAdded) return undefined;
  return {
    type: 'update',
    now,
    changes: changes as Partial<ViewState>,
    ...(tracesAdded ? { tracesAdded } : {}),
  };
}

// ---- Sections ----------------------------------------------------------------------------------

interface OrderedModel {
  readonly info: ModelInfo;
  /** 1-based place in the chain, undefined when the chain skips it. */
  readonly position?: number;
  /** Size of the weighted group the model belongs to (1 when it stands alone). */
  readonly groupSize: number;
}

/** Models in the order the chain tries them, then the ones it does not use, by name. */
function orderModels(chain: readonly ChainStep[], models: readonly ModelInfo[]): OrderedModel[] {
  const byName = new Map(models.map((info) => [info.name, info]));
  const ordered: OrderedModel[] = [];
  const seen = new Set<string>();
  for (const step of chain) {
    const members = (typeof step === 'string' ? [step] : [...step]).filter(
      (name) => byName.has(name) && !seen.has(name),
    );
    for (const name of members) {
      seen.add(name);
      ordered.push({
        info: byName.get(name)!,
        position: ordered.length + 1,
        groupSize: typeof step === 'string' ? 1 : members.length,
      });
    }
  }
  const rest = models.filter((info) => !seen.has(info.name)).sort((a, b) => a.name.localeCompare(b.name));
  for (const info of rest) ordered.push({ info, groupSize: 1 });
  return ordered;
}

/** One colour per model, chain order first, then models that only appear in the spend history. */
function colourMap(
  names: readonly string[],
  history: ManagerMetrics['spend']['history'],
): Map<string, number> {
  const colours = new Map<string, number>();
  for (const name of names) colours.set(name, colours.size % SERIES_COLOURS);
  const historic = new Set<string>();
  for (const day of history)
    for (const name of Object.keys(day.byModel)) if (!colours.has(name)) historic.add(name);
  for (const name of [...historic].sort()) colours.set(name, colours.size % SERIES_COLOURS);
  return colours;
}

function header(input: DashboardInput, chainOrder: readonly ModelInfo[]): HeaderView {
  const health = chainHealth({ models: chainOrder, metrics: input.metrics });
  const headline = chainHeadline(health, chainOrder);
  const { entries, bytes } = input.metrics.cache;
  const inChain = chainOrder.filter((info) =>
    input.chain.some((step) => (typeof step === 'string' ? step === info.name : step.includes(info.name))),
  );
  return {
    health,
    headline: headline.text,
    tone: headline.tone,
    demo: input.demo,
    needsSetup: inChain.length > 0 && inChain.every((info) => input.missingKeys.has(info.name)),
    cacheText:
      entries === 0
        ? 'cache empty'
        : `${formatCount(entries)} cached answer${entries === 1 ? '' : 's'} · ${formatBytes(bytes)}`,
    cacheEntries: entries,
  };
}

/** e.g. `12.4k in (11.9k cached) · 800 out (300 reasoning)`; the parts in brackets only when there are some. */
function tokensLine(tokens: ModelInfo['tokens']): string {
  const cached = tokens.cacheRead > 0 ? ` (${formatCompact(tokens.cacheRead)} cached)` : '';
  const reasoning = tokens.reasoning > 0 ? ` (${formatCompact(tokens.reasoning)} reasoning)` : '';
  return `${formatCompact(tokens.input)} in${cached} · ${formatCompact(tokens.output)} out${reasoning}`;
}

function modelCard(entry: OrderedModel, input: DashboardInput, colour: number): ModelCardView {
  const { info, position, groupSize } = entry;
  const { metadata } = info;
  const free = isFree(metadata);
  const price = free
    ? 'free'
    : metadata.priceUnknown
      ? 'price unknown'
      : `${formatPrice(metadata.inputPricePerMTok)} / ${formatPrice(metadata.outputPricePerMTok)} per M tokens`;
  const circuit = circuitView(info);
  const state = info.circuit.state;
  const teamBudget = input.teamBudgets?.get(info.name);
  return {
    name: info.name,
    ...(metadata.displayName && metadata.displayName !== info.name
      ? { displayName: metadata.displayName }
      : {}),
    subtitle: `${metadata.provider} · ${price}`,
    colour,
    ...(position !== undefined ? { position } : {}),
    role: roleOf(position, groupSize),
    active: info.active,
    needsKey: input.missingKeys.has(info.name),
    free,
    priceUnknown: metadata.priceUnknown === true,
    ...(metadata.priceSource ? { priceNote: `prices: ${metadata.priceSource}` } : {}),
    ...(metadata.lifecycle ? { lifecycle: lifecycleText(metadata.lifecycle) } : {}),
    circuit,
    ...(info.retryAfterUntil !== undefined ? { waitUntil: info.retryAfterUntil } : {}),
    ...(teamBudget ? { teamBudget: teamBudgetView(teamBudget, input.now) } : {}),
    requests: formatCount(info.requests),
    successRate: formatPercent(info.successRate),
    successTone: successTone(info.successRate),
    p50: formatLatency(info.latency.p50Ms),
    p95: formatLatency(info.latency.p95Ms),
    spendToday: formatUsd(info.spend.todayUsd),
    spendTodayUsd: info.spend.todayUsd,
    spendMonth: formatUsd(info.spend.monthUsd),
    tokens: tokensLine(info.tokens),
    ...(info.spend.savedByCacheUsd > 0 ? { cacheSaved: formatUsd(info.spend.savedByCacheUsd) } : {}),
    ...(info.lastError
      ? {
          lastError: {
            kind: describeErrorKind(info.lastError.kind),
            message: clip(input.redact(info.lastError.message)),
            at: info.lastError.at,
          },
        }
      : {}),
    actions: {
      resetCircuit:
        state === 'open' ||
        state === 'halfOpen' ||
        info.retryAfterUntil !== undefined ||
        (state === 'closed' && info.circuit.consecutiveFailures > 0),
      isolate: state !== 'isolated',
      reEnable: state === 'isolated',
      makeActive: !info.active,
      setPrice: metadata.priceUnknown === true,
    },
  };
}

function lifecycleText(lifecycle: { readonly deprecated: boolean; readonly endOfLife?: string }): string {
  return lifecycle.endOfLife ? `deprecated — end of life ${lifecycle.endOfLife}` : 'deprecated by its vendor';
}

function roleOf(position: number | undefined, groupSize: number): string {
  if (position === undefined) return 'not in chain';
  const group = groupSize > 1 ? ` · group of ${groupSize}` : '';
  return position === 1 ? `first choice${group}` : `fallback ${position - 1}${group}`;
}

function circuitView(info: ModelInfo): CircuitView {
  const circuit = info.circuit;
  switch (circuit.state) {
    case 'closed':
      return {
        state: 'closed',
        label: 'closed',
        tone: circuit.consecutiveFailures > 0 ? 'warning' : 'ok',
        detail:
          circuit.consecutiveFailures > 0
            ? `${circuit.consecutiveFailures} failure${circuit.consecutiveFailures === 1 ? '' : 's'} in a row`
            : 'answering normally',
      };
    case 'open':
      return {
        state: 'open',
        label: 'open',
        tone: 'error',
        ...(circuit.nextProbeAt !== undefined ? { nextProbeAt: circuit.nextProbeAt } : {}),
        detail: 'skipped after repeated failures; one probe request is let through when the wait is over',
      };
    case 'halfOpen':
      return {
        state: 'halfOpen',
        label: 'half-open · probing',
        tone: 'warning',
        detail: 'the next request is a probe: success closes the circuit',
      };
    case 'isolated':
      return {
        state: 'isolated',
        label: 'isolated by you',
        tone: 'muted',
        detail: 'out of the chain until you re-enable it',
      };
  }
}

function totals(metrics: ManagerMetrics): TotalsView {
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

function budgets(metrics: ManagerMetrics): BudgetsView {
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

function spendHistory(metrics: ManagerMetrics, colours: ReadonlyMap<string, number>): SpendHistoryView {
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

function latency(models: readonly ModelInfo[], colours: ReadonlyMap<string, number>): LatencyView {
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

function outcomes(
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

/** One request's route in words: who was tried or skipped and why, the waits, who answered, the cost. */
export function traceView(completed: CompletedRequest, redact: (text: string) => string): TraceView {
  const { trace, result, error } = completed;
  const steps = trace.steps;
  const tried = unique(steps.flatMap((step) => (step.type === 'attempt' ? [step.model] : [])));
  const skipped = unique(steps.flatMap((step) => (step.type === 'skip' ? [step.model] : [])));
  const waitedMs = steps.reduce((sum, step) => sum + (step.type === 'backoff' ? step.delayMs : 0), 0);
  const lastAt = steps.length > 0 ? steps[steps.length - 1].at : trace.startedAt;
  const duration = formatLatency((result?.latencyMs ?? lastAt - trace.startedAt) || 0);
  const stepViews = steps.map((step): TraceStepView => ({
    kind: step.type,
    offset: `+${formatLatency(step.at - trace.startedAt)}`,
    ...('model' in step ? { model: step.model } : {}),
    text: clip(redact(describeStep(step)), 400),
    tone: stepTone(step),
  }));
  const common = {
    id: trace.id,
    startedAt: trace.startedAt,
    duration,
    tried,
    skipped,
    steps: stepViews,
    ...(waitedMs > 0 ? { waited: `waited ${formatDuration(waitedMs)}` } : {}),
  };

  if (result?.cached) {
    return {
      ...common,
      outcome: 'cached',
      tone: 'info',
      headline: `Answered from the cache (${result.model})`,
      answeredBy: result.model,
      cost: '$0 · cached',
    };
  }
  if (result) {
    const others =
      tried.filter((name) => name !== result.model).length +
      skipped.filter((name) => name !== result.model).length;
    const first = firstCandidate(steps);
    const headline =
      first === undefined || first === result.model
        ? `${result.model} answered`
        : `${result.model} answered after ${others} fallback${others === 1 ? '' : 's'}`;
    return {
      ...common,
      outcome: 'answered',
      tone: first === undefined || first === result.model ? 'ok' : 'warning',
      headline,
      answeredBy: result.model,
      cost: formatUsd(result.costUsd),
    };
  }
  const cancelled = error?.kind === 'cancelled';
  // A chain failure's message is a headline and a line per model: keep both, on one line.
  const [headline, ...perModel] = error ? error.message.split('\n') : [];
  const firstLine = error
    ? clip(
        redact(
          [headline, perModel.map((line) => line.replace(/^- /, '')).join('; ')].filter(Boolean).join(' '),
        ),
        300,
      )
    : undefined;
  return {
    ...common,
    outcome: cancelled ? 'cancelled' : 'failed',
    tone: cancelled ? 'muted' : 'error',
    headline: cancelled ? 'Cancelled' : `Failed: ${error ? describeErrorKind(error.kind) : 'no answer'}`,
    cost: '$0',
    ...(firstLine ? { error: firstLine } : {}),
  };
}

function firstCandidate(steps: readonly TraceStep[]): string | undefined {
  for (const step of steps) if (step.type === 'attempt' || step.type === 'skip') return step.model;
  return undefined;
}

function stepTone(step: TraceStep): Tone {
  switch (step.type) {
    case 'cache':
      return step.hit ? 'ok' : 'muted';
    case 'route':
      return step.reason ? 'warning' : 'info';
    case 'skip':
      return 'warning';
    case 'attempt':
      return step.outcome === 'success' ? 'ok' : 'error';
    case 'backoff':
      return 'muted';
    case 'circuit':
      return step.to === 'closed' ? 'ok' : step.to === 'open' ? 'error' : 'warning';
    case 'answered':
      return 'ok';
    case 'adjust':
      return 'info';
  }
}

function formatPrice(perMTok: number): string {
  return perMTok === 0 ? '$0' : `$${perMTok < 1 ? perMTok.toFixed(3).replace(/0$/, '') : perMTok.toFixed(2)}`;
}

function clip(text: string, max = MAX_MESSAGE_CHARS): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function unique(names: readonly string[]): string[] {
  return [...new Set(names)];
}

function sameJson(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}
