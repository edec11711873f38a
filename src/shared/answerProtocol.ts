/**
 * The one message protocol between the extension host and an answer panel (a conversation with
 * the chain, rendered), imported by both sides.
 *
 * The conversation: the page says {@link AnswerReadyMessage} (again after every reload), the host
 * answers with an {@link AnswerSnapshotMessage} (the whole conversation), then sends small updates:
 * a turn added, text appended to an answer as tokens arrive, an answer finished. The page asks for
 * actions (Stop, a follow-up, Copy / Insert / Apply a code block, open a link, compare models, make
 * a model active, clear conversations); the host validates every message with
 * {@link parseAnswerWebviewMessage} and checks what it names against its own copy before acting.
 *
 * No key, key id or prompt text crosses: the page gets what it shows (questions, answers, footers,
 * traces with redacted error texts). This file must stay free of `vscode`, Node and DOM APIs.
 */
import type { TraceView } from './protocol';

export type AnswerStatus = 'streaming' | 'done' | 'failed' | 'cancelled';

export const ANSWER_STATUSES: readonly AnswerStatus[] = ['streaming', 'done', 'failed', 'cancelled'];

/** What the footer says under a finished answer; the same facts as the answer document's footer. */
export interface AnswerFooterView {
  readonly model: string;
  readonly cached: boolean;
  /** `1.2 s`, or `from the cache`. */
  readonly time: string;
  /** `$0.0012`, or `no cost` for a cache hit. */
  readonly cost: string;
  /** `120 in / 340 out tokens`. */
  readonly tokens: string;
}

/** One model's answer to a turn. A comparison turn has one per model asked. */
export interface AnswerView {
  readonly id: string;
  /** The model asked, for a comparison (`chain: [model]`); undefined when the chain decided. */
  readonly requested?: string;
  /** The model that answered, once one did. */
  readonly model?: string;
  /** Markdown. */
  readonly text: string;
  readonly status: AnswerStatus;
  readonly footer?: AnswerFooterView;
  /** Why there is no (complete) answer, redacted, one paragraph. */
  readonly error?: string;
  /** The request's routing trace, shown in the view on demand. */
  readonly trace?: TraceView;
}

export interface TurnView {
  readonly id: string;
  /** What was asked, as the user sees it (the selection itself is not repeated here). */
  readonly question: string;
  readonly askedAt: number;
  readonly answers: readonly AnswerView[];
  /** Set when earlier turns were left out of this request, e.g. to fit a context window. */
  readonly note?: string;
}

export interface ConversationView {
  readonly id: string;
  /** e.g. `Explain selection`. */
  readonly title: string;
  /** e.g. `median.js, lines 1–5`. */
  readonly subtitle?: string;
  readonly turns: readonly TurnView[];
  /** Follow-ups are possible (false for a conversation restored without its context). */
  readonly canFollowUp: boolean;
}

// ---- Host → webview -----------------------------------------------------------------------

/** The whole conversation (or none: it was cleared, or is no longer stored). */
export interface AnswerSnapshotMessage {
  readonly type: 'snapshot';
  readonly conversation?: ConversationView;
  /** A request of this conversation is under way (Stop is offered). */
  readonly running: boolean;
}

export interface TurnAddedMessage {
  readonly type: 'turnAdded';
  readonly turn: TurnView;
}

/** Text appended to a streaming answer. */
export interface AnswerDeltaMessage {
  readonly type: 'delta';
  readonly turnId: string;
  readonly answerId: string;
  readonly text: string;
}

/** An answer's final state (its whole text, footer, error, trace). */
export interface AnswerFinishedMessage {
  readonly type: 'answerFinished';
  readonly turnId: string;
  readonly answer: AnswerView;
}

export interface RunningMessage {
  readonly type: 'running';
  readonly running: boolean;
}

export type AnswerHostMessage =
  AnswerSnapshotMessage | TurnAddedMessage | AnswerDeltaMessage | AnswerFinishedMessage | RunningMessage;

// ---- Webview → host -----------------------------------------------------------------------

export interface AnswerReadyMessage {
  readonly type: 'ready';
}

/** Stops every request of this conversation under way, as the progress notification's Cancel does. */
export interface StopMessage {
  readonly type: 'stop';
}

export interface FollowUpMessage {
  readonly type: 'followUp';
  readonly text: string;
}

export const CODE_ACTIONS = ['copy', 'insert', 'apply'] as const;
export type CodeActionName = (typeof CODE_ACTIONS)[number];

/** Copy, Insert at Cursor or Apply to Selection with one code block of one answer. */
export interface CodeActionMessage {
  readonly type: 'codeAction';
  readonly action: CodeActionName;
  readonly turnId: string;
  readonly answerId: string;
  readonly code: string;
  readonly language: string;
}

