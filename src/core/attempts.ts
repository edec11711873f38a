/**
 * The attempts on one model: send, and on a transient error wait (exponential backoff with jitter,
 * or the provider's Retry-After) and send again, up to `maxRetries` — unless the circuit opens,
 * the wait asked for is longer than we retry within (then the model is skipped until then), or
 * text already reached the user (then the partial answer is kept and the request ends). An error
 * that is not worth retrying but names when the model is back (a gateway's budget that resets at
 * a given time) skips the model until then.
 */
import type { Accountant } from './accounting';
import { backoffDelay, type BackoffOptions } from './backoff';
import { sleep } from './clock';
import { countsAgainstCircuit, describeErrorKind, describeSkipReason, LlmError, toLlmError } from './errors';
import { formatDuration } from './format';
import type { LlmErrorKind, SkipReason } from './kinds';
import type { TotalStats } from './metrics';
import type { ProviderCaller } from './providerCall';
import type { ModelEntry } from './registry';
import type { ModelOutcome, RequestContext } from './requestContext';
import type { Clock, GenerateResult, ProviderRequest, ProviderResponse } from './types';

export interface AttemptOptions {
  readonly clock: Clock;
  readonly random: () => number;
  readonly settings: () => { readonly maxRetries: number; readonly backoff: BackoffOptions };
  readonly totals: TotalStats;
  readonly caller: ProviderCaller;
  readonly accountant: Accountant;
}

export class Attempts {
  constructor(private readonly options: AttemptOptions) {}

  /** Attempts one model, retrying transient errors with backoff. The first permit is already held. */
  async tryModel(
    entry: ModelEntry,
    providerRequest: ProviderRequest,
    ctx: RequestContext,
    firstAttemptIsProbe: boolean,
  ): Promise<ModelOutcome<GenerateResult>> {
    const { clock, caller } = this.options;
    const { signal, onToken, trace } = ctx;
    let probe = firstAttemptIsProbe;
    for (let attempt = 1; ; attempt++) {
      if (attempt > 1) {
        const permit = entry.breaker.tryAcquire();
        if (!permit.allowed) {
          return failed(
            entry,
            'circuitOpen',
            `circuit opened after ${attempt - 1} failed attempts`,
            attempt - 1,
          );
        }
        probe = permit.probe;
      }
      const startedAt = clock.now();
      const streamed = { text: '' };
      let response: ProviderResponse;
      try {
        response = await caller.call(entry, providerRequest, signal, onToken, streamed);
      } catch (thrown) {
        const error = toLlmError(thrown, entry.name);
        const latencyMs = clock.now() - startedAt;
        if (error.missingKey) {
          if (probe) entry.breaker.releaseProbe();
          const reason = error.keyWithheld ? 'keyWithheld' : 'noApiKey';
          // A withheld key's own message names the key id and host (never the key): it says what to do.
          const detail = error.keyWithheld ? `skipped: ${error.message}` : describeSkipReason(reason);
          trace.add({ type: 'skip', model: entry.name, reason, detail });
          return failed(entry, reason, detail, 0);
        }
        if (error.kind === 'cancelled' || signal?.aborted) {
          if (probe) entry.breaker.releaseProbe();
          trace.add({
            type: 'attempt',
            model: entry.name,
            attempt,
            latencyMs,
            outcome: 'error',
            errorKind: 'cancelled',
            message: 'cancelled',
          });
          throw new LlmError('cancelled', 'The request was cancelled.', {
            model: entry.name,
            partialText: streamed.text || undefined,
          });
        }
        entry.stats.recordFailure(clock.now(), error.kind, error.message);
        trace.add({
          type: 'attempt',
          model: entry.name,
          attempt,
          latencyMs,
          outcome: 'error',
          errorKind: error.kind,
          message: error.message,
        });
        if (countsAgainstCircuit(error.kind)) entry.breaker.recordFailure(probe);
        else if (probe) entry.breaker.releaseProbe();

        if (streamed.text.length > 0) {
          // Text is already on the user's screen: restarting elsewhere would duplicate it.
          throw new LlmError(
            'interrupted',
            `The answer from ${entry.name} stopped part-way (${describeErrorKind(error.kind)}). The partial answer is kept.`,
            { model: entry.name, partialText: streamed.text, cause: error },
          );
        }
        const wait = this.retryWait(entry, error, attempt);
        if (wait.kind === 'stop') return failed(entry, error.kind, wait.summary, attempt);
        trace.add({ type: 'backoff', model: entry.name, delayMs: wait.delayMs, reason: wait.reason });
        this.options.totals.retries++;
        await sleep(clock, wait.delayMs, signal);
        entry.bucket?.tryTake();
        continue;
      }
      const result = this.options.accountant.answered(entry, response, ctx, {
        attempt,
        startedAt,
        probe,
        streamedText: streamed.text,
      });
      return { ok: true, result };
    }
  }

  /** How long to wait before the next attempt, or why there is none. */
  private retryWait(
    entry: ModelEntry,
    error: LlmError,
    attempt: number,
  ):
    | { readonly kind: 'stop'; readonly summary: string }
    | { readonly kind: 'wait'; readonly delayMs: number; readonly reason: 'exponential' | 'retryAfter' } {
    const settings = this.options.settings();
    const { clock } = this.options;
    const described = describeErrorKind(error.kind);
    if (!error.transient && error.retryAfterMs !== undefined) {
      // Waiting will not help this request, but the service said when the model is back (a team
      // gateway's budget resets at a time it names): keep the model out until then, untried.
      entry.blockedUntil = clock.now() + error.retryAfterMs;
      const summary = `${described}; the provider said it is unavailable for ${formatDuration(error.retryAfterMs)}, so it is skipped until then`;
      return { kind: 'stop', summary };
    }
    if (!error.transient || attempt > settings.maxRetries) {
      return { kind: 'stop', summary: `${described}${attempt > 1 ? ` after ${attempt} attempts` : ''}` };
    }
    let delayMs: number;
    let reason: 'exponential' | 'retryAfter' = 'exponential';
    if (error.retryAfterMs !== undefined) {
      if (error.retryAfterMs > settings.backoff.maxDelayMs) {
        entry.blockedUntil = clock.now() + error.retryAfterMs;
        const summary = `${described}; the provider asked us to wait ${formatDuration(error.retryAfterMs)}, so it is skipped until then`;
        return { kind: 'stop', summary };
      }
      delayMs = error.retryAfterMs;
      reason = 'retryAfter';
    } else {
      delayMs = backoffDelay(settings.backoff, attempt - 1, this.options.random);
    }
    if (entry.breaker.state !== 'closed') return { kind: 'stop', summary: `${described}; circuit opened` };
    if (entry.bucket) delayMs = Math.max(delayMs, entry.bucket.msUntilAvailable());
    return { kind: 'wait', delayMs, reason };
  }
}

function failed<T>(
  entry: ModelEntry,
  outcome: LlmErrorKind | SkipReason,
  summary: string,
  attempts: number,
): ModelOutcome<T> {
  return { ok: false, failure: { model: entry.name, outcome, summary, attempts } };
}
