/**
 * The one message protocol between the extension host and the metrics webviews (the sidebar view
 * and the dashboard panel), imported by both sides.
 *
 * The conversation: the webview says {@link ReadyMessage} (again after every reload, e.g. when a
 * hidden view is shown), the host answers with a full {@link SnapshotMessage}, then sends
 * {@link UpdateMessage}s carrying only the sections that changed. The webview asks for actions;
 * the host validates every message with {@link parseWebviewMessage} and runs the same commands as
 * the palette.
 *
 * Everything here is display-ready data. No key, no key id and nothing derived from a key crosses:
 * a model only says whether it still {@link ModelCardView.needsKey needs one}, and error texts are
 * redacted by the host before they are put into a view.
 *
 * This file must stay free of `vscode`, Node and DOM APIs: both tsconfigs compile it.
 */

/** Which webview is speaking: the compact sidebar view or the full dashboard panel. */
export type Surface = 'sidebar' | 'dashboard';

export const SURFACES: readonly Surface[] = ['sidebar', 'dashboard'];

/** Mirrors the core's circuit states (the host checks at compile time that they agree). */
export type CircuitStateView = 'closed' | 'open' | 'halfOpen' | 'isolated';

/** How a piece of state should look: the webview maps tones to theme colours. */
export type Tone = 'ok' | 'warning' | 'error' | 'muted' | 'info';

/** The chain as a whole, the same verdict as the status-bar item. */
export type ChainHealthView = 'noModels' | 'healthy' | 'degraded' | 'down' | 'budgetExhausted';

/** Models are coloured by index, the same in every chart; the webview defines this many colours. */
export const SERIES_COLOURS = 6;

/** At most this many recent requests are shown (the manager keeps 50 by default). */
export const TRACE_LIMIT = 50;

// ---- View models ----------------------------------------------------------------------------

export interface HeaderView {
  readonly health: ChainHealthView;
  /** One sentence about the chain, e.g. "Some models are unavailable; the chain routes around them." */
  readonly headline: string;
  readonly tone: Tone;
  /** The "Try Without Keys" demo models are in use. */
  readonly demo: boolean;
  /** Every model in the chain needs a key that is not set yet: show the first-run help. */
  readonly needsSetup: boolean;
  /** Cached answers and their size, for the "Clear cache" action. */
  readonly cacheText: string;
  readonly cacheEntries: number;
}

export interface CircuitView {
  readonly state: CircuitStateView;
  /** `closed`, `open`, `half-open · probing`, `isolated by you` (time-free: see `nextProbeAt`). */
  readonly label: string;
  readonly tone: Tone;
  /** Host clock time at which an open circuit admits its probe; the webview counts down to it. */
  readonly nextProbeAt?: number;
  /** e.g. "2 failures in a row" while closed, for the tooltip. */
  readonly detail: string;
}

export interface ModelErrorView {
  /** Short kind, e.g. `server error`. */
  readonly kind: string;
  /** Redacted, one line, at most ~160 characters. */
  readonly message: string;
  /** Host clock time, for "3 min ago". */
  readonly at: number;
}

/** What a card offers; every one of these runs a palette command. */
export interface ModelActionsView {
  readonly resetCircuit: boolean;
  readonly isolate: boolean;
  readonly reEnable: boolean;
  readonly makeActive: boolean;
  /** The model's price is unknown: offer "Set price…". */
  readonly setPrice: boolean;
}

/**
 * A team gateway's budget for the model's key, as the gateway reports it (the LiteLLM proxy's
 * `/key/info`), beside our own spend: the whole team's spend on that key, not only ours.
 */
export interface TeamBudgetView {
  /** e.g. `team: $12.40 of $50` (or `team: $3.10 spent` without a budget). */
  readonly text: string;
  /** For the tooltip, e.g. "The team gateway's spend on this key, read 1 min ago; resets in 3 h." */
  readonly detail: string;
  /** `ok` under 80 %, `warning` from 80 %, `error` once used up. */
  readonly tone: Tone;
}

