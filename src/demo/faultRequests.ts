/**
 * How the fault upstream reads a request of any of its three APIs (OpenAI chat completions, the
 * OpenAI Responses API, Anthropic Messages) into one shape: the model, the prompt as blocks (for
 * token counts and prompt caching), the tools, the output cap, and a summary of the parameters that
 * the vendors' rules look at, which the request records keep for tests.
 */

import { countTokens, type Vendor, type WireApi } from './faultResponses';
import { readToolFacts, textOf, type ToolFacts } from './faultTools';
import type { CacheTtl, PromptBlock } from './promptCache';
import {
  inputItems,
  itemType,
  readResponsesToolFacts,
  responsesText,
  type EarlierCalls,
} from './responsesInput';

/** The wire format a request arrived in. */
export type { WireApi } from './faultResponses';

/** Where a request put its system prompt. */
export type SystemPlacement = 'topLevel' | 'instructions' | 'message' | 'none';

/**
 * The parameters of a request that the vendors' rules look at, as received (absent when the
 * request did not send them). Request records keep this so tests can check what reached the API.
 */
export interface RequestParams {
  readonly api: WireApi;
  readonly temperature?: number;
  readonly topP?: number;
  readonly topK?: number;
  readonly maxTokens?: number;
  readonly maxCompletionTokens?: number;
  readonly maxOutputTokens?: number;
  /** Chat `reasoning_effort` or Responses `reasoning.effort`. */
  readonly reasoningEffort?: string;
  /** Responses `reasoning.summary`. */
  readonly reasoningSummary?: string;
  /** Anthropic `thinking`, as sent. */
  readonly thinking?: unknown;
  /** How many `cache_control` breakpoints the request carries (Anthropic; the top-level one included). */
  readonly cacheControlBlocks: number;
  readonly systemPlacement: SystemPlacement;
  /** Responses `store`. */
  readonly store?: boolean;
  /** Chat `stream_options.include_usage`. */
  readonly includeUsage?: boolean;
  readonly previousResponseId?: string;
}

/** Anthropic's thinking request, read. */
export interface ThinkingRequest {
  readonly type: string;
  readonly budgetTokens?: number;
  readonly display?: string;
}

export interface ParsedRequest {
  readonly vendor: Vendor;
  readonly api: WireApi;
  readonly model: string;
  readonly stream: boolean;
  /** Whether usage goes into the stream (always for Responses and Anthropic). */
  readonly includeUsage: boolean;
  /** What the user asked last (the demo answer quotes it). */
  readonly lastUserText: string;
  /** The output cap the request set, whichever parameter carried it. */
  readonly maxTokens?: number;
  readonly apiVersion?: string;
  readonly tools: ToolFacts;
  /** The prompt in the vendor's reading order, block by block. */
  readonly prompt: readonly PromptBlock[];
  readonly params: RequestParams;
  readonly reasoningEffort?: string;
  readonly thinking?: ThinkingRequest;
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const numberOf = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);
const stringOf = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Tokens a prompt counts for: its blocks, plus a few that prime the answer (as the APIs count). */
export function promptTokens(blocks: readonly PromptBlock[]): number {
  return blocks.reduce((sum, block) => sum + block.tokens, 0) + 3;
}

/** Where the request came in, besides its body. */
export interface RequestSource {
  readonly api: WireApi;
  readonly vendor: Vendor;
  /** Azure names the model in the path. */
  readonly deployment?: string;
  readonly apiVersion?: string;
  /** Calls of the stored response that `previous_response_id` names (Responses). */
  readonly earlierCalls?: EarlierCalls;
}

export function parseRequest(source: RequestSource, json: JsonObject): ParsedRequest {
  switch (source.api) {
    case 'chat':
      return parseChat(source, json);
    case 'responses':
      return parseResponses(source, json);
    case 'messages':
      return parseMessages(source, json);
  }
}

function common(source: RequestSource, json: JsonObject) {
  return {
    vendor: source.vendor,
    api: source.api,
    model: source.deployment ?? (typeof json.model === 'string' ? json.model : ''),
    stream: json.stream === true,
    apiVersion: source.apiVersion,
  };
}

