/**
 * What a request is before it is sent: one normalised shape (or a `badRequest` saying what is
 * wrong), the tool calls a provider returned checked against what was offered, and the rough token
 * estimate used for decisions before sending.
 */
import { LlmError } from './errors';
import type { ChatMessage, GenerateRequest, ToolCall, ToolChoice, ToolDefinition } from './types';

export interface NormalizedRequest {
  readonly messages: readonly ChatMessage[];
  readonly system?: string;
  readonly tools?: readonly ToolDefinition[];
  readonly toolChoice?: ToolChoice;
}

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** Turns `prompt`/`messages`/`system` into one shape, or throws a `badRequest` saying what is wrong. */
export function normalizeRequest(request: GenerateRequest): NormalizedRequest {
  const systemParts: string[] = [];
  if (request.system) systemParts.push(request.system);
  const messages: ChatMessage[] = [];
  for (const message of request.messages ?? []) {
    if (typeof message?.content !== 'string') {
      throw new LlmError('badRequest', 'Every message needs text content.');
    }
    const role: string = message.role;
    // Callers from plain JavaScript sometimes put the system prompt in the list; accept it.
    if (role === 'system') systemParts.push(message.content);
    else if (role === 'user') messages.push({ role, content: message.content });
    else if (role === 'assistant') {
      for (const call of message.toolCalls ?? []) checkToolCall(call);
      messages.push({
        role,
        content: message.content,
        ...(message.toolCalls?.length ? { toolCalls: message.toolCalls } : {}),
        // Opaque reasoning to hand back to the provider that made it (see ChatMessage.thinking).
        ...(Array.isArray(message.thinking) && message.thinking.length ? { thinking: message.thinking } : {}),
      });
    } else if (role === 'tool') {
      if (typeof message.toolCallId !== 'string' || !message.toolCallId) {
        throw new LlmError('badRequest', 'A tool result needs the `toolCallId` of the call it answers.');
      }
      messages.push({
        role,
        content: message.content,
        toolCallId: message.toolCallId,
        ...(message.isError ? { isError: true } : {}),
      });
    } else throw new LlmError('badRequest', `Unknown message role "${role}".`);
  }
  if (request.prompt !== undefined) messages.push({ role: 'user', content: request.prompt });
  if (!messages.some((m) => m.content.trim().length > 0 || m.role === 'tool' || m.toolCalls?.length)) {
    throw new LlmError('badRequest', 'The request has no prompt: give `prompt` or non-empty `messages`.');
  }
  const tools = request.tools?.length ? request.tools : undefined;
  if (tools) {
    const names = new Set<string>();
    for (const tool of tools) {
      if (typeof tool?.name !== 'string' || !TOOL_NAME.test(tool.name)) {
        throw new LlmError(
          'badRequest',
          `Tool names use letters, digits, _ and - only, at most 64 (got ${JSON.stringify(tool?.name)}).`,
        );
      }
      if (names.has(tool.name)) throw new LlmError('badRequest', `Two tools are named "${tool.name}".`);
      if (typeof tool.parameters !== 'object' || tool.parameters === null || Array.isArray(tool.parameters)) {
        throw new LlmError('badRequest', `Tool "${tool.name}" needs a JSON schema object as its parameters.`);
      }
      names.add(tool.name);
    }
    const choice = request.toolChoice;
    if (choice !== undefined && typeof choice !== 'string' && !names.has(choice.name)) {
      throw new LlmError(
        'badRequest',
        `The tool choice names "${choice.name}", which is not among the request's tools.`,
      );
    }
  }
  if (request.temperature !== undefined && !(request.temperature >= 0 && request.temperature <= 2)) {
    throw new LlmError('badRequest', `Temperature must be between 0 and 2 (got ${request.temperature}).`);
  }
  if (request.maxTokens !== undefined && !(Number.isInteger(request.maxTokens) && request.maxTokens > 0)) {
    throw new LlmError('badRequest', `maxTokens must be a positive whole number (got ${request.maxTokens}).`);
  }
  const system = systemParts.join('\n\n');
  return {
    messages,
    ...(system ? { system } : {}),
    ...(tools ? { tools, ...(request.toolChoice ? { toolChoice: request.toolChoice } : {}) } : {}),
  };
}

function checkToolCall(call: ToolCall): void {
  if (
    typeof call?.id !== 'string' ||
    !call.id ||
    typeof call.name !== 'string' ||
    typeof call.arguments !== 'object' ||
    call.arguments === null
  ) {
    throw new LlmError(
      'badRequest',
      'Every tool call in the history needs an id, a name and an arguments object.',
    );
  }
}

/**
 * Checks the tool calls a provider returned: each must name one of the request's tools and carry
 * an arguments object. Anything else is a `badResponse` (the chain may retry or move on).
 */
export function validateToolCalls(
  calls: readonly ToolCall[],
  tools: readonly ToolDefinition[] | undefined,
  model: string,
): void {
  const offered = new Set((tools ?? []).map((t) => t.name));
  for (const call of calls) {
    if (typeof call?.name !== 'string' || !offered.has(call.name)) {
      throw new LlmError(
        'badResponse',
        `${model} asked to call a tool that was not offered (${JSON.stringify(call?.name)}).`,
        { model },
      );
    }
    if (
      typeof call.id !== 'string' ||
      !call.id ||
      typeof call.arguments !== 'object' ||
      call.arguments === null ||
      Array.isArray(call.arguments)
    ) {
      throw new LlmError('badResponse', `${model} sent a malformed call of the tool "${call.name}".`, {
        model,
      });
    }
  }
}

/**
 * A deliberately simple token estimate (about four characters per token plus a little per message)
 * used only for decisions before sending: which windows are too small, what a request may cost.
 * Billing uses the provider's real usage figures.
 */
export function estimateInputTokens(request: NormalizedRequest): number {
  let chars = request.system?.length ?? 0;
  for (const message of request.messages) {
    chars += message.content.length;
    if (message.toolCalls) chars += JSON.stringify(message.toolCalls).length;
  }
  if (request.tools) chars += JSON.stringify(request.tools).length;
  return Math.ceil(chars / 4) + 4 * (request.messages.length + 1);
}

export function estimateTextTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
