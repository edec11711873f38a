import * as vscode from 'vscode';
import {
  estimateTextTokens,
  LlmError,
  toLlmError,
  type ChatMessage,
  type LlmManager,
  type QualityTier,
  type ThinkingBlock,
  type ToolCall,
  type ToolChoice,
  type ToolDefinition,
} from '../core';
import { CHAT_MODEL_ID } from './contributions';

/**
 * Offers the whole fallback chain to VS Code as one chat model, "LLM Manager (fallback chain)", so
 * Copilot Chat and any extension using `vscode.lm` get the chain's retries, failover and budget.
 */
export class ChainChatModelProvider implements vscode.LanguageModelChatProvider {
  private readonly _onDidChange = new vscode.EventEmitter<void>();
  readonly onDidChangeLanguageModelChatInformation = this._onDidChange.event;
  /** VS Code's messages carry no thinking: the model's thinking is kept by its calls' ids until they come back. */
  private readonly thinking = new ThinkingByCall();

  constructor(
    private readonly manager: LlmManager,
    private readonly tier: () => QualityTier = () => 'standard',
  ) {}

  /** Call when the chain changes, so VS Code re-reads the model's limits. */
  refresh(): void {
    this._onDidChange.fire();
  }

  provideLanguageModelChatInformation(): vscode.LanguageModelChatInformation[] {
    const infos = this.manager
      .chainModels()
      .map((name) => this.manager.getModelInfo(name)!)
      .filter(Boolean);
    if (infos.length === 0) return [];
    // A request may end up on any member, so the chain promises what the smallest member can take.
    const maxInputTokens =
      Math.min(...infos.map((i) => i.metadata.contextWindow - i.metadata.maxOutputTokens)) || 8192;
    const maxOutputTokens = Math.min(...infos.map((i) => i.metadata.maxOutputTokens));
    return [
      {
        id: CHAT_MODEL_ID,
        name: 'LLM Manager (fallback chain)',
        family: 'llm-manager-chain',
        version: '1',
        detail: infos.map((i) => i.name).join(' → '),
        tooltip: `Tries ${infos.map((i) => i.name).join(', then ')}, with circuit breakers, retries and your budget.`,
        maxInputTokens: Math.max(1, maxInputTokens),
        maxOutputTokens: Math.max(1, maxOutputTokens),
        // Tools pass through to the members that support them; the others are skipped for such requests.
        capabilities: {
          toolCalling: infos.some((i) => i.metadata.supportsTools !== false),
          imageInput: false,
        },
      },
    ];
  }

  async provideLanguageModelChatResponse(
    _model: vscode.LanguageModelChatInformation,
    messages: readonly vscode.LanguageModelChatRequestMessage[],
    options: vscode.ProvideLanguageModelChatResponseOptions,
    progress: vscode.Progress<vscode.LanguageModelResponsePart>,
    token: vscode.CancellationToken,
  ): Promise<void> {
    const controller = new AbortController();
    const subscription = token.onCancellationRequested(() => controller.abort());
    const converted = toChatMessages(messages, (callIds) => this.thinking.recall(callIds));
    const temperature =
      typeof options.modelOptions?.temperature === 'number' ? options.modelOptions.temperature : undefined;
    const tools = toToolDefinitions(options.tools);
    try {
      const result = await this.manager.generate({
        messages: converted.messages,
        system: converted.system,
        temperature,
        tier: this.tier(),
        ...(tools ? { tools, toolChoice: toToolChoice(options.toolMode) } : {}),
        signal: controller.signal,
        onToken: (text) => progress.report(new vscode.LanguageModelTextPart(text)),
      });
      if (result.toolCalls?.length && result.thinking?.length)
        this.thinking.remember(result.toolCalls, result.thinking);
      for (const call of result.toolCalls ?? [])
        progress.report(new vscode.LanguageModelToolCallPart(call.id, call.name, { ...call.arguments }));
    } catch (error) {
      const llmError = toLlmError(error);
      if (llmError.kind === 'cancelled') throw new vscode.CancellationError();
      throw new Error(`LLM Manager: ${llmError.message}`, { cause: error });
    } finally {
      subscription.dispose();
    }
  }

