import type { ModelCardView } from '../../shared/protocol';
import { h, icon } from '../dom';
import {
  actionButton,
  circuitIcon,
  heading,
  liveAgo,
  liveCircuit,
  liveWait,
  visuallyHidden,
  type RenderContext,
} from './common';

/** A card per model in chain order: circuit, success, latency, requests, spend, last error, actions. */
export function renderModels(models: readonly ModelCardView[], context: RenderContext): Node[] {
  if (models.length === 0) return [];
  return [
    heading('Models', 'h2', h('span', { class: 'heading-note' }, 'in chain order')),
    h('div', { class: 'cards', role: 'list' }, ...models.map((model, index) => card(model, index, context))),
  ];
}

function card(model: ModelCardView, index: number, context: RenderContext): HTMLElement {
  const compact = context.surface === 'sidebar';
  const titleId = `model-${context.surface}-${index}`;
  const stats: Array<[string, string, string?]> = [
    ['Success', model.successRate, `tone-text-${model.successTone}`],
    ['p50', model.p50],
    ['p95', model.p95],
    ['Requests', model.requests],
    ['Today', model.spendToday],
  ];
  if (!compact) stats.push(['This month', model.spendMonth]);

  return h(
    'article',
    {
      class: `card circuit-${model.circuit.state} tone-border-${model.circuit.tone}${model.position === undefined ? ' card-idle' : ''}`,
      role: 'listitem',
      'aria-labelledby': titleId,
      'data-model': model.name,
      'data-circuit': model.circuit.state,
    },
    h(
      'div',
      { class: 'card-head' },
      h('span', { class: `swatch series-bg-${model.colour}`, 'aria-hidden': 'true' }),
      h(
        'h3',
        {
          class: 'card-title',
          id: titleId,
          title: model.displayName ? `${model.name} — ${model.displayName}` : model.name,
        },
        model.name,
      ),
      model.active
        ? h(
            'span',
            { class: 'active-mark', title: 'Active model: tried first' },
            icon('star-full'),
            visuallyHidden('active model'),
          )
        : undefined,
      h(
        'span',
        {
          class: `badge${model.position === undefined ? ' badge-muted' : ''}`,
          title: `Place in the fallback chain: ${model.role}`,
        },
        model.role,
      ),
    ),
    h(
      'p',
      {
        class: 'card-subtitle',
        title: [model.displayName, model.subtitle, model.priceNote].filter(Boolean).join(' · '),
      },
      model.subtitle,
    ),
    model.lifecycle
      ? h(
          'p',
          { class: 'card-note card-lifecycle' },
          icon('warning', 'tone-icon tone-warning'),
          ` ${model.lifecycle}`,
        )
      : undefined,
    h(
      'p',
      { class: 'circuit-line', title: model.circuit.detail },
      circuitIcon(model.circuit.state, model.circuit.tone),
      h('span', { class: 'circuit-label' }, 'Circuit '),
      liveCircuit(model.circuit.state, model.circuit.nextProbeAt, context.now),
    ),
    model.waitUntil !== undefined
      ? h('p', { class: 'card-note' }, icon('clock'), liveWait(model.waitUntil, context.now))
      : undefined,
    model.teamBudget
      ? h(
          'p',
          { class: 'card-note card-team-budget', title: model.teamBudget.detail },
          icon('organization', `tone-icon tone-${model.teamBudget.tone}`),
          h('span', { class: `tone-text-${model.teamBudget.tone}` }, model.teamBudget.text),
        )
      : undefined,
    h(
      'dl',
      { class: 'card-stats' },
      ...stats.map(([label, value, extra]) =>
        h('div', { class: 'card-stat' }, h('dt', {}, label), h('dd', { class: extra }, value)),
      ),
    ),
    compact
      ? undefined
      : h(
          'p',
          { class: 'card-meta' },
          `Tokens: ${model.tokens}`,
          model.cacheSaved ? ` · prompt cache saved ${model.cacheSaved}` : '',
        ),
    compact || !model.priceNote ? undefined : h('p', { class: 'card-meta' }, capitalise(model.priceNote)),
    model.lastError
      ? h(
          'p',
          { class: 'card-error', title: `${model.lastError.kind}: ${model.lastError.message}` },
          icon('warning', 'tone-icon tone-warning'),
          h(
            'span',
            { class: 'card-error-text' },
            `Last error: ${model.lastError.kind}, `,
            liveAgo(model.lastError.at, context.now),
            compact ? '' : ` — ${model.lastError.message}`,
          ),
        )
      : undefined,
    model.needsKey
      ? h(
          'div',
          { class: 'card-key' },
          h('span', {}, icon('key'), ' No API key yet'),
          actionButton({
            action: 'setKey',
            target: model.name,
            label: `Set the API key for ${model.name}`,
            icon: 'key',
            text: 'Set key',
            variant: 'primary',
          }),
        )
      : undefined,
    model.actions.setPrice
      ? h(
          'div',
          { class: 'card-key' },
          h('span', {}, icon('tag'), ' Price unknown: spend is not counted'),
          actionButton({
            action: 'setPrice',
            target: model.name,
            label: `Set the price of ${model.name}`,
            icon: 'tag',
            text: 'Set price…',
            variant: 'primary',
          }),
        )
      : undefined,
    actions(model, compact),
  );
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function actions(model: ModelCardView, compact: boolean): HTMLElement {
  const text = (words: string) => (compact ? undefined : words);
  const { actions: can } = model;
  return h(
    'div',
    { class: 'card-actions', role: 'group', 'aria-label': `Actions for ${model.name}` },
    can.resetCircuit
      ? actionButton({
          action: 'resetCircuit',
          target: model.name,
          label: `Reset the circuit of ${model.name}`,
          icon: 'debug-restart',
          text: text('Reset circuit'),
        })
      : undefined,
    can.reEnable
      ? actionButton({
          action: 'resetCircuit',
          target: model.name,
          label: `Re-enable ${model.name} (close its circuit)`,
          icon: 'debug-start',
          text: text('Re-enable'),
        })
      : undefined,
    can.isolate
      ? actionButton({
          action: 'isolateModel',
          target: model.name,
          label: `Isolate ${model.name} (take it out of the chain)`,
          icon: 'debug-disconnect',
          text: text('Isolate'),
        })
      : undefined,
    can.makeActive
      ? actionButton({
          action: 'makeActive',
          target: model.name,
          label: `Make ${model.name} the active model`,
          icon: 'star-empty',
          text: text('Make active'),
        })
      : undefined,
    actionButton({
      action: 'openModelSettings',
      target: model.name,
      label: `Open the settings of ${model.name}`,
      icon: 'settings-gear',
      text: text('Settings'),
    }),
  );
}
