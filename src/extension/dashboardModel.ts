/**
 * The metrics views' model: the manager's state turned into what the sidebar and the dashboard
 * show (src/shared/protocol.ts), and the difference between two such states for live updates.
 * Pure (no `vscode`), so wording, ordering, states and budget bars are unit-tested. The figures
 * (totals, budgets, charts) are in dashboardFigures.ts, the routing trace in dashboardTrace.ts.
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
} from '../core';
import {
  formatBytes,
  formatCompact,
  formatCount,
  formatLatency,
  formatPercent,
  formatUsd,
} from '../shared/format';
import {
  SERIES_COLOURS,
  SURFACE_SECTIONS,
  TRACE_LIMIT,
  type CircuitStateView,
  type CircuitView,
  type HeaderView,
  type ModelCardView,
  type Surface,
  type TraceView,
  type UpdateMessage,
  type ViewState,
} from '../shared/protocol';
import { chainHeadline, chainHealth, successTone } from './chainHealth';
import { teamBudgetView, type TeamBudgetReading } from './teamBudgets';
import { budgets, outcomes, latency, spendHistory, totals } from './dashboardFigures';
import { clip, traceView } from './dashboardTrace';

export { budgetBar, downsample, LATENCY_POINTS_PER_MODEL } from './dashboardFigures';
export { traceView } from './dashboardTrace';

/** Fails to compile if the core gains a circuit state the views do not know. */
const sameCircuitStates: [CircuitStateName, CircuitStateView] extends [CircuitStateView, CircuitStateName]
  ? true
  : never = true;
void sameCircuitStates;

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

function formatPrice(perMTok: number): string {
  return perMTok === 0 ? '$0' : `$${perMTok < 1 ? perMTok.toFixed(3).replace(/0$/, '') : perMTok.toFixed(2)}`;
}

function sameJson(a: unknown, b: unknown): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}
