/**
 * Runs the turns of the answer view's conversations: the first answer of a command, follow-ups
 * with their history bounded to the chain's smallest window, comparisons (the same question to
 * two or three models, each with `chain: [model]`), and Stop. Every request goes through the
 * request runner and so through the manager (breakers, budget, cache, trace). What happens is
 * told to listeners as protocol messages; the panels forward them to their page. No `vscode` here.
 */
import type { ChainStep, ChatMessage, GenerateRequest, LlmManager, QualityTier } from '../../core';
import type { AnswerHostMessage, AnswerView, TurnView } from '../../shared/answerProtocol';
import { traceView } from '../dashboardTrace';
import type { CommandOutcome } from '../requestRunner';
import type { RunOptions } from '../runOptions';
import { answerFooterView, errorText } from './answerFooter';
import type { AnswerSink } from './answerSink';
import {
  boundedHistory,
  contextBudget,
  conversationView,
  nextTurnId,
  withAnswer,
  type ConversationRecord,
  type TurnRecord,
} from './conversation';
import type { ConversationStore } from './conversationStore';

export interface ConversationRunnerServices {
  readonly manager: LlmManager;
  readonly store: ConversationStore;
  /** The request runner: checks, streams into the sink, reports. */
  readonly run: (options: RunOptions, sink: AnswerSink) => Promise<{ outcome: CommandOutcome }>;
  /** The chain a tier uses when it has its own (`llmManager.routing.*Chain`), else undefined. */
  readonly tierChain: (tier: QualityTier | undefined) => readonly ChainStep[] | undefined;
  readonly redact: (text: string) => string;
  readonly now: () => number;
}

export type ConversationListener = (conversationId: string, message: AnswerHostMessage) => void;

/** What a command's first request needs to start a conversation. */
export interface NewConversation {
  readonly title: string;
  readonly subtitle?: string;
  readonly question: string;
  readonly request: Omit<GenerateRequest, 'signal' | 'onToken'>;
}

export class ConversationRunner {
  private readonly listeners = new Set<ConversationListener>();
  /** Requests under way, by conversation, then by answer (`turnId/answerId`). */
  private readonly running = new Map<string, Map<string, AbortController>>();
  /** Text streamed so far, by answer (`turnId/answerId`): a page that reloads mid-answer gets it. */
  private readonly streaming = new Map<string, string>();
  private counter = 0;

  constructor(private readonly services: ConversationRunnerServices) {}

