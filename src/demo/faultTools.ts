/**
 * The fault upstream's side of tool calling: what a request offers and what its history holds, in
 * either vendor's wire format, and the calls the `tools*` and `badtools*` behaviours answer with (see
 * faultBehaviour.ts). The services' checks on that history are in faultToolChecks.ts.
 */

import type { FaultBehaviour } from './faultBehaviour';
import { randomId, type Vendor } from './faultResponses';

/** A tool the request offers, with the JSON schema of its arguments. */
export interface OfferedTool {
  readonly name: string;
  readonly schema: Readonly<Record<string, unknown>>;
}

/** The request's tool choice in one shape for both vendors (Anthropic's `any` is `required`). */
export type OfferedToolChoice = 'auto' | 'none' | 'required' | { readonly name: string };

/** A tool result the conversation ends with, and the name of the tool whose call it answers. */
export interface ToolResultSeen {
  readonly toolName: string;
  readonly content: string;
  readonly isError: boolean;
}

/** What a request says about tools. */
export interface ToolFacts {
  readonly offered: readonly OfferedTool[];
  readonly choice: OfferedToolChoice;
  /** The results the conversation ends with; empty unless its last turn is tool results. */
  readonly lastResults: readonly ToolResultSeen[];
  /** Whether any message carries a tool call or a tool result. */
  readonly hasHistory: boolean;
}

/** A tool call the upstream answers with. */
export interface DemoToolCall {
  readonly id: string;
  readonly name: string;
  /** The arguments as JSON text: OpenAI sends this, Anthropic streams it (broken on purpose for `badtools`). */
  readonly argumentsJson: string;
  /** Anthropic's non-streamed `input`: the arguments object, or something that is not one for `badtools`. */
  readonly input: unknown;
}

/** An answer of the tool behaviours: text, calls, or both. */
export interface DemoReply {
  readonly text: string;
  readonly toolCalls: readonly DemoToolCall[];
}

/** Pieces of about this many characters carry streamed arguments (real services split by token). */
const ARGUMENT_PIECE_CHARS = 5;
/** Nested schemas deeper than this get no made-up values (a recursive schema must not loop). */
const MAX_SCHEMA_DEPTH = 4;
/** Longest excerpt of the prompt used as a made-up string argument. */
const MAX_STRING_ARGUMENT = 60;

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function messagesOf(json: JsonObject): readonly unknown[] {
  return Array.isArray(json.messages) ? json.messages : [];
}

// ---- Reading a request ---------------------------------------------------------------------

/** The tools, tool choice and trailing tool results of a request in `vendor`'s format. */
export function readToolFacts(vendor: Vendor, json: JsonObject): ToolFacts {
  return vendor === 'anthropic' ? readAnthropicFacts(json) : readOpenAiFacts(json);
}

function readOpenAiFacts(json: JsonObject): ToolFacts {
  const offered: OfferedTool[] = [];
  for (const tool of Array.isArray(json.tools) ? json.tools : []) {
    const fn = isObject(tool) && isObject(tool.function) ? tool.function : undefined;
    if (fn && typeof fn.name === 'string')
      offered.push({ name: fn.name, schema: isObject(fn.parameters) ? fn.parameters : {} });
  }
  const rawChoice = json.tool_choice;
  let choice: OfferedToolChoice = 'auto';
  if (rawChoice === 'none' || rawChoice === 'required' || rawChoice === 'auto') choice = rawChoice;
  else if (isObject(rawChoice) && isObject(rawChoice.function) && typeof rawChoice.function.name === 'string')
    choice = { name: rawChoice.function.name };

  const messages = messagesOf(json);
  const callNames = new Map<string, string>();
  let hasHistory = false;
  for (const message of messages) {
    if (!isObject(message)) continue;
    if (message.role === 'tool') hasHistory = true;
    for (const call of Array.isArray(message.tool_calls) ? message.tool_calls : []) {
      hasHistory = true;
      if (
        isObject(call) &&
        typeof call.id === 'string' &&
        isObject(call.function) &&
        typeof call.function.name === 'string'
      )
        callNames.set(call.id, call.function.name);
    }
  }
  const lastResults: ToolResultSeen[] = [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (!isObject(message) || message.role !== 'tool') break;
    const id = typeof message.tool_call_id === 'string' ? message.tool_call_id : '';
    // OpenAI's tool messages have no error flag: a failure is only in the words.
    lastResults.unshift({
      toolName: callNames.get(id) ?? 'the tool',
      content: textOf(message.content),
      isError: false,
    });
  }
  return { offered, choice, lastResults, hasHistory };
}

