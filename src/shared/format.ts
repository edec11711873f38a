/**
 * How numbers, money and time read in the metrics views, for both sides: the host formats what is
 * fixed, the webview what changes with the clock ("probe in 8 s", "3 min ago"). Durations and
 * dollars come from the core's own format module, so the status bar, traces and views never disagree.
 */
import { formatDuration } from '../core/format';
import type { CircuitStateView } from './protocol';

export { formatDuration, formatUsd, formatUsdTogether, usdDecimals } from '../core/format';

/** Latency with one decimal between 1 and 10 s, where the difference matters: `1.4 s`. */
export function formatLatency(ms: number | undefined): string {
  if (ms === undefined) return '—';
  if (ms >= 1000 && ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  return formatDuration(ms);
}

/** Short dollar amounts for chart axes: `$0`, `$0.005`, `$0.25`, `$12`. */
export function formatUsdTick(usd: number): string {
  if (usd === 0) return '$0';
  if (usd >= 10) return `$${Math.round(usd)}`;
  if (usd >= 0.1) return `$${trimZeros(usd.toFixed(2))}`;
  return `$${trimZeros(usd.toPrecision(2))}`;
}

/**
 * A share as a whole percentage with a thin space, as the rest of the extension writes it
 * (`80 %`). Never rounds a partial success to 100 % or a few failures to 0 %: `99 %`, `<1 %`.
 */
export function formatPercent(fraction: number | undefined): string {
  if (fraction === undefined || !Number.isFinite(fraction)) return '—';
  let percent = Math.round(fraction * 100);
  if (percent === 100 && fraction < 1) percent = 99;
  if (percent === 0 && fraction > 0) return '<1 %';
  return `${percent} %`;
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** `12.3k` above ten thousand, for token counts. */
export function formatCompact(n: number): string {
  if (n < 10_000) return formatCount(n);
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KB`;
}

/** `just now`, `12 s ago`, `4 min ago`. */
export function formatAgo(at: number, now: number): string {
  const ms = now - at;
  return ms < 2000 ? 'just now' : `${formatDuration(ms)} ago`;
}

/**
 * The circuit as the status bar says it, with the countdown to the probe taken at `now`:
 * `closed`, `open · probe in 8 s`, `half-open · probing`, `isolated by you`.
 */
export function circuitText(state: CircuitStateView, nextProbeAt: number | undefined, now: number): string {
  switch (state) {
    case 'closed':
      return 'closed';
    case 'open':
      if (nextProbeAt === undefined) return 'open';
      return nextProbeAt <= now ? 'open · probe due' : `open · probe in ${formatDuration(nextProbeAt - now)}`;
    case 'halfOpen':
      return 'half-open · probing';
    case 'isolated':
      return 'isolated by you';
  }
}

/** A Retry-After wait still running: `waiting 40 s (Retry-After)`, or undefined once it passed. */
export function waitText(until: number | undefined, now: number): string | undefined {
  if (until === undefined || until <= now) return undefined;
  return `provider asked to wait · ${formatDuration(until - now)} left`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `2026-11-23` → `Nov 23` (the day keys are already local dates). */
export function formatDay(day: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return day;
  return `${MONTHS[Number(match[2]) - 1] ?? match[2]} ${Number(match[3])}`;
}

/** Local wall-clock time `14:05:09` of a host timestamp. */
export function formatClock(at: number): string {
  const d = new Date(at);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** `rateLimit` → `rate limit`, `contextLength` → `context length`. */
export function words(camelCase: string): string {
  return camelCase.replace(/([a-z])([A-Z])/g, (_, a: string, b: string) => `${a} ${b.toLowerCase()}`);
}

function trimZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}