/** One model's card, in chain order. */
export interface ModelCardView {
  /** The registry name: what actions send back. */
  readonly name: string;
  /** The display name when it differs from the name. */
  readonly displayName?: string;
  /** e.g. `openai · $2.50 / $10.00 per M tokens` or `openaiCompatible · free`. */
  readonly subtitle: string;
  /** Index into the series colours, the same in every chart. */
  readonly colour: number;
  /** 1-based place in the chain; undefined when the chain does not use the model. */
  readonly position?: number;
  /** e.g. `first choice`, `fallback 2`, `group of 2`, `not in chain`. */
  readonly role: string;
  readonly active: boolean;
  readonly needsKey: boolean;
  readonly free: boolean;
  /** Nobody knows the model's price: its spend is not counted in dollars. */
  readonly priceUnknown: boolean;
  /** Where the prices come from and how old they are, e.g. `prices: catalog of 2026-09-23`. */
  readonly priceNote?: string;
  /** e.g. `deprecated — end of life 2027-01-05` when the vendor retires the model. */
  readonly lifecycle?: string;
  readonly circuit: CircuitView;
  /** The provider's Retry-After keeps the model out until this host time. */
  readonly waitUntil?: number;
  /** The team gateway's budget for this model's key, when the model is a gateway member that has one. */
  readonly teamBudget?: TeamBudgetView;
  readonly requests: string;
  readonly successRate: string;
  readonly successTone: Tone;
  readonly p50: string;
  readonly p95: string;
  readonly spendToday: string;
  readonly spendTodayUsd: number;
  readonly spendMonth: string;
  /** e.g. `12.4k in (11.9k cached) · 800 out (300 reasoning)`. */
  readonly tokens: string;
  /** What reading the prompt cache saved against the full input price, e.g. `$0.03`; unset when nothing. */
  readonly cacheSaved?: string;
  readonly lastError?: ModelErrorView;
  readonly actions: ModelActionsView;
}

/** One figure of the totals, e.g. `{ label: 'Cache hit rate', value: '40 %', detail: '4 of 10 lookups' }`. */
export interface StatView {
  readonly id: 'requests' | 'successRate' | 'cacheHitRate' | 'retries' | 'fallbacks' | 'tokens';
  readonly label: string;
  readonly value: string;
  readonly detail?: string;
  /** A longer explanation, shown as the tooltip. */
  readonly hint?: string;
  readonly tone: Tone;
}

export interface TotalsView {
  readonly stats: readonly StatView[];
  /** Fallback routes, busiest first: `demo-openai → demo-claude`, 3. */
  readonly fallbackRoutes: ReadonlyArray<{ readonly route: string; readonly count: number }>;
}

export type BudgetLevel = 'none' | 'ok' | 'alert' | 'exceeded';

export interface BudgetBarView {
  readonly period: 'day' | 'month';
  /** `Today` / `This month`. */
  readonly label: string;
  readonly spent: string;
  /** `of $5.00`, or undefined when no budget is set. */
  readonly limit?: string;
  /** Share of the budget spent, 0–1 for the bar (clamped); undefined without a budget. */
  readonly fraction?: number;
  /** `82 %`, unclamped (a budget can be overspent without a hard stop). */
  readonly percent?: string;
  /** Where the alert line sits on the bar (0–1). */
  readonly alertFraction: number;
  readonly level: BudgetLevel;
  /** The sentence under the bar, e.g. "Alert: 82 % of the daily budget spent (alert at 80 %)." */
  readonly note: string;
}

export interface BudgetsView {
  readonly bars: readonly BudgetBarView[];
  readonly hardStop: boolean;
}

/** A series of one model in a chart. */
export interface SeriesView {
  readonly model: string;
  readonly colour: number;
}

export interface SpendHistoryView {
  /** Local days `YYYY-MM-DD`, oldest first (30 of them). */
  readonly days: readonly string[];
  /** One value per day in US dollars. */
  readonly series: ReadonlyArray<SeriesView & { readonly values: readonly number[] }>;
  /** e.g. `total $1.23`. */
  readonly total: string;
}

