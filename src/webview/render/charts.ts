/**
 * The dashboard's charts, drawn as SVG by hand: spend per day per model (stacked bars), latency
 * over time per model (lines), and requests by outcome (stacked bars). Colours come from classes
 * bound to the theme's chart colours, so a theme change restyles them without a redraw. Each chart
 * is an image with a spoken summary and has its numbers in a table under "Show as table".
 */
import {
  formatClock,
  formatCount,
  formatDay,
  formatLatency,
  formatPercent,
  formatUsd,
  formatUsdTick,
} from '../../shared/format';
import type { LatencyView, OutcomesView, SpendHistoryView } from '../../shared/protocol';
import { labelIndexes, niceAxis, scale, timeTicks } from '../chartGeometry';
import { h, svg, svgTitle } from '../dom';
import { heading, type RenderContext } from './common';
import {
  CHART_HEIGHT,
  chartWidth,
  dataTable,
  figure,
  fixed,
  isoDay,
  legend,
  plotArea,
  swatch,
  yGrid,
} from './chartPieces';

export function renderSpendChart(view: SpendHistoryView, context: RenderContext): Node[] {
  const title = 'Spend per day';
  const head = heading(
    title,
    'h2',
    h('span', { class: 'heading-note' }, `last ${view.days.length} days, by model · ${view.total}`),
  );
  if (view.series.length === 0)
    return [
      head,
      h(
        'p',
        { class: 'empty-note' },
        'No spend in the last 30 days (free models and cached answers cost nothing).',
      ),
    ];

  const width = chartWidth(context);
  const plot = plotArea(width);
  const dayTotals = view.days.map((_, i) => view.series.reduce((sum, series) => sum + series.values[i], 0));
  const axis = niceAxis(Math.max(...dayTotals));
  const y = scale([0, axis.max], [plot.bottom, plot.top]);
  const band = plot.width / view.days.length;
  const barWidth = Math.max(2, band * 0.7);

  const bars = view.days.map((day, i) => {
    let base = 0;
    const x = plot.left + i * band + (band - barWidth) / 2;
    const segments = view.series
      .filter((series) => series.values[i] > 0)
      .map((series) => {
        const value = series.values[i];
        const top = y(base + value);
        const bottom = y(base);
        base += value;
        return svg(
          'rect',
          {
            class: `series-fill-${series.colour}`,
            x: fixed(x),
            y: fixed(top),
            width: fixed(barWidth),
            height: fixed(Math.max(1, bottom - top)),
          },
          svgTitle(`${formatDay(day)} · ${series.model}: ${formatUsd(value)}`),
        );
      });
    return svg('g', {}, ...segments);
  });

  const xLabels = labelIndexes(view.days.length, Math.max(2, Math.floor(plot.width / 64))).map((i) =>
    svg(
      'text',
      {
        class: 'axis-label',
        x: fixed(plot.left + i * band + band / 2),
        y: plot.bottom + 16,
        'text-anchor': 'middle',
      },
      formatDay(view.days[i]),
    ),
  );

  const peak = dayTotals.indexOf(Math.max(...dayTotals));
  const summary = `${title} over the last ${view.days.length} days, stacked by model (${view.series.map((s) => s.model).join(', ')}). ${view.total}. Highest day: ${formatDay(view.days[peak])}, ${formatUsd(dayTotals[peak])}.`;
  const chart = svg(
    'svg',
    {
      class: 'chart',
      width,
      height: CHART_HEIGHT,
      viewBox: `0 0 ${width} ${CHART_HEIGHT}`,
      role: 'img',
      'aria-label': summary,
    },
    ...yGrid(axis.ticks, y, plot, formatUsdTick),
    ...bars,
    ...xLabels,
  );

  const daysWithSpend = view.days.map((day, i) => ({ day, i })).filter(({ i }) => dayTotals[i] > 0);
  const table = dataTable(
    `${title}, in US dollars`,
    ['Day', ...view.series.map((s) => s.model), 'Total'],
    daysWithSpend.map(({ day, i }) => [
      formatDay(day),
      ...view.series.map((s) => formatUsd(s.values[i])),
      formatUsd(dayTotals[i]),
    ]),
  );
  return [head, figure(chart, legend(view.series), table)];
}

