/**
 * A team gateway (the LiteLLM proxy, the Portkey gateway) as a chain member: the OpenAI-compatible
 * adapter does the talking, and this wrapper adds what only the gateway says — the cost it billed
 * (as `reportedCostUsd`, or a `cost` chunk ahead of a stream's text) and the errors that are the
 * gateway's own rather than the provider's behind it (a team budget used up, a routing
 * configuration it refuses), which the generic error mapping cannot tell apart.
 */

import {
  isLlmError,
  type LlmError,
  type LlmProvider,
  type ProviderRequest,
  type ProviderResponse,
  type StreamChunk,
} from '../../core';
import { withExchange, type GatewayExchange } from './exchange';

/** A failed call, with what the gateway answered, for {@link GatewayDialect.reinterpret}. */
export interface GatewayFailure {
  /** What the adapter made of it (already scrubbed). */
  readonly error: LlmError;
  readonly exchange: GatewayExchange;
  /** The registry name of the model (the request's; a health check's error names it too). */
  readonly model?: string;
  readonly signal: AbortSignal;
}

/** What one gateway adds to the OpenAI-compatible adapter. */
export interface GatewayDialect {
  /** The cost the gateway reported in an answer's headers, if it reports one. */
  readonly reportedCost?: (headers: Headers) => number | undefined;
  /** The gateway's own reading of a failure, or undefined to keep the adapter's. */
  readonly reinterpret?: (failure: GatewayFailure) => Promise<LlmError | undefined> | LlmError | undefined;
}

export class GatewayProvider implements LlmProvider {
  readonly healthCheck?: (signal: AbortSignal) => Promise<void>;
  readonly adjustmentsFor?: (request: ProviderRequest) => readonly string[];

  constructor(
    private readonly inner: LlmProvider,
    private readonly dialect: GatewayDialect,
  ) {
    const check = inner.healthCheck?.bind(inner);
    if (check) {
      this.healthCheck = async (signal) => {
        const exchange: GatewayExchange = {};
        try {
          await withExchange(exchange, () => check(signal));
        } catch (error) {
          throw await this.reinterpreted(error, exchange, undefined, signal);
        }
      };
    }
    if (inner.adjustmentsFor) this.adjustmentsFor = inner.adjustmentsFor.bind(inner);
  }

  async generate(request: ProviderRequest, signal: AbortSignal): Promise<ProviderResponse> {
    const exchange: GatewayExchange = {};
    let response: ProviderResponse;
    try {
      response = await withExchange(exchange, () => this.inner.generate(request, signal));
    } catch (error) {
      throw await this.reinterpreted(error, exchange, request.model, signal);
    }
    const usd = this.costOf(exchange);
    return usd === undefined ? response : { ...response, reportedCostUsd: usd };
  }

  async *stream(request: ProviderRequest, signal: AbortSignal): AsyncGenerator<StreamChunk> {
    const exchange: GatewayExchange = {};
    const iterator = this.inner.stream(request, signal)[Symbol.asyncIterator]();
    let costTold = false;
    try {
      for (;;) {
        let next: IteratorResult<StreamChunk>;
        try {
          // Each step runs inside the exchange: the first one is where the request is sent.
          next = await withExchange(exchange, () => iterator.next());
        } catch (error) {
          throw await this.reinterpreted(error, exchange, request.model, signal);
        }
        if (!costTold && exchange.headers) {
          // Headers arrive before the first piece of text: the cost goes ahead of it.
          costTold = true;
          const usd = this.costOf(exchange);
          if (usd !== undefined) yield { type: 'cost', usd };
        }
        if (next.done) return;
        yield next.value;
      }
    } finally {
      // The consumer stopped early (a deadline, a cancellation): let the adapter close its stream.
      await iterator.return?.().catch(() => undefined);
    }
  }

  private costOf(exchange: GatewayExchange): number | undefined {
    return exchange.headers ? this.dialect.reportedCost?.(exchange.headers) : undefined;
  }

  private async reinterpreted(
    error: unknown,
    exchange: GatewayExchange,
    model: string | undefined,
    signal: AbortSignal,
  ): Promise<unknown> {
    if (!isLlmError(error) || error.kind === 'cancelled' || error.missingKey || !this.dialect.reinterpret)
      return error;
    if (exchange.errorBody === undefined) return error;
    const own = await this.dialect.reinterpret({ error, exchange, model: model ?? error.model, signal });
    return own ?? error;
  }
}
