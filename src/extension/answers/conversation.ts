/**
 * A conversation with the chain as the answer view keeps it: turns of a question and one answer
 * (or, for a comparison, one answer per model asked), and what a follow-up sends: the first turn's
 * prompt (the selection and file context), the questions and answers since, and the new question,
 * bounded to the smallest context window of the chain. Pure (no `vscode`), so it is unit-tested.
 */
import type { ChatMessage, QualityTier } from '../../core';
import type { AnswerView, ConversationView, TurnView } from '../../shared/answerProtocol';

/** A turn as stored: what the view shows, plus the user message that was sent. */
export interface TurnRecord extends TurnView {
  /** The user message sent for this turn (for the first turn: the template with the selection). */
  readonly prompt: string;
  /** For a comparison: the model the user made active, whose answer later follow-ups carry. */
  readonly preferred?: string;
}

/** How the conversation's requests are sent; every turn uses the same. */
export interface ConversationRequest {
  readonly system?: string;
  readonly temperature?: number;
  readonly tier?: QualityTier;
}

export interface ConversationRecord {
  readonly id: string;
  readonly title: string;
  readonly subtitle?: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly request: ConversationRequest;
  readonly turns: readonly TurnRecord[];
}

/** What the page is sent: the stored record without the prompts. */
export function conversationView(record: ConversationRecord): ConversationView {
  return {
    id: record.id,
    title: record.title,
    ...(record.subtitle ? { subtitle: record.subtitle } : {}),
    turns: record.turns.map(turnView),
    canFollowUp: record.turns.length > 0,
  };
}

export function turnView(turn: TurnRecord): TurnView {
  return {
    id: turn.id,
    question: turn.question,
    askedAt: turn.askedAt,
    answers: turn.answers,
    ...(turn.note ? { note: turn.note } : {}),
  };
}

/** The answer of a turn that later requests carry: the preferred one of a comparison, else the first done. */
export function carriedAnswer(turn: TurnRecord): AnswerView | undefined {
  const done = turn.answers.filter((answer) => answer.status === 'done' && answer.text.trim());
  return done.find((answer) => answer.model === turn.preferred) ?? done[0];
}

/** One earlier exchange, as messages. Turns without a finished answer are not sent. */
export function exchangeOf(turn: TurnRecord): ChatMessage[] | undefined {
  const answer = carriedAnswer(turn);
  return answer
    ? [
        { role: 'user', content: turn.prompt },
        { role: 'assistant', content: answer.text },
      ]
    : undefined;
}

export interface ContextBudget {
  /** Input tokens the request may use. */
  readonly tokens: number;
  /** The model whose window sets the budget, and its window, for the note. */
  readonly model: string;
  readonly window: number;
}

export interface BoundedHistory {
  readonly messages: ChatMessage[];
  /** Earlier turns left out to fit the budget. */
  readonly omitted: number;
  /** Whether the first turn (the selection and file context) was among them. */
  readonly omittedContext: boolean;
  /** What the view says about it, when anything was left out. */
  readonly note?: string;
}

/**
 * The messages of a follow-up: earlier exchanges and the new question, within `budget` as
 * `estimate` counts tokens. The oldest turns after the first go first (the first carries the
 * selection the conversation is about), then the first; the new question always goes.
 */
export function boundedHistory(
  turns: readonly TurnRecord[],
  question: string,
  budget: ContextBudget,
  estimate: (messages: readonly ChatMessage[]) => number,
): BoundedHistory {
  const exchanges = turns.map(exchangeOf).filter((exchange): exchange is ChatMessage[] => !!exchange);
  const ask: ChatMessage = { role: 'user', content: question };
  // Candidates in the order they are dropped: turns 2…n oldest first, then turn 1.
  let kept = exchanges.map((_, index) => index);
  const dropOrder = [...kept.slice(1), ...kept.slice(0, 1)];
  const build = () => [...kept.flatMap((index) => exchanges[index]), ask];
  let messages = build();
  let omitted = 0;
  while (estimate(messages) > budget.tokens && omitted < dropOrder.length) {
    const drop = dropOrder[omitted++];
    kept = kept.filter((index) => index !== drop);
    messages = build();
  }
  const omittedContext = exchanges.length > 0 && !kept.includes(0);
  if (omitted === 0) return { messages, omitted, omittedContext };
  const turnsText = `${omitted} earlier turn${omitted === 1 ? '' : 's'}`;
  return {
    messages,
    omitted,
    omittedContext,
    note:
      `${turnsText}${omittedContext ? ' (including the original selection)' : ''} left out to fit ` +
      `${budget.model}'s ${budget.window.toLocaleString('en-US')}-token context window.`,
  };
}

/** The input budget of a chain: the smallest window, less room for the answer. */
export function contextBudget(
  models: ReadonlyArray<{
    readonly name: string;
    readonly contextWindow: number;
    readonly maxOutputTokens: number;
  }>,
): ContextBudget | undefined {
  if (models.length === 0) return undefined;
  const smallest = models.reduce((a, b) => (b.contextWindow < a.contextWindow ? b : a));
  const answerRoom = Math.min(smallest.maxOutputTokens, Math.floor(smallest.contextWindow / 4));
  return {
    tokens: Math.max(1, smallest.contextWindow - answerRoom),
    model: smallest.name,
    window: smallest.contextWindow,
  };
}

/** Replaces one answer of one turn (records are immutable: a new record comes back). */
export function withAnswer(
  record: ConversationRecord,
  turnId: string,
  answer: AnswerView,
  now: number,
): ConversationRecord {
  return {
    ...record,
    updatedAt: now,
    turns: record.turns.map((turn) =>
      turn.id === turnId
        ? { ...turn, answers: turn.answers.map((old) => (old.id === answer.id ? answer : old)) }
        : turn,
    ),
  };
}

/** A fresh id for the next turn of a record: `t1`, `t2`, … */
export function nextTurnId(record: ConversationRecord): string {
  const highest = record.turns.reduce((max, turn) => Math.max(max, Number(turn.id.slice(1)) || 0), 0);
  return `t${highest + 1}`;
}
