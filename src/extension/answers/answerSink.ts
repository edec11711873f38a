import type { GenerateResult, LlmError } from '../../core';
import type { RunOptions } from '../runOptions';

/**
 * Where a request's answer goes as it streams: the answer view (a panel) or an answer document.
 * The request runner feeds it; it never decides anything about the request itself.
 */
export interface AnswerSink {
  /** Aborts the request from the view (its Stop button), like the progress notification's Cancel. */
  readonly signal?: AbortSignal;
  /** The view shows progress, errors and cancellation itself: no notification needed. */
  readonly inView: boolean;
  /** The answer document's URI, when the answer went to a document. */
  readonly document?: string;
  /** The conversation's id, when the answer went to the answer view. */
  readonly conversation?: string;
  append(text: string): void;
  finish(result: GenerateResult): void;
  /** `partial` is the text that arrived before the failure. */
  fail(error: LlmError, partial: string): void;
}

/** Opens where the answer of a new request goes: the answer view or a document, by the setting. */
export interface AnswerSinkFactory {
  open(options: RunOptions): Promise<AnswerSink>;
}