function readAnthropicFacts(json: JsonObject): ToolFacts {
  const offered: OfferedTool[] = [];
  for (const tool of Array.isArray(json.tools) ? json.tools : []) {
    // Server tools (web search and the like) carry a versioned `type`; only client tools are called here.
    if (
      isObject(tool) &&
      typeof tool.name === 'string' &&
      (tool.type === undefined || tool.type === 'custom')
    ) {
      offered.push({ name: tool.name, schema: isObject(tool.input_schema) ? tool.input_schema : {} });
    }
  }
  const rawChoice = isObject(json.tool_choice) ? json.tool_choice : {};
  let choice: OfferedToolChoice = 'auto';
  if (rawChoice.type === 'none') choice = 'none';
  else if (rawChoice.type === 'any') choice = 'required';
  else if (rawChoice.type === 'tool' && typeof rawChoice.name === 'string') choice = { name: rawChoice.name };

  const messages = messagesOf(json);
  const callNames = new Map<string, string>();
  let hasHistory = false;
  for (const message of messages) {
    for (const block of blocksOf(message)) {
      if (block.type === 'tool_use' && typeof block.id === 'string' && typeof block.name === 'string')
        callNames.set(block.id, block.name);
      if (block.type === 'tool_use' || block.type === 'tool_result') hasHistory = true;
    }
  }
  const last = messages[messages.length - 1];
  const lastResults: ToolResultSeen[] = [];
  if (isObject(last) && last.role === 'user') {
    for (const block of blocksOf(last)) {
      if (block.type !== 'tool_result') continue;
      const id = typeof block.tool_use_id === 'string' ? block.tool_use_id : '';
      lastResults.push({
        toolName: callNames.get(id) ?? 'the tool',
        content: textOf(block.content),
        isError: block.is_error === true,
      });
    }
  }
  return { offered, choice, lastResults, hasHistory };
}

export function blocksOf(message: unknown): JsonObject[] {
  return isObject(message) && Array.isArray(message.content) ? message.content.filter(isObject) : [];
}

/** Text of a content field: a string, or the text blocks of a list. */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => (isObject(part) && typeof part.text === 'string' ? part.text : '')).join('');
}

// ---- Answering ---------------------------------------------------------------------------------

/**
 * The answer of a tool behaviour, or undefined when the behaviour (or the request) calls for the
 * ordinary text answer: another behaviour, no tools offered, or a tool choice of `none`.
 */
