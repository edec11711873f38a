/**
 * One adapter for every service that speaks OpenAI's chat completions wire format: OpenAI itself,
 * Azure OpenAI (through the SDK's `AzureOpenAI` client) and the OpenAI-compatible endpoints. The
 * `openai` SDK loads on the first request, never at activation; its retries are off because the
 * manager decides about retries. What is sent follows the model family's rules (parameterRules.ts):
 * reasoning models get no temperature, their cap as `max_completion_tokens`, and the configured
 * reasoning effort.
 */

import type OpenAI from 'openai';
import type {
  ChatCompletionChunk,
  ChatCompletionCreateParamsBase,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import { type ProviderRequest, type ProviderResponse, type StreamChunk, type TokenUsage } from '../core';
import { capabilitiesOf, type ReasoningEffort } from './catalog/familyRules';
import { OpenAiProviderBase, type OpenAiClientFactory } from './openAiProviderBase';
import type { ProviderDeps } from './providerBase';
import type { HealthCheckMethod, MaxTokensParam, ParameterOverrides } from './providerConfig';
import {
  fromOpenAiToolCalls,
  OpenAiToolCallAssembler,
  toOpenAiMessages,
  toOpenAiToolChoice,
  toOpenAiTools,
} from './toolTranslation';

export type { ProviderDeps } from './providerBase';

/** What differs between OpenAI, Azure and the compatible endpoints. */
export interface OpenAiChatProviderOptions {
  /** Provider label for messages (`openai`, `azure`, `ollama`, …). */
  readonly provider: string;
  /** The model id sent in the request body (Azure ignores it and uses the deployment); its family's rules apply. */
  readonly model: string;
  readonly keyId: string;
  readonly keyRequired: boolean;
  /** The cap field this kind of endpoint defaults to; reasoning families always get `max_completion_tokens`. */
  readonly maxTokensParam: MaxTokensParam;
  readonly requestTimeoutMs: number;
  readonly healthCheckTimeoutMs: number;
  readonly healthCheck: HealthCheckMethod;
  readonly secretHeaders?: Readonly<Record<string, string>>;
  readonly reasoningEffort?: ReasoningEffort;
  readonly parameters?: ParameterOverrides;
  readonly createClient: OpenAiClientFactory;
}

export class OpenAiChatProvider extends OpenAiProviderBase {
  constructor(
    private readonly options: OpenAiChatProviderOptions,
    deps: ProviderDeps,
  ) {
    const { model, maxTokensParam, reasoningEffort, parameters } = options;
    super(options, deps, options.createClient, {
      model,
      api: 'chat',
      defaultMaxTokensParam: maxTokensParam,
      reasoningEffort,
      parameters,
      capabilities: capabilitiesOf(model),
    });
  }

  async generate(request: ProviderRequest, signal: AbortSignal): Promise<ProviderResponse> {
    const completion: unknown = await this.call(request.model, signal, (client) =>
      client.chat.completions.create(this.body(request, false), { signal }),
    );
    return this.readCompletion(request, completion);
  }

  async *stream(request: ProviderRequest, signal: AbortSignal): AsyncGenerator<StreamChunk> {
    const credentials = await this.credentials(request.model);
    const source = this.source(request.model);
    const toolCalls = new OpenAiToolCallAssembler();
    let finishReason: string | undefined;
    let sawChunk = false;
    let sawText = false;
    try {
      const client = this.clients.peek(credentials) ?? (await this.clients.get(credentials));
      const stream = await client.chat.completions.create(
        // Usage comes in a last chunk without choices, and only when asked for.
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
          if (!sawText && toolCalls.isEmpty) this.checkNoAnswer(request, finishReason, false);
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
    this.checkStreamEnd(request.model, signal, {
      sawAnything: sawChunk,
      complete: finishReason !== undefined,
    });
  }

  protected oneTokenCall(
    client: OpenAI,
    request: ProviderRequest,
    options: { signal: AbortSignal; timeout: number },
  ): Promise<unknown> {
    return client.chat.completions.create(this.body(request, false), options);
  }

  private body(request: ProviderRequest, stream: boolean): ChatCompletionCreateParamsBase {
    const plan = this.plan(request);
    const messages: ChatCompletionMessageParam[] = toOpenAiMessages(request);
    const body: ChatCompletionCreateParamsBase = { model: this.options.model, messages, stream };
    if (request.tools?.length) {
      body.tools = toOpenAiTools(request.tools);
      if (request.toolChoice) body.tool_choice = toOpenAiToolChoice(request.toolChoice);
    }
    if (plan.temperature !== undefined) body.temperature = plan.temperature;
    if (plan.maxTokens !== undefined) body[plan.maxTokensParam] = plan.maxTokens;
    if (plan.reasoningEffort !== undefined) body.reasoning_effort = plan.reasoningEffort;
    return body;
  }

  private readCompletion(request: ProviderRequest, completion: unknown): ProviderResponse {
    const model = request.model;
    const { choices, usage } = this.bodyOf(model, completion) as {
      choices?: unknown;
      usage?: OpenAI.CompletionUsage | null;
    };
    if (!Array.isArray(choices) || choices.length === 0) throw this.unreadable(model, 'it has no choices');
    const choice = choices[0] as {
      message?: { content?: unknown; refusal?: unknown; tool_calls?: unknown };
      finish_reason?: unknown;
    };
    const text = typeof choice.message?.content === 'string' ? choice.message.content : '';
    const toolCalls = fromOpenAiToolCalls(choice.message?.tool_calls, this.source(model));
    const finishReason = typeof choice.finish_reason === 'string' ? choice.finish_reason : undefined;
    // An answer made only of tool calls has no text, and that is an answer.
    if (text.length === 0 && toolCalls.length === 0) {
      this.checkNoAnswer(request, finishReason, typeof choice.message?.refusal === 'string');
      throw this.unreadable(model, 'the answer has no text');
    }
    return {
      text,
      ...(toolCalls.length > 0 ? { toolCalls } : {}),
      usage: usage ? usageOf(usage) : { inputTokens: 0, outputTokens: 0 },
      finishReason,
    };
  }
}

/**
 * Chat completions usage in the core's terms: `prompt_tokens` counts cached tokens too, and
 * `completion_tokens` the reasoning tokens; the details say which part was which.
 */
export function usageOf(usage: OpenAI.CompletionUsage): TokenUsage {
  const cached = usage.prompt_tokens_details?.cached_tokens ?? 0;
  const reasoning = usage.completion_tokens_details?.reasoning_tokens ?? 0;
  return {
    inputTokens: usage.prompt_tokens ?? 0,
    outputTokens: usage.completion_tokens ?? 0,
    ...(cached > 0 ? { cacheReadTokens: cached } : {}),
    ...(reasoning > 0 ? { reasoningTokens: reasoning } : {}),
  };
}