export interface LatencyView {
  /** `[host time, ms]` points, oldest first, at most a hundred or so per model. */
  readonly series: ReadonlyArray<SeriesView & { readonly points: ReadonlyArray<readonly [number, number]> }>;
}

export type RequestOutcome = 'firstChoice' | 'fallback' | 'cached' | 'failed';

export interface OutcomesView {
  /** Requests by how they ended. */
  readonly requests: ReadonlyArray<{
    readonly outcome: RequestOutcome;
    readonly label: string;
    readonly count: number;
    readonly tone: Tone;
  }>;
  /** Attempts per model: successes and failures by kind. */
  readonly perModel: ReadonlyArray<
    SeriesView & {
      readonly successes: number;
      readonly failures: ReadonlyArray<{ readonly kind: string; readonly count: number }>;
    }
  >;
}

export type TraceStepKind =
  'cache' | 'route' | 'skip' | 'attempt' | 'backoff' | 'circuit' | 'answered' | 'adjust';

/** One step of a request's routing, described in words. */
export interface TraceStepView {
  readonly kind: TraceStepKind;
  /** `+1.2 s` after the request started. */
  readonly offset: string;
  readonly model?: string;
  /** e.g. "demo-openai: attempt 1 failed after 12 ms — the provider had a server error (…)". */
  readonly text: string;
  readonly tone: Tone;
}

export type TraceOutcome = 'answered' | 'cached' | 'failed' | 'cancelled';

/** One recent request's routing trace. */
export interface TraceView {
  readonly id: string;
  /** Host time the request started. */
  readonly startedAt: number;
  readonly outcome: TraceOutcome;
  readonly tone: Tone;
  /** e.g. "demo-claude answered after 1 fallback". */
  readonly headline: string;
  readonly answeredBy?: string;
  readonly cost: string;
  readonly duration: string;
  readonly tried: readonly string[];
  readonly skipped: readonly string[];
  /** Total backoff, e.g. `waited 600 ms`; undefined when nothing waited. */
  readonly waited?: string;
  /** Why a failed request failed, on one line (redacted). */
  readonly error?: string;
  readonly steps: readonly TraceStepView[];
}

/**
 * Everything the webviews show, in sections: an update replaces whole sections. The sidebar gets
 * the first four; the dashboard also gets the charts and the traces.
 */
export interface ViewState {
  readonly header: HeaderView;
  readonly models: readonly ModelCardView[];
  readonly totals: TotalsView;
  readonly budgets: BudgetsView;
  readonly spendHistory?: SpendHistoryView;
  readonly latency?: LatencyView;
  readonly outcomes?: OutcomesView;
  /** Newest first. */
  readonly traces?: readonly TraceView[];
}

export type SectionName = keyof ViewState;

/** The sections a surface receives. */
export const SURFACE_SECTIONS: Readonly<Record<Surface, readonly SectionName[]>> = {
  sidebar: ['header', 'models', 'totals', 'budgets'],
  dashboard: ['header', 'models', 'totals', 'budgets', 'spendHistory', 'latency', 'outcomes', 'traces'],
};

// ---- Host → webview -----------------------------------------------------------------------

/** The whole state; sent in answer to `ready`. `now` is the host clock, for countdowns. */
export interface SnapshotMessage {
  readonly type: 'snapshot';
  readonly now: number;
  readonly state: ViewState;
}

/**
 * The sections that changed since the last message. New requests usually arrive as
 * `tracesAdded` (newest first, to put before the known ones, keeping {@link TRACE_LIMIT}) rather
 * than a whole `traces` section.
 */
export interface UpdateMessage {
  readonly type: 'update';
  readonly now: number;
  readonly changes: Partial<ViewState>;
  readonly tracesAdded?: readonly TraceView[];
}

export type HostMessage = SnapshotMessage | UpdateMessage;

// ---- Webview → host -----------------------------------------------------------------------

