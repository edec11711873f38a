/**
 * The arithmetic of the hand-drawn SVG charts: axis ticks and scales. Pure (no DOM), so it is
 * unit-tested; src/webview/render/charts.ts turns it into SVG.
 */

export interface Axis {
  /** The top of the axis (≥ the data's maximum). */
  readonly max: number;
  /** Tick values from 0 to `max`. */
  readonly ticks: readonly number[];
}

/**
 * Ticks at 1, 2 or 5 × 10ⁿ steps covering `0..max` in about `count` steps, so labels read
 * `$0 $0.02 $0.04` rather than `$0 $0.0173`. An empty range gets the axis `0..1`.
 */
export function niceAxis(max: number, count = 4): Axis {
  if (!(max > 0) || !Number.isFinite(max)) return { max: 1, ticks: [0, 0.5, 1] };
  const rough = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step =
    [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((candidate) => candidate >= rough) ?? 10 * magnitude;
  const top = Math.ceil(max / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let value = 0; value <= top + step / 2; value += step) ticks.push(roundTo(value, step));
  return { max: roundTo(top, step), ticks };
}

/** Maps `domain` linearly onto `range` (either may run backwards, as y does on screen). */
export function scale(
  domain: readonly [number, number],
  range: readonly [number, number],
): (value: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0;
  return (value) => (span === 0 ? (r0 + r1) / 2 : r0 + ((value - d0) / span) * (r1 - r0));
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const TIME_STEPS = [
  10_000,
  30_000,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  24 * HOUR,
];

/** Round times between `from` and `to` for about `count` labels (10 s … 1 day apart). */
export function timeTicks(from: number, to: number, count = 5): number[] {
  if (!(to > from)) return [from];
  const rough = (to - from) / count;
  const step =
    TIME_STEPS.find((candidate) => candidate >= rough) ?? Math.ceil(rough / (24 * HOUR)) * 24 * HOUR;
  // Align to the local clock (a tick at 14:05, not 14:03:17).
  const offset = new Date(from).getTimezoneOffset() * MINUTE;
  const first = Math.ceil((from - offset) / step) * step + offset;
  const ticks: number[] = [];
  for (let at = first; at <= to; at += step) ticks.push(at);
  return ticks;
}

/** Every `n`-th index of `length` items so that at most `count` labels show (always the last). */
export function labelIndexes(length: number, count: number): number[] {
  if (length <= 0) return [];
  const every = Math.max(1, Math.ceil(length / count));
  const indexes: number[] = [];
  for (let i = length - 1; i >= 0; i -= every) indexes.unshift(i);
  return indexes;
}

function roundTo(value: number, step: number): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 2);
  return Number(value.toFixed(decimals));
}
