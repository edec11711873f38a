import {
  LlmError,
  LlmManager,
  type LlmErrorKind,
  type LlmManagerOptions,
  type LlmProvider,
  type ModelMetadata,
  type ProviderRequest,
  type ProviderResponse,
  type StreamChunk,
  type TokenUsage,
  type ToolCall,
} from '../../src/core';
import { FakeClock, MemoryLogger, MemoryStore } from './fakeClock';

/** What one call to a {@link ScriptedProvider} does. */
export interface ScriptStep {
  readonly text?: string;
  readonly usage?: TokenUsage;
  /** Fail with this error kind (and options). */
  readonly error?: LlmErrorKind;
  readonly retryAfterMs?: number;
  readonly missingKey?: boolean;
  /** Never answer; reject only when the signal aborts. */
  readonly hang?: boolean;
  /** Streaming: the pieces to send, then fail with `error` if set. */
  readonly chunks?: readonly string[];
  /** Answer only after this long on the given clock. */
  readonly delayMs?: number;
  /** Tool calls in the answer (text defaults to empty then). */
  readonly toolCalls?: readonly ToolCall[];
}

/**
 * An in-process provider that plays a script: each call takes the next step (the last step
 * repeats). It records every request and whether its signal was aborted.
 */
export class ScriptedProvider implements LlmProvider {
  calls = 0;
  readonly requests: ProviderRequest[] = [];
  aborted = 0;
  inFlight = 0;
  maxInFlight = 0;
  /** What the background health check finds. */
  healthy = false;
  healthChecks = 0;

  constructor(
    readonly name: string,
    private readonly script: readonly ScriptStep[] | ((call: number) => ScriptStep) = [{}],
    private readonly clock?: FakeClock,
  ) {}

  private nextStep(): ScriptStep {
    const call = this.calls++;
    if (typeof this.script === 'function') return this.script(call);
    return this.script[Math.min(call, this.script.length - 1)];
  }

  private fail(step: ScriptStep): never {
    throw new LlmError(step.error!, `${this.name}: scripted ${step.error}`, {
      retryAfterMs: step.retryAfterMs,
      missingKey: step.missingKey,
    });
  }

  private async wait(step: ScriptStep, signal: AbortSignal): Promise<void> {
    if (step.hang) {
      await new Promise<never>((_, reject) => {
        signal.addEventListener('abort', () => {
          this.aborted++;
          reject(new LlmError('cancelled', 'aborted'));
        });
      });
    }
    if (step.delayMs && this.clock) {
      await new Promise<void>((resolve, reject) => {
        const timer = this.clock!.setTimeout(resolve, step.delayMs!);
        signal.addEventListener('abort', () => {
          timer.dispose();
          this.aborted++;
          reject(new LlmError('cancelled', 'aborted'));
        });
      });
    }
  }

  async healthCheck(): Promise<void> {
    this.healthChecks++;
    if (!this.healthy) throw new LlmError('server', `${this.name}: still down`);
  }

  async generate(request: ProviderRequest, signal: AbortSignal): Promise<ProviderResponse> {
    this.requests.push(request);
    const step = this.nextStep();
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await this.wait(step, signal);
      if (step.error) this.fail(step);
      return {
        text: step.text ?? (step.toolCalls ? '' : `answer from ${this.name}`),
        ...(step.toolCalls ? { toolCalls: step.toolCalls } : {}),
        usage: step.usage ?? { inputTokens: 100, outputTokens: 50 },
      };
    } finally {
      this.inFlight--;
    }
  }

  async *stream(request: ProviderRequest, signal: AbortSignal): AsyncIterable<StreamChunk> {
    this.requests.push(request);
    const step = this.nextStep();
    await this.wait(step, signal);
    const chunks =
      step.chunks ?? (step.error || step.toolCalls ? [] : [step.text ?? `answer from ${this.name}`]);
    for (const text of chunks) {
      if (signal.aborted) {
        this.aborted++;
        throw new LlmError('cancelled', 'aborted');
      }
      yield { type: 'text', text };
    }
    if (step.error) this.fail(step);
    for (const call of step.toolCalls ?? []) yield { type: 'toolCall', call };
    yield { type: 'usage', usage: step.usage ?? { inputTokens: 100, outputTokens: 50 } };
    yield { type: 'finish', finishReason: 'stop' };
  }
}

export function metadata(overrides: Partial<ModelMetadata> = {}): ModelMetadata {
  return {
    provider: 'test',
    contextWindow: 100_000,
    maxOutputTokens: 1000,
    inputPricePerMTok: 1,
    outputPricePerMTok: 2,
    ...overrides,
  };
}

export interface Harness {
  readonly manager: LlmManager;
  readonly clock: FakeClock;
  readonly store: MemoryStore;
  readonly logger: MemoryLogger;
  readonly providers: Record<string, ScriptedProvider>;
}

/**
 * A manager on a fake clock with scripted models registered in the given order, no jitter and a
 * deterministic random source.
 */
export function harness(
  models: Record<
    string,
    { script?: readonly ScriptStep[] | ((call: number) => ScriptStep); metadata?: Partial<ModelMetadata> }
  >,
  options: LlmManagerOptions = {},
  shared: { clock?: FakeClock; store?: MemoryStore } = {},
): Harness {
  const clock = shared.clock ?? new FakeClock();
  const store = shared.store ?? new MemoryStore();
  const logger = new MemoryLogger();
  const manager = new LlmManager({
    clock,
    store,
    logger,
    random: () => 0.5,
    ...options,
    backoff: { jitter: 0, ...options.backoff },
  });
  const providers: Record<string, ScriptedProvider> = {};
  for (const [name, spec] of Object.entries(models)) {
    providers[name] = new ScriptedProvider(name, spec.script, clock);
    manager.registerModel(name, providers[name], metadata(spec.metadata));
  }
  return { manager, clock, store, logger, providers };
}

/** Runs `promise` while moving the fake clock in steps until it settles (for backoffs and waits). */
export async function settle<T>(
  clock: FakeClock,
  promise: Promise<T>,
  stepMs = 100,
  maxMs = 600_000,
): Promise<T> {
  let done = false;
  const tracked = promise.finally(() => {
    done = true;
  });
  tracked.catch(() => undefined);
  for (let elapsed = 0; !done && elapsed < maxMs; elapsed += stepMs) {
    await clock.tickAsync(stepMs);
  }
  return tracked;
}

/** Awaits a promise that must reject, returning the error. */
export async function rejection(promise: Promise<unknown>): Promise<LlmError> {
  try {
    await promise;
  } catch (error) {
    return error as LlmError;
  }
  throw new Error('Expected the promise to reject');
}