export function toolReply(
  behaviour: FaultBehaviour,
  vendor: Vendor,
  facts: ToolFacts,
  model: string,
  prompt: string,
): DemoReply | undefined {
  if (behaviour.kind !== 'tools' && behaviour.kind !== 'badTools') return undefined;
  if (behaviour.kind === 'tools' && facts.lastResults.length > 0) {
    const quoted = facts.lastResults.map(
      (result) => `${result.toolName} ${result.isError ? 'failed with' : 'returned'} ${result.content}`,
    );
    return { text: `Demo answer from ${model}: ${quoted.join('; ')}.`, toolCalls: [] };
  }
  if (facts.offered.length === 0 || facts.choice === 'none') return undefined;
  const choice = facts.choice;
  const first =
    (typeof choice === 'object' && facts.offered.find((tool) => tool.name === choice.name)) ||
    facts.offered[0];
  const idPrefix = vendor === 'anthropic' ? 'toolu_01' : 'call_';

  if (behaviour.kind === 'badTools') {
    let call: Pick<DemoToolCall, 'argumentsJson' | 'input'>;
    if (behaviour.flaw === 'malformedJson') {
      // Cut short, as a model that ran out of tokens mid-call leaves them; Anthropic's non-streamed
      // `input` is then that text, which is not an object.
      const whole = JSON.stringify(demoToolArguments(first.schema, prompt));
      const cut = whole.slice(0, Math.max(1, Math.floor(whole.length / 2)));
      call = { argumentsJson: cut, input: cut };
    } else {
      call = { argumentsJson: JSON.stringify([excerpt(prompt)]), input: [excerpt(prompt)] };
    }
    return { text: '', toolCalls: [{ id: randomId(idPrefix), name: first.name, ...call }] };
  }

  const tools =
    behaviour.calls === 2 ? [first, facts.offered.find((tool) => tool !== first) ?? first] : [first];
  // The second call of the same tool asks for something else, as a model would.
  const toolCalls = tools.map((tool, index) => {
    const input = demoToolArguments(tool.schema, prompt, tools.indexOf(tool) === index ? 1 : 2);
    return { id: randomId(idPrefix), name: tool.name, argumentsJson: JSON.stringify(input), input };
  });
  const named =
    tools[0] === tools[1] ? `${tools[0].name} twice` : tools.map((tool) => tool.name).join(' and ');
  const text = behaviour.calls === 2 ? `Let me call ${named}.` : '';
  return { text, toolCalls };
}

/**
 * Plausible arguments for a tool from its JSON schema: each property gets the first `enum` value,
 * its `const` or `default`, else a value of its type (strings are an excerpt of the user's words,
 * integers 3, numbers 2.5, booleans true, arrays one item). The second call of a tool in one answer
 * (`call` 2) gets strings marked ` #2` and numbers one higher. Deterministic, so tests can predict it.
 */
export function demoToolArguments(
  schema: Readonly<Record<string, unknown>>,
  prompt: string,
  call: 1 | 2 = 1,
): Record<string, unknown> {
  const value = exampleValue(schema, call === 1 ? prompt : `${excerpt(prompt)} #2`, call - 1, 0);
  return isObject(value) ? value : {};
}

function exampleValue(schema: unknown, prompt: string, bump: number, depth: number): unknown {
  const s = isObject(schema) ? schema : {};
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  if ('const' in s) return s.const;
  if (s.default !== undefined) return s.default;
  const declared = Array.isArray(s.type) ? s.type.find((type) => type !== 'null') : s.type;
  const type = typeof declared === 'string' ? declared : isObject(s.properties) ? 'object' : 'string';
  switch (type) {
    case 'object': {
      const result: JsonObject = {};
      if (depth < MAX_SCHEMA_DEPTH && isObject(s.properties)) {
        for (const [key, property] of Object.entries(s.properties))
          result[key] = exampleValue(property, prompt, bump, depth + 1);
      }
      return result;
    }
    case 'array':
      return depth < MAX_SCHEMA_DEPTH ? [exampleValue(s.items, prompt, bump, depth + 1)] : [];
    case 'integer':
      return (typeof s.minimum === 'number' ? Math.ceil(s.minimum) : 3) + bump;
    case 'number':
      return (typeof s.minimum === 'number' ? s.minimum : 2.5) + bump;
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return excerpt(prompt);
  }
}

function excerpt(prompt: string): string {
  const flat = prompt.replace(/\s+/g, ' ').trim() || 'example';
  return flat.length > MAX_STRING_ARGUMENT ? flat.slice(0, MAX_STRING_ARGUMENT) : flat;
}

/** Cuts arguments text into the small pieces a service streams (never an empty piece). */
export function splitArguments(json: string): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < json.length; i += ARGUMENT_PIECE_CHARS)
    pieces.push(json.slice(i, i + ARGUMENT_PIECE_CHARS));
  return pieces;
}
