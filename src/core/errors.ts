import {
  CIRCUIT_COUNTED_ERROR_KINDS,
  ERROR_KINDS,
  isOneOf,
  TRANSIENT_ERROR_KINDS,
  type LlmErrorKind,
  type SkipReason,
} from './kinds';
import type { RequestTrace } from './types';

export type { LlmErrorKind, SkipReason } from './kinds';

/**
 * The one error family of the manager. Providers translate whatever their SDK throws into an
 * {@link LlmError} with a {@link LlmErrorKind}; the fallback chain decides what to do from the kind
 * alone (retry on the same model, move to the next one, or stop).
 */

export function isTransientKind(kind: LlmErrorKind): boolean {
  return isOneOf(TRANSIENT_ERROR_KINDS, kind);
}

export function countsAgainstCircuit(kind: LlmErrorKind): boolean {
  return isOneOf(CIRCUIT_COUNTED_ERROR_KINDS, kind);
}

export function isErrorKind(value: unknown): value is LlmErrorKind {
  return isOneOf(ERROR_KINDS, value);
}

const llmErrorBrand = Symbol.for('llm-manager.LlmError');

export interface LlmErrorOptions {
  /** HTTP status when the error came from an HTTP answer. */
  readonly status?: number;
  /** How long the provider asked us to wait, already converted to milliseconds. */
  readonly retryAfterMs?: number;
  /** The provider that raised it (`openai`, `anthropic`, …). */
  readonly provider?: string;
  /** The model (registry name) the error belongs to. */
  readonly model?: string;
  /** Text already delivered before a stream failed (kind `interrupted`). */
  readonly partialText?: string;
  /** True when no key is configured: the model is skipped, not counted as failing. */
  readonly missingKey?: boolean;
  /** With `missingKey`: a key exists but may not go to this model's host (yet). */
  readonly keyWithheld?: boolean;
  /** Overrides the kind's default transient flag. */
  readonly transient?: boolean;
  readonly cause?: unknown;
}

/** An error of the manager. Recognise it with {@link isLlmError}, not only `instanceof`. */
export class LlmError extends Error {
  readonly [llmErrorBrand] = true;
  readonly kind: LlmErrorKind;
  readonly transient: boolean;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly provider?: string;
  readonly model?: string;
  readonly partialText?: string;
  readonly missingKey: boolean;
  readonly keyWithheld: boolean;
  /** Set by the manager on errors that end a request: every step it took. */
  trace?: RequestTrace;

  constructor(kind: LlmErrorKind, message: string, options: LlmErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'LlmError';
    this.kind = kind;
    this.transient = options.transient ?? isTransientKind(kind);
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.provider = options.provider;
    this.model = options.model;
    this.partialText = options.partialText;
    this.missingKey = options.missingKey ?? false;
    this.keyWithheld = options.keyWithheld ?? false;
  }
}

/** What happened to one model during a request that failed as a whole. */
export interface ModelFailure {
  readonly model: string;
  /** Either the error kind of its last attempt or the reason it was skipped. */
  readonly outcome: LlmErrorKind | SkipReason;
  /** The sentence a user reads. */
  readonly summary: string;
  readonly attempts: number;
}

/** Thrown when the whole chain could not answer; says per model what happened. */
export class ChainFailedError extends LlmError {
  readonly failures: readonly ModelFailure[];

  constructor(kind: LlmErrorKind, failures: readonly ModelFailure[], headline: string) {
    super(kind, formatChainFailure(headline, failures), { transient: false });
    this.name = 'ChainFailedError';
    this.failures = failures;
  }
}

function formatChainFailure(headline: string, failures: readonly ModelFailure[]): string {
  if (failures.length === 0) return headline;
  return [headline, ...failures.map((f) => `- ${f.model}: ${f.summary}`)].join('\n');
}

export function isLlmError(value: unknown): value is LlmError {
  return (
    typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[llmErrorBrand] === true
  );
}

export function isChainFailedError(value: unknown): value is ChainFailedError {
  return isLlmError(value) && Array.isArray((value as ChainFailedError).failures);
}