/** The webview has (re)loaded and wants a snapshot. */
export interface ReadyMessage {
  readonly type: 'ready';
  readonly surface: Surface;
}

/** Actions on one model; each runs the palette command of the same purpose. */
export type ModelActionType =
  'resetCircuit' | 'isolateModel' | 'makeActive' | 'openModelSettings' | 'setKey' | 'setPrice';

/** Actions on the whole chain. */
export type ChainActionType =
  'clearCache' | 'tryWithoutKeys' | 'stopTryWithoutKeys' | 'addModel' | 'showDashboard';

export interface ModelActionMessage {
  readonly type: ModelActionType;
  readonly model: string;
}

export interface ChainActionMessage {
  readonly type: ChainActionType;
}

/** Opens a request's routing trace as a document. */
export interface ShowTraceMessage {
  readonly type: 'showTrace';
  readonly traceId: string;
}

export type WebviewMessage = ReadyMessage | ModelActionMessage | ChainActionMessage | ShowTraceMessage;

export const MODEL_ACTION_TYPES: readonly ModelActionType[] = [
  'resetCircuit',
  'isolateModel',
  'makeActive',
  'openModelSettings',
  'setKey',
  'setPrice',
];
export const CHAIN_ACTION_TYPES: readonly ChainActionType[] = [
  'clearCache',
  'tryWithoutKeys',
  'stopTryWithoutKeys',
  'addModel',
  'showDashboard',
];

export type ParsedMessage =
  { readonly ok: true; readonly message: WebviewMessage } | { readonly ok: false; readonly reason: string };

/** Model names are registry names: visible characters, bounded (the settings allow 80). */
const MODEL_NAME = /^[^\s\p{Cc}][^\p{Cc}]{0,199}$/u;
/** Trace ids look like `mgq3k2x1-17`. */
const TRACE_ID = /^[\w.-]{1,64}$/;

/**
 * Checks a message from a webview against the protocol, strictly: the right type, exactly the
 * expected fields, each of the right shape. Anything else is refused with a reason to log.
 * (Whether a named model exists is for the host to check when it acts.)
 */
export function parseWebviewMessage(value: unknown): ParsedMessage {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return refuse('not an object');
  const record = value as Record<string, unknown>;
  const type = record.type;
  if (typeof type !== 'string') return refuse('no message type');
  const fields = Object.keys(record).filter((key) => key !== 'type');
  const only = (...expected: string[]): string | undefined => {
    const extra = fields.filter((key) => !expected.includes(key));
    return extra.length > 0
      ? `unexpected field${extra.length > 1 ? 's' : ''} ${extra.slice(0, 3).join(', ')}`
      : undefined;
  };

  if (type === 'ready') {
    const problem = only('surface');
    if (problem) return refuse(problem);
    if (!SURFACES.includes(record.surface as Surface)) return refuse('ready: unknown surface');
    return { ok: true, message: { type, surface: record.surface as Surface } };
  }
  if ((MODEL_ACTION_TYPES as readonly string[]).includes(type)) {
    const problem = only('model');
    if (problem) return refuse(`${type}: ${problem}`);
    if (typeof record.model !== 'string' || !MODEL_NAME.test(record.model))
      return refuse(`${type}: the model name is missing or malformed`);
    return { ok: true, message: { type: type as ModelActionType, model: record.model } };
  }
  if ((CHAIN_ACTION_TYPES as readonly string[]).includes(type)) {
    const problem = only();
    if (problem) return refuse(`${type}: ${problem}`);
    return { ok: true, message: { type: type as ChainActionType } };
  }
  if (type === 'showTrace') {
    const problem = only('traceId');
    if (problem) return refuse(`showTrace: ${problem}`);
    if (typeof record.traceId !== 'string' || !TRACE_ID.test(record.traceId))
      return refuse('showTrace: the trace id is missing or malformed');
    return { ok: true, message: { type, traceId: record.traceId } };
  }
  return refuse(`unknown message type "${type.slice(0, 40)}"`);
}

function refuse(reason: string): ParsedMessage {
  return { ok: false, reason };
}
