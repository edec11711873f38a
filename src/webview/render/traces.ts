import { formatClock } from '../../shared/format';
import type { TraceStepKind, TraceView } from '../../shared/protocol';
import { h, icon } from '../dom';
import { actionButton, heading, liveAgo, toneIcon, type RenderContext } from './common';

const STEP_ICONS: Record<TraceStepKind, string> = {
  cache: 'database',
  route: 'git-merge',
  skip: 'debug-step-over',
  attempt: 'arrow-right',
  backoff: 'clock',
  circuit: 'circuit-board',
  answered: 'check',
  adjust: 'settings-gear',
};

/** The routing trace of each recent request, newest first, each expandable to its steps. */
export function renderTraces(traces: readonly TraceView[], context: RenderContext): Node[] {
  const head = heading(
    'Routing trace',
    'h2',
    h('span', { class: 'heading-note' }, 'recent requests, newest first'),
  );
  if (traces.length === 0)
    return [
      head,
      h(
        'p',
        { class: 'empty-note' },
        'No requests yet this session. Ask something from the editor (LLM Manager: Explain Selection) and its route shows here.',
      ),
    ];
  return [
    head,
    h('ol', { class: 'traces' }, ...traces.map((trace) => h('li', {}, traceItem(trace, context)))),
  ];
}

function traceItem(trace: TraceView, context: RenderContext): HTMLElement {
  const chips = [
    trace.tried.length > 0 ? `tried ${trace.tried.join(', ')}` : undefined,
    trace.skipped.length > 0 ? `skipped ${trace.skipped.join(', ')}` : undefined,
    trace.waited,
  ].filter((chip): chip is string => chip !== undefined);
  return h(
    'details',
    {
      class: `trace tone-border-${trace.tone}`,
      'data-trace-id': trace.id,
      open: context.openTraces.has(trace.id),
    },
    h(
      'summary',
      { class: 'trace-summary', 'data-focus-key': `trace:${trace.id}` },
      toneIcon(trace.tone),
      h(
        'span',
        { class: 'trace-time', title: new Date(trace.startedAt).toLocaleString() },
        formatClock(trace.startedAt),
      ),
      h('span', { class: 'trace-headline' }, trace.headline),
      h(
        'span',
        { class: 'trace-figures' },
        h('span', { class: 'trace-cost' }, trace.cost),
        h('span', { class: 'muted' }, ` · ${trace.duration} · `),
        liveAgo(trace.startedAt, context.now),
      ),
      chips.length > 0
        ? h('span', { class: 'trace-chips' }, ...chips.map((chip) => h('span', { class: 'chip' }, chip)))
        : undefined,
    ),
    h(
      'div',
      { class: 'trace-body' },
      trace.error
        ? h('p', { class: 'trace-error' }, icon('error', 'tone-icon tone-error'), ' ', trace.error)
        : undefined,
      traceSteps(trace),
      actionButton({
        action: 'showTrace',
        target: trace.id,
        label: `Open the trace of request ${trace.id} as a document`,
        icon: 'go-to-file',
        text: 'Open as document',
      }),
    ),
  );
}

/** A request's steps as a list, each with its offset, icon and sentence (the dashboard and the answer view). */
export function traceSteps(trace: TraceView): HTMLOListElement {
  return h(
    'ol',
    { class: 'trace-steps', 'aria-label': `Steps of request ${trace.id}` },
    ...trace.steps.map((step) =>
      h(
        'li',
        { class: `trace-step tone-mark-${step.tone}` },
        h('span', { class: 'step-offset' }, step.offset),
        icon(STEP_ICONS[step.kind] ?? 'circle-small', `tone-icon tone-${step.tone}`),
        h('span', { class: 'step-text' }, step.text),
      ),
    ),
    trace.steps.length === 0 ? h('li', { class: 'trace-step' }, 'Nothing was tried.') : undefined,
  );
}
