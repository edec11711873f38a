export interface BackoffOptions {
  /** Delay before the first retry. */
  readonly initialDelayMs: number;
  /** Growth per retry: the n-th retry waits `initialDelayMs × multiplier^n`. */
  readonly multiplier: number;
  /** Cap on any single wait, including a provider's Retry-After. */
  readonly maxDelayMs: number;
  /**
   * Share of each delay that is randomised (0 = none, 1 = full jitter). Jitter spreads the retries
   * of many clients that failed together so they do not hit the provider again in lockstep.
   */
  readonly jitter: number;
}

/** The wait before retry number `retryIndex` (0 for the first retry). Never above the cap. */
export function backoffDelay(options: BackoffOptions, retryIndex: number, random: () => number): number {
  const exponential = options.initialDelayMs * options.multiplier ** retryIndex;
  const capped = Math.min(options.maxDelayMs, exponential);
  const jitter = Math.min(1, Math.max(0, options.jitter));
  return Math.max(0, Math.round(capped * (1 - jitter * random())));
}

/**
 * Reads a Retry-After value: delta-seconds (`"30"`, `"1.5"`) or an HTTP date. Also accepts the
 * millisecond form some providers send (`retry-after-ms`). Returns milliseconds, or undefined when
 * the value cannot be read.
 */
export function parseRetryAfter(
  headers: { retryAfter?: string | null; retryAfterMs?: string | null },
  now: number,
): number | undefined {
  const ms = headers.retryAfterMs?.trim();
  if (ms) {
    const value = Number(ms);
    if (Number.isFinite(value) && value >= 0) return Math.round(value);
  }
  const raw = headers.retryAfter?.trim();
  if (!raw) return undefined;
  if (/^\d+(\.\d+)?$/.test(raw)) return Math.round(Number(raw) * 1000);
  const date = Date.parse(raw);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
