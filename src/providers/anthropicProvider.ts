/**
 * Anthropic's Messages API through `@anthropic-ai/sdk`, loaded on the first request. What is sent
 * follows the model family's rules (parameterRules.ts): `max_tokens` always, extended thinking as
 * the family takes it, a temperature only where it is taken, and `cache_control` breakpoints on the
 * long stable part of the prompt (anthropicCaching.ts). Usage comes from `message_start` and
 * `message_delta` when streaming, cache reads and writes included; thinking arrives as signed
 * blocks that are never answer text and go back with the turn's tool calls; tool calls come from
 * `tool_use` blocks, whose input streams as pieces of JSON text.
 */

import type Anthropic from '@anthropic-ai/sdk';
import type { MessageCreateParamsBase, RawMessageStreamEvent } from '@anthropic-ai/sdk/resources/messages';
import type { ProviderRequest, ProviderResponse, StreamChunk, ThinkingBlock, TokenUsage } from '../core';
import { withCacheBreakpoints } from './anthropicCaching';
import { capabilitiesOf, type ModelCapabilities } from './catalog/familyRules';
import { anthropicClientOptions, constructWithoutSdkEnvironment } from './clientOptions';
import {
  ANTHROPIC_THINKING_FORMAT,
  planAnthropicRequest,
  type AnthropicPlan,
  type AnthropicPlanOptions,
} from './parameterRules';
import { ProviderBase, type ProviderDeps } from './providerBase';
import type { HealthCheckMethod, ParameterOverrides, ThinkingSetting } from './providerConfig';
import {
  AnthropicToolUseAssembler,
  fromAnthropicToolUse,
  toAnthropicMessages,
  toAnthropicToolChoice,
  toAnthropicTools,
} from './toolTranslation';

export interface AnthropicProviderOptions {
  readonly model: string;
  readonly keyId: string;
  /** Where requests go: always given (the default Anthropic endpoint filled in by createProvider). */
  readonly baseUrl: string;
  readonly extraHeaders?: Readonly<Record<string, string>>;
  readonly secretHeaders?: Readonly<Record<string, string>>;
  readonly defaultMaxTokens: number;
  readonly requestTimeoutMs: number;
  readonly healthCheckTimeoutMs: number;
  readonly healthCheck: HealthCheckMethod;
  readonly thinking?: ThinkingSetting;
  readonly parameters?: ParameterOverrides;
}

/** The SDK dropped `temperature` from its types; the API still takes it from the families that do. */
type MessagesBody = MessageCreateParamsBase & { temperature?: number };

const PROVIDER = 'anthropic';

export class AnthropicProvider extends ProviderBase<Anthropic> {
  /** The model's family rules, looked up once: every request plans with them. */
  private readonly capabilities: ModelCapabilities;
  private readonly planOptions: AnthropicPlanOptions;

  constructor(
    private readonly options: AnthropicProviderOptions,
    deps: ProviderDeps,
  ) {
    super({ ...options, provider: PROVIDER, keyRequired: true }, deps, async (credentials, logger) => {
      const sdk = await import('@anthropic-ai/sdk');
      return constructWithoutSdkEnvironment(
        () =>
          new sdk.Anthropic(
            anthropicClientOptions({
              apiKey: credentials.apiKey,
              endpoint: options.baseUrl,
              timeoutMs: options.requestTimeoutMs,
              headers: { ...options.extraHeaders, ...credentials.secretHeaders },
              logger,
            }),
          ),
      );
    });
    const { model, defaultMaxTokens, thinking, parameters } = options;
    this.capabilities = capabilitiesOf(model);
    this.planOptions = { model, defaultMaxTokens, thinking, parameters, capabilities: this.capabilities };
  }

  adjustmentsFor(request: ProviderRequest): readonly string[] {
    return this.plan(request).adjustments;
  }

  async generate(request: ProviderRequest, signal: AbortSignal): Promise<ProviderResponse> {
    const message: unknown = await this.call(request.model, signal, (client) => {
      const body = this.body(request);
      return this.withConsoleWarnings(() => client.messages.create({ ...body, stream: false }, { signal }));
    });
    return this.readMessage(request.model, message);
  }