/**
 * The error a whole chain fails with: one kind when every model failed the same way (all
 * circuits open, all over budget, all too small, no keys), else `allModelsFailed`.
 */
export function chainFailure(failures: readonly ModelFailure[]): ChainFailedError {
  const outcomes = new Set(failures.map((f) => f.outcome));
  const only = outcomes.size === 1 ? [...outcomes][0] : undefined;
  let kind: LlmErrorKind = 'allModelsFailed';
  let headline = `No model could answer (${failures.length} tried):`;
  switch (only) {
    case 'circuitOpen':
    case 'halfOpenProbeBusy':
    case 'isolated':
      kind = 'circuitOpen';
      headline = 'Every model is unavailable: their circuits are open after repeated failures.';
      break;
    case 'priceUnknown':
      kind = 'budgetExceeded';
      headline =
        'The budget has a hard stop and no model with a known price could answer: set a price for each model.';
      break;
    case 'overBudget':
      kind = 'budgetExceeded';
      headline = 'The budget is used up: every paid model was skipped and no free model is in the chain.';
      break;
    case 'contextTooSmall':
    case 'contextLength':
      kind = 'contextLength';
      headline = 'The prompt is too long for every model in the chain.';
      break;
    case 'noApiKey':
      kind = 'auth';
      headline = 'No model has an API key: set one with "LLM Manager: Set API Key".';
      break;
    case 'keyWithheld':
      kind = 'auth';
      headline = "No model may send its key to its host yet: confirm the host in LLM Manager's notification.";
      break;
    case undefined:
      break;
    default:
      if (isErrorKind(only)) kind = only;
  }
  return new ChainFailedError(kind, failures, headline);
}

/** Describes an error kind in words a user understands (used in chain failure summaries). */
export function describeErrorKind(kind: LlmErrorKind): string {
  switch (kind) {
    case 'rateLimit':
      return 'rate limited by the provider';
    case 'quota':
      return 'out of quota or credit';
    case 'auth':
      return 'API key rejected';
    case 'contextLength':
      return 'the prompt is too long for this model';
    case 'contentPolicy':
      return 'the provider refused the content';
    case 'badRequest':
      return 'the provider rejected the request as invalid';
    case 'server':
      return 'the provider had a server error';
    case 'timeout':
      return 'no answer in time';
    case 'network':
      return 'could not reach the provider';
    case 'badResponse':
      return 'the provider sent an answer that could not be read';
    case 'cancelled':
      return 'cancelled';
    case 'circuitOpen':
      return 'circuit open after repeated failures';
    case 'budgetExceeded':
      return 'over budget';
    case 'interrupted':
      return 'the answer stopped part-way';
    case 'allModelsFailed':
      return 'every model failed';
    default:
      return assertNever(kind);
  }
}

export function describeSkipReason(reason: SkipReason): string {
  switch (reason) {
    case 'circuitOpen':
      return 'skipped: circuit open';
    case 'halfOpenProbeBusy':
      return 'skipped: circuit half-open and its single probe is in flight';
    case 'isolated':
      return 'skipped: isolated by the user';
    case 'rateLimited':
      return 'skipped: local rate limit (requests per minute) reached';
    case 'retryAfter':
      return 'skipped: the provider asked us to wait';
    case 'overBudget':
      return 'skipped: the request would exceed the budget';
    case 'priceUnknown':
      return 'skipped: price unknown — set one';
    case 'contextTooSmall':
      return 'skipped: context window too small for this prompt';
    case 'noApiKey':
      return 'skipped: no API key — set one';
    case 'keyWithheld':
      return 'skipped: its key may not go to this host yet — confirm it';
    case 'noToolSupport':
      return 'skipped: the model does not support tools, and the request carries some';
    default:
      return assertNever(reason);
  }
}

export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${String(value)}`);
}

/** Wraps an unknown thrown value (for a provider that forgot to translate it). */
export function toLlmError(error: unknown, model?: string): LlmError {
  if (isLlmError(error)) return error;
  if (error instanceof Error && error.name === 'AbortError') {
    return new LlmError('cancelled', 'The request was cancelled.', { model, cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new LlmError('badResponse', `Unexpected provider failure: ${message}`, { model, cause: error });
}
