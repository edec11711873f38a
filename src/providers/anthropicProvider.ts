/**
 * Anthropic's Messages API through `@anthropic-ai/sdk`, loaded on the first request. Usage comes
 * from `message_start` (input) and `message_delta` (output) when streaming; tool calls from
 * `tool_use` blocks, whose input streams as pieces of JSON text.
 */

import type Anthropic from '@anthropic-ai/sdk';
import type { MessageCreateParamsBase, RawMessageStreamEvent } from '@anthropic-ai/sdk/resources/messages';
import {
  LlmError,
  type LlmProvider,
  type ProviderRequest,
  type ProviderResponse,
  type StreamChunk,
  type TokenUsage,
} from '../core';
import { anthropicClientOptions, constructWithoutSdkEnvironment } from './clientOptions';
import { ClientSlot, readCredentials, type Credentials } from './credentials';
import { translateError } from './errorMapping';
import type { ProviderDeps } from './openAiChatProvider';
import type { HealthCheckMethod } from './providerConfig';
import {
  AnthropicToolUseAssembler,
  fromAnthropicToolUse,
  toAnthropicMessages,
  toAnthropicToolChoice,
  toAnthropicTools,
  type AnswerSource,
} from './toolTranslation';

export interface AnthropicProviderOptions {
  readonly model: string;
  readonly keyId: string;
  /** Always given (default `https://api.anthropic.com`): never left to ANTHROPIC_BASE_URL. */
  readonly baseUrl: string;
  readonly extraHeaders?: Readonly<Record<string, string>>;
  readonly secretHeaders?: Readonly<Record<string, string>>;
  readonly defaultMaxTokens: number;
  readonly requestTimeoutMs: number;
  readonly healthCheckTimeoutMs: number;
  readonly healthCheck: HealthCheckMethod;
}

const PROVIDER = 'anthropic';

export class AnthropicProvider implements LlmProvider {
  private readonly clients: ClientSlot<Anthropic>;
  private readonly now: () => number;

  constructor(
    private readonly options: AnthropicProviderOptions,
    private readonly deps: ProviderDeps,
  ) {
    this.now = deps.now ?? Date.now;
    this.clients = new ClientSlot(async (credentials) => {
      const sdk = await import('@anthropic-ai/sdk');
      return constructWithoutSdkEnvironment(
        () =>
          new sdk.Anthropic(
            anthropicClientOptions({
              apiKey: credentials.apiKey,
              endpoint: options.baseUrl,
              timeoutMs: options.requestTimeoutMs,
              headers: { ...options.extraHeaders, ...credentials.secretHeaders },
            }),
          ),
      );
    });
  }

  async generate(request: ProviderRequest, signal: AbortSignal): Promise<ProviderResponse> {
    const credentials = await this.credentials(request.model);
    let message: unknown;
    try {
      const client = this.clients.peek(credentials) ?? (await this.clients.get(credentials));
      message = await client.messages.create({ ...this.body(request), stream: false }, { signal });
    } catch (error) {
      throw this.failure(error, request.model, credentials, signal);
    }
    return this.readMessage(request.model, message);
  }

  async *stream(request: ProviderRequest, signal: AbortSignal): AsyncGenerator<StreamChunk> {
    const credentials = await this.credentials(request.model);
    const source: AnswerSource = { provider: PROVIDER, model: request.model };
    const toolUses = new AnthropicToolUseAssembler();
    let inputTokens = 0;
    let stopped = false;
    let sawEvent = false;
    let sawText = false;
    let sawToolCall = false;
    try {
      const client = this.clients.peek(credentials) ?? (await this.clients.get(credentials));
      const stream = await client.messages.create({ ...this.body(request), stream: true }, { signal });
      for await (const event of stream as AsyncIterable<RawMessageStreamEvent>) {
        sawEvent = true;
        switch (event.type) {
          case 'message_start': {
            const usage = event.message.usage;
            inputTokens =
              (usage.input_tokens ?? 0) +
              (usage.cache_creation_input_tokens ?? 0) +
              (usage.cache_read_input_tokens ?? 0);
            yield { type: 'usage', usage: { inputTokens, outputTokens: usage.output_tokens ?? 0 } };
            break;
          }
          case 'content_block_start':
            toolUses.start(event.index, event.content_block, source);
            break;
          case 'content_block_delta':
            if (event.delta.type === 'text_delta' && event.delta.text) {
              sawText = true;
              yield { type: 'text', text: event.delta.text };
            } else if (event.delta.type === 'input_json_delta') {
              toolUses.append(event.index, event.delta.partial_json);
            }
            break;
          case 'content_block_stop': {
            const call = toolUses.finish(event.index, source);
            if (call) {
              sawToolCall = true;
              yield { type: 'toolCall', call };
            }
            break;
          }
          case 'message_delta': {
            // Counts in message_delta are cumulative; input appears here only on some models.
            const input = event.usage.input_tokens;
            if (typeof input === 'number' && input > 0) {
              inputTokens =
                input +
                (event.usage.cache_creation_input_tokens ?? 0) +
                (event.usage.cache_read_input_tokens ?? 0);
            }
            yield { type: 'usage', usage: { inputTokens, outputTokens: event.usage.output_tokens ?? 0 } };
            const stopReason = event.delta.stop_reason;
            if (stopReason) {
              if (stopReason === 'refusal' && !sawText && !sawToolCall) throw this.refused(request.model);
              yield { type: 'finish', finishReason: stopReason };
            }
            break;
          }
          case 'message_stop':
            // A tool call whose block never closed has arguments nobody can trust.
            if (toolUses.hasOpenCalls)
              throw new LlmError('badResponse', `${PROVIDER} ended its answer inside a tool call.`, source);
            stopped = true;
            break;
          default:
            break;
        }
      }
    } catch (error) {
      throw this.failure(error, request.model, credentials, signal);
    }
    // The SDK ends its iterator quietly when the request is aborted: report the cancellation.
    if (signal.aborted)
      throw new LlmError('cancelled', 'The request was cancelled.', {
        provider: PROVIDER,
        model: request.model,
      });
    if (!sawEvent)
      throw new LlmError('badResponse', `${PROVIDER} sent an empty stream.`, {
        provider: PROVIDER,
        model: request.model,
      });
    if (!stopped) {
      throw new LlmError('network', `The stream from ${PROVIDER} ended before the answer was complete.`, {
        provider: PROVIDER,
        model: request.model,
      });
    }
  }

