/**
 * One adapter for every service that speaks OpenAI's chat completions wire format: OpenAI itself,
 * Azure OpenAI (through the SDK's `AzureOpenAI` client) and the OpenAI-compatible endpoints. The
 * `openai` SDK loads on the first request, never at activation; its retries are off because the
 * manager decides about retries.
 */

import type OpenAI from 'openai';
import type * as OpenAiSdk from 'openai';
import type {
  ChatCompletionChunk,
  ChatCompletionCreateParamsBase,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import {
  LlmError,
  type LlmProvider,
  type Logger,
  type ProviderRequest,
  type ProviderResponse,
  type StreamChunk,
  type TokenUsage,
} from '../core';
import { ClientSlot, readCredentials, type Credentials } from './credentials';
import { translateError } from './errorMapping';
import type { HealthCheckMethod, MaxTokensParam, SecretSource } from './providerConfig';
import {
  fromOpenAiToolCalls,
  OpenAiToolCallAssembler,
  toOpenAiMessages,
  toOpenAiToolChoice,
  toOpenAiTools,
  type AnswerSource,
} from './toolTranslation';

type OpenAiModule = typeof OpenAiSdk;

/** What differs between OpenAI, Azure and the compatible endpoints. */
export interface OpenAiChatProviderOptions {
  /** Provider label for messages (`openai`, `azure`, `ollama`, …). */
  readonly provider: string;
  /** The model id sent in the request body (Azure ignores it and uses the deployment). */
  readonly model: string;
  readonly keyId: string;
  readonly keyRequired: boolean;
  readonly maxTokensParam: MaxTokensParam;
  readonly requestTimeoutMs: number;
  readonly healthCheckTimeoutMs: number;
  readonly healthCheck: HealthCheckMethod;
  readonly secretHeaders?: Readonly<Record<string, string>>;
  /** Builds the SDK client for a set of credentials (the SDK module is already loaded). */
  readonly createClient: (sdk: OpenAiModule, credentials: Credentials) => OpenAI;
}

/** What every provider is given besides its config. */
export interface ProviderDeps {
  /** Where keys come from (SecretStorage in the extension); asked on every request. */
  readonly secrets: SecretSource;
  /** Receives one debug line per failed call (kind and scrubbed message); never a key. */
  readonly logger?: Logger;
  /** Wall clock for Retry-After dates; defaults to `Date.now`. */
  readonly now?: () => number;
}

export class OpenAiChatProvider implements LlmProvider {
  private readonly clients: ClientSlot<OpenAI>;
  private readonly now: () => number;

  constructor(
    private readonly options: OpenAiChatProviderOptions,
    private readonly deps: ProviderDeps,
  ) {
    this.now = deps.now ?? Date.now;
    this.clients = new ClientSlot(async (credentials) =>
      options.createClient(await import('openai'), credentials),
    );
  }

  async generate(request: ProviderRequest, signal: AbortSignal): Promise<ProviderResponse> {
    const credentials = await this.credentials(request.model);
    let completion: unknown;
    try {
      const client = this.clients.peek(credentials) ?? (await this.clients.get(credentials));
      completion = await client.chat.completions.create(this.body(request, false), { signal });
    } catch (error) {
      throw this.failure(error, request.model, credentials, signal);
    }
    return this.readCompletion(request.model, completion);
  }

  async *stream(request: ProviderRequest, signal: AbortSignal): AsyncGenerator<StreamChunk> {
    const credentials = await this.credentials(request.model);
    const source: AnswerSource = { provider: this.options.provider, model: request.model };
    const toolCalls = new OpenAiToolCallAssembler();
    let finishReason: string | undefined;
    let sawChunk = false;
    let sawText = false;
    try {
      const client = this.clients.peek(credentials) ?? (await this.clients.get(credentials));
      const stream = await client.chat.completions.create(
        { ...this.body(request, true), stream_options: { include_usage: true } },
        { signal },
      );
      for await (const chunk of stream as AsyncIterable<ChatCompletionChunk>) {
        sawChunk = true;
        if (chunk.usage) yield { type: 'usage', usage: usageOf(chunk.usage) };
        const choice = chunk.choices?.[0];
        const text = choice?.delta?.content;
        if (typeof text === 'string' && text.length > 0) {
          sawText = true;
          yield { type: 'text', text };
        }
        toolCalls.add(choice?.delta?.tool_calls);
        if (choice?.finish_reason) {
          finishReason = choice.finish_reason;
          if (finishReason === 'content_filter' && !sawText && toolCalls.isEmpty) {
            throw new LlmError(
              'contentPolicy',
              `Content refused by ${this.options.provider}: the answer was filtered.`,
              { provider: this.options.provider, model: request.model },
            );
          }
          // Calls are complete once the choice finishes (`tool_calls`, or `stop` when the tool
          // choice named the tool): only now may their arguments be parsed.
          for (const call of toolCalls.take(source)) yield { type: 'toolCall', call };
          yield { type: 'finish', finishReason };
        }
      }
      // Pieces after the finish reason (seen from some compatible servers) still make calls.
      for (const call of toolCalls.take(source)) yield { type: 'toolCall', call };
    } catch (error) {
      throw this.failure(error, request.model, credentials, signal);
    }
    // The SDK ends quietly when its request is aborted; that is a cancellation, not an answer.
    if (signal.aborted)
      throw new LlmError('cancelled', 'The request was cancelled.', {
        provider: this.options.provider,
        model: request.model,
      });
    if (!sawChunk)
      throw new LlmError('badResponse', `${this.options.provider} sent an empty stream.`, {
        provider: this.options.provider,
        model: request.model,
      });
    if (finishReason === undefined) {
      throw new LlmError(
        'network',
        `The stream from ${this.options.provider} ended before the answer was complete.`,
        { provider: this.options.provider, model: request.model },
      );
    }
  }

  async healthCheck(signal: AbortSignal): Promise<void> {
    const credentials = await this.credentials(this.options.model);
    try {
      const client = this.clients.peek(credentials) ?? (await this.clients.get(credentials));
      const timeout = this.options.healthCheckTimeoutMs;
      if (this.options.healthCheck === 'listModels') {
        await client.models.list({ signal, timeout });
      } else {
        const request: ProviderRequest = {
          model: this.options.model,
          messages: [{ role: 'user', content: 'ping' }],
          maxTokens: 1,
        };
        await client.chat.completions.create(this.body(request, false), { signal, timeout });
      }
    } catch (error) {
      throw this.failure(error, this.options.model, credentials, signal);
    }
  }

  private credentials(model: string): Promise<Credentials> {
    const { keyId, keyRequired, secretHeaders, provider } = this.options;
    return readCredentials({
      secrets: this.deps.secrets,
      keyId,
      keyRequired,
      secretHeaders,
      provider,
      model,
    });
  }

  /** Translates an SDK failure at the edge and notes it in the log (the message is already scrubbed). */
  private failure(error: unknown, model: string, credentials: Credentials, signal: AbortSignal): LlmError {
    const translated = translateError(error, {
      provider: this.options.provider,
      model,
      secrets: credentials.secrets,
      now: this.now,
      signal,
    });
    if (translated.kind !== 'cancelled')
      this.deps.logger?.debug(
        `${this.options.provider} (${model}): ${translated.kind} — ${translated.message}`,
      );
    return translated;
  }

  private body(request: ProviderRequest, stream: boolean): ChatCompletionCreateParamsBase {
    const messages: ChatCompletionMessageParam[] = toOpenAiMessages(request);
    const body: ChatCompletionCreateParamsBase = { model: this.options.model, messages, stream };
    if (request.tools?.length) {
      body.tools = toOpenAiTools(request.tools);
      if (request.toolChoice) body.tool_choice = toOpenAiToolChoice(request.toolChoice);
    }
    if (request.temperature !== undefined) body.temperature = request.temperature;
    if (request.maxTokens !== undefined) body[this.options.maxTokensParam] = request.maxTokens;
    return body;
  }

  private readCompletion(model: string, completion: unknown): ProviderResponse {
    const provider = this.options.provider;
    const bad = (what: string) =>
      new LlmError('badResponse', `${provider} sent an answer that could not be read: ${what}.`, {
        provider,
        model,
      });
    if (typeof completion !== 'object' || completion === null)
      throw bad(completion === '' || completion == null ? 'the body is empty' : 'the body is not JSON');
    const { choices, usage } = completion as { choices?: unknown; usage?: OpenAI.CompletionUsage | null };
    if (!Array.isArray(choices) || choices.length === 0) throw bad('it has no choices');
    const choice = choices[0] as {
      message?: { content?: unknown; refusal?: unknown; tool_calls?: unknown };
      finish_reason?: unknown;
    };
    const text = typeof choice.message?.content === 'string' ? choice.message.content : '';
    const toolCalls = fromOpenAiToolCalls(choice.message?.tool_calls, { provider, model });
    const finishReason = typeof choice.finish_reason === 'string' ? choice.finish_reason : undefined;
    // An answer made only of tool calls has no text, and that is an answer.
    if (text.length === 0 && toolCalls.length === 0) {
      if (finishReason === 'content_filter' || typeof choice.message?.refusal === 'string') {
        throw new LlmError('contentPolicy', `Content refused by ${provider}: the model declined to answer.`, {
          provider,
          model,
        });
      }
      throw bad('the answer has no text');
    }
    return {
      text,
      ...(toolCalls.length > 0 ? { toolCalls } : {}),
      usage: usage ? usageOf(usage) : { inputTokens: 0, outputTokens: 0 },
      finishReason,
    };
  }
}

function usageOf(usage: OpenAI.CompletionUsage): TokenUsage {
  return { inputTokens: usage.prompt_tokens ?? 0, outputTokens: usage.completion_tokens ?? 0 };
}
