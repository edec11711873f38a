/**
 * What a request becomes on the wire for a model, decided in one place from the family rules of the
 * catalog (capabilitiesOf) and the model's settings: which temperature survives, which field carries
 * the output cap, which reasoning effort or thinking is sent. Every change to what the caller asked
 * for comes with a sentence saying why, which the providers hand to the manager for the trace
 * (`adjustmentsFor`), so the plan that is sent and the plan that is told are the same object.
 */

import type { ChatMessage, ProviderRequest } from '../core';
import { capabilitiesOf, type ModelCapabilities, type ReasoningEffort } from './catalog/familyRules';
import {
  MIN_THINKING_BUDGET,
  type MaxTokensParam,
  type OpenAiApi,
  type ParameterOverrides,
  type ThinkingSetting,
} from './providerConfig';

/** Responses API: the smallest `max_output_tokens` it takes. */
export const MIN_RESPONSES_OUTPUT_TOKENS = 16;
/** Anthropic's largest temperature. */
const ANTHROPIC_MAX_TEMPERATURE = 1;

const count = (n: number) => n.toLocaleString('en-US');

/** The reasoning efforts `model` takes, when its family is known and takes some; undefined means "any". */
function effortsOf(caps: ModelCapabilities): readonly ReasoningEffort[] | undefined {
  return caps.known ? caps.reasoningEfforts : undefined;
}

/**
 * Why `effort` cannot be sent to `model`, or undefined when it can (or the family is unknown, so the
 * API decides). The settings and the providers both ask this.
 */
export function reasoningEffortProblem(
  model: string,
  effort: ReasoningEffort,
  caps: ModelCapabilities = capabilitiesOf(model),
): string | undefined {
  const efforts = effortsOf(caps);
  if (efforts === undefined || efforts.includes(effort)) return undefined;
  return efforts.length === 0 ? `${model} takes no reasoning effort` : `${model} takes ${efforts.join(', ')}`;
}

/** Why `thinking` cannot be sent to `model` as it is set, or undefined (the providers adapt a budget on their own). */
export function thinkingProblem(
  model: string,
  thinking: ThinkingSetting,
  caps: ModelCapabilities = capabilitiesOf(model),
): string | undefined {
  if (!caps.known) return undefined;
  if (caps.thinking === 'none') return `${model} has no extended thinking`;
  if (thinking === 'adaptive' && caps.thinking === 'budget')
    return `${model} takes a thinking budget only ({ "budgetTokens": n })`;
  return undefined;
}

// ---- OpenAI: chat completions and the Responses API -------------------------------------------

export interface OpenAiPlanOptions {
  /** The model id sent to the API (Azure: the model behind the deployment). */
  readonly model: string;
  readonly api: OpenAiApi;
  /** The cap field the endpoint kind defaults to (compatible servers: `max_tokens`). */
  readonly defaultMaxTokensParam: MaxTokensParam;
  readonly reasoningEffort?: ReasoningEffort;
  readonly parameters?: ParameterOverrides;
  /** `capabilitiesOf(model)`, when the caller already has it (providers look it up once). */
  readonly capabilities?: ModelCapabilities;
}

export interface OpenAiPlan {
  readonly temperature?: number;
  /** Chat completions: the field that carries the cap (the Responses API always uses `max_output_tokens`). */
  readonly maxTokensParam: MaxTokensParam;
  readonly maxTokens?: number;
  readonly reasoningEffort?: ReasoningEffort;
  /** What differs from the request, in words, for the trace. */
  readonly adjustments: readonly string[];
}

/**
 * OpenAI's family rules: reasoning models never get a temperature (nor top_p, penalties, logprobs
 * or logit_bias, which no request of ours carries) and take their cap as `max_completion_tokens`;
 * a reasoning effort is sent only where the family takes it.
 */
export function planOpenAiRequest(options: OpenAiPlanOptions, request: ProviderRequest): OpenAiPlan {
  const caps = options.capabilities ?? capabilitiesOf(options.model);
  const adjustments: string[] = [];
  const overrides = options.parameters ?? {};

  let temperature = request.temperature;
  if (temperature !== undefined) {
    const why =
      overrides.dropTemperature === true
        ? 'the model\'s settings say "dropTemperature"'
        : overrides.dropTemperature === undefined && !caps.supportsTemperature
          ? `${options.model} accepts only the default`
          : undefined;
    if (why) {
      adjustments.push(`temperature ${temperature} dropped: ${why}`);
      temperature = undefined;
    }
  }

  const maxTokensParam =
    overrides.maxTokensParam ?? (caps.reasoning ? 'max_completion_tokens' : options.defaultMaxTokensParam);
  let maxTokens = request.maxTokens;
  if (options.api === 'responses' && maxTokens !== undefined && maxTokens < MIN_RESPONSES_OUTPUT_TOKENS) {
    adjustments.push(
      `output cap ${maxTokens} raised to ${MIN_RESPONSES_OUTPUT_TOKENS}: the Responses API's minimum`,
    );
    maxTokens = MIN_RESPONSES_OUTPUT_TOKENS;
  }

  let reasoningEffort = options.reasoningEffort;
  if (reasoningEffort !== undefined) {
    const problem = reasoningEffortProblem(options.model, reasoningEffort, caps);
    if (problem) {
      adjustments.push(`reasoningEffort "${reasoningEffort}" not sent: ${problem}`);
      reasoningEffort = undefined;
    }
  }
  return { temperature, maxTokensParam, maxTokens, reasoningEffort, adjustments };
}

// ---- Anthropic Messages ------------------------------------------------------------------------

