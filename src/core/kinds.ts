/**
 * The core's vocabularies, each an `as const` list with its type. This file imports nothing, so
 * every other file (errors, types, the webview protocol) can use it without a cycle, and each list
 * is written once.
 */

/** Why a request or one attempt failed; see `describeErrorKind` for the words a user reads. */
export const ERROR_KINDS = [
  /** A short-lived rate limit (HTTP 429 without a quota problem). Transient. */
  'rateLimit',
  /** The account is out of credit or over its quota: waiting will not help. */
  'quota',
  /** The key is missing, rejected (401) or lacks permission (403). */
  'auth',
  /** The prompt does not fit the model's context window. */
  'contextLength',
  /** The provider refused the content. */
  'contentPolicy',
  /** The request itself is invalid (400): another attempt on the same model would fail too. */
  'badRequest',
  /** The provider failed (5xx, Anthropic's 529 overloaded). Transient. */
  'server',
  /** No answer in time (whole request, first chunk or between chunks). Transient. */
  'timeout',
  /** Connection refused, reset or DNS failure. Transient. */
  'network',
  /** A 200 answer that is empty or not in the expected format. Transient. */
  'badResponse',
  /** The caller aborted. Never retried, never counted against a model. */
  'cancelled',
  /** Every model in the chain has an open circuit. */
  'circuitOpen',
  /** Every paid model would exceed the budget and no free model could answer. */
  'budgetExceeded',
  /** A stream failed after text had already been shown; the partial text is kept. */
  'interrupted',
  /** Every model in the chain failed or was skipped for mixed reasons. */
  'allModelsFailed',
] as const;
export type LlmErrorKind = (typeof ERROR_KINDS)[number];

/** Kinds worth another attempt on the same model. */
export const TRANSIENT_ERROR_KINDS = ['rateLimit', 'server', 'timeout', 'network', 'badResponse'] as const;

/**
 * Kinds that count towards opening a model's circuit. The caller's own mistakes (a bad request, a
 * prompt that is too long, refused content) and cancellations say nothing about the model's
 * health, so they never open a circuit.
 */
export const CIRCUIT_COUNTED_ERROR_KINDS = [...TRANSIENT_ERROR_KINDS, 'auth', 'quota'] as const;

/** Why a model was not tried for a request. */
export const SKIP_REASONS = [
  'circuitOpen',
  'halfOpenProbeBusy',
  'isolated',
  'rateLimited',
  'retryAfter',
  'overBudget',
  'priceUnknown',
  'contextTooSmall',
  'noApiKey',
  'keyWithheld',
  'noToolSupport',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/** How demanding a task is; each tier may have its own chain (an empty one means the default chain). */
export const QUALITY_TIERS = ['economy', 'standard', 'high'] as const;
export type QualityTier = (typeof QUALITY_TIERS)[number];

/** A circuit breaker's states as the outside world sees them. */
export const CIRCUIT_STATES = ['closed', 'open', 'halfOpen', 'isolated'] as const;
export type CircuitStateName = (typeof CIRCUIT_STATES)[number];

/** Budget periods. */
export const BUDGET_PERIODS = ['day', 'month'] as const;
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];

/** Whether `value` is one of `list` (narrows the type). */
export function isOneOf<const T extends readonly string[]>(list: T, value: unknown): value is T[number] {
  return typeof value === 'string' && (list as readonly string[]).includes(value);
}
