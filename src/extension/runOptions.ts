import type { GenerateRequest } from '../core';

/** One request a command runs through the chain, and how its answer is shown. */
export interface RunOptions {
  /** What the user asked for, e.g. "Explain selection"; titles the answer document. */
  readonly title: string;
  /** Shown in the progress notification, e.g. "Explaining the selection". */
  readonly progress: string;
  readonly request: Omit<GenerateRequest, 'signal' | 'onToken'>;
  /** Show the answer as it streams (Ask, Explain, Free prompt) or only return the text (Improve). */
  readonly showAnswer: boolean;
  /** A line under the title saying what the answer is about (file and lines). */
  readonly subtitle?: string;
}
