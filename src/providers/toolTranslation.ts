/**
 * The core's one representation of conversations with tools, in each vendor's wire format and
 * back: requests (history, tools, tool choice) out, and the tool calls of answers (whole or
 * streamed in pieces) in. Kept apart from the providers so that a conversation begun on one vendor
 * can move to the other mid-way with its tool history intact, and so the mapping is unit-tested on
 * its own.
 */
import { randomUUID } from 'node:crypto';
import type Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';
import {
  LlmError,
  type ChatMessage,
  type ProviderRequest,
  type ThinkingBlock,
  type ToolCall,
  type ToolChoice,
  type ToolDefinition,
} from '../core';
import { ANTHROPIC_THINKING_FORMAT } from './parameterRules';

type OpenAiMessage = OpenAI.Chat.Completions.ChatCompletionMessageParam;
type AnthropicMessage = Anthropic.Messages.MessageParam;
type AnthropicBlock = Anthropic.Messages.ContentBlockParam;

/** OpenAI chat messages: system first, assistant tool calls as `tool_calls`, results as `tool` messages. */
export function toOpenAiMessages(request: Pick<ProviderRequest, 'system' | 'messages'>): OpenAiMessage[] {
  const messages: OpenAiMessage[] = [];
  if (request.system) messages.push({ role: 'system', content: request.system });
  for (const message of request.messages) {
    switch (message.role) {
      case 'user':
        messages.push({ role: 'user', content: message.content });
        break;
      case 'assistant':
        messages.push({
          role: 'assistant',
          content: message.content || null,
          ...(message.toolCalls?.length
            ? {
                tool_calls: message.toolCalls.map((call) => ({
                  id: call.id,
                  type: 'function' as const,
                  function: { name: call.name, arguments: JSON.stringify(call.arguments) },
                })),
              }
            : {}),
        });
        break;
      case 'tool':
        messages.push({
          role: 'tool',
          tool_call_id: message.toolCallId ?? '',
          content: message.isError ? `Error: ${message.content}` : message.content,
        });
        break;
    }
  }
  return messages;
}

export function toOpenAiTools(
  tools: readonly ToolDefinition[],
): OpenAI.Chat.Completions.ChatCompletionTool[] {
  return tools.map((tool) => ({
    type: 'function' as const,
    function: {
      name: tool.name,
      ...(tool.description ? { description: tool.description } : {}),
      parameters: { ...tool.parameters },
    },
  }));
}

export function toOpenAiToolChoice(
  choice: ToolChoice,
): OpenAI.Chat.Completions.ChatCompletionToolChoiceOption {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
}

/**
 * Anthropic messages: tool calls become `tool_use` blocks of the assistant turn; results become
 * `tool_result` blocks of a user turn (consecutive results share one turn, as the API requires).
 */
export function toAnthropicMessages(messages: readonly ChatMessage[]): AnthropicMessage[] {
  const result: AnthropicMessage[] = [];
  const pushToolResult = (block: Anthropic.Messages.ToolResultBlockParam) => {
    const last = result[result.length - 1];
    if (
      last?.role === 'user' &&
      Array.isArray(last.content) &&
      last.content.every((b) => b.type === 'tool_result')
    ) {
      (last.content as AnthropicBlock[]).push(block);
    } else {
      result.push({ role: 'user', content: [block] });
    }
  };
  for (const message of messages) {
    switch (message.role) {
      case 'user':
        result.push({ role: 'user', content: message.content });
        break;
      case 'assistant': {
        const thinking = toAnthropicThinking(message.thinking);
        if (!message.toolCalls?.length && thinking.length === 0) {
          result.push({ role: 'assistant', content: message.content });
          break;
        }
        // Thinking comes first, as the model produced it: the API requires it before `tool_use`.
        const blocks: AnthropicBlock[] = [...thinking];
        if (message.content) blocks.push({ type: 'text', text: message.content });
        for (const call of message.toolCalls ?? [])
          blocks.push({ type: 'tool_use', id: call.id, name: call.name, input: call.arguments });
        result.push({ role: 'assistant', content: blocks });
        break;
      }
      case 'tool':
        pushToolResult({
          type: 'tool_result',
          tool_use_id: message.toolCallId ?? '',
          content: message.content,
          ...(message.isError ? { is_error: true } : {}),
        });
        break;
    }
  }
  return result;
}

