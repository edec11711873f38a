/**
 * What every adapter shares, in one place: reading the key (and secret headers) on each request,
 * one SDK client per set of credentials, translating whatever the SDK throws into the core's
 * errors at the edge (scrubbed, and noted in the log), the checks at the end of a stream, and the
 * SDKs' own warnings routed to our log instead of the console.
 */

import {
  LlmError,
  type LlmProvider,
  type Logger,
  type ProviderRequest,
  type ProviderResponse,
  type StreamChunk,
} from '../core';
import { ClientSlot, readCredentials, type Credentials } from './credentials';
import { scrubSecrets, translateError } from './errorMapping';
import type { HealthCheckMethod, SecretSource } from './providerConfig';
import type { AnswerSource } from './toolTranslation';

/** What every provider is given besides its config. */
export interface ProviderDeps {
  /** Where keys come from (SecretStorage in the extension); asked on every request. */
  readonly secrets: SecretSource;
  /**
   * Receives one debug line per failed call (kind and scrubbed message) and the SDKs' warnings
   * (deprecated models, for example), once each; never a key.
   */
  readonly logger?: Logger;
  /** Wall clock for Retry-After dates; defaults to `Date.now`. */
  readonly now?: () => number;
}

/** Who a provider is, where its key lives, and how its health is checked. */
export interface ProviderIdentity {
  /** Provider label for messages (`openai`, `azure`, `anthropic`, `ollama`, …). */
  readonly provider: string;
  /** The model id the API expects. */
  readonly model: string;
  readonly healthCheck: HealthCheckMethod;
  readonly healthCheckTimeoutMs: number;
  readonly keyId: string;
  /** When false, a missing key sends a placeholder (local servers). */
  readonly keyRequired: boolean;
  readonly secretHeaders?: Readonly<Record<string, string>>;
}

/** How a stream ended, for {@link ProviderBase.checkStreamEnd}. */
export interface StreamEnd {
  /** Anything at all arrived. */
  readonly sawAnything: boolean;
  /** The vendor's own end of the answer arrived (a finish reason, `message_stop`, `response.completed`). */
  readonly complete: boolean;
}

/** The logger shape both SDKs accept (`ClientOptions.logger`). */
export interface SdkLogger {
  error(message: string, ...rest: unknown[]): void;
  warn(message: string, ...rest: unknown[]): void;
  info(message: string, ...rest: unknown[]): void;
  debug(message: string, ...rest: unknown[]): void;
}

/** How many distinct SDK warnings a provider remembers having logged (each is logged once). */
const MAX_REMEMBERED_WARNINGS = 50;

export abstract class ProviderBase<TClient> implements LlmProvider {
  protected readonly clients: ClientSlot<TClient>;
  protected readonly now: () => number;
  /** Give this to the SDK client (`logger`, with `logLevel: 'warn'`): its warnings reach our log once. */
  protected readonly sdkLogger: SdkLogger;
  private readonly warned = new Set<string>();

  constructor(
    protected readonly identity: ProviderIdentity,
    protected readonly deps: ProviderDeps,
    build: (credentials: Credentials, logger: SdkLogger) => Promise<TClient>,
  ) {
    this.now = deps.now ?? Date.now;
    this.clients = new ClientSlot((credentials) => build(credentials, this.sdkLogger));
    const note = (level: 'warn' | 'error', message: unknown) => this.noteSdkMessage(level, message);
    this.sdkLogger = {
      error: (message) => note('error', message),
      warn: (message) => note('warn', message),
      // Below warnings the SDKs describe requests (with redacted headers); the client's logLevel
      // keeps them from being asked for, and they are dropped here all the same.
      info: () => undefined,
      debug: () => undefined,
    };
  }

  abstract generate(request: ProviderRequest, signal: AbortSignal): Promise<ProviderResponse>;
  abstract stream(request: ProviderRequest, signal: AbortSignal): AsyncIterable<StreamChunk>;

  /** The cheap real call of a health check, in the SDK's terms: its model list, or `request` (one token). */
  protected abstract checkCall(
    client: TClient,
    how: HealthCheckMethod,
    request: ProviderRequest,
    options: { readonly signal: AbortSignal; readonly timeout: number },
  ): Promise<unknown>;

  /** A cheap real call proving the model answers: the model list, or a one-token request. */
  async healthCheck(signal: AbortSignal): Promise<void> {
    const { model, healthCheck, healthCheckTimeoutMs } = this.identity;
    const request: ProviderRequest = { model, messages: [{ role: 'user', content: 'ping' }], maxTokens: 1 };
    await this.call(model, signal, (client) =>
      this.checkCall(client, healthCheck, request, { signal, timeout: healthCheckTimeoutMs }),
    );
  }