export function renderLatencyChart(view: LatencyView, context: RenderContext): Node[] {
  const title = 'Latency over time';
  const head = heading(title, 'h2', h('span', { class: 'heading-note' }, 'successful attempts, by model'));
  const series = view.series.filter((s) => s.points.length > 0);
  if (series.length === 0)
    return [
      head,
      h('p', { class: 'empty-note' }, 'No answers yet: latency appears with the first successful request.'),
    ];

  const width = chartWidth(context);
  const plot = plotArea(width);
  const times = series.flatMap((s) => s.points.map(([at]) => at));
  let from = Math.min(...times);
  let to = Math.max(...times);
  if (to - from < 60_000) {
    // A single moment would collapse the axis: show the minute around it.
    const middle = (from + to) / 2;
    from = middle - 30_000;
    to = middle + 30_000;
  }
  const axis = niceAxis(Math.max(...series.flatMap((s) => s.points.map(([, ms]) => ms))));
  const x = scale([from, to], [plot.left, plot.right]);
  const y = scale([0, axis.max], [plot.bottom, plot.top]);
  const spansDays = to - from > 24 * 3_600_000;

  const lines = series.map((s) => {
    const path = s.points
      .map(([at, ms], i) => `${i === 0 ? 'M' : 'L'}${fixed(x(at))},${fixed(y(ms))}`)
      .join(' ');
    const dots =
      s.points.length <= 80 || s.points.length === 1
        ? s.points.map(([at, ms]) =>
            svg(
              'circle',
              { class: `series-fill-${s.colour}`, cx: fixed(x(at)), cy: fixed(y(ms)), r: 3 },
              svgTitle(`${formatClock(at)} · ${s.model}: ${formatLatency(ms)}`),
            ),
          )
        : [];
    return svg(
      'g',
      {},
      s.points.length > 1
        ? svg('path', { class: `series-stroke-${s.colour} chart-line`, d: path })
        : undefined,
      ...dots,
    );
  });
  // Seconds matter on a short axis, days on a long one.
  const timeLabel = (at: number) =>
    spansDays
      ? formatDay(isoDay(at))
      : to - from <= 10 * 60_000
        ? formatClock(at)
        : formatClock(at).slice(0, 5);
  const xLabels = timeTicks(from, to, Math.max(2, Math.floor(plot.width / 90))).map((at) =>
    svg(
      'text',
      { class: 'axis-label', x: fixed(x(at)), y: plot.bottom + 16, 'text-anchor': 'middle' },
      timeLabel(at),
    ),
  );

  const stats = series.map((s) => {
    const values = s.points.map(([, ms]) => ms).sort((a, b) => a - b);
    return {
      model: s.model,
      count: values.length,
      median: values[Math.floor((values.length - 1) / 2)],
      max: values[values.length - 1],
      latest: s.points[s.points.length - 1][1],
    };
  });
  const summary = `${title} per model. ${stats.map((s) => `${s.model}: median ${formatLatency(s.median)}, highest ${formatLatency(s.max)}, latest ${formatLatency(s.latest)}`).join('; ')}.`;
  const chart = svg(
    'svg',
    {
      class: 'chart',
      width,
      height: CHART_HEIGHT,
      viewBox: `0 0 ${width} ${CHART_HEIGHT}`,
      role: 'img',
      'aria-label': summary,
    },
    ...yGrid(axis.ticks, y, plot, (ms) => formatLatency(ms)),
    ...lines,
    ...xLabels,
  );
  const table = dataTable(
    title,
    ['Model', 'Points', 'Median', 'Highest', 'Latest'],
    stats.map((s) => [
      s.model,
      formatCount(s.count),
      formatLatency(s.median),
      formatLatency(s.max),
      formatLatency(s.latest),
    ]),
  );
  return [head, figure(chart, legend(series), table)];
}