export interface AnthropicPlanOptions {
  readonly model: string;
  /** The cap when the request sets none. */
  readonly defaultMaxTokens: number;
  readonly thinking?: ThinkingSetting;
  readonly parameters?: ParameterOverrides;
  /** `capabilitiesOf(model)`, when the caller already has it (providers look it up once). */
  readonly capabilities?: ModelCapabilities;
}

/** The `thinking` field as the Messages API takes it. */
export type AnthropicThinkingParam =
  { readonly type: 'enabled'; readonly budget_tokens: number } | { readonly type: 'adaptive' };

export interface AnthropicPlan {
  readonly maxTokens: number;
  readonly temperature?: number;
  readonly thinking?: AnthropicThinkingParam;
  readonly adjustments: readonly string[];
}

/**
 * Anthropic's rules: `max_tokens` always, never above the model's limit; extended thinking as the
 * family takes it (a budget ≥ 1 024 and below the cap, or adaptive), never with a temperature, a
 * forced tool, or a tool result whose assistant turn lost its thinking; a temperature only where
 * the family takes one (top_p is never sent, so never both).
 */
export function planAnthropicRequest(options: AnthropicPlanOptions, request: ProviderRequest): AnthropicPlan {
  const caps = options.capabilities ?? capabilitiesOf(options.model);
  const adjustments: string[] = [];
  let maxTokens = request.maxTokens ?? options.defaultMaxTokens;
  if (caps.known && maxTokens > caps.maxOutputTokens) {
    adjustments.push(
      `output cap ${count(maxTokens)} lowered to ${count(caps.maxOutputTokens)}: ${options.model}'s limit`,
    );
    maxTokens = caps.maxOutputTokens;
  }

  const thinking = thinkingFor(options, caps, request, maxTokens, adjustments);

  let temperature = request.temperature;
  if (temperature !== undefined) {
    const dropTemperature = options.parameters?.dropTemperature;
    const why = thinking
      ? 'extended thinking takes only the default'
      : dropTemperature === true
        ? 'the model\'s settings say "dropTemperature"'
        : dropTemperature === undefined && !caps.supportsTemperature
          ? `${options.model} accepts no sampling parameters`
          : undefined;
    if (why) {
      adjustments.push(`temperature ${temperature} dropped: ${why}`);
      temperature = undefined;
    } else if (temperature > ANTHROPIC_MAX_TEMPERATURE) {
      adjustments.push(`temperature ${temperature} lowered to 1: the Messages API's maximum`);
      temperature = ANTHROPIC_MAX_TEMPERATURE;
    }
  }
  return { maxTokens, temperature, thinking, adjustments };
}

function thinkingFor(
  options: AnthropicPlanOptions,
  caps: ModelCapabilities,
  request: ProviderRequest,
  maxTokens: number,
  adjustments: string[],
): AnthropicThinkingParam | undefined {
  const setting = options.thinking;
  if (setting === undefined) return undefined;
  const problem = thinkingProblem(options.model, setting, caps);
  if (problem) {
    adjustments.push(`thinking not sent: ${problem}`);
    return undefined;
  }
  const choice = request.toolChoice;
  if (choice === 'required' || (typeof choice === 'object' && choice !== null)) {
    adjustments.push(
      'thinking off for this request: the API refuses thinking when the tool choice forces a tool',
    );
    return undefined;
  }
  if (answersToolsWithoutThinking(request.messages)) {
    adjustments.push(
      'thinking off for this request: the tool calls it answers came from a turn without Claude thinking (another model)',
    );
    return undefined;
  }
  if (setting === 'adaptive') return { type: 'adaptive' };
  if (caps.thinking === 'adaptive') {
    adjustments.push(
      `thinking budget ${count(setting.budgetTokens)} sent as adaptive thinking: ${options.model} takes adaptive thinking only`,
    );
    return { type: 'adaptive' };
  }
  if (setting.budgetTokens < maxTokens) return { type: 'enabled', budget_tokens: setting.budgetTokens };
  // The budget counts inside the cap: keep the cap the estimate used, and leave the answer room.
  const fitted = maxTokens - MIN_THINKING_BUDGET;
  if (fitted < MIN_THINKING_BUDGET) {
    adjustments.push(
      `thinking off for this request: the output cap ${count(maxTokens)} leaves no room for the ${count(MIN_THINKING_BUDGET)}-token minimum budget (raise maxOutputTokens)`,
    );
    return undefined;
  }
  adjustments.push(
    `thinking budget ${count(setting.budgetTokens)} lowered to ${count(fitted)}: it must stay below the output cap ${count(maxTokens)}`,
  );
  return { type: 'enabled', budget_tokens: fitted };
}

/**
 * Whether the request ends with tool results whose assistant turn carries no Claude thinking: with
 * thinking on, the API refuses that turn ("must start with a thinking block"), so such a request —
 * a conversation begun on another vendor — goes without thinking.
 */
export function answersToolsWithoutThinking(messages: readonly ChatMessage[]): boolean {
  let i = messages.length - 1;
  if (messages[i]?.role !== 'tool') return false;
  while (i >= 0 && messages[i].role === 'tool') i--;
  const turn = messages[i];
  if (turn?.role !== 'assistant' || !turn.toolCalls?.length) return false;
  return !turn.thinking?.some((block) => block.format === ANTHROPIC_THINKING_FORMAT);
}

/** The `format` of the thinking blocks the Anthropic provider makes and reads back. */
export const ANTHROPIC_THINKING_FORMAT = 'anthropic';
/** The `format` of the reasoning items the Responses provider makes and reads back. */
export const RESPONSES_REASONING_FORMAT = 'openai-responses';
