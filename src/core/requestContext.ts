/**
 * Everything one request carries through the chain, in one object instead of positional
 * parameters: what was asked, its normalised shape, its trace, and what the chain learned so far.
 */
import type { ModelFailure } from './errors';
import type { QualityTier } from './kinds';
import type { NormalizedRequest } from './requestShape';
import type { TraceRecorder } from './trace';
import type { GenerateRequest } from './types';

export interface RequestContext {
  readonly request: GenerateRequest;
  readonly normalized: NormalizedRequest;
  readonly trace: TraceRecorder;
  readonly tier: QualityTier;
  readonly startedAt: number;
  /** The rough estimate used before sending (billing uses the provider's usage). */
  readonly inputTokens: number;
  readonly needsTools: boolean;
  readonly signal?: AbortSignal;
  readonly onToken?: (text: string) => void;
  /** What happened to each model that did not answer, in order. */
  readonly failures: ModelFailure[];
  /**
   * Models whose window is at most this are skipped. Starts just below the estimate; a model that
   * answers "prompt too long" raises it to its own window, so smaller ones are not tried.
   */
  needsWindowAbove: number;
}

/** One model's result for a request: its answer, or why it did not answer. */
export type ModelOutcome<T> =
  { readonly ok: true; readonly result: T } | { readonly ok: false; readonly failure: ModelFailure };
