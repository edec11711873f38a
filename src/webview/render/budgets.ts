import type { BudgetBarView, BudgetsView } from '../../shared/protocol';
import { h, icon, svg } from '../dom';
import { heading } from './common';

/** Spend today and this month against the budgets, with the alert line and the alert when reached. */
export function renderBudgets(budgets: BudgetsView): Node[] {
  return [
    heading(
      'Spend',
      'h2',
      budgets.hardStop ? h('span', { class: 'heading-note' }, 'hard stop on') : undefined,
    ),
    h('div', { class: 'budgets' }, ...budgets.bars.map(bar)),
  ];
}

function bar(view: BudgetBarView): HTMLElement {
  const id = `budget-${view.period}`;
  const figures = h(
    'div',
    { class: 'budget-figures' },
    h('span', { class: 'budget-label', id: `${id}-label` }, view.label),
    h(
      'span',
      { class: 'budget-spent' },
      view.spent,
      view.limit ? h('span', { class: 'muted' }, ` ${view.limit}`) : undefined,
    ),
    view.percent ? h('span', { class: `budget-percent level-${view.level}` }, view.percent) : undefined,
  );
  const meter =
    view.fraction === undefined
      ? undefined
      : h(
          'div',
          {
            class: `budget-meter level-${view.level}`,
            role: 'meter',
            'aria-labelledby': `${id}-label`,
            'aria-valuemin': 0,
            'aria-valuemax': 100,
            'aria-valuenow': Math.round(view.fraction * 100),
            'aria-valuetext': `${view.spent} ${view.limit ?? ''} (${view.percent ?? ''})`,
          },
          // Drawn in SVG so its width needs no inline style (the CSP allows none).
          svg(
            'svg',
            {
              class: 'budget-svg',
              viewBox: '0 0 100 8',
              preserveAspectRatio: 'none',
              'aria-hidden': 'true',
              focusable: 'false',
            },
            svg('rect', { class: 'budget-track', x: 0, y: 0, width: 100, height: 8, rx: 1 }),
            svg('rect', {
              class: 'budget-fill',
              x: 0,
              y: 0,
              width: (view.fraction * 100).toFixed(2),
              height: 8,
              rx: 1,
            }),
            svg('line', {
              class: 'budget-alert-line',
              x1: view.alertFraction * 100,
              x2: view.alertFraction * 100,
              y1: 0,
              y2: 8,
            }),
          ),
        );
  const noteIcon =
    view.level === 'alert'
      ? icon('warning', 'tone-icon tone-warning')
      : view.level === 'exceeded'
        ? icon('error', 'tone-icon tone-error')
        : undefined;
  return h(
    'div',
    { class: `budget level-${view.level}`, 'data-period': view.period },
    figures,
    meter,
    // Reaching the alert is announced once by app.ts; the note itself stays quiet on redraws.
    h(
      'p',
      { class: `budget-note${noteIcon ? ' budget-note-alert' : ''}` },
      noteIcon,
      noteIcon ? ' ' : '',
      view.note,
    ),
  );
}
