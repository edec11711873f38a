/**
 * The pieces the dashboard's charts share (charts.ts): the plot area, the y grid, the legend, the
 * figure frame and the "Show as table" fallback that carries each chart's numbers.
 */
import { h, svg } from '../dom';
import type { RenderContext } from './common';

export const CHART_HEIGHT = 180;
const MARGIN = { top: 10, right: 12, bottom: 24, left: 52 };

export interface Plot {
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
  readonly width: number;
}

export function chartWidth(context: RenderContext): number {
  return Math.max(280, Math.floor(context.width));
}

export function plotArea(width: number): Plot {
  const left = MARGIN.left;
  const right = width - MARGIN.right;
  return { left, right, top: MARGIN.top, bottom: CHART_HEIGHT - MARGIN.bottom, width: right - left };
}

export function yGrid(
  ticks: readonly number[],
  y: (value: number) => number,
  plot: Plot,
  label: (value: number) => string,
): SVGElement[] {
  return ticks.flatMap((tick) => [
    svg('line', {
      class: tick === 0 ? 'axis-line' : 'grid-line',
      x1: plot.left,
      x2: plot.right,
      y1: fixed(y(tick)),
      y2: fixed(y(tick)),
    }),
    svg(
      'text',
      { class: 'axis-label', x: plot.left - 6, y: fixed(y(tick) + 3.5), 'text-anchor': 'end' },
      label(tick),
    ),
  ]);
}

export function legend(
  series: ReadonlyArray<{ readonly model: string; readonly colour: number }>,
): HTMLElement {
  return h(
    'ul',
    { class: 'legend', 'aria-hidden': 'true' },
    ...series.map((s) => h('li', {}, swatch(`series-bg-${s.colour}`), s.model)),
  );
}

export function swatch(colourClass: string): HTMLElement {
  return h('span', { class: `swatch ${colourClass}`, 'aria-hidden': 'true' });
}

export function figure(chart: SVGElement, legendList: HTMLElement, table: HTMLElement): HTMLElement {
  return h('figure', { class: 'figure' }, h('div', { class: 'chart-frame' }, chart), legendList, table);
}

export function dataTable(
  caption: string,
  columns: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
): HTMLElement {
  return h(
    'details',
    { class: 'chart-table' },
    h('summary', {}, 'Show as table'),
    h(
      'table',
      {},
      h('caption', { class: 'visually-hidden' }, caption),
      h('thead', {}, h('tr', {}, ...columns.map((column) => h('th', { scope: 'col' }, column)))),
      h(
        'tbody',
        {},
        ...rows.map((row) =>
          h(
            'tr',
            {},
            ...row.map((cell, i) => (i === 0 ? h('th', { scope: 'row' }, cell) : h('td', {}, cell))),
          ),
        ),
      ),
    ),
  );
}

export function isoDay(at: number): string {
  const d = new Date(at);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export function fixed(value: number): string {
  return value.toFixed(1);
}
