/**
 * OpenAI's Responses API (`POST /v1/responses`) as a wire format, for OpenAI and Azure and any
 * endpoint a model's settings point at with `api: "responses"`; models only this API serves use it
 * on their own. The system prompt goes in `instructions`, the conversation as input items, the cap
 * as `max_output_tokens`, the reasoning effort as `reasoning.effort`. Nothing is kept at the vendor
 * unless the settings ask (`store: false` by default); reasoning items then come back encrypted, so
 * a tool conversation can hand them back without stored state. Streams are typed events, from
 * `response.created` to `response.completed` (or `.incomplete`, or `.failed`).
 */

import type OpenAI from 'openai';
import type {
  ResponseCreateParamsBase,
  ResponseStreamEvent,
  ResponseUsage,
} from 'openai/resources/responses/responses';
import {
  type LlmError,
  type ProviderRequest,
  type ProviderResponse,
  type StreamChunk,
  type TokenUsage,
} from '../core';
import { capabilitiesOf, type ReasoningEffort } from './catalog/familyRules';
import type { Credentials } from './credentials';
import { translateError } from './errorMapping';
import { OpenAiProviderBase, type OpenAiClientFactory } from './openAiProviderBase';
import type { ProviderDeps } from './providerBase';
import type { HealthCheckMethod, ParameterOverrides } from './providerConfig';
import {
  functionCallOf,
  readResponsesOutput,
  reasoningBlockOf,
  toResponsesInput,
  toResponsesToolChoice,
  toResponsesTools,
} from './responsesTranslation';

type JsonObject = Record<string, unknown>;

export interface OpenAiResponsesProviderOptions {
  /** Provider label for messages (`openai`, `azure`, …). */
  readonly provider: string;
  /** The model id whose family's rules apply (Azure: the model behind the deployment). */
  readonly model: string;
  /** The model named in the request body when it differs (Azure: the deployment name). */
  readonly wireModel?: string;
  readonly keyId: string;
  readonly keyRequired: boolean;
  readonly requestTimeoutMs: number;
  readonly healthCheckTimeoutMs: number;
  readonly healthCheck: HealthCheckMethod;
  readonly secretHeaders?: Readonly<Record<string, string>>;
  readonly reasoningEffort?: ReasoningEffort;
  readonly parameters?: ParameterOverrides;
  /** Let the vendor keep responses (default false). */
  readonly store?: boolean;
  readonly createClient: OpenAiClientFactory;
}

export class OpenAiResponsesProvider extends OpenAiProviderBase {
  private readonly reasoningModel: boolean;

  constructor(
    private readonly options: OpenAiResponsesProviderOptions,
    deps: ProviderDeps,
  ) {
    const { model, reasoningEffort, parameters } = options;
    const capabilities = capabilitiesOf(model);
    super(options, deps, options.createClient, {
      model,
      api: 'responses',
      defaultMaxTokensParam: 'max_completion_tokens',
      reasoningEffort,
      parameters,
      capabilities,
    });
    this.reasoningModel = capabilities.reasoning;
  }

  async generate(request: ProviderRequest, signal: AbortSignal): Promise<ProviderResponse> {
    const response: unknown = await this.call(request.model, signal, (client) =>
      client.responses.create({ ...this.body(request), stream: false }, { signal }),
    );
    return this.readResponse(request, response);
  }

  async *stream(request: ProviderRequest, signal: AbortSignal): AsyncGenerator<StreamChunk> {
    const credentials = await this.credentials(request.model);
    const source = this.source(request.model);
    /** Function calls in progress, by output item id: their name and call id, and the arguments so far. */
    const calls = new Map<string, { readonly item: JsonObject; args: string }>();
    let sawEvent = false;
    let sawText = false;
    let sawToolCall = false;
    let refused = false;
    let complete = false;
    try {
      const client = this.clients.peek(credentials) ?? (await this.clients.get(credentials));
      const stream = await client.responses.create({ ...this.body(request), stream: true }, { signal });
      for await (const event of stream as AsyncIterable<ResponseStreamEvent>) {
        sawEvent = true;
        switch (event.type) {
          case 'response.output_text.delta':
            if (event.delta) {
              sawText = true;
              yield { type: 'text', text: event.delta };
            }
            break;
          case 'response.refusal.delta':
            refused = true;
            break;
          case 'response.output_item.added':
            if (event.item.type === 'function_call' && event.item.id)
              calls.set(event.item.id, { item: event.item as unknown as JsonObject, args: '' });
            break;
          case 'response.function_call_arguments.delta': {
            const call = calls.get(event.item_id);
            if (call) call.args += event.delta;
            break;
          }
          case 'response.output_item.done': {
            const item = event.item as unknown as JsonObject;
            if (item.type === 'function_call') {
              const started = typeof item.id === 'string' ? calls.get(item.id) : undefined;
              // The finished item carries the whole arguments text; the pieces are the fallback.
              const args =
                typeof item.arguments === 'string' && item.arguments ? item.arguments : started?.args;
              sawToolCall = true;
              yield {
                type: 'toolCall',
                call: functionCallOf({ ...started?.item, ...item, arguments: args }, source),
              };
            } else if (item.type === 'reasoning') {
              const block = reasoningBlockOf(item);
              if (block) yield { type: 'thinking', block };
            }
            break;
          }
          case 'response.completed':
          case 'response.incomplete': {
            const { response } = event;
            if (response.usage) yield { type: 'usage', usage: usageOf(response.usage) };
            const finishReason = finishReasonOf(
              response.status,
              response.incomplete_details?.reason,
              sawToolCall,
            );
            if (!sawText && !sawToolCall) this.checkNoAnswer(request, finishReason, refused);
            complete = true;
            yield { type: 'finish', finishReason };
            break;
          }
          case 'response.failed':
            throw this.failedResponse(request.model, credentials, event.response.error);
          default:
            break;
        }
      }
    } catch (error) {
      throw this.failure(error, request.model, credentials, signal);
    }
    this.checkStreamEnd(request.model, signal, { sawAnything: sawEvent, complete });
  }

