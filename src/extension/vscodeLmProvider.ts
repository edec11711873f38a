import * as vscode from 'vscode';
import {
  LlmError,
  type LlmProvider,
  type ProviderRequest,
  type ProviderResponse,
  type StreamChunk,
} from '../core';
import { CHAT_VENDOR } from './contributions';
import type { ModelSettings } from './settings';

/**
 * A chain member backed by one of VS Code's own language models (`vscode.lm`, e.g. Copilot). No
 * key is needed; VS Code asks the user for consent, and its errors map to the core's kinds.
 */
export class VscodeLmProvider implements LlmProvider {
  private model: vscode.LanguageModelChat | undefined;

  constructor(private readonly settings: ModelSettings) {
    if (settings.vendor === CHAT_VENDOR) {
      // Our own chain as one of its members would route requests in a circle.
      throw new Error(
        `vendor "${CHAT_VENDOR}" is LLM Manager itself and cannot be a member of its own chain`,
      );
    }
  }

  private async resolve(): Promise<vscode.LanguageModelChat> {
    if (this.model) return this.model;
    const selector: vscode.LanguageModelChatSelector = {};
    if (this.settings.vendor) selector.vendor = this.settings.vendor;
    if (this.settings.family) selector.family = this.settings.family;
    const found = (await vscode.lm.selectChatModels(selector)).filter((m) => m.vendor !== CHAT_VENDOR);
    const model = found.find((m) => m.id === this.settings.model) ?? found[0];
    if (!model) {
      throw new LlmError(
        'badRequest',
        `VS Code offers no language model matching ${JSON.stringify(selector)} (is the extension that provides it installed and signed in?).`,
        {
          provider: 'vscode-lm',
          model: this.settings.id,
        },
      );
    }
    this.model = model;
    return model;
  }

  private messages(request: ProviderRequest): vscode.LanguageModelChatMessage[] {
    // The Language Model API has no system role: the system prompt leads the first user message.
    const messages = request.messages.map((m) =>
      m.role === 'user'
        ? vscode.LanguageModelChatMessage.User(m.content)
        : vscode.LanguageModelChatMessage.Assistant(m.content),
    );
    if (request.system) messages.unshift(vscode.LanguageModelChatMessage.User(request.system));
    return messages;
  }

  async generate(request: ProviderRequest, signal: AbortSignal): Promise<ProviderResponse> {
    let text = '';
    let usage = { inputTokens: 0, outputTokens: 0 };
    for await (const chunk of this.stream(request, signal)) {
      if (chunk.type === 'text') text += chunk.text;
      else if (chunk.type === 'usage') usage = chunk.usage;
    }
    return { text, usage };
  }

  async *stream(request: ProviderRequest, signal: AbortSignal): AsyncIterable<StreamChunk> {
    const model = await this.resolve();
    const source = new vscode.CancellationTokenSource();
    const onAbort = () => source.cancel();
    signal.addEventListener('abort', onAbort, { once: true });
    const messages = this.messages(request);
    try {
      const response = await model.sendRequest(
        messages,
        {
          justification: 'LLM Manager uses this model as a member of your fallback chain.',
          modelOptions: request.temperature === undefined ? undefined : { temperature: request.temperature },
        },
        source.token,
      );
      let output = '';
      for await (const text of response.text) {
        output += text;
        yield { type: 'text', text };
      }
      const [inputTokens, outputTokens] = await Promise.all([
        Promise.all(messages.map((m) => model.countTokens(m))).then((counts) =>
          counts.reduce((a, b) => a + b, 0),
        ),
        model.countTokens(output),
      ]);
      yield { type: 'usage', usage: { inputTokens, outputTokens } };
    } catch (error) {
      throw this.translate(error, signal);
    } finally {
      signal.removeEventListener('abort', onAbort);
      source.dispose();
    }
  }

  private translate(error: unknown, signal: AbortSignal): LlmError {
    const options = { provider: 'vscode-lm', model: this.settings.id, cause: error };
    if (signal.aborted || error instanceof vscode.CancellationError)
      return new LlmError('cancelled', 'The request was cancelled.', options);
    if (error instanceof vscode.LanguageModelError) {
      if (error.code === vscode.LanguageModelError.NoPermissions.name) {
        return new LlmError(
          'auth',
          `VS Code did not allow LLM Manager to use ${this.settings.id}: ${error.message}`,
          options,
        );
      }
      if (error.code === vscode.LanguageModelError.Blocked.name) {
        return new LlmError(
          'quota',
          `${this.settings.id} is blocked for now (quota or rate limit): ${error.message}`,
          options,
        );
      }
      if (error.code === vscode.LanguageModelError.NotFound.name) {
        this.model = undefined;
        return new LlmError(
          'server',
          `${this.settings.id} is no longer available: ${error.message}`,
          options,
        );
      }
    }
    if (error instanceof LlmError) return error;
    return new LlmError(
      'server',
      `${this.settings.id} failed: ${error instanceof Error ? error.message : String(error)}`,
      options,
    );
  }
}