  async healthCheck(signal: AbortSignal): Promise<void> {
    const credentials = await this.credentials(this.options.model);
    try {
      const client = this.clients.peek(credentials) ?? (await this.clients.get(credentials));
      const timeout = this.options.healthCheckTimeoutMs;
      if (this.options.healthCheck === 'listModels') {
        await client.models.list({ limit: 1 }, { signal, timeout });
      } else {
        const request: ProviderRequest = {
          model: this.options.model,
          messages: [{ role: 'user', content: 'ping' }],
          maxTokens: 1,
        };
        await client.messages.create({ ...this.body(request), stream: false }, { signal, timeout });
      }
    } catch (error) {
      throw this.failure(error, this.options.model, credentials, signal);
    }
  }

  private credentials(model: string): Promise<Credentials> {
    const { keyId, secretHeaders } = this.options;
    return readCredentials({
      secrets: this.deps.secrets,
      keyId,
      keyRequired: true,
      secretHeaders,
      provider: PROVIDER,
      model,
    });
  }

  /** Translates an SDK failure at the edge and notes it in the log (the message is already scrubbed). */
  private failure(error: unknown, model: string, credentials: Credentials, signal: AbortSignal): LlmError {
    const translated = translateError(error, {
      provider: PROVIDER,
      model,
      secrets: credentials.secrets,
      now: this.now,
      signal,
    });
    if (translated.kind !== 'cancelled')
      this.deps.logger?.debug(`${PROVIDER} (${model}): ${translated.kind} — ${translated.message}`);
    return translated;
  }

  private body(request: ProviderRequest): MessageCreateParamsBase {
    const body: MessageCreateParamsBase = {
      model: this.options.model,
      max_tokens: request.maxTokens ?? this.options.defaultMaxTokens,
      messages: toAnthropicMessages(request.messages),
    };
    if (request.system) body.system = request.system;
    if (request.tools?.length) {
      body.tools = toAnthropicTools(request.tools);
      if (request.toolChoice) body.tool_choice = toAnthropicToolChoice(request.toolChoice);
    }
    // The request's temperature is not sent: the Messages API has deprecated it (the SDK no longer
    // has the field), and a failover from an OpenAI model must not become a "bad request" here.
    return body;
  }

  private readMessage(model: string, message: unknown): ProviderResponse {
    const bad = (what: string) =>
      new LlmError('badResponse', `${PROVIDER} sent an answer that could not be read: ${what}.`, {
        provider: PROVIDER,
        model,
      });
    if (typeof message !== 'object' || message === null)
      throw bad(message === '' || message == null ? 'the body is empty' : 'the body is not JSON');
    const {
      content,
      usage,
      stop_reason: stopReason,
    } = message as { content?: unknown; usage?: Anthropic.Usage; stop_reason?: unknown };
    if (!Array.isArray(content)) throw bad('it has no content');
    const text = content
      .filter(
        (block): block is { type: 'text'; text: string } =>
          typeof block === 'object' &&
          block !== null &&
          block.type === 'text' &&
          typeof block.text === 'string',
      )
      .map((block) => block.text)
      .join('');
    const toolCalls = fromAnthropicToolUse(content, { provider: PROVIDER, model });
    // An answer made only of tool calls has no text, and that is an answer.
    if (!text && toolCalls.length === 0) {
      if (stopReason === 'refusal') throw this.refused(model);
      throw bad('the answer has no text');
    }
    return {
      text,
      ...(toolCalls.length > 0 ? { toolCalls } : {}),
      usage: usageOf(usage),
      finishReason: typeof stopReason === 'string' ? stopReason : undefined,
    };
  }

  private refused(model: string): LlmError {
    return new LlmError('contentPolicy', `Content refused by ${PROVIDER}: the model declined to answer.`, {
      provider: PROVIDER,
      model,
    });
  }
}

function usageOf(usage: Anthropic.Usage | undefined): TokenUsage {
  if (!usage) return { inputTokens: 0, outputTokens: 0 };
  return {
    inputTokens:
      (usage.input_tokens ?? 0) +
      (usage.cache_creation_input_tokens ?? 0) +
      (usage.cache_read_input_tokens ?? 0),
    outputTokens: usage.output_tokens ?? 0,
  };
}
