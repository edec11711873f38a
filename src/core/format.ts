/**
 * How durations and dollars read everywhere: traces, the status bar, the log and the webviews.
 * Dependency-free, so the webview bundle can import it without the rest of the core.
 */

/** `850 ms`, `12 s`, `4 min`, `3 h`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 120 ? `${minutes} min` : `${Math.round(minutes / 60)} h`;
}

/**
 * The one precision rule for money: how many decimals dollar amounts get. Two (cents) while every
 * non-zero amount is a cent or more; four below a cent; six below a hundredth of a cent. Amounts
 * read together ("$0.0034 of $0.0136", a column of a table) take the decimals of the smallest
 * non-zero one, so what is shown adds up: a budget of $0.0136 never reads "$0.01" beside $0.0034.
 */
export function usdDecimals(amounts: readonly number[]): number {
  let smallest = Infinity;
  for (const usd of amounts) {
    const size = Math.abs(usd);
    if (size > 0 && size < smallest) smallest = size;
  }
  if (smallest >= 0.01) return 2;
  return smallest >= 0.0001 ? 4 : 6;
}

/**
 * `$0`, `$0.0042`, `$1.23`: one amount, in its own precision ({@link usdDecimals}) unless
 * `decimals` says otherwise. Exactly zero is always `$0`.
 */
export function formatUsd(usd: number, decimals = usdDecimals([usd])): string {
  if (usd === 0) return '$0';
  return `$${usd.toFixed(decimals)}`;
}

/**
 * Amounts that are read together, in one precision: `formatUsdTogether(0.0034, 0.0136)` gives
 * `['$0.0034', '$0.0136']`, `formatUsdTogether(0.42, 5)` gives `['$0.42', '$5.00']`.
 */
export function formatUsdTogether(...amounts: number[]): string[] {
  const decimals = usdDecimals(amounts);
  return amounts.map((usd) => formatUsd(usd, decimals));
}