function parseChat(source: RequestSource, json: JsonObject): ParsedRequest {
  const messages = Array.isArray(json.messages) ? json.messages.filter(isObject) : [];
  const prompt: PromptBlock[] = toolBlocks(json.tools);
  let lastUserText = '';
  for (const message of messages) {
    const text = textOf(message.content);
    const calls = Array.isArray(message.tool_calls) ? JSON.stringify(message.tool_calls) : '';
    prompt.push(block(`${String(message.role)}:${text}${calls}`, text + calls, 3));
    if (message.role === 'user' && text) lastUserText = text;
  }
  const streamOptions = isObject(json.stream_options) ? json.stream_options : {};
  const includeUsage = streamOptions.include_usage === true;
  const system = messages.some((m) => m.role === 'system' || m.role === 'developer');
  const reasoningEffort = stringOf(json.reasoning_effort);
  return {
    ...common(source, json),
    includeUsage,
    lastUserText: lastUserText || lastText(prompt),
    maxTokens: [json.max_completion_tokens, json.max_tokens]
      .map(numberOf)
      .find((v) => v !== undefined && v > 0),
    tools: readToolFacts(source.vendor, json),
    prompt,
    reasoningEffort,
    params: {
      api: 'chat',
      temperature: numberOf(json.temperature),
      topP: numberOf(json.top_p),
      maxTokens: numberOf(json.max_tokens),
      maxCompletionTokens: numberOf(json.max_completion_tokens),
      reasoningEffort,
      cacheControlBlocks: 0,
      systemPlacement: system ? 'message' : 'none',
      includeUsage: isObject(json.stream_options) ? includeUsage : undefined,
    },
  };
}

function parseResponses(source: RequestSource, json: JsonObject): ParsedRequest {
  const prompt: PromptBlock[] = toolBlocks(json.tools);
  const instructions = stringOf(json.instructions);
  if (instructions) prompt.push(block(`instructions:${instructions}`, instructions));
  let lastUserText = '';
  let systemMessage = false;
  for (const item of inputItems(json)) {
    const type = itemType(item);
    if (type === 'message') {
      const text = responsesText(item.content);
      prompt.push(block(`${String(item.role)}:${text}`, text, 3));
      if (item.role === 'user' && text) lastUserText = text;
      if (item.role === 'system' || item.role === 'developer') systemMessage = true;
    } else {
      const text = type === 'function_call_output' ? responsesText(item.output) || textOf(item.output) : '';
      prompt.push(block(JSON.stringify(item), text || JSON.stringify(item), 3));
    }
  }
  const reasoning = isObject(json.reasoning) ? json.reasoning : {};
  const reasoningEffort = stringOf(reasoning.effort);
  const maxOutputTokens = numberOf(json.max_output_tokens);
  return {
    ...common(source, json),
    includeUsage: true,
    lastUserText: lastUserText || lastText(prompt),
    maxTokens: maxOutputTokens !== undefined && maxOutputTokens > 0 ? maxOutputTokens : undefined,
    tools: readResponsesToolFacts(json, source.earlierCalls),
    prompt,
    reasoningEffort,
    params: {
      api: 'responses',
      temperature: numberOf(json.temperature),
      topP: numberOf(json.top_p),
      maxOutputTokens,
      reasoningEffort,
      reasoningSummary: stringOf(reasoning.summary),
      cacheControlBlocks: 0,
      systemPlacement: instructions ? 'instructions' : systemMessage ? 'message' : 'none',
      store: typeof json.store === 'boolean' ? json.store : undefined,
      previousResponseId: stringOf(json.previous_response_id),
    },
  };
}

