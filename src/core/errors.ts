import type { RequestTrace } from './types';

/**
 * The one error family of the manager. Providers translate whatever their SDK throws into an
 * {@link LlmError} with a {@link LlmErrorKind}; the fallback chain decides what to do from the kind
 * alone (retry on the same model, move to the next one, or stop).
 */

export type LlmErrorKind =
  /** A short-lived rate limit (HTTP 429 without a quota problem). Transient. */
  | 'rateLimit'
  /** The account is out of credit or over its quota: waiting will not help. */
  | 'quota'
  /** The key is missing, rejected (401) or lacks permission (403). */
  | 'auth'
  /** The prompt does not fit the model's context window. */
  | 'contextLength'
  /** The provider refused the content. */
  | 'contentPolicy'
  /** The request itself is invalid (400): another attempt on the same model would fail too. */
  | 'badRequest'
  /** The provider failed (5xx, Anthropic's 529 overloaded). Transient. */
  | 'server'
  /** No answer in time (whole request, first chunk or between chunks). Transient. */
  | 'timeout'
  /** Connection refused, reset or DNS failure. Transient. */
  | 'network'
  /** A 200 answer that is empty or not in the expected format. Transient. */
  | 'badResponse'
  /** The caller aborted. Never retried, never counted against a model. */
  | 'cancelled'
  /** Every model in the chain has an open circuit. */
  | 'circuitOpen'
  /** Every paid model would exceed the budget and no free model could answer. */
  | 'budgetExceeded'
  /** A stream failed after text had already been shown; the partial text is kept. */
  | 'interrupted'
  /** Every model in the chain failed or was skipped for mixed reasons. */
  | 'allModelsFailed';

const transientKinds: ReadonlySet<LlmErrorKind> = new Set<LlmErrorKind>([
  'rateLimit',
  'server',
  'timeout',
  'network',
  'badResponse',
]);

/**
 * Kinds that count towards opening a model's circuit. The caller's own mistakes (a bad request,
 * a prompt that is too long, refused content) and cancellations say nothing about the model's
 * health, so they never open a circuit.
 */
const breakerCountedKinds: ReadonlySet<LlmErrorKind> = new Set<LlmErrorKind>([
  ...transientKinds,
  'auth',
  'quota',
]);

export function isTransientKind(kind: LlmErrorKind): boolean {
  return transientKinds.has(kind);
}

export function countsAgainstCircuit(kind: LlmErrorKind): boolean {
  return breakerCountedKinds.has(kind);
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

/** Why a model was not tried for a request. */
export type SkipReason =
  | 'circuitOpen'
  | 'halfOpenProbeBusy'
  | 'isolated'
  | 'rateLimited'
  | 'retryAfter'
  | 'overBudget'
  | 'contextTooSmall'
  | 'noApiKey'
  | 'noToolSupport';

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
    case 'contextTooSmall':
      return 'skipped: context window too small for this prompt';
    case 'noApiKey':
      return 'skipped: no API key — set one';
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
