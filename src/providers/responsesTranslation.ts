/**
 * The core's conversations in the OpenAI Responses API's shape and back: messages become input
 * items (user and assistant messages, `function_call` items with the call's `call_id`,
 * `function_call_output` items answering them, and reasoning items passed back), tools become
 * Responses function tools, and an answer's output items become text, tool calls and reasoning.
 * The core's tool-call id is the Responses `call_id`, so a conversation moves between this API, chat
 * completions and Anthropic with its tool history intact.
 */

import type {
  FunctionTool,
  ResponseInputItem,
  ToolChoiceFunction,
  ToolChoiceOptions,
} from 'openai/resources/responses/responses';
import type { ChatMessage, ThinkingBlock, ToolCall, ToolChoice, ToolDefinition } from '../core';
import { RESPONSES_REASONING_FORMAT } from './parameterRules';
import { parseToolArguments, unreadableCall, type AnswerSource } from './toolTranslation';

/**
 * Input items for `messages`. Reasoning items go back only with what lets the API trust them:
 * their encrypted content, or (when the vendor stores responses) their id.
 */
export function toResponsesInput(messages: readonly ChatMessage[], stored: boolean): ResponseInputItem[] {
  const items: ResponseInputItem[] = [];
  for (const message of messages) {
    switch (message.role) {
      case 'user':
        items.push({ role: 'user', content: message.content });
        break;
      case 'assistant':
        for (const block of message.thinking ?? []) {
          const item = reasoningItem(block, stored);
          if (item) items.push(item);
        }
        if (message.content) items.push({ role: 'assistant', content: message.content });
        for (const call of message.toolCalls ?? []) {
          // No item id: with `store: false` the API knows no stored item by it.
          items.push({
            type: 'function_call',
            call_id: call.id,
            name: call.name,
            arguments: JSON.stringify(call.arguments),
          });
        }
        break;
      case 'tool':
        items.push({
          type: 'function_call_output',
          call_id: message.toolCallId ?? '',
          output: message.isError ? `Error: ${message.content}` : message.content,
        });
        break;
    }
  }
  return items;
}

function reasoningItem(block: ThinkingBlock, stored: boolean): ResponseInputItem | undefined {
  if (block.format !== RESPONSES_REASONING_FORMAT || block.id === undefined) return undefined;
  if (block.data === undefined && !stored) return undefined;
  return {
    type: 'reasoning',
    id: block.id,
    summary: block.text ? [{ type: 'summary_text', text: block.text }] : [],
    ...(block.data !== undefined ? { encrypted_content: block.data } : {}),
  };
}

export function toResponsesTools(tools: readonly ToolDefinition[]): FunctionTool[] {
  return tools.map((tool) => ({
    type: 'function' as const,
    name: tool.name,
    ...(tool.description ? { description: tool.description } : {}),
    parameters: { ...tool.parameters },
    // Strict mode would require every property and no extra ones: schemas from users and VS Code tools rarely are.
    strict: false,
  }));
}

export function toResponsesToolChoice(choice: ToolChoice): ToolChoiceOptions | ToolChoiceFunction {
  return typeof choice === 'string' ? choice : { type: 'function', name: choice.name };
}

/** What the output items of a finished response amount to. */
export interface ResponsesOutput {
  readonly text: string;
  readonly toolCalls: ToolCall[];
  readonly thinking: ThinkingBlock[];
  /** The model refused (a `refusal` content part and no text). */
  readonly refused: boolean;
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads the `output` items of a response: message text, function calls, reasoning. */
export function readResponsesOutput(output: unknown, source: AnswerSource): ResponsesOutput {
  const result: ResponsesOutput = { text: '', toolCalls: [], thinking: [], refused: false };
  let text = '';
  let refused = false;
  for (const item of Array.isArray(output) ? output : []) {
    if (!isObject(item)) continue;
    if (item.type === 'message') {
      for (const part of Array.isArray(item.content) ? item.content : []) {
        if (!isObject(part)) continue;
        if (part.type === 'output_text' && typeof part.text === 'string') text += part.text;
        else if (part.type === 'refusal') refused = true;
      }
    } else if (item.type === 'function_call') {
      result.toolCalls.push(functionCallOf(item, source));
    } else if (item.type === 'reasoning') {
      const block = reasoningBlockOf(item);
      if (block) result.thinking.push(block);
    }
  }
  return { ...result, text, refused: refused && text.length === 0 };
}

/** A `function_call` output item as the core's call; its `call_id` is the call's id. */
export function functionCallOf(item: JsonObject, source: AnswerSource): ToolCall {
  const name = typeof item.name === 'string' ? item.name : '';
  const id = typeof item.call_id === 'string' ? item.call_id : '';
  if (!name || !id) throw unreadableCall(source, 'a `function_call` item has no call_id or name');
  return { id, name, arguments: parseToolArguments(item.arguments, name, source) };
}

/** A reasoning output item as a thinking block (its summary as text; the encrypted content as data). */
export function reasoningBlockOf(item: JsonObject): ThinkingBlock | undefined {
  if (typeof item.id !== 'string') return undefined;
  const summary = Array.isArray(item.summary)
    ? item.summary
        .map((part) => (isObject(part) && typeof part.text === 'string' ? part.text : ''))
        .join('\n')
    : '';
  const data = typeof item.encrypted_content === 'string' ? item.encrypted_content : undefined;
  return { format: RESPONSES_REASONING_FORMAT, text: summary, id: item.id, ...(data ? { data } : {}) };
}