  protected oneTokenCall(
    client: OpenAI,
    request: ProviderRequest,
    options: { signal: AbortSignal; timeout: number },
  ): Promise<unknown> {
    return client.responses.create({ ...this.body(request), stream: false }, options);
  }

  private body(request: ProviderRequest): ResponseCreateParamsBase {
    const plan = this.plan(request);
    const store = this.options.store === true;
    const body: ResponseCreateParamsBase = {
      model: this.options.wireModel ?? this.options.model,
      input: toResponsesInput(request.messages, store),
      store,
    };
    if (request.system) body.instructions = request.system;
    if (plan.maxTokens !== undefined) body.max_output_tokens = plan.maxTokens;
    if (plan.temperature !== undefined) body.temperature = plan.temperature;
    if (plan.reasoningEffort !== undefined) body.reasoning = { effort: plan.reasoningEffort };
    // Without stored state, a reasoning model's thinking can continue only from its encrypted items.
    if (!store && (plan.reasoningEffort !== undefined || this.reasoningModel))
      body.include = ['reasoning.encrypted_content'];
    if (request.tools?.length) {
      body.tools = toResponsesTools(request.tools);
      if (request.toolChoice) body.tool_choice = toResponsesToolChoice(request.toolChoice);
    }
    return body;
  }

  private readResponse(request: ProviderRequest, response: unknown): ProviderResponse {
    const model = request.model;
    const {
      output,
      usage,
      status,
      incomplete_details: incomplete,
    } = this.bodyOf(model, response) as {
      output?: unknown;
      usage?: ResponseUsage | null;
      status?: unknown;
      incomplete_details?: { reason?: unknown } | null;
    };
    if (!Array.isArray(output)) throw this.unreadable(model, 'it has no output');
    const answer = readResponsesOutput(output, this.source(model));
    const finishReason = finishReasonOf(status, incomplete?.reason, answer.toolCalls.length > 0);
    if (answer.text.length === 0 && answer.toolCalls.length === 0) {
      if (answer.refused) throw this.refused(model);
      this.checkNoAnswer(request, finishReason);
      throw this.unreadable(model, 'the answer has no text');
    }
    return {
      text: answer.text,
      ...(answer.toolCalls.length > 0 ? { toolCalls: answer.toolCalls } : {}),
      ...(answer.thinking.length > 0 ? { thinking: answer.thinking } : {}),
      usage: usage ? usageOf(usage) : { inputTokens: 0, outputTokens: 0 },
      finishReason,
    };
  }

  /** A `response.failed` event: its error object, in the core's kinds (server_error → server, …). */
  private failedResponse(model: string, credentials: Credentials, error: unknown): LlmError {
    const body =
      typeof error === 'object' && error !== null
        ? error
        : { code: 'server_error', message: 'The response failed.' };
    return translateError(
      { error: body },
      { provider: this.identity.provider, model, secrets: credentials.secrets, now: this.now },
    );
  }
}

/** The Responses status in the chat vocabulary the rest of the manager reads. */
function finishReasonOf(status: unknown, incompleteReason: unknown, calledTools: boolean): string {
  if (status === 'incomplete') return incompleteReason === 'content_filter' ? 'content_filter' : 'length';
  return calledTools ? 'tool_calls' : 'stop';
}

/**
 * Responses usage in the core's terms: `input_tokens` counts cached tokens too and `output_tokens`
 * the reasoning tokens; the details say which part was which.
 */
export function usageOf(usage: ResponseUsage): TokenUsage {
  const cached = usage.input_tokens_details?.cached_tokens ?? 0;
  const reasoning = usage.output_tokens_details?.reasoning_tokens ?? 0;
  return {
    inputTokens: usage.input_tokens ?? 0,
    outputTokens: usage.output_tokens ?? 0,
    ...(cached > 0 ? { cacheReadTokens: cached } : {}),
    ...(reasoning > 0 ? { reasoningTokens: reasoning } : {}),
  };
}
