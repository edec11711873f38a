/**
 * The OpenAI Responses API's request side as the fault upstream reads it: input as a string or as
 * input items (messages with `input_text` / `output_text` parts, `function_call` and
 * `function_call_output` items, `reasoning` items), function tools in the Responses shape
 * (`{ type: 'function', name, parameters, strict }`), and the checks the API makes on them, in its
 * own words (sources cited at each message).
 */

import { type ErrorAnswer } from './faultResponses';
import { invalidRequestError } from './faultErrors';
import {
  textOf,
  type OfferedTool,
  type OfferedToolChoice,
  type ToolFacts,
  type ToolResultSeen,
} from './faultTools';

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The request's input as items: a string input is one user message. */
export function inputItems(json: JsonObject): JsonObject[] {
  if (typeof json.input === 'string') return [{ type: 'message', role: 'user', content: json.input }];
  return Array.isArray(json.input) ? json.input.filter(isObject) : [];
}

/** The kind of an input item: messages may leave `type` out. */
export function itemType(item: JsonObject): string {
  if (typeof item.type === 'string') return item.type;
  return typeof item.role === 'string' ? 'message' : 'unknown';
}

/** Text of a Responses content field: a string, or its text, output_text and refusal parts. */
export function responsesText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => {
      if (!isObject(part)) return '';
      if (typeof part.text === 'string') return part.text;
      return typeof part.refusal === 'string' ? part.refusal : '';
    })
    .join('');
}

/** Function calls a stored earlier response made, by `call_id` (for `previous_response_id`). */
export type EarlierCalls = ReadonlyMap<string, string>;

/** The tools, tool choice and trailing tool results of a Responses request. */
export function readResponsesToolFacts(json: JsonObject, earlier: EarlierCalls = new Map()): ToolFacts {
  const offered: OfferedTool[] = [];
  for (const tool of Array.isArray(json.tools) ? json.tools : []) {
    if (isObject(tool) && tool.type === 'function' && typeof tool.name === 'string')
      offered.push({ name: tool.name, schema: isObject(tool.parameters) ? tool.parameters : {} });
  }
  const raw = json.tool_choice;
  let choice: OfferedToolChoice = 'auto';
  if (raw === 'none' || raw === 'required' || raw === 'auto') choice = raw;
  else if (isObject(raw) && raw.type === 'function' && typeof raw.name === 'string')
    choice = { name: raw.name };

  const items = inputItems(json);
  const callNames = new Map(earlier);
  let hasHistory = earlier.size > 0;
  for (const item of items) {
    const type = itemType(item);
    if (type === 'function_call' || type === 'function_call_output') hasHistory = true;
    if (type === 'function_call' && typeof item.call_id === 'string' && typeof item.name === 'string')
      callNames.set(item.call_id, item.name);
  }
  const lastResults: ToolResultSeen[] = [];
  for (let i = items.length - 1; i >= 0 && itemType(items[i]) === 'function_call_output'; i--) {
    const id = typeof items[i].call_id === 'string' ? (items[i].call_id as string) : '';
    // Like chat tool messages, function outputs carry no error flag: a failure is only in the words.
    lastResults.unshift({
      toolName: callNames.get(id) ?? 'the tool',
      content: textOf(items[i].output) || responsesText(items[i].output),
      isError: false,
    });
  }
  return { offered, choice, lastResults, hasHistory };
}

/** Content part types each role may send (assistant turns replay output, others send input). */
const ASSISTANT_PARTS = ['output_text', 'refusal'] as const;
const INPUT_PARTS = ['input_text', 'input_image', 'input_file'] as const;

/**
 * The 400 the Responses API answers for malformed tools or input items; undefined when they are
 * well formed. `earlier` holds the calls of the response named by `previous_response_id`.
 */
