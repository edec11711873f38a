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

/** `$0`, `$0.0042`, `$1.23`. */
export function formatUsd(usd: number): string {
  if (usd === 0) return '$0';
  if (usd < 0.01) return `$${usd.toFixed(4)}`;
  return `$${usd.toFixed(2)}`;
}