export function renderOutcomesChart(view: OutcomesView, context: RenderContext): Node[] {
  const title = 'Requests by outcome';
  const total = view.requests.reduce((sum, r) => sum + r.count, 0);
  const head = heading(
    title,
    'h2',
    h('span', { class: 'heading-note' }, `${formatCount(total)} request${total === 1 ? '' : 's'}`),
  );
  if (total === 0) return [head, h('p', { class: 'empty-note' }, 'No requests yet.')];

  const width = chartWidth(context);
  const barX = scale([0, total], [0, width]);
  let offset = 0;
  const segments = view.requests
    .filter((r) => r.count > 0)
    .map((r) => {
      const x0 = barX(offset);
      offset += r.count;
      return svg(
        'rect',
        {
          class: `tone-fill-${r.tone}`,
          x: fixed(x0),
          y: 0,
          width: fixed(Math.max(1, barX(offset) - x0)),
          height: 16,
        },
        svgTitle(`${r.label}: ${formatCount(r.count)} (${formatPercent(r.count / total)})`),
      );
    });
  const summary = `${title}: ${view.requests.map((r) => `${r.label} ${formatCount(r.count)}`).join(', ')}.`;
  const overall = svg(
    'svg',
    {
      class: 'chart chart-bar',
      width,
      height: 16,
      viewBox: `0 0 ${width} 16`,
      role: 'img',
      'aria-label': summary,
    },
    ...segments,
  );
  const overallLegend = h(
    'ul',
    { class: 'legend' },
    ...view.requests.map((r) =>
      h(
        'li',
        {},
        swatch(`tone-bg-${r.tone}`),
        `${r.label} `,
        h('strong', {}, formatCount(r.count)),
        h('span', { class: 'muted' }, ` ${formatPercent(r.count / total)}`),
      ),
    ),
  );

  const maxAttempts = Math.max(
    1,
    ...view.perModel.map((m) => m.successes + m.failures.reduce((sum, f) => sum + f.count, 0)),
  );
  const rowWidth = Math.max(80, Math.min(width - 260, 480));
  const rows = view.perModel.map((m) => {
    const failed = m.failures.reduce((sum, f) => sum + f.count, 0);
    const w = scale([0, maxAttempts], [0, rowWidth]);
    const detail = [
      `${formatCount(m.successes)} ok`,
      ...m.failures.map((f) => `${formatCount(f.count)} ${f.kind}`),
    ].join(' · ');
    return h(
      'li',
      { class: 'attempt-row' },
      h('span', { class: 'attempt-model' }, swatch(`series-bg-${m.colour}`), m.model),
      svg(
        'svg',
        {
          class: 'chart chart-bar',
          width: rowWidth,
          height: 12,
          viewBox: `0 0 ${rowWidth} 12`,
          role: 'img',
          'aria-label': `${m.model}: ${detail}`,
        },
        m.successes > 0
          ? svg(
              'rect',
              { class: 'tone-fill-ok', x: 0, y: 0, width: fixed(w(m.successes)), height: 12 },
              svgTitle(`${m.model}: ${formatCount(m.successes)} ok`),
            )
          : undefined,
        failed > 0
          ? svg(
              'rect',
              {
                class: 'tone-fill-error',
                x: fixed(w(m.successes)),
                y: 0,
                width: fixed(Math.max(1, w(failed))),
                height: 12,
              },
              svgTitle(`${m.model}: ${formatCount(failed)} failed`),
            )
          : undefined,
      ),
      h('span', { class: 'attempt-detail muted' }, detail),
    );
  });
  return [
    head,
    h('figure', { class: 'figure' }, overall, overallLegend),
    rows.length > 0 ? h('h3', { class: 'subheading' }, 'Attempts per model') : undefined,
    rows.length > 0 ? h('ul', { class: 'attempts' }, ...rows) : undefined,
  ].filter((node): node is HTMLElement => node !== undefined);
}