  async *stream(request: ProviderRequest, signal: AbortSignal): AsyncGenerator<StreamChunk> {
    const credentials = await this.credentials(request.model);
    const source = this.source(request.model);
    const toolUses = new AnthropicToolUseAssembler();
    const thinking = new ThinkingAssembler();
    let usage: TokenUsage = { inputTokens: 0, outputTokens: 0 };
    let stopped = false;
    let sawEvent = false;
    let sawText = false;
    let sawToolCall = false;
    try {
      const client = this.clients.peek(credentials) ?? (await this.clients.get(credentials));
      const body = this.body(request);
      const stream = await this.withConsoleWarnings(() =>
        client.messages.create({ ...body, stream: true }, { signal }),
      );
      for await (const event of stream as AsyncIterable<RawMessageStreamEvent>) {
        sawEvent = true;
        switch (event.type) {
          case 'message_start':
            usage = usageOf(event.message.usage);
            yield { type: 'usage', usage };
            break;
          case 'content_block_start':
            toolUses.start(event.index, event.content_block, source);
            thinking.start(event.index, event.content_block);
            break;
          case 'content_block_delta':
            if (event.delta.type === 'text_delta' && event.delta.text) {
              sawText = true;
              yield { type: 'text', text: event.delta.text };
            } else if (event.delta.type === 'input_json_delta') {
              toolUses.append(event.index, event.delta.partial_json);
            } else if (event.delta.type === 'thinking_delta') {
              thinking.appendText(event.index, event.delta.thinking);
            } else if (event.delta.type === 'signature_delta') {
              thinking.sign(event.index, event.delta.signature);
            }
            break;
          case 'content_block_stop': {
            const block = thinking.finish(event.index);
            if (block) yield { type: 'thinking', block };
            const call = toolUses.finish(event.index, source);
            if (call) {
              sawToolCall = true;
              yield { type: 'toolCall', call };
            }
            break;
          }
          case 'message_delta': {
            // Counts in message_delta are cumulative; input and cache figures come only on some models.
            usage = mergeDeltaUsage(usage, event.usage);
            yield { type: 'usage', usage };
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
              throw this.unreadable(request.model, 'the answer ended inside a tool call');
            stopped = true;
            break;
          default:
            break;
        }
      }
    } catch (error) {
      throw this.failure(error, request.model, credentials, signal);
    }
    this.checkStreamEnd(request.model, signal, { sawAnything: sawEvent, complete: stopped });
  }

  protected checkCall(
    client: Anthropic,
    how: HealthCheckMethod,
    request: ProviderRequest,
    options: { signal: AbortSignal; timeout: number },
  ): Promise<unknown> {
    if (how === 'listModels') return client.models.list({ limit: 1 }, options);
    const body = this.body(request);
    return this.withConsoleWarnings(() => client.messages.create({ ...body, stream: false }, options));
  }

  private plan(request: ProviderRequest): AnthropicPlan {
    return planAnthropicRequest(this.planOptions, request);
  }

  private body(request: ProviderRequest): MessagesBody {
    const plan = this.plan(request);
    const tools = request.tools?.length ? toAnthropicTools(request.tools) : undefined;
    const parts = {
      tools,
      system: request.system || undefined,
      messages: toAnthropicMessages(request.messages),
    };
    const cached =
      this.options.parameters?.promptCaching === false
        ? parts
        : withCacheBreakpoints(parts, this.capabilities.minCacheableTokens);
    const body: MessagesBody = {
      model: this.options.model,
      max_tokens: plan.maxTokens,
      messages: cached.messages,
    };
    if (cached.system) body.system = cached.system;
    if (cached.tools) {
      body.tools = cached.tools;
      if (request.toolChoice) body.tool_choice = toAnthropicToolChoice(request.toolChoice);
    }
    if (plan.thinking) body.thinking = { ...plan.thinking };
    if (plan.temperature !== undefined) body.temperature = plan.temperature;
    return body;
  }

  private readMessage(model: string, message: unknown): ProviderResponse {
    const {
      content,
      usage,
      stop_reason: stopReason,
    } = this.bodyOf(model, message) as { content?: unknown; usage?: Anthropic.Usage; stop_reason?: unknown };
    if (!Array.isArray(content)) throw this.unreadable(model, 'it has no content');
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
    const toolCalls = fromAnthropicToolUse(content, this.source(model));
    const thinking = thinkingBlocksOf(content);
    // An answer made only of tool calls has no text, and that is an answer.
    if (!text && toolCalls.length === 0) {
      if (stopReason === 'refusal') throw this.refused(model);
      throw this.unreadable(model, 'the answer has no text');
    }
    return {
      text,
      ...(toolCalls.length > 0 ? { toolCalls } : {}),
      ...(thinking.length > 0 ? { thinking } : {}),
      usage: usage ? usageOf(usage) : { inputTokens: 0, outputTokens: 0 },
      finishReason: typeof stopReason === 'string' ? stopReason : undefined,
    };
  }
}

/** The thinking blocks of a whole answer, as the core carries them. */
function thinkingBlocksOf(content: readonly unknown[]): ThinkingBlock[] {
  const blocks: ThinkingBlock[] = [];
  for (const block of content) {
    if (typeof block !== 'object' || block === null) continue;
    const { type, thinking, signature, data } = block as Record<string, unknown>;
    if (type === 'thinking' && typeof signature === 'string')
      blocks.push({
        format: ANTHROPIC_THINKING_FORMAT,
        text: typeof thinking === 'string' ? thinking : '',
        data: signature,
      });
    else if (type === 'redacted_thinking' && typeof data === 'string')
      blocks.push({ format: ANTHROPIC_THINKING_FORMAT, text: '', data, redacted: true });
  }
  return blocks;
}

/** Puts streamed thinking blocks together: text from `thinking_delta`, the signature from `signature_delta`. */
class ThinkingAssembler {
  private readonly open = new Map<number, { text: string; signature?: string; redactedData?: string }>();