export interface OpenLinkMessage {
  readonly type: 'openLink';
  readonly href: string;
}

/** Sends the last question again to models the user picks, side by side. */
export interface CompareMessage {
  readonly type: 'compare';
}

/** "Make active" on a compared answer: runs Choose Active Model with that model. */
export interface MakeActiveMessage {
  readonly type: 'makeActive';
  readonly model: string;
}

export interface ClearConversationsMessage {
  readonly type: 'clearConversations';
}

export type AnswerWebviewMessage =
  | AnswerReadyMessage
  | StopMessage
  | FollowUpMessage
  | CodeActionMessage
  | OpenLinkMessage
  | CompareMessage
  | MakeActiveMessage
  | ClearConversationsMessage;

export type ParsedAnswerMessage =
  | { readonly ok: true; readonly message: AnswerWebviewMessage }
  | { readonly ok: false; readonly reason: string };

/** The longest follow-up question accepted from the page. */
export const MAX_FOLLOW_UP_CHARS = 8000;
/** The longest code block a code action may carry. */
export const MAX_CODE_CHARS = 200_000;
const MAX_LINK_CHARS = 2048;

/** Turn and answer ids look like `t3` and `t3a1`. */
const ID = /^[\w-]{1,40}$/;
/** Registry model names: visible characters, bounded. */
const MODEL_NAME = /^[^\s\p{Cc}][^\p{Cc}]{0,199}$/u;
const LANGUAGE = /^[\w+#.-]{0,40}$/;

/**
 * Checks a message from an answer page against the protocol, strictly: a known type, exactly the
 * expected fields, each of the right shape and size. Anything else is refused with a reason to log.
 */
export function parseAnswerWebviewMessage(value: unknown): ParsedAnswerMessage {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return refuse('not an object');
  const record = value as Record<string, unknown>;
  const type = record.type;
  if (typeof type !== 'string') return refuse('no message type');
  const fields = Object.keys(record).filter((key) => key !== 'type');
  const only = (...expected: string[]): string | undefined => {
    const extra = fields.filter((key) => !expected.includes(key));
    const missing = expected.filter((key) => !(key in record));
    if (extra.length > 0)
      return `${type}: unexpected field${extra.length > 1 ? 's' : ''} ${extra.slice(0, 3).join(', ')}`;
    return missing.length > 0 ? `${type}: missing ${missing.join(', ')}` : undefined;
  };
  const text = (field: string, max: number, pattern?: RegExp): string | undefined => {
    const raw = record[field];
    if (typeof raw !== 'string') return undefined;
    if (raw.length > max || (pattern && !pattern.test(raw))) return undefined;
    return raw;
  };

  switch (type) {
    case 'ready':
    case 'stop':
    case 'compare':
    case 'clearConversations': {
      const problem = only();
      return problem ? refuse(problem) : { ok: true, message: { type } };
    }
    case 'followUp': {
      const problem = only('text');
      if (problem) return refuse(problem);
      const question = text('text', MAX_FOLLOW_UP_CHARS);
      if (question === undefined || !question.trim())
        return refuse(`followUp: the question is empty or longer than ${MAX_FOLLOW_UP_CHARS} characters`);
      return { ok: true, message: { type, text: question } };
    }
    case 'codeAction': {
      const problem = only('action', 'turnId', 'answerId', 'code', 'language');
      if (problem) return refuse(problem);
      const action = record.action;
      if (!(CODE_ACTIONS as readonly unknown[]).includes(action)) return refuse('codeAction: unknown action');
      const turnId = text('turnId', 40, ID);
      const answerId = text('answerId', 40, ID);
      if (!turnId || !answerId) return refuse('codeAction: malformed turn or answer id');
      const code = text('code', MAX_CODE_CHARS);
      if (code === undefined) return refuse('codeAction: the code is missing or too long');
      const language = text('language', 40, LANGUAGE);
      if (language === undefined) return refuse('codeAction: malformed language');
      return {
        ok: true,
        message: { type, action: action as CodeActionName, turnId, answerId, code, language },
      };
    }
    case 'openLink': {
      const problem = only('href');
      if (problem) return refuse(problem);
      const href = text('href', MAX_LINK_CHARS);
      return href ? { ok: true, message: { type, href } } : refuse('openLink: malformed link');
    }
    case 'makeActive': {
      const problem = only('model');
      if (problem) return refuse(problem);
      const model = text('model', 200, MODEL_NAME);
      return model ? { ok: true, message: { type, model } } : refuse('makeActive: malformed model name');
    }
    default:
      return refuse(`unknown message type "${type.slice(0, 40)}"`);
  }
}

function refuse(reason: string): ParsedAnswerMessage {
  return { ok: false, reason };
}
