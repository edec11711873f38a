/**
 * The core's one representation of conversations with tools, in each vendor's wire format and
 * back. Kept apart from the providers so that a conversation begun on one vendor can move to the
 * other mid-way with its tool history intact, and so the mapping is unit-tested on its own.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';
import type { ChatMessage, ProviderRequest, ToolChoice, ToolDefinition } from '../core';

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
        messages.push({ role: 'tool', tool_call_id: message.toolCallId ?? '', content: message.isError ? `Error: ${message.content}` : message.content });
        break;
    }
  }
  return messages;
}

export function toOpenAiTools(tools: readonly ToolDefinition[]): OpenAI.Chat.Completions.ChatCompletionTool[] {
  return tools.map((tool) => ({
    type: 'function' as const,
    function: { name: tool.name, ...(tool.description ? { description: tool.description } : {}), parameters: { ...tool.parameters } },
  }));
}

export function toOpenAiToolChoice(choice: ToolChoice): OpenAI.Chat.Completions.ChatCompletionToolChoiceOption {
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
    if (last?.role === 'user' && Array.isArray(last.content) && last.content.every((b) => b.type === 'tool_result')) {
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
        if (!message.toolCalls?.length) {
          result.push({ role: 'assistant', content: message.content });
          break;
        }
        const blocks: AnthropicBlock[] = [];
        if (message.content) blocks.push({ type: 'text', text: message.content });
        for (const call of message.toolCalls) blocks.push({ type: 'tool_use', id: call.id, name: call.name, input: call.arguments });
        result.push({ role: 'assistant', content: blocks });
        break;
      }
      case 'tool':
        pushToolResult({ type: 'tool_result', tool_use_id: message.toolCallId ?? '', content: message.content, ...(message.isError ? { is_error: true } : {}) });
        break;
    }
  }
  return result;
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
