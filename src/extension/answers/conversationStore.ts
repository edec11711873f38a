/**
 * The answer view's conversations, kept across window reloads in the workspace's state (they are
 * about this workspace's code), bounded: the newest {@link STORE_LIMITS.conversations}, each at most
 * {@link STORE_LIMITS.charsPerConversation} characters (older turns after the first are dropped to
 * fit). What is read back is checked field by field; a corrupted entry is dropped with a warning and
 * never stops the rest from loading. Pure apart from the injected memento, so it is unit-tested.
 */
import type { Logger } from '../../core';
import {
  ANSWER_STATUSES,
  type AnswerFooterView,
  type AnswerStatus,
  type AnswerView,
} from '../../shared/answerProtocol';
import type { TraceView } from '../../shared/protocol';
import type { ConversationRecord, ConversationRequest, TurnRecord } from './conversation';

/** `vscode.Memento`'s shape, so tests can pass a map. */
export interface ConversationMemento {
  get(key: string): unknown;
  update(key: string, value: unknown): PromiseLike<void>;
}

export const STORE_KEY = 'llmManager.conversations.v1';

export const STORE_LIMITS = {
  conversations: 20,
  charsPerConversation: 48_000,
  turnsPerConversation: 30,
  traceSteps: 40,
} as const;

export class ConversationStore {
  /** Read on first use, not at activation. */
  private loaded: ConversationRecord[] | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly memento: ConversationMemento,
    private readonly logger: Logger,
  ) {}

  private get conversations(): ConversationRecord[] {
    if (!this.loaded) {
      const { conversations, problems } = parseStoredConversations(this.memento.get(STORE_KEY));
      this.loaded = conversations;
      if (problems.length > 0)
        this.logger.warn(
          `Answer view: dropped stored conversations that could not be read (${problems.slice(0, 5).join('; ')}${problems.length > 5 ? '; …' : ''}).`,
        );
    }
    return this.loaded;
  }

  private set conversations(records: ConversationRecord[]) {
    this.loaded = records;
  }

  get(id: string): ConversationRecord | undefined {
    return this.conversations.find((conversation) => conversation.id === id);
  }

  get size(): number {
    return this.conversations.length;
  }

  /** Adds or replaces a conversation and saves (newest first, bounded). */
  put(record: ConversationRecord): Promise<void> {
    this.conversations = boundForStorage([
      record,
      ...this.conversations.filter((conversation) => conversation.id !== record.id),
    ]);
    return this.save();
  }

  clear(): Promise<void> {
    this.conversations = [];
    return this.save();
  }

  /** Resolves once every save so far reached the memento. */
  flush(): Promise<void> {
    return this.writing;
  }

  private save(): Promise<void> {
    const snapshot = this.conversations;
    this.writing = this.writing
      .then(() => this.memento.update(STORE_KEY, snapshot.length > 0 ? snapshot : undefined))
      .then(undefined, (error: unknown) =>
        this.logger.warn(
          `Answer view: could not save conversations: ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
    return this.writing;
  }
}

/** The newest conversations that fit the limits, each trimmed to its size bound. */
export function boundForStorage(records: readonly ConversationRecord[]): ConversationRecord[] {
  return records
    .slice()
    .sort((a, b) => b.updatedAt - a.updatedAt)
    .map(trimConversation)
    .filter((record): record is ConversationRecord => record !== undefined)
    .slice(0, STORE_LIMITS.conversations);
}

/** Drops the oldest turns after the first until the conversation fits; undefined when even one turn is too big. */
function trimConversation(record: ConversationRecord): ConversationRecord | undefined {
  let turns = record.turns.map(trimTrace);
  while (
    turns.length > 1 &&
    (turns.length > STORE_LIMITS.turnsPerConversation || sizeOf(turns) > STORE_LIMITS.charsPerConversation)
  )
    turns = [turns[0], ...turns.slice(2)];
  if (sizeOf(turns) > STORE_LIMITS.charsPerConversation) return undefined;
  return { ...record, turns };
}

function sizeOf(turns: readonly TurnRecord[]): number {
  return JSON.stringify(turns).length;
}

function trimTrace(turn: TurnRecord): TurnRecord {
  if (!turn.answers.some((answer) => (answer.trace?.steps.length ?? 0) > STORE_LIMITS.traceSteps))
    return turn;
  return {
    ...turn,
    answers: turn.answers.map((answer) =>
      answer.trace && answer.trace.steps.length > STORE_LIMITS.traceSteps
        ? { ...answer, trace: { ...answer.trace, steps: answer.trace.steps.slice(-STORE_LIMITS.traceSteps) } }
        : answer,
    ),
  };
}

// ---- Reading back -----------------------------------------------------------------------------

export interface ParsedConversations {
  readonly conversations: ConversationRecord[];
  /** One line per dropped entry, for the log. */
  readonly problems: string[];
}

/**
 * What was stored, checked: anything that is not a well-formed conversation is dropped with a
 * reason. An answer still streaming when the window closed comes back as stopped.
 */
export function parseStoredConversations(raw: unknown): ParsedConversations {
  if (raw === undefined || raw === null) return { conversations: [], problems: [] };
  if (!Array.isArray(raw)) return { conversations: [], problems: ['the stored value is not a list'] };
  const conversations: ConversationRecord[] = [];
  const problems: string[] = [];
  raw.forEach((entry, index) => {
    try {
      conversations.push(readConversation(entry));
    } catch (error) {
      problems.push(`entry ${index + 1}: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
  return { conversations: boundForStorage(conversations), problems };
}

type Json = Record<string, unknown>;

function object(value: unknown, what: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`${what} is not an object`);
  return value as Json;
}

function string(value: unknown, what: string, max = 1_000_000): string {
  if (typeof value !== 'string' || value.length > max) throw new Error(`${what} is not a string`);
  return value;
}

function optionalString(value: unknown, what: string): string | undefined {
  return value === undefined ? undefined : string(value, what);
}

function number(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${what} is not a number`);
  return value;
}

function list(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${what} is not a list`);
  return value;
}

