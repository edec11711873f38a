/**
 * The answer view's page: says `ready`, draws the conversation from the host's snapshot, then
 * streams answers in as deltas arrive (only the last block redraws), keeps the scroll at the bottom
 * unless the user scrolled up, announces finished answers politely to screen readers, and turns
 * clicks (Stop, code actions, links, Compare, Make active, the trace) and the follow-up box into
 * protocol messages. Links never navigate the page: the host opens them after checking them.
 */
import type {
  AnswerHostMessage,
  AnswerView,
  AnswerWebviewMessage,
  CodeActionName,
  ConversationView,
  TurnView,
} from '../../shared/answerProtocol';
import { h, icon } from '../dom';
import { MarkdownView } from './markdownView';
import { addCodeButtons, answerEnd, button, headerElement, turnElement } from './turns';

interface VsCodeApi {
  postMessage(message: AnswerWebviewMessage): void;
  setState(state: { conversationId?: string }): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const post = (message: AnswerWebviewMessage) => vscode.postMessage(message);

const root = document.getElementById('app')!;
const announcer = document.getElementById('announcer');
let conversation: ConversationView | undefined;
let running = false;
/** The Markdown view of each answer on the page, by `turnId/answerId`. */
const views = new Map<string, MarkdownView>();
/** Follow the stream down, unless the user scrolled up to read. */
let followBottom = true;

const turnsElement = h('div', { class: 'turns' });
const input = h('textarea', {
  id: 'follow-up-input',
  class: 'follow-up-input',
  rows: 2,
  placeholder: 'Ask a follow-up (Enter sends, Shift+Enter for a new line)',
  'aria-describedby': 'follow-up-hint',
});
const sendButton = h(
  'button',
  { type: 'submit', class: 'button button-primary', 'aria-label': 'Send the follow-up' },
  icon('send'),
  h('span', { class: 'button-text' }, 'Send'),
);
const stopButton = button('stop', 'Stop the answer', 'debug-stop', 'Stop');
const form = h(
  'form',
  { class: 'follow-up', 'aria-label': 'Follow-up' },
  h('label', { for: 'follow-up-input', class: 'visually-hidden' }, 'Follow-up question'),
  input,
  h('div', { class: 'follow-up-actions' }, stopButton, sendButton),
  h('p', { id: 'follow-up-hint', class: 'follow-up-hint muted' }),
);

function draw(next: ConversationView | undefined): void {
  conversation = next;
  views.clear();
  if (next) vscode.setState({ conversationId: next.id });
  turnsElement.replaceChildren(...(next?.turns ?? []).map(drawTurn));
  root.replaceChildren(headerElement(next), turnsElement, ...(next ? [form] : []));
  root.removeAttribute('aria-busy');
  updateControls();
  scrollToBottomIfFollowing();
}

function drawTurn(turn: TurnView): HTMLElement {
  const element = turnElement(turn, conversation?.title ?? '');
  for (const answer of turn.answers) {
    const section = element.querySelector<HTMLElement>(`.answer[data-answer-id="${CSS.escape(answer.id)}"]`)!;
    const view = new MarkdownView(
      section.querySelector<HTMLElement>('.answer-body')!,
      addCodeButtons,
      scrollToBottomIfFollowing,
    );
    views.set(`${turn.id}/${answer.id}`, view);
    view.set(answer.text, answer.status !== 'streaming');
    section
      .querySelector('.answer-end')!
      .replaceChildren(...answerEnd(turn.id, answer, turn.answers.length > 1));
  }
  return element;
}

function finishAnswer(turnId: string, answer: AnswerView): void {
  const section = answerSection(turnId, answer.id);
  const turn = conversation?.turns.find((candidate) => candidate.id === turnId);
  if (!section) return;
  section.className = `answer status-${answer.status}`;
  section.removeAttribute('aria-busy');
  views.get(`${turnId}/${answer.id}`)?.set(answer.text, true);
  section
    .querySelector('.answer-end')!
    .replaceChildren(...answerEnd(turnId, answer, (turn?.answers.length ?? 1) > 1));
  if (turn && conversation)
    conversation = {
      ...conversation,
      turns: conversation.turns.map((candidate) =>
        candidate.id === turnId
          ? { ...candidate, answers: candidate.answers.map((old) => (old.id === answer.id ? answer : old)) }
          : candidate,
      ),
    };
  announce(
    answer.status === 'done' && answer.footer
      ? `${answer.footer.model} answered (${answer.footer.time}, ${answer.footer.cost}).`
      : (answer.error ?? 'The answer ended.'),
  );
  scrollToBottomIfFollowing();
}

function answerSection(turnId: string, answerId: string): HTMLElement | null {
  return turnsElement.querySelector<HTMLElement>(
    `.answer[data-turn-id="${CSS.escape(turnId)}"][data-answer-id="${CSS.escape(answerId)}"]`,
  );
}

function updateControls(): void {
  const canAsk = !!conversation?.canFollowUp && !running;
  stopButton.hidden = !running;
  sendButton.disabled = !canAsk;
  input.disabled = !conversation?.canFollowUp;
  const compare = root.querySelector<HTMLButtonElement>('button[data-answer-action="compare"]');
  if (compare) compare.disabled = running || !conversation?.turns.length;
  const hint = document.getElementById('follow-up-hint');
  if (hint)
    hint.textContent = running
      ? 'Answering… Stop ends the request; nothing more is sent.'
      : 'The conversation so far goes along with a follow-up, as much as the smallest context window of the chain holds.';
}

function announce(text: string): void {
  if (announcer) announcer.textContent = text;
}

function scrollToBottomIfFollowing(): void {
  if (followBottom) window.scrollTo({ top: document.documentElement.scrollHeight });
}

window.addEventListener(
  'scroll',
  () => {
    const element = document.documentElement;
    followBottom = element.scrollHeight - element.scrollTop - element.clientHeight < 48;
  },
  { passive: true },
);

window.addEventListener('message', (event: MessageEvent<AnswerHostMessage>) => {
  const message = event.data;
  if (typeof message !== 'object' || message === null) return;
  switch (message.type) {
    case 'snapshot':
      running = message.running;
      draw(message.conversation);
      break;
    case 'turnAdded':
      if (!conversation) return;
      conversation = { ...conversation, turns: [...conversation.turns, message.turn] };
      followBottom = true;
      turnsElement.append(drawTurn(message.turn));
      announce('Asking the chain…');
      scrollToBottomIfFollowing();
      break;
    case 'delta': {
      const view = views.get(`${message.turnId}/${message.answerId}`);
      if (!view) return;
      if (!view.text)
        answerSection(message.turnId, message.answerId)?.querySelector('.answer-waiting')?.remove();
      view.append(message.text);
      break;
    }
    case 'answerFinished':
      finishAnswer(message.turnId, message.answer);
      break;
    case 'running':
      running = message.running;
      updateControls();
      break;
  }
});

root.addEventListener('click', (event) => {
  const target = event.target as Element | null;
  const link = target?.closest<HTMLAnchorElement>('a.md-link');
  if (link) {
    event.preventDefault();
    const href = link.dataset.href;
    if (href) post({ type: 'openLink', href });
    return;
  }
  const control = target?.closest<HTMLButtonElement>('button[data-answer-action]');
  if (!control || control.disabled) return;
  const action = control.dataset.answerAction ?? '';
  switch (action) {
    case 'stop':
      post({ type: 'stop' });
      break;
    case 'compare':
      post({ type: 'compare' });
      break;
    case 'clear':
      post({ type: 'clearConversations' });
      break;
    case 'makeActive':
      if (control.dataset.model) post({ type: 'makeActive', model: control.dataset.model });
      break;
    case 'toggleTrace': {
      const trace = document.getElementById(control.dataset.traceFor ?? '');
      if (!trace) return;
      trace.hidden = !trace.hidden;
      control.setAttribute('aria-expanded', String(!trace.hidden));
      if (!trace.hidden) trace.scrollIntoView({ block: 'nearest' });
      break;
    }
    case 'copy':
    case 'insert':
    case 'apply':
      codeAction(control, action);
      break;
  }
});

function codeAction(control: HTMLButtonElement, action: CodeActionName): void {
  const block = control.closest('.code-block');
  const section = control.closest<HTMLElement>('.answer');
  const pre = block?.querySelector<HTMLPreElement>('pre.md-code');
  const { turnId, answerId } = section?.dataset ?? {};
  if (!pre || !turnId || !answerId) return;
  post({
    type: 'codeAction',
    action,
    turnId,
    answerId,
    code: pre.querySelector('code')?.textContent ?? '',
    language: pre.dataset.language ?? '',
  });
  if (action === 'copy') {
    const label = control.querySelector('.button-text');
    if (label) label.textContent = 'Copied';
    announce('Code copied.');
    setTimeout(() => label && (label.textContent = 'Copy'), 2000);
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text || running || !conversation?.canFollowUp) return;
  post({ type: 'followUp', text });
  input.value = '';
});

input.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    form.requestSubmit();
  }
});

post({ type: 'ready' });