  onMessage(listener: ConversationListener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  isRunning(conversationId: string): boolean {
    return (this.running.get(conversationId)?.size ?? 0) > 0;
  }

  /** The conversation as its page shows it now, with the text of answers still streaming. */
  view(conversationId: string) {
    const record = this.services.store.get(conversationId);
    if (!record) return undefined;
    const view = conversationView(record);
    return {
      ...view,
      turns: view.turns.map((turn) => ({
        ...turn,
        answers: turn.answers.map((answer) => {
          const text = this.streaming.get(`${turn.id}/${answer.id}`);
          return text === undefined ? answer : { ...answer, text };
        }),
      })),
    };
  }

  /**
   * A new conversation for a command's request; returns where its first answer goes. The request
   * runner sends it (the command already checked its size and cost).
   */
  start(
    start: NewConversation,
    requested: readonly string[] = [],
  ): { record: ConversationRecord; sinks: AnswerSink[] } {
    const now = this.services.now();
    const { request } = start;
    const prompt = request.prompt ?? lastUserText(request.messages);
    const turn = newTurn('t1', start.question, prompt, now, requested);
    const record: ConversationRecord = {
      id: `c${now.toString(36)}-${(++this.counter).toString(36)}`,
      title: start.title,
      ...(start.subtitle ? { subtitle: start.subtitle } : {}),
      createdAt: now,
      updatedAt: now,
      request: {
        ...(request.system !== undefined ? { system: request.system } : {}),
        ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
        ...(request.tier ? { tier: request.tier } : {}),
      },
      turns: [turn],
    };
    void this.services.store.put(record);
    return { record, sinks: turn.answers.map((answer) => this.sink(record.id, turn.id, answer)) };
  }

  /** Sends a follow-up: the earlier turns go with it, as many as the chain's smallest window allows. */
  async followUp(conversationId: string, question: string): Promise<void> {
    const record = this.services.store.get(conversationId);
    if (!record || this.isRunning(conversationId)) return;
    const chain = this.services.tierChain(record.request.tier);
    const history = this.history(record, record.turns, question, chain);
    await this.ask(record, question, question, history, [undefined]);
  }

  /**
   * Sends the last question of a conversation again, to each of `models` (`chain: [model]`), with
   * the history that question had; the answers show side by side in a new turn.
   */
  async compareLast(conversationId: string, models: readonly string[]): Promise<void> {
    const record = this.services.store.get(conversationId);
    const last = record?.turns.at(-1);
    if (!record || !last || this.isRunning(conversationId) || models.length === 0) return;
    const earlier = record.turns.slice(0, -1);
    const history = this.history(record, earlier, last.prompt, models);
    await this.ask(record, last.question, last.prompt, history, models);
  }

  /** Runs the first turn of a conversation made by {@link start} for a comparison. */
  async runComparison(
    record: ConversationRecord,
    sinks: readonly AnswerSink[],
    models: readonly string[],
  ): Promise<void> {
    const turn = record.turns[0];
    const messages: ChatMessage[] = [{ role: 'user', content: turn.prompt }];
    await Promise.all(
      models.map((model, index) =>
        this.send(
          record,
          turn.id,
          turn.answers[index].id,
          sinks[index],
          messages,
          [model],
          `Asking ${model}`,
        ),
      ),
    );
  }

  /** Marks the model whose answer later follow-ups carry (the user made it active). */
  async prefer(conversationId: string, model: string): Promise<void> {
    const record = this.services.store.get(conversationId);
    const turn = [...(record?.turns ?? [])]
      .reverse()
      .find((candidate) => candidate.answers.some((answer) => answer.model === model));
    if (!record || !turn) return;
    await this.services.store.put({
      ...record,
      turns: record.turns.map((candidate) =>
        candidate === turn ? { ...turn, preferred: model } : candidate,
      ),
    });
  }

  /** Stops every request of the conversation, as the progress notification's Cancel would. */
  stop(conversationId: string): void {
    for (const controller of this.running.get(conversationId)?.values() ?? []) controller.abort();
  }

  stopAll(): void {
    for (const id of this.running.keys()) this.stop(id);
  }

  private history(
    record: ConversationRecord,
    turns: readonly TurnRecord[],
    question: string,
    chain: readonly ChainStep[] | undefined,
  ) {
    const { manager } = this.services;
    const models = manager
      .resolveChain(chain)
      .map((name) => manager.getModelInfo(name))
      .filter((info) => info !== undefined)
      .map((info) => ({ name: info.name, ...info.metadata }));
    const budget = contextBudget(models);
    const system = record.request.system;
    if (!budget) return boundedHistory(turns, question, { tokens: Infinity, model: '', window: 0 }, () => 0);
    return boundedHistory(
      turns,
      question,
      budget,
      (messages) => manager.estimateCost({ messages, system, chain: [budget.model] }).inputTokens,
    );
  }

  /** Adds a turn with one answer per entry of `requested` (undefined: the chain decides) and sends each. */
  private async ask(
    record: ConversationRecord,
    question: string,
    prompt: string,
    history: { messages: ChatMessage[]; note?: string },
    requested: ReadonlyArray<string | undefined>,
  ): Promise<void> {
    const turn: TurnRecord = {
      ...newTurn(nextTurnId(record), question, prompt, this.services.now(), requested),
      ...(history.note ? { note: history.note } : {}),
    };
    const next: ConversationRecord = { ...record, updatedAt: turn.askedAt, turns: [...record.turns, turn] };
    await this.services.store.put(next);
    this.emit(record.id, { type: 'turnAdded', turn: stripPrompt(turn) });
    await Promise.all(
      turn.answers.map((answer, index) => {
        const model = requested[index];
        return this.send(
          next,
          turn.id,
          answer.id,
          this.sink(record.id, turn.id, answer),
          history.messages,
          model ? [model] : undefined,
          model ? `Asking ${model}` : 'Answering the follow-up',
        );
      }),
    );
  }

  private async send(
    record: ConversationRecord,
    turnId: string,
    answerId: string,
    sink: AnswerSink,
    messages: ChatMessage[],
    chain: readonly ChainStep[] | undefined,
    progress: string,
  ): Promise<void> {
    const { system, temperature, tier } = record.request;
    const { outcome } = await this.services.run(
      {
        title: record.title,
        progress,
        showAnswer: true,
        request: { messages, system, temperature, ...(chain ? { chain } : { tier }) },
      },
      sink,
    );
    // Refused before sending (too large, cost not confirmed): the sink heard nothing; say why.
    const answer = this.answerOf(record.id, turnId, answerId);
    if (answer?.status === 'streaming') {
      this.settle(record.id, turnId, { ...answer, status: 'failed', error: outcome.message ?? 'Not sent.' });
    }
  }

  /** Where one answer streams: the page gets each piece, the store the end. */
  private sink(conversationId: string, turnId: string, answer: AnswerView): AnswerSink {
    const controller = new AbortController();
    const key = `${turnId}/${answer.id}`;
    const running = this.running.get(conversationId) ?? new Map<string, AbortController>();
    this.running.set(conversationId, running);
    running.set(key, controller);
    this.streaming.set(key, '');
    this.emit(conversationId, { type: 'running', running: true });
    const base = { id: answer.id, ...(answer.requested ? { requested: answer.requested } : {}) };
    return {
      signal: controller.signal,
      inView: true,
      conversation: conversationId,
      append: (text) => {
        this.streaming.set(key, (this.streaming.get(key) ?? '') + text);
        this.emit(conversationId, { type: 'delta', turnId, answerId: answer.id, text });
      },
      finish: (result) => {
        this.settle(conversationId, turnId, {
          ...base,
          model: result.model,
          text: result.text,
          status: 'done',
          footer: answerFooterView(result),
          trace: traceView({ trace: result.trace, result }, this.services.redact),
        });
      },
      fail: (error, partial) => {
        this.settle(conversationId, turnId, {
          ...base,
          text: partial,
          status: error.kind === 'cancelled' ? 'cancelled' : 'failed',
          error: this.services.redact(errorText(error)),
          ...(error.trace ? { trace: traceView({ trace: error.trace, error }, this.services.redact) } : {}),
        });
      },
    };
  }

  private settle(conversationId: string, turnId: string, answer: AnswerView): void {
    const key = `${turnId}/${answer.id}`;
    if (!this.streaming.has(key)) return;
    this.streaming.delete(key);
    const record = this.services.store.get(conversationId);
    if (record) void this.services.store.put(withAnswer(record, turnId, answer, this.services.now()));
    this.running.get(conversationId)?.delete(key);
    this.emit(conversationId, { type: 'answerFinished', turnId, answer });
    if (!this.isRunning(conversationId)) {
      this.running.delete(conversationId);
      this.emit(conversationId, { type: 'running', running: false });
    }
  }

  private answerOf(conversationId: string, turnId: string, answerId: string): AnswerView | undefined {
    const key = `${turnId}/${answerId}`;
    if (!this.streaming.has(key)) return undefined;
    return this.services.store
      .get(conversationId)
      ?.turns.find((turn) => turn.id === turnId)
      ?.answers.find((answer) => answer.id === answerId);
  }

  private emit(conversationId: string, message: AnswerHostMessage): void {
    for (const listener of this.listeners) listener(conversationId, message);
  }
}

function newTurn(
  id: string,
  question: string,
  prompt: string,
  askedAt: number,
  requested: ReadonlyArray<string | undefined>,
): TurnRecord {
  const models = requested.length > 0 ? requested : [undefined];
  return {
    id,
    question,
    prompt,
    askedAt,
    answers: models.map((model, index) => ({
      id: `${id}a${index + 1}`,
      text: '',
      status: 'streaming',
      ...(model ? { requested: model } : {}),
    })),
  };
}

function stripPrompt(turn: TurnRecord): TurnView {
  return conversationView({ id: '', title: '', createdAt: 0, updatedAt: 0, request: {}, turns: [turn] })
    .turns[0];
}

function lastUserText(messages: GenerateRequest['messages']): string {
  return [...(messages ?? [])].reverse().find((message) => message.role === 'user')?.content ?? '';
}
