/**
 * The answer page's pieces: a turn (the question and its answers, side by side for a comparison),
 * an answer's footer and its routing trace, and the buttons on code blocks. Built with `h()`, so
 * every text from the host goes in as text; only Markdown goes through the renderer.
 */
import type { AnswerView, ConversationView, TurnView } from '../../shared/answerProtocol';
import { h, icon } from '../dom';
import { toneIcon } from '../render/common';
import { traceSteps } from '../render/traces';
import { renderMarkdown } from './markdown';

/** Buttons carry their action in `data-answer-action`; one listener in answer.ts handles them. */
export function button(
  action: string,
  label: string,
  iconName: string,
  text?: string,
  extra: Record<string, string | undefined> = {},
): HTMLButtonElement {
  return h(
    'button',
    {
      type: 'button',
      class: `button ${text ? 'button-secondary' : 'button-icon'}`,
      'data-answer-action': action,
      'aria-label': label,
      title: label,
      ...extra,
    },
    icon(iconName),
    text ? h('span', { class: 'button-text' }, text) : undefined,
  );
}

export function headerElement(conversation: ConversationView | undefined): HTMLElement {
  if (!conversation)
    return h(
      'header',
      { class: 'answer-header' },
      h('h1', { class: 'answer-title' }, 'No conversation'),
      h(
        'p',
        { class: 'muted' },
        'This conversation was cleared. Ask something from the editor (LLM Manager: Explain Selection) to start a new one.',
      ),
    );
  const subtitle = conversation.subtitle ? markdownInline(conversation.subtitle) : undefined;
  return h(
    'header',
    { class: 'answer-header' },
    h(
      'div',
      { class: 'answer-heading' },
      h('h1', { class: 'answer-title' }, conversation.title),
      subtitle ? h('div', { class: 'answer-subtitle' }, subtitle) : undefined,
    ),
    h(
      'div',
      { class: 'answer-toolbar', role: 'toolbar', 'aria-label': 'Conversation' },
      button(
        'compare',
        'Compare models: ask the last question again on two or three models',
        'split-horizontal',
        'Compare models',
      ),
      button('clear', 'Clear all conversations', 'clear-all', 'Clear'),
    ),
  );
}

/** A turn: the question (unless it only repeats the title) and its answers. */
export function turnElement(turn: TurnView, conversationTitle: string): HTMLElement {
  const compare = turn.answers.length > 1;
  return h(
    'article',
    { class: 'turn', 'data-turn-id': turn.id, 'aria-label': `Question: ${turn.question}` },
    turn.question !== conversationTitle
      ? h(
          'div',
          { class: 'question' },
          icon('account', 'question-icon'),
          h('p', { class: 'question-text' }, turn.question),
        )
      : undefined,
    turn.note
      ? h('p', { class: 'turn-note' }, icon('info', 'tone-icon tone-info'), ' ', turn.note)
      : undefined,
    h(
      'div',
      { class: `answers${compare ? ` answers-compare answers-${turn.answers.length}` : ''}` },
      ...turn.answers.map((answer) => answerShell(turn.id, answer, compare)),
    ),
  );
}

/** An answer's frame; its Markdown goes into `.answer-body`, its end into `.answer-end`. */
function answerShell(turnId: string, answer: AnswerView, compare: boolean): HTMLElement {
  return h(
    'section',
    {
      class: `answer status-${answer.status}`,
      'data-turn-id': turnId,
      'data-answer-id': answer.id,
      'aria-busy': answer.status === 'streaming' ? 'true' : undefined,
      'aria-label': `Answer${answer.requested ? ` from ${answer.requested}` : ''}`,
    },
    compare
      ? h('header', { class: 'answer-model' }, h('h2', {}, answer.requested ?? 'the chain'))
      : undefined,
    h('div', { class: 'answer-body markdown-body' }),
    h('div', { class: 'answer-end' }),
  );
}

/** What follows an answer's text: the waiting line, or the error, the footer and the trace. */
export function answerEnd(turnId: string, answer: AnswerView, compare: boolean): Node[] {
  if (answer.status === 'streaming')
    return answer.text
      ? []
      : [
          h(
            'p',
            { class: 'answer-waiting muted' },
            icon('loading', 'codicon-modifier-spin'),
            ' Waiting for the chain…',
          ),
        ];
  const traceId = `trace-${turnId}-${answer.id}`;
  const nodes: Node[] = [];
  if (answer.error)
    nodes.push(
      h(
        'p',
        { class: `answer-error tone-border-${answer.status === 'cancelled' ? 'muted' : 'error'}` },
        toneIcon(answer.status === 'cancelled' ? 'muted' : 'error'),
        ' ',
        answer.error,
      ),
    );
  const footer = answer.footer;
  if (!footer && !answer.trace) return nodes;
  nodes.push(
    h(
      'footer',
      { class: 'answer-footer' },
      footer
        ? h(
            'span',
            { class: 'footer-facts' },
            'Answered by ',
            h('strong', {}, footer.model),
            ` · ${footer.time} · ${footer.cost} · ${footer.tokens}`,
          )
        : undefined,
      answer.trace
        ? button('toggleTrace', 'Show the routing trace of this answer', 'list-tree', 'Routing trace', {
            'aria-expanded': 'false',
            'aria-controls': traceId,
            'data-trace-for': traceId,
          })
        : undefined,
      compare && answer.status === 'done' && footer
        ? button('makeActive', `Make ${footer.model} the active model`, 'star-empty', 'Make active', {
            'data-model': footer.model,
          })
        : undefined,
    ),
  );
  if (answer.trace) {
    const trace = answer.trace;
    nodes.push(
      h(
        'section',
        { class: 'answer-trace', id: traceId, hidden: true, 'aria-label': 'Routing trace' },
        h('h3', { class: 'answer-trace-title' }, toneIcon(trace.tone), ' ', trace.headline),
        h(
          'p',
          { class: 'muted answer-trace-figures' },
          `${trace.cost} · ${trace.duration} · request ${trace.id}`,
        ),
        trace.error
          ? h('p', { class: 'trace-error' }, icon('error', 'tone-icon tone-error'), ' ', trace.error)
          : undefined,
        traceSteps(trace),
      ),
    );
  }
  return nodes;
}

/** Copy / Insert at Cursor / Apply to Selection above each code block of a final block. */
export function addCodeButtons(block: HTMLElement): void {
  for (const pre of block.querySelectorAll<HTMLPreElement>('pre.md-code')) {
    const language = pre.dataset.language ?? '';
    const what = language ? `the ${language} code` : 'the code';
    const bar = h(
      'div',
      { class: 'code-actions', role: 'toolbar', 'aria-label': `Actions for ${what}` },
      language ? h('span', { class: 'code-language' }, language) : undefined,
      button('copy', `Copy ${what}`, 'copy', 'Copy'),
      button('insert', `Insert ${what} at the cursor`, 'insert', 'Insert'),
      button('apply', `Apply ${what} to the selection (shows the diff first)`, 'diff', 'Apply'),
    );
    const wrapper = h('div', { class: 'code-block' });
    pre.replaceWith(wrapper);
    wrapper.append(bar, pre);
  }
}

/** A line of Markdown rendered without its paragraph (for subtitles). */
function markdownInline(source: string): DocumentFragment {
  const template = document.createElement('template');
  template.innerHTML = renderMarkdown(source).replace(/^<p>|<\/p>\n?$/g, '');
  return template.content;
}
