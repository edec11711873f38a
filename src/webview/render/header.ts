import type { HeaderView, ModelCardView } from '../../shared/protocol';
import { h } from '../dom';
import { actionButton, toneIcon, type RenderContext } from './common';

/**
 * The chain's verdict in one line, the demo badge, the surface's main actions, and the first-run
 * help when nothing can answer yet.
 */
export function renderHeader(
  header: HeaderView,
  models: readonly ModelCardView[],
  context: RenderContext,
): Node[] {
  const dashboard = context.surface === 'dashboard';
  const actions = h(
    'div',
    { class: 'header-actions' },
    dashboard || models.length === 0
      ? undefined
      : actionButton({
          action: 'showDashboard',
          label: 'Open the metrics dashboard',
          icon: 'graph',
          text: 'Dashboard',
        }),
    header.demo
      ? actionButton({
          action: 'stopTryWithoutKeys',
          label: 'Stop trying without keys (remove the demo models)',
          icon: 'debug-stop',
          text: 'Stop demo',
        })
      : models.length > 0 && dashboard
        ? actionButton({
            action: 'tryWithoutKeys',
            label: 'Try without keys (adds local demo models)',
            icon: 'play',
            text: 'Try without keys',
          })
        : undefined,
    dashboard && models.length > 0
      ? actionButton({
          action: 'addModel',
          label: 'Add a model (opens llmManager.models in settings)',
          icon: 'add',
          text: 'Add a model',
        })
      : undefined,
  );
  const nodes: Node[] = [
    h(
      'div',
      { class: 'header' },
      dashboard ? h('h1', { class: 'title' }, 'LLM Manager metrics') : undefined,
      h(
        'p',
        { class: 'headline', 'data-health': header.health },
        toneIcon(header.tone),
        h('span', {}, header.headline),
        header.demo
          ? h(
              'span',
              { class: 'badge badge-demo', title: 'The "Try Without Keys" demo models are in use' },
              'demo',
            )
          : undefined,
      ),
      actions.childElementCount > 0 ? actions : undefined,
    ),
  ];
  if (models.length === 0) nodes.push(renderEmptyState());
  else if (header.needsSetup) nodes.push(renderNeedsKeys());
  return nodes;
}

/** No model configured: the two ways to start. */
function renderEmptyState(): HTMLElement {
  return h(
    'div',
    { class: 'setup', role: 'region', 'aria-label': 'Get started' },
    h('h2', { class: 'setup-title' }, 'Set up your chain'),
    h(
      'p',
      {},
      'See the fallback chain, circuit breakers and spend at work with local demo models — no key needed — or add your own models.',
    ),
    h(
      'div',
      { class: 'setup-actions' },
      actionButton({
        action: 'tryWithoutKeys',
        label: 'Try without keys (adds local demo models)',
        icon: 'play',
        text: 'Try without keys',
        variant: 'primary',
      }),
      actionButton({
        action: 'addModel',
        label: 'Add a model (opens llmManager.models in settings)',
        icon: 'add',
        text: 'Add a model',
      }),
    ),
  );
}

/** Models exist but none has its key yet. */
function renderNeedsKeys(): HTMLElement {
  return h(
    'div',
    { class: 'setup setup-keys', role: 'region', 'aria-label': 'Keys needed' },
    h('p', {}, 'No model can answer yet: set a key below, or try the chain with demo models first.'),
    h(
      'div',
      { class: 'setup-actions' },
      actionButton({
        action: 'tryWithoutKeys',
        label: 'Try without keys (adds local demo models)',
        icon: 'play',
        text: 'Try without keys',
      }),
    ),
  );
}