/** The turn's Claude thinking as the API wants it back (signed, unchanged); other vendors' reasoning is left out. */
function toAnthropicThinking(thinking: readonly ThinkingBlock[] | undefined): AnthropicBlock[] {
  const blocks: AnthropicBlock[] = [];
  for (const block of thinking ?? []) {
    if (block.format !== ANTHROPIC_THINKING_FORMAT || block.data === undefined) continue;
    blocks.push(
      block.redacted
        ? { type: 'redacted_thinking', data: block.data }
        : { type: 'thinking', thinking: block.text, signature: block.data },
    );
  }
  return blocks;
}

export function toAnthropicTools(tools: readonly ToolDefinition[]): Anthropic.Messages.Tool[] {
  return tools.map((tool) => ({
    name: tool.name,
    ...(tool.description ? { description: tool.description } : {}),
    input_schema: { type: 'object' as const, ...tool.parameters },
  }));
}

export function toAnthropicToolChoice(choice: ToolChoice): Anthropic.Messages.ToolChoice {
  if (typeof choice !== 'string') return { type: 'tool', name: choice.name };
  switch (choice) {
    case 'auto':
      return { type: 'auto' };
    case 'required':
      return { type: 'any' };
    case 'none':
      return { type: 'none' };
  }
}

// ---- Answers: each vendor's tool calls back into the core's ToolCall ----------------------------

/** Who sent an answer, for the messages of the errors its tool calls may raise. */
export interface AnswerSource {
  /** Provider label (`openai`, `azure`, `anthropic`, `groq`, …). */
  readonly provider: string;
  /** The registry name of the model. */
  readonly model: string;
}

/**
 * A tool call the adapter cannot hand on: `badResponse`, so the chain retries or moves on as for
 * any other unreadable answer, instead of the caller running a tool with arguments it never got.
 */