  /**
   * One call through the SDK client of the current credentials (read now, so a changed key counts
   * at once); whatever it throws is translated at the edge.
   */
  protected async call<T>(
    model: string,
    signal: AbortSignal,
    work: (client: TClient) => Promise<T>,
  ): Promise<T> {
    const credentials = await this.credentials(model);
    try {
      const client = this.clients.peek(credentials) ?? (await this.clients.get(credentials));
      return await work(client);
    } catch (error) {
      throw this.failure(error, model, credentials, signal);
    }
  }

  protected credentials(model: string): Promise<Credentials> {
    const { keyId, keyRequired, secretHeaders, provider } = this.identity;
    return readCredentials({
      secrets: this.deps.secrets,
      keyId,
      keyRequired,
      secretHeaders,
      provider,
      model,
    });
  }

  protected source(model: string): AnswerSource {
    return { provider: this.identity.provider, model };
  }

  /** Translates an SDK failure at the edge and notes it in the log (the message is already scrubbed). */
  protected failure(error: unknown, model: string, credentials: Credentials, signal: AbortSignal): LlmError {
    const provider = this.identity.provider;
    const translated = translateError(error, {
      provider,
      model,
      secrets: credentials.secrets,
      now: this.now,
      signal,
    });
    if (translated.kind !== 'cancelled')
      this.deps.logger?.debug(`${provider} (${model}): ${translated.kind} — ${translated.message}`);
    return translated;
  }

  /**
   * After a stream's last event: the SDKs end their iterator quietly when the request is aborted
   * (a cancellation, not an answer), a stream with nothing in it is a bad response, and one that
   * stopped before the vendor's end of answer was cut on the way.
   */
  protected checkStreamEnd(model: string, signal: AbortSignal, end: StreamEnd): void {
    const provider = this.identity.provider;
    if (signal.aborted) throw new LlmError('cancelled', 'The request was cancelled.', { provider, model });
    if (!end.sawAnything)
      throw new LlmError('badResponse', `${provider} sent an empty stream.`, { provider, model });
    if (!end.complete)
      throw new LlmError('network', `The stream from ${provider} ended before the answer was complete.`, {
        provider,
        model,
      });
  }

  /**
   * For an answer with neither text nor tool calls: a filtered or refused answer is `contentPolicy`,
   * an answer whose whole cap went to reasoning is a `badResponse` saying so (a bigger cap mends
   * it); otherwise nothing is thrown and the caller reports the answer as unreadable.
   */
  protected checkNoAnswer(request: ProviderRequest, finishReason: string | undefined, refusal = false): void {
    if (finishReason === 'content_filter') throw this.refused(request.model, 'the answer was filtered');
    if (refusal) throw this.refused(request.model);
    if (finishReason === 'length') {
      const cap =
        request.maxTokens === undefined ? 'The output cap' : `The output cap of ${request.maxTokens}`;
      throw new LlmError(
        'badResponse',
        `${cap} tokens was used up before ${request.model} wrote any answer (reasoning counts in it); raise maxOutputTokens.`,
        { provider: this.identity.provider, model: request.model },
      );
    }
  }

  /** An answer the model declined to give. */
  protected refused(model: string, how = 'the model declined to answer'): LlmError {
    const provider = this.identity.provider;
    return new LlmError('contentPolicy', `Content refused by ${provider}: ${how}.`, { provider, model });
  }

  /** A non-streamed answer's body as an object, or the `badResponse` an empty or non-JSON body is. */
  protected bodyOf(model: string, body: unknown): object {
    if (typeof body === 'object' && body !== null) return body;
    throw this.unreadable(model, body === '' || body == null ? 'the body is empty' : 'the body is not JSON');
  }

  /** An answer that cannot be read. */
  protected unreadable(model: string, what: string): LlmError {
    const provider = this.identity.provider;
    return new LlmError('badResponse', `${provider} sent an answer that could not be read: ${what}.`, {
      provider,
      model,
    });
  }

  /**
   * Runs `work`, which calls into the SDK synchronously, with `console.warn` routed to our log: the
   * Anthropic SDK prints its deprecation warnings with `console.warn` from inside `create()`,
   * before any await, so nothing else can run while the console is borrowed.
   */
  protected withConsoleWarnings<T>(work: () => T): T {
    const original = console.warn;
    console.warn = (...args: unknown[]) => this.noteSdkMessage('warn', args.map(String).join(' '));
    try {
      return work();
    } finally {
      console.warn = original;
    }
  }

  private noteSdkMessage(level: 'warn' | 'error', message: unknown): void {
    const text = scrubSecrets(String(message), []).replace(/\s+/g, ' ').trim();
    if (!text || this.warned.has(text)) return;
    if (this.warned.size >= MAX_REMEMBERED_WARNINGS) this.warned.clear();
    this.warned.add(text);
    this.deps.logger?.[level](`${this.identity.provider} SDK: ${text}`);
  }
}
