/**
 * One attempt on one provider with its deadlines on the injected clock: the whole request when it
 * is not streamed, the first chunk and the silences between chunks when it is. When a deadline
 * passes or the caller cancels, the attempt's controller aborts so the provider stops its network
 * work. Empty or malformed answers become `badResponse` errors here.
 */
import { cancelledError } from './clock';
import { LlmError } from './errors';
import { formatDuration } from './format';
import type { StreamTimeouts } from './managerSettings';
import type { ModelEntry } from './registry';
import { validateToolCalls } from './requestShape';
import type {
  Clock,
  Logger,
  ProviderRequest,
  ProviderResponse,
  ThinkingBlock,
  TokenUsage,
  ToolCall,
} from './types';

export interface ProviderCallOptions {
  readonly clock: Clock;
  readonly settings: () => { readonly requestTimeoutMs: number; readonly stream: StreamTimeouts };
  readonly logger?: Logger;
}

export class ProviderCaller {
  constructor(private readonly options: ProviderCallOptions) {}

  /** One attempt with its deadlines; aborts the provider's work when a deadline passes or the caller cancels. */
  async call(
    entry: ModelEntry,
    request: ProviderRequest,
    outer: AbortSignal | undefined,
    onToken: ((text: string) => void) | undefined,
    streamed: { text: string },
  ): Promise<ProviderResponse> {
    const controller = new AbortController();
    const deadline = new Deadline(this.options.clock, controller, outer);
    try {
      if (!onToken) {
        const response = await deadline.race(
          entry.provider.generate(request, controller.signal),
          this.options.settings().requestTimeoutMs,
          () =>
            `No answer from ${entry.name} within ${formatDuration(this.options.settings().requestTimeoutMs)}.`,
        );
        if (
          typeof response?.text !== 'string' ||
          (response.text.length === 0 && !response.toolCalls?.length)
        ) {
          throw new LlmError('badResponse', `${entry.name} returned an empty answer.`, { model: entry.name });
        }
        if (response.toolCalls?.length) validateToolCalls(response.toolCalls, request.tools, entry.name);
        return response;
      }
      return await this.consumeStream(entry, request, controller, deadline, onToken, streamed);
    } finally {
      deadline.dispose();
    }
  }

  private async consumeStream(
    entry: ModelEntry,
    request: ProviderRequest,
    controller: AbortController,
    deadline: Deadline,
    onToken: (text: string) => void,
    streamed: { text: string },
  ): Promise<ProviderResponse> {
    const { firstChunkTimeoutMs, idleTimeoutMs } = this.options.settings().stream;
    const iterator = entry.provider.stream(request, controller.signal)[Symbol.asyncIterator]();
    let usage: TokenUsage = { inputTokens: 0, outputTokens: 0 };
    let finishReason: string | undefined;
    let reportedCostUsd: number | undefined;
    let received = false;
    const toolCalls: ToolCall[] = [];
    const thinking: ThinkingBlock[] = [];
    try {
      for (;;) {
        const next = await deadline.race(
          iterator.next(),
          received ? idleTimeoutMs : firstChunkTimeoutMs,
          () =>
            received
              ? `${entry.name} went silent for ${formatDuration(idleTimeoutMs)} mid-answer.`
              : `No first chunk from ${entry.name} within ${formatDuration(firstChunkTimeoutMs)}.`,
        );
        if (next.done) break;
        received = true;
        const chunk = next.value;
        switch (chunk.type) {
          case 'text':
            if (chunk.text) {
              streamed.text += chunk.text;
              safeDeliver(onToken, chunk.text, this.options.logger);
            }
            break;
          case 'usage':
            usage = chunk.usage;
            break;
          case 'finish':
            finishReason = chunk.finishReason;
            break;
          case 'toolCall':
            toolCalls.push(chunk.call);
            break;
          case 'thinking':
            thinking.push(chunk.block);
            break;
          case 'cost':
            reportedCostUsd = chunk.usd;
            break;
        }
      }
    } catch (error) {
      controller.abort();
      // Closing the iterator lets the provider release its connection; its own error is not ours.
      iterator.return?.().catch(() => undefined);
      throw error;
    }
    if (streamed.text.length === 0 && toolCalls.length === 0) {
      throw new LlmError('badResponse', `${entry.name} streamed an empty answer.`, { model: entry.name });
    }
    if (toolCalls.length > 0) validateToolCalls(toolCalls, request.tools, entry.name);
    return {
      text: streamed.text,
      usage,
      finishReason,
      ...(toolCalls.length ? { toolCalls } : {}),
      ...(thinking.length ? { thinking } : {}),
      ...(reportedCostUsd !== undefined ? { reportedCostUsd } : {}),
    };
  }
}

/**
 * Races provider promises against a deadline on the injected clock and the caller's signal. When
 * either wins, the attempt's controller aborts so the provider stops its network work.
 */
export class Deadline {
  private readonly onOuterAbort: () => void;
  private rejectCurrent: ((error: LlmError) => void) | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly controller: AbortController,
    private readonly outer: AbortSignal | undefined,
  ) {
    this.onOuterAbort = () => {
      controller.abort();
      this.rejectCurrent?.(cancelledError());
    };
    outer?.addEventListener('abort', this.onOuterAbort, { once: true });
  }

  race<T>(work: Promise<T>, timeoutMs: number, describe: () => string): Promise<T> {
    if (this.outer?.aborted) {
      this.controller.abort();
      work.catch(() => undefined);
      return Promise.reject(cancelledError());
    }
    return new Promise<T>((resolve, reject) => {
      this.rejectCurrent = reject;
      const timer = this.clock.setTimeout(() => {
        this.controller.abort();
        reject(new LlmError('timeout', describe()));
      }, timeoutMs);
      work.then(
        (value) => {
          timer.dispose();
          resolve(value);
        },
        (error: unknown) => {
          timer.dispose();
          reject(error);
        },
      );
    });
  }

  dispose(): void {
    this.outer?.removeEventListener('abort', this.onOuterAbort);
    this.rejectCurrent = undefined;
  }
}

/** Hands streamed text to the caller; a listener that throws does not break the request. */
export function safeDeliver(onToken: (text: string) => void, text: string, logger: Logger | undefined): void {
  try {
    onToken(text);
  } catch (error) {
    logger?.error(`A streaming listener threw: ${error instanceof Error ? error.message : String(error)}`);
  }
}