export function unreadableCall(source: AnswerSource, what: string): LlmError {
  return new LlmError('badResponse', `${source.provider} sent a tool call that could not be read: ${what}.`, {
    provider: source.provider,
    model: source.model,
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A tool call's arguments as an object. OpenAI sends them as JSON text, which models do get wrong
 * (cut short, a bare string); that is a `badResponse`, never a crash. Empty text means "no
 * arguments" (some compatible servers send `""` for a tool without parameters), and an object is
 * taken as it is (some compatible servers send one instead of text).
 */
export function parseToolArguments(
  raw: unknown,
  toolName: string,
  source: AnswerSource,
): Record<string, unknown> {
  let value = raw;
  if (typeof raw === 'string') {
    if (raw.trim() === '') return {};
    try {
      value = JSON.parse(raw);
    } catch {
      throw unreadableCall(source, `the arguments of "${toolName}" are not valid JSON`);
    }
  }
  if (!isPlainObject(value))
    throw unreadableCall(source, `the arguments of "${toolName}" are not a JSON object`);
  return value;
}

/**
 * An id for a call that came without one. Some OpenAI-compatible local servers leave ids out; the
 * core needs one so that the tool's result can say which call it answers.
 */
function madeUpCallId(): string {
  return `call_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
}

/** The calls of a non-streamed OpenAI answer (`choices[0].message.tool_calls`); none when absent. */
export function fromOpenAiToolCalls(raw: unknown, source: AnswerSource): ToolCall[] {
  if (raw == null) return [];
  if (!Array.isArray(raw)) throw unreadableCall(source, '`tool_calls` is not a list');
  return raw.map((item: unknown) => {
    const call = isPlainObject(item) ? item : {};
    const fn = isPlainObject(call.function) ? call.function : {};
    const name = typeof fn.name === 'string' ? fn.name : '';
    // Only function tools are ever offered; a custom tool call answers a request we did not make.
    if (!name || (call.type !== undefined && call.type !== 'function'))
      throw unreadableCall(source, 'a call names no function');
    const id = typeof call.id === 'string' && call.id ? call.id : madeUpCallId();
    return { id, name, arguments: parseToolArguments(fn.arguments, name, source) };
  });
}

/** The `tool_use` blocks of a non-streamed Anthropic answer; their `input` must already be an object. */
export function fromAnthropicToolUse(content: readonly unknown[], source: AnswerSource): ToolCall[] {
  const calls: ToolCall[] = [];
  for (const block of content) {
    if (!isPlainObject(block) || block.type !== 'tool_use') continue;
    const name = typeof block.name === 'string' ? block.name : '';
    if (!name || typeof block.id !== 'string' || !block.id)
      throw unreadableCall(source, 'a `tool_use` block has no id or name');
    if (!isPlainObject(block.input))
      throw unreadableCall(source, `the input of "${name}" is not a JSON object`);
    calls.push({ id: block.id, name, arguments: block.input });
  }
  return calls;
}

interface OpenAiCallInPieces {
  id?: string;
  name?: string;
  argumentsText: string;
  /** Set when a compatible server sent the arguments as an object instead of text. */
  argumentsObject?: Record<string, unknown>;
}

/**
 * Puts the tool calls of a streamed OpenAI answer together. The first piece of each call carries
 * its id and name, later pieces only more of the arguments text; pieces say which call they extend
 * by `index`, and the calls of one answer may interleave. A piece without an index (seen from some
 * compatible servers that send each call whole) starts a new call when it brings a new id, and
 * otherwise extends the last one.
 */
export class OpenAiToolCallAssembler {
  private readonly calls: OpenAiCallInPieces[] = [];
  private readonly byIndex = new Map<number, OpenAiCallInPieces>();

  get isEmpty(): boolean {
    return this.calls.length === 0;
  }

  /** Takes the `delta.tool_calls` of one chunk. */
  add(deltas: unknown): void {
    if (!Array.isArray(deltas)) return;
    for (const item of deltas) {
      if (!isPlainObject(item)) continue;
      const id = typeof item.id === 'string' && item.id ? item.id : undefined;
      const call = typeof item.index === 'number' ? this.callAt(item.index) : this.callWithoutIndex(id);
      if (id && !call.id) call.id = id;
      const fn = isPlainObject(item.function) ? item.function : {};
      // The name comes whole in the first piece; servers that repeat it must not double it.
      if (typeof fn.name === 'string' && fn.name && !call.name) call.name = fn.name;
      if (typeof fn.arguments === 'string') call.argumentsText += fn.arguments;
      else if (isPlainObject(fn.arguments)) call.argumentsObject = fn.arguments;
    }
  }

  /** The calls assembled so far, complete and parsed, in the order they began; the assembler is empty after. */
  take(source: AnswerSource): ToolCall[] {
    const calls = this.calls.splice(0).map((call) => {
      if (!call.name) throw unreadableCall(source, 'a streamed call names no function');
      return {
        id: call.id ?? madeUpCallId(),
        name: call.name,
        arguments: parseToolArguments(call.argumentsObject ?? call.argumentsText, call.name, source),
      };
    });
    this.byIndex.clear();
    return calls;
  }

  private callAt(index: number): OpenAiCallInPieces {
    let call = this.byIndex.get(index);
    if (!call) {
      call = this.begin();
      this.byIndex.set(index, call);
    }
    return call;
  }

  private callWithoutIndex(id: string | undefined): OpenAiCallInPieces {
    const last = this.calls[this.calls.length - 1];
    if (!last || (id !== undefined && last.id !== undefined && last.id !== id)) return this.begin();
    return last;
  }

  private begin(): OpenAiCallInPieces {
    const call: OpenAiCallInPieces = { argumentsText: '' };
    this.calls.push(call);
    return call;
  }
}

/**
 * Puts the tool calls of a streamed Anthropic answer together: `content_block_start` opens a
 * `tool_use` block with its id and name, `input_json_delta` events bring its input as pieces of
 * JSON text, and `content_block_stop` closes it (no pieces at all means an empty input).
 */
export class AnthropicToolUseAssembler {
  private readonly open = new Map<number, { readonly id: string; readonly name: string; json: string }>();

  /** Whether a tool call was opened and not yet closed. */
  get hasOpenCalls(): boolean {
    return this.open.size > 0;
  }

  /** Takes a `content_block_start`; blocks other than `tool_use` are not its business. */
  start(index: number, block: unknown, source: AnswerSource): void {
    if (!isPlainObject(block) || block.type !== 'tool_use') return;
    const name = typeof block.name === 'string' ? block.name : '';
    if (!name || typeof block.id !== 'string' || !block.id)
      throw unreadableCall(source, 'a streamed `tool_use` block has no id or name');
    this.open.set(index, { id: block.id, name, json: '' });
  }

  /** Takes the `partial_json` of an `input_json_delta`. */
  append(index: number, partialJson: string): void {
    const call = this.open.get(index);
    if (call) call.json += partialJson;
  }

  /** Takes a `content_block_stop`: the finished call, or undefined when the block was not a tool call. */
  finish(index: number, source: AnswerSource): ToolCall | undefined {
    const call = this.open.get(index);
    if (!call) return undefined;
    this.open.delete(index);
    return { id: call.id, name: call.name, arguments: parseToolArguments(call.json, call.name, source) };
  }
}