function parseMessages(source: RequestSource, json: JsonObject): ParsedRequest {
  const prompt: PromptBlock[] = [];
  let breakpoints = 0;
  const mark = (holder: JsonObject): CacheTtl | undefined => {
    if (!isObject(holder.cache_control)) return undefined;
    breakpoints++;
    return holder.cache_control.ttl === '1h' ? '1h' : '5m';
  };
  for (const tool of Array.isArray(json.tools) ? json.tools.filter(isObject) : []) {
    const { cache_control: _ignored, ...definition } = tool;
    prompt.push(block(`tool:${JSON.stringify(definition)}`, JSON.stringify(definition), 0, mark(tool)));
  }
  if (typeof json.system === 'string') prompt.push(block(`system:${json.system}`, json.system));
  for (const part of Array.isArray(json.system) ? json.system.filter(isObject) : []) {
    const text = stringOf(part.text) ?? '';
    prompt.push(block(`system:${text}`, text, 0, mark(part)));
  }
  let lastUserText = '';
  const messages = Array.isArray(json.messages) ? json.messages.filter(isObject) : [];
  for (const message of messages) {
    const role = String(message.role);
    if (typeof message.content === 'string') {
      prompt.push(block(`${role}:${message.content}`, message.content, 3));
      if (role === 'user' && message.content) lastUserText = message.content;
      continue;
    }
    const parts = Array.isArray(message.content) ? message.content.filter(isObject) : [];
    parts.forEach((part, index) => {
      const { cache_control: _ignored, ...content } = part;
      const text = anthropicBlockText(part);
      prompt.push(block(`${role}:${JSON.stringify(content)}`, text, index === 0 ? 3 : 0, mark(part)));
    });
    const typed = textOf(parts.filter((part) => part.type === 'text'));
    if (role === 'user' && typed) lastUserText = typed;
  }
  // Automatic caching: a top-level `cache_control` puts the breakpoint on the last block.
  if (isObject(json.cache_control) && prompt.length > 0) {
    breakpoints++;
    const last = prompt[prompt.length - 1];
    prompt[prompt.length - 1] = { ...last, breakpoint: json.cache_control.ttl === '1h' ? '1h' : '5m' };
  }
  const thinking = isObject(json.thinking)
    ? {
        type: String(json.thinking.type),
        budgetTokens: numberOf(json.thinking.budget_tokens),
        display: stringOf(json.thinking.display),
      }
    : undefined;
  const hasSystem = typeof json.system === 'string' ? json.system.length > 0 : Array.isArray(json.system);
  return {
    ...common(source, json),
    includeUsage: true,
    lastUserText: lastUserText || lastText(prompt),
    maxTokens: numberOf(json.max_tokens),
    tools: readToolFacts('anthropic', json),
    prompt,
    thinking,
    params: {
      api: 'messages',
      temperature: numberOf(json.temperature),
      topP: numberOf(json.top_p),
      topK: numberOf(json.top_k),
      maxTokens: numberOf(json.max_tokens),
      thinking: json.thinking,
      cacheControlBlocks: breakpoints,
      systemPlacement: hasSystem
        ? 'topLevel'
        : messages.some((m) => m.role === 'system')
          ? 'message'
          : 'none',
    },
  };
}

/** The words of an Anthropic content block (what it costs in tokens). */
function anthropicBlockText(part: JsonObject): string {
  switch (part.type) {
    case 'text':
      return stringOf(part.text) ?? '';
    case 'thinking':
      return stringOf(part.thinking) ?? '';
    case 'tool_result':
      return textOf(part.content);
    case 'tool_use':
      return `${String(part.name)}${JSON.stringify(part.input ?? {})}`;
    default:
      return JSON.stringify(part);
  }
}

function toolBlocks(tools: unknown): PromptBlock[] {
  return (Array.isArray(tools) ? tools : []).map((tool) =>
    block(`tool:${JSON.stringify(tool)}`, JSON.stringify(tool)),
  );
}

/** A prompt block: `key` is what prefixes compare, `words` what it costs, plus a per-message overhead. */
function block(key: string, words: string, overhead = 0, breakpoint?: CacheTtl): PromptBlock {
  const tokens = (words.length === 0 ? 0 : countTokens(words)) + overhead;
  return breakpoint ? { text: key, tokens, breakpoint } : { text: key, tokens };
}

function lastText(prompt: readonly PromptBlock[]): string {
  const last = prompt[prompt.length - 1]?.text ?? '';
  return last.slice(last.indexOf(':') + 1);
}
