import type { HeaderView, TotalsView } from '../../shared/protocol';
import { h } from '../dom';
import { actionButton, heading, type RenderContext } from './common';

/** Requests, success and cache hit rates, retries, fallbacks and tokens, with the cache action. */
export function renderTotals(totals: TotalsView, header: HeaderView, context: RenderContext): Node[] {
  const dashboard = context.surface === 'dashboard';
  const nodes: Node[] = [
    heading('Totals'),
    h(
      'dl',
      { class: 'stats' },
      ...totals.stats.map((stat) =>
        h(
          'div',
          { class: `stat tone-mark-${stat.tone}`, 'data-stat': stat.id, title: stat.hint },
          h('dt', { class: 'stat-label' }, stat.label),
          h('dd', { class: 'stat-value' }, stat.value),
          stat.detail ? h('dd', { class: 'stat-detail' }, stat.detail) : undefined,
        ),
      ),
    ),
  ];
  if (dashboard && totals.fallbackRoutes.length > 0) {
    nodes.push(
      h(
        'div',
        { class: 'routes' },
        h('h3', { class: 'subheading' }, 'Fallback routes'),
        h(
          'ul',
          { class: 'route-list' },
          ...totals.fallbackRoutes.map((route) =>
            h('li', {}, h('span', {}, route.route), h('span', { class: 'count' }, `× ${route.count}`)),
          ),
        ),
      ),
    );
  }
  nodes.push(
    h(
      'div',
      { class: 'cache-row' },
      h('span', { class: 'muted' }, header.cacheText),
      header.cacheEntries > 0
        ? actionButton({
            action: 'clearCache',
            label: 'Clear the response cache',
            icon: 'clear-all',
            text: 'Clear cache',
          })
        : undefined,
    ),
  );
  return nodes;
}