function readConversation(value: unknown): ConversationRecord {
  const json = object(value, 'the conversation');
  const request = object(json.request ?? {}, 'request');
  const tier = request.tier;
  if (tier !== undefined && tier !== 'economy' && tier !== 'standard' && tier !== 'high')
    throw new Error('request.tier is unknown');
  const conversationRequest: ConversationRequest = {
    ...(request.system !== undefined ? { system: string(request.system, 'request.system') } : {}),
    ...(request.temperature !== undefined
      ? { temperature: number(request.temperature, 'request.temperature') }
      : {}),
    ...(tier ? { tier } : {}),
  };
  const subtitle = optionalString(json.subtitle, 'subtitle');
  return {
    id: string(json.id, 'id', 80),
    title: string(json.title, 'title', 200),
    ...(subtitle ? { subtitle } : {}),
    createdAt: number(json.createdAt, 'createdAt'),
    updatedAt: number(json.updatedAt, 'updatedAt'),
    request: conversationRequest,
    turns: list(json.turns, 'turns').map((turn, index) => readTurn(turn, `turn ${index + 1}`)),
  };
}

function readTurn(value: unknown, what: string): TurnRecord {
  const json = object(value, what);
  const note = optionalString(json.note, `${what}.note`);
  const preferred = optionalString(json.preferred, `${what}.preferred`);
  const answers = list(json.answers, `${what}.answers`).map((answer, index) =>
    readAnswer(answer, `${what}, answer ${index + 1}`),
  );
  if (answers.length === 0) throw new Error(`${what} has no answer`);
  return {
    id: string(json.id, `${what}.id`, 40),
    question: string(json.question, `${what}.question`),
    prompt: string(json.prompt, `${what}.prompt`),
    askedAt: number(json.askedAt, `${what}.askedAt`),
    answers,
    ...(note ? { note } : {}),
    ...(preferred ? { preferred } : {}),
  };
}

function readAnswer(value: unknown, what: string): AnswerView {
  const json = object(value, what);
  const stored = json.status as AnswerStatus;
  if (!ANSWER_STATUSES.includes(stored)) throw new Error(`${what}.status is unknown`);
  // The window closed while it streamed: it will not finish now.
  const interrupted = stored === 'streaming';
  const requested = optionalString(json.requested, `${what}.requested`);
  const model = optionalString(json.model, `${what}.model`);
  const error = interrupted ? 'Stopped by a window reload.' : optionalString(json.error, `${what}.error`);
  return {
    id: string(json.id, `${what}.id`, 40),
    text: string(json.text, `${what}.text`),
    status: interrupted ? 'cancelled' : stored,
    ...(requested ? { requested } : {}),
    ...(model ? { model } : {}),
    ...(json.footer !== undefined ? { footer: readFooter(json.footer, `${what}.footer`) } : {}),
    ...(error ? { error } : {}),
    ...(json.trace !== undefined ? { trace: readTrace(json.trace, `${what}.trace`) } : {}),
  };
}

function readFooter(value: unknown, what: string): AnswerFooterView {
  const json = object(value, what);
  if (typeof json.cached !== 'boolean') throw new Error(`${what}.cached is not a boolean`);
  return {
    model: string(json.model, `${what}.model`, 200),
    cached: json.cached,
    time: string(json.time, `${what}.time`, 40),
    cost: string(json.cost, `${what}.cost`, 40),
    tokens: string(json.tokens, `${what}.tokens`, 80),
  };
}

/** A trace as the dashboard shows it; checked enough that rendering it cannot throw. */
function readTrace(value: unknown, what: string): TraceView {
  const json = object(value, what);
  for (const field of ['id', 'outcome', 'tone', 'headline', 'cost', 'duration'] as const)
    string(json[field], `${what}.${field}`, 2000);
  number(json.startedAt, `${what}.startedAt`);
  for (const field of ['tried', 'skipped'] as const)
    list(json[field], `${what}.${field}`).forEach((name) => string(name, `${what}.${field}`, 200));
  list(json.steps, `${what}.steps`).forEach((step, index) => {
    const s = object(step, `${what}.steps[${index}]`);
    for (const field of ['kind', 'offset', 'text', 'tone'] as const)
      string(s[field], `${what}.steps[${index}].${field}`, 2000);
  });
  return json as unknown as TraceView;
}