  start(index: number, block: unknown): void {
    if (typeof block !== 'object' || block === null) return;
    const { type, thinking, signature, data } = block as Record<string, unknown>;
    if (type === 'thinking')
      this.open.set(index, {
        text: typeof thinking === 'string' ? thinking : '',
        signature: typeof signature === 'string' && signature ? signature : undefined,
      });
    else if (type === 'redacted_thinking' && typeof data === 'string')
      this.open.set(index, { text: '', redactedData: data });
  }

  appendText(index: number, text: string): void {
    const block = this.open.get(index);
    if (block) block.text += text;
  }

  sign(index: number, signature: string): void {
    const block = this.open.get(index);
    if (block) block.signature = (block.signature ?? '') + signature;
  }

  /** The finished block, or undefined when the block was not thinking (or came unsigned, so it cannot go back). */
  finish(index: number): ThinkingBlock | undefined {
    const block = this.open.get(index);
    if (!block) return undefined;
    this.open.delete(index);
    if (block.redactedData !== undefined)
      return { format: ANTHROPIC_THINKING_FORMAT, text: '', data: block.redactedData, redacted: true };
    if (block.signature === undefined) return undefined;
    return { format: ANTHROPIC_THINKING_FORMAT, text: block.text, data: block.signature };
  }
}

interface AnthropicUsageFields {
  readonly input_tokens?: number | null;
  readonly output_tokens?: number | null;
  readonly cache_creation_input_tokens?: number | null;
  readonly cache_read_input_tokens?: number | null;
  readonly output_tokens_details?: { readonly thinking_tokens?: number | null } | null;
}

/**
 * Anthropic usage in the core's terms: `input_tokens` leaves out the tokens read from and written to
 * the cache, so they are added back (the core's `inputTokens` counts every input token); thinking
 * tokens are part of `output_tokens`.
 */
export function usageOf(usage: AnthropicUsageFields): TokenUsage {
  const read = usage.cache_read_input_tokens ?? 0;
  const written = usage.cache_creation_input_tokens ?? 0;
  const thinking = usage.output_tokens_details?.thinking_tokens ?? 0;
  return {
    inputTokens: (usage.input_tokens ?? 0) + read + written,
    outputTokens: usage.output_tokens ?? 0,
    ...(read > 0 ? { cacheReadTokens: read } : {}),
    ...(written > 0 ? { cacheWriteTokens: written } : {}),
    ...(thinking > 0 ? { reasoningTokens: thinking } : {}),
  };
}

/** `message_delta` usage is cumulative; input and cache counts there are optional and replace the start's when present. */
function mergeDeltaUsage(start: TokenUsage, delta: AnthropicUsageFields): TokenUsage {
  const hasInput = typeof delta.input_tokens === 'number' && delta.input_tokens > 0;
  const merged = usageOf({
    ...delta,
    input_tokens: hasInput ? delta.input_tokens : undefined,
  });
  const input = hasInput ? merged : start;
  return {
    inputTokens: input.inputTokens,
    outputTokens: merged.outputTokens,
    ...(input.cacheReadTokens ? { cacheReadTokens: input.cacheReadTokens } : {}),
    ...(input.cacheWriteTokens ? { cacheWriteTokens: input.cacheWriteTokens } : {}),
    ...(merged.reasoningTokens ? { reasoningTokens: merged.reasoningTokens } : {}),
  };
}
