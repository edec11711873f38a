/**
 * What the fault upstream answers once a request has passed every check and its fault behaviour
 * lets it through: the text or tool calls, the thinking (Anthropic) or reasoning (OpenAI) before
 * them, why the answer stopped, and usage as the vendors count it (prompt tokens read from or
 * written to the prompt cache, reasoning and thinking tokens billed as output). The wire modules
 * turn this into each vendor's JSON and SSE.
 */

import type { TokenUsage } from '../core';
import { demoThinking, signThinking } from './anthropicThinking';
import { claudeFamily, UNKNOWN_MODEL_MIN_CACHEABLE } from './claudeFamilies';
import type { FaultBehaviour } from './faultBehaviour';
import { promptTokens, type ParsedRequest } from './faultRequests';
import { countTokens, demoAnswer, truncateToTokens } from './faultResponses';
import { toolReply, type DemoReply } from './faultTools';
import { openAiFamily, reasoningTokensFor, type ReasoningEffortValue } from './openAiFamilies';
import { effectiveEffort } from './openAiRules';
import type { CacheUse, PromptCache } from './promptCache';
import { thinkingIsOn } from './anthropicRules';

export type FinishReason = 'stop' | 'length' | 'refusal' | 'toolCalls';

/** Usage in the vendors' terms, before each wire format words it. */
export interface WireUsage {
  /** Every prompt token, cached or not. */
  readonly promptTokens: number;
  readonly cacheRead: number;
  readonly cacheWrite5m: number;
  readonly cacheWrite1h: number;
  /** Every output token, reasoning and thinking included. */
  readonly outputTokens: number;
  readonly reasoningTokens: number;
}

export interface AnthropicThinkingBlock {
  /** The thinking shown (empty when the request asked for `display: 'omitted'`). */
  readonly text: string;
  readonly signature: string;
}

export interface UpstreamAnswer {
  readonly reply: DemoReply;
  readonly finish: FinishReason;
  /** Anthropic: the thinking block that comes before the text. */
  readonly thinking?: AnthropicThinkingBlock;
  /** OpenAI: the reasoning summary the Responses API shows, when the request asked for one. */
  readonly reasoningSummary?: string;
  /** OpenAI: whether the answer reasoned (the Responses API then starts with a reasoning item). */
  readonly reasoned: boolean;
  readonly usage: WireUsage;
}

/** Composes the answer for `request`, naming the model `modelName`; reads and fills the prompt cache. */
export function composeAnswer(
  request: ParsedRequest,
  behaviour: FaultBehaviour,
  cache: PromptCache,
  modelName: string = request.model,
): UpstreamAnswer {
  const anthropic = request.vendor === 'anthropic';
  const thinking = anthropic && thinkingIsOn(request) ? thinkingFor(request) : undefined;
  // The checks passed, so a requested effort is one of the API's values.
  const requested = request.reasoningEffort as ReasoningEffortValue | undefined;
  const effort = anthropic ? undefined : (effectiveEffort(request.model, requested) ?? requested);
  const reasoningTokens = thinking?.tokens ?? reasoningTokensFor(effort);
  const reasoned =
    !anthropic && (openAiFamily(request.model).reasoning || request.reasoningEffort !== undefined);

  let reply = toolReply(behaviour, request.vendor, request.tools, modelName, request.lastUserText);
  let finish: FinishReason;
  if (reply) {
    finish = reply.toolCalls.length > 0 ? 'toolCalls' : 'stop';
  } else {
    const room = request.maxTokens === undefined ? undefined : request.maxTokens - reasoningTokens;
    const whole = demoAnswer(modelName, request.lastUserText);
    const { text, truncated } =
      room !== undefined && room <= 0 ? { text: '', truncated: true } : truncateToTokens(whole, room);
    const refusal = behaviour.kind === 'refusal';
    reply = { text: refusal ? '' : text, toolCalls: [] };
    finish = refusal ? 'refusal' : truncated ? 'length' : 'stop';
  }
  const answerTokens = tokensOf(reply);
  const prompt = promptTokens(request.prompt);
  const {
    read: cacheRead,
    written5m: cacheWrite5m,
    written1h: cacheWrite1h,
  } = cacheUse(request, cache, prompt);
  return {
    reply,
    finish,
    thinking: thinking && { text: thinking.shown, signature: thinking.signature },
    reasoningSummary:
      reasoned && request.params.reasoningSummary !== undefined
        ? `Reasoned about "${request.lastUserText.slice(0, 60)}" before answering.`
        : undefined,
    reasoned: reasoned && reasoningTokens > 0,
    usage: {
      promptTokens: prompt,
      cacheRead,
      cacheWrite5m,
      cacheWrite1h,
      outputTokens: answerTokens + reasoningTokens,
      reasoningTokens,
    },
  };
}

/** What the prompt read from and wrote to the vendor's cache (OpenAI: automatic; Anthropic: breakpoints). */
function cacheUse(request: ParsedRequest, cache: PromptCache, prompt: number): CacheUse {
  const scope = `${request.vendor}|${request.model}`;
  if (request.vendor === 'anthropic') {
    const minimum = claudeFamily(request.model)?.minCacheableTokens ?? UNKNOWN_MODEL_MIN_CACHEABLE;
    return cache.breakpoints(scope, request.prompt, minimum);
  }
  return { read: Math.min(cache.automatic(scope, request.prompt), prompt), written5m: 0, written1h: 0 };
}

function thinkingFor(request: ParsedRequest): { shown: string; signature: string; tokens: number } {
  const text = demoThinking(request.lastUserText, request.thinking?.budgetTokens);
  const shown = request.thinking?.display === 'omitted' ? '' : text;
  return { shown, signature: signThinking(shown), tokens: countTokens(text) };
}

function tokensOf(reply: DemoReply): number {
  const text = reply.text + reply.toolCalls.map((call) => call.argumentsJson).join('');
  return text.length === 0 ? 0 : countTokens(text);
}

/**
 * Usage in the manager's terms (core `TokenUsage`): every prompt token in `inputTokens`, every
 * output token in `outputTokens`, and the cache and reasoning parts only when there are some.
 * Request records keep this, so tests can compare it with what a provider reports.
 */
export function toTokenUsage(usage: WireUsage): TokenUsage {
  const written = usage.cacheWrite5m + usage.cacheWrite1h;
  return {
    inputTokens: usage.promptTokens,
    outputTokens: usage.outputTokens,
    ...(usage.cacheRead > 0 ? { cacheReadTokens: usage.cacheRead } : {}),
    ...(written > 0 ? { cacheWriteTokens: written } : {}),
    ...(usage.reasoningTokens > 0 ? { reasoningTokens: usage.reasoningTokens } : {}),
  };
}
