import { LlmError } from './errors';
import type { Clock, TimerHandle } from './types';

/** The real clock: `Date.now` and `setTimeout`. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer = setTimeout(callback, ms);
    // A pending backoff or debounce must not keep a command-line host alive.
    timer.unref?.();
    return { dispose: () => clearTimeout(timer) };
  },
};

export function cancelledError(): LlmError {
  return new LlmError('cancelled', 'The request was cancelled.');
}

/** Waits `ms` on `clock`; rejects with a `cancelled` error as soon as `signal` aborts. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(cancelledError());
  if (ms <= 0) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      timer.dispose();
      reject(cancelledError());
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