export function checkResponsesInput(
  json: JsonObject,
  earlier: EarlierCalls = new Map(),
  storedItems: ReadonlySet<string> = new Set(),
): ErrorAnswer | undefined {
  const tools = Array.isArray(json.tools) ? json.tools : [];
  for (const [i, tool] of tools.entries()) {
    // A chat-shaped tool (`{ type: 'function', function: {...} }`) has no top-level name: the API
    // asks for it (the message follows the API's missing_required_parameter wording).
    if (isObject(tool) && tool.type === 'function' && typeof tool.name !== 'string') {
      return invalidRequestError(
        'openai',
        `Missing required parameter: 'tools[${i}].name'.`,
        `tools[${i}].name`,
        'missing_required_parameter',
      );
    }
  }

  const items = inputItems(json);
  const unknownItem = items.find((item) => !isKnownItem(item, storedItems));
  if (unknownItem) {
    // An item id names a stored item; a reasoning item may instead carry its encrypted content.
    // Wording as the API answers (can1357/oh-my-pi#41; jrkropp/open-webui-developer-toolkit#714).
    const unstored =
      json.store === false
        ? ' Items are not persisted when `store` is set to false. Try again with `store` set to true, or remove this item from your input.'
        : '';
    return {
      ...invalidRequestError(
        'openai',
        `Item with id '${String(unknownItem.id)}' not found.${unstored}`,
        'input',
      ),
      status: 404,
    };
  }
  const calls = new Set(earlier.keys());
  const answered = new Set<string>();
  for (const [i, item] of items.entries()) {
    const type = itemType(item);
    if (type === 'message') {
      const wrongPart = wrongContentPart(item);
      if (wrongPart) {
        // The API refuses input parts in a replayed assistant turn (sunwu51/TabPilot#46) and
        // output parts in the other roles; the wording follows its `invalid_value` messages.
        const allowed = item.role === 'assistant' ? ASSISTANT_PARTS : INPUT_PARTS;
        return invalidRequestError(
          'openai',
          `Invalid value: '${wrongPart.type}'. Supported values are: ${quotedList(allowed)}.`,
          `input[${i}].content[${wrongPart.index}]`,
          'invalid_value',
        );
      }
    } else if (type === 'function_call') {
      if (typeof item.arguments !== 'string') {
        return invalidRequestError(
          'openai',
          `Invalid type for 'input[${i}].arguments': expected a string, but got ${describeType(item.arguments)} instead.`,
          `input[${i}].arguments`,
          'invalid_type',
        );
      }
      if (typeof item.call_id === 'string') calls.add(item.call_id);
    } else if (type === 'function_call_output') {
      const id = typeof item.call_id === 'string' ? item.call_id : String(item.call_id);
      // Wording as the API answers (continuedev/continue#10092, microsoft/vscode#320060).
      if (!calls.has(id))
        return invalidRequestError(
          'openai',
          `No tool call found for function call output with call_id ${id}.`,
          'input',
        );
      answered.add(id);
    }
  }
  for (const item of items) {
    if (itemType(item) !== 'function_call' || typeof item.call_id !== 'string') continue;
    // Wording as the API answers (router-for-me/CLIProxyAPI#2368).
    if (!answered.has(item.call_id))
      return invalidRequestError(
        'openai',
        `No tool output found for function call ${item.call_id}.`,
        'input',
      );
  }
  return undefined;
}

function isKnownItem(item: JsonObject, storedItems: ReadonlySet<string>): boolean {
  if (typeof item.id !== 'string') return true;
  if (storedItems.has(item.id)) return true;
  return itemType(item) === 'reasoning' && typeof item.encrypted_content === 'string';
}

function wrongContentPart(item: JsonObject): { type: string; index: number } | undefined {
  if (!Array.isArray(item.content)) return undefined;
  const allowed: readonly string[] = item.role === 'assistant' ? ASSISTANT_PARTS : INPUT_PARTS;
  for (const [index, part] of item.content.entries()) {
    const type = isObject(part) && typeof part.type === 'string' ? part.type : 'unknown';
    if (!allowed.includes(type)) return { type, index };
  }
  return undefined;
}

export function quotedList(values: readonly string[]): string {
  const quoted = values.map((value) => `'${value}'`);
  if (quoted.length <= 2) return quoted.join(' and ');
  return `${quoted.slice(0, -1).join(', ')}, and ${quoted[quoted.length - 1]}`;
}

/** How the API names a JSON value's type in "expected a string, but got … instead". */
export function describeType(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a decimal';
  if (typeof value === 'boolean') return 'a boolean';
  return value === undefined ? 'nothing' : `a ${typeof value}`;
}