  async provideTokenCount(
    _model: vscode.LanguageModelChatInformation,
    text: string | vscode.LanguageModelChatRequestMessage,
  ): Promise<number> {
    return estimateTextTokens(typeof text === 'string' ? text : textOf(text.content));
  }

  dispose(): void {
    this._onDidChange.dispose();
  }
}

function textOf(content: ReadonlyArray<unknown>): string {
  return content.map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : '')).join('');
}

function toToolDefinitions(
  tools: readonly vscode.LanguageModelChatTool[] | undefined,
): ToolDefinition[] | undefined {
  if (!tools?.length) return undefined;
  return tools.map((tool) => ({
    name: tool.name,
    description: tool.description,
    parameters: (tool.inputSchema as Record<string, unknown> | undefined) ?? {
      type: 'object',
      properties: {},
    },
  }));
}

function toToolChoice(mode: vscode.LanguageModelChatToolMode): ToolChoice {
  return mode === vscode.LanguageModelChatToolMode.Required ? 'required' : 'auto';
}

/**
 * The thinking of answers that called tools, by call id, for the follow-up that brings their
 * results: a model with extended thinking refuses a tool result whose turn lost its thinking, and
 * VS Code's chat messages have no place for it. Bounded: old conversations are forgotten.
 */
class ThinkingByCall {
  private static readonly LIMIT = 200;
  private readonly byCallId = new Map<string, readonly ThinkingBlock[]>();

  remember(calls: readonly ToolCall[], thinking: readonly ThinkingBlock[]): void {
    for (const call of calls) {
      this.byCallId.delete(call.id);
      this.byCallId.set(call.id, thinking);
    }
    for (const oldest of this.byCallId.keys()) {
      if (this.byCallId.size <= ThinkingByCall.LIMIT) break;
      this.byCallId.delete(oldest);
    }
  }

  recall(callIds: readonly string[]): readonly ThinkingBlock[] | undefined {
    for (const id of callIds) {
      const thinking = this.byCallId.get(id);
      if (thinking) return thinking;
    }
    return undefined;
  }
}

/**
 * VS Code's messages in the core's shape; a System role (newer VS Code) becomes the system prompt.
 * `thinkingFor` gives back the thinking of an assistant turn by its calls' ids, when it is known.
 */
export function toChatMessages(
  messages: readonly vscode.LanguageModelChatRequestMessage[],
  thinkingFor: (callIds: readonly string[]) => readonly ThinkingBlock[] | undefined = () => undefined,
): {
  messages: ChatMessage[];
  system?: string;
} {
  const result: ChatMessage[] = [];
  const system: string[] = [];
  for (const message of messages) {
    const text = textOf(message.content);
    if (message.role === vscode.LanguageModelChatMessageRole.User) {
      // Tool results travel in user messages; each becomes a `tool` turn of the core.
      for (const part of message.content) {
        if (part instanceof vscode.LanguageModelToolResultPart) {
          result.push({ role: 'tool', toolCallId: part.callId, content: textOf(part.content) });
        }
      }
      if (text) result.push({ role: 'user', content: text });
    } else if (message.role === vscode.LanguageModelChatMessageRole.Assistant) {
      const toolCalls: ToolCall[] = message.content
        .filter(
          (part): part is vscode.LanguageModelToolCallPart =>
            part instanceof vscode.LanguageModelToolCallPart,
        )
        .map((part) => ({
          id: part.callId,
          name: part.name,
          arguments: (part.input ?? {}) as Record<string, unknown>,
        }));
      const thinking = toolCalls.length ? thinkingFor(toolCalls.map((call) => call.id)) : undefined;
      result.push({
        role: 'assistant',
        content: text,
        ...(toolCalls.length ? { toolCalls } : {}),
        ...(thinking ? { thinking } : {}),
      });
    } else {
      system.push(text);
    }
  }
  if (result.length === 0) throw new LlmError('badRequest', 'The chat request has no user message.');
  return system.length ? { messages: result, system: system.join('\n\n') } : { messages: result };
}
