import * as vscode from 'vscode';
import {
  formatDuration,
  formatUsd,
  isChainFailedError,
  isLlmError,
  toLlmError,
  type GenerateRequest,
  type GenerateResult,
  type LlmError,
  type LlmManager,
  type RequestTrace,
} from '../core';
import type { AnswerDocuments } from './answerDocuments';
import { COMMANDS } from './contributions';
import type { ModelService } from './modelService';
import { traceToLogLine, traceToMarkdown } from './traceFormat';

export interface RunOptions {
  /** What the user asked for, e.g. "Explain selection"; titles the answer document. */
  readonly title: string;
  /** Shown in the progress notification, e.g. "Explaining the selection". */
  readonly progress: string;
  readonly request: Omit<GenerateRequest, 'signal' | 'onToken'>;
  /** Stream into an answer document (Ask, Explain, Free prompt) or only return the text (Improve). */
  readonly showAnswer: boolean;
  /** A line under the title saying what the answer is about (file and lines). */
  readonly subtitle?: string;
}

/** What a command returns (for tests and other extensions running our commands). */
export interface CommandOutcome {
  readonly ok: boolean;
  readonly text?: string;
  readonly model?: string;
  readonly cached?: boolean;
  readonly costUsd?: number;
  readonly errorKind?: string;
  readonly message?: string;
  /** The answer document, when one was shown. */
  readonly document?: string;
  /** Id of the request's routing trace (for "Show Routing Trace…"). */
  readonly traceId?: string;
}

/**
 * Runs one request for a command: checks size and cost first, streams the answer into a document
 * with a cancellable progress notification, and turns failures into one readable message with a
 * "Show Details" button that opens the routing trace.
 */
export class RequestRunner {
  /** Key ids we already told the user about this session, so a missing key nags only once. */
  private readonly announcedMissingKeys = new Set<string>();

  constructor(
    private readonly manager: LlmManager,
    private readonly documents: AnswerDocuments,
    private readonly models: ModelService,
    private readonly confirmCostAboveUsd: () => number,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  async run(options: RunOptions): Promise<{ outcome: CommandOutcome; result?: GenerateResult }> {
    const precheck = this.precheck(options);
    if (precheck) {
      void vscode.window.showErrorMessage(precheck);
      return { outcome: { ok: false, errorKind: 'contextLength', message: precheck } };
    }
    if (!(await this.confirmCost(options))) {
      return {
        outcome: { ok: false, errorKind: 'cancelled', message: 'Not sent: the cost was not confirmed.' },
      };
    }

    const header = `# ${options.title}\n\n${options.subtitle ? `${options.subtitle}\n\n` : ''}`;
    const uri = options.showAnswer
      ? this.documents.create(options.title, `${header}_Waiting for the chain…_\n`)
      : undefined;
    if (uri) await this.documents.show(uri);
    let streamed = '';

    try {
      const result = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `LLM Manager: ${options.progress}…`,
          cancellable: true,
        },
        async (_progress, token) => {
          const controller = new AbortController();
          const subscription = token.onCancellationRequested(() => controller.abort());
          try {
            return await this.manager.generate({
              ...options.request,
              signal: controller.signal,
              onToken: uri
                ? (text) => {
                    streamed += text;
                    this.documents.set(uri, `${header}${streamed}`);
                  }
                : undefined,
            });
          } finally {
            subscription.dispose();
          }
        },
      );
      this.log.debug(traceToLogLine(result.trace));
      this.announceSkippedKeys(result.trace);
      if (uri) {
        this.documents.set(uri, `${header}${result.text}\n\n---\n${answerFooter(result)}\n`);
        this.documents.flush();
      }
      return {
        outcome: {
          ok: true,
          text: result.text,
          model: result.model,
          cached: result.cached,
          costUsd: result.costUsd,
          document: uri?.toString(),
          traceId: result.trace.id,
        },
        result,
      };
    } catch (thrown) {
      const error = toLlmError(thrown);
      if (error.trace) {
        this.log.debug(traceToLogLine(error.trace));
        this.announceSkippedKeys(error.trace);
      }
      if (uri) {
        const partial = error.partialText ?? streamed;
        this.documents.set(uri, `${header}${partial}${partial ? '\n\n---\n' : ''}${errorFooter(error)}\n`);
        this.documents.flush();
      }
      this.showError(options.title, error);
      return {
        outcome: {
          ok: false,
          errorKind: error.kind,
          message: error.message,
          document: uri?.toString(),
          traceId: error.trace?.id,
        },
      };
    }
  }

  /** A clear error before any request when the prompt fits no model of the chain. */
  private precheck(options: RunOptions): string | undefined {
    let estimate;
    try {
      estimate = this.manager.estimateCost(options.request);
    } catch (error) {
      return isLlmError(error) ? error.message : String(error);
    }
    const chain = estimate.perModel.map((m) => this.manager.getModelInfo(m.model)!).filter(Boolean);
    if (chain.length === 0) return undefined;
    const largest = chain.reduce((a, b) => (b.metadata.contextWindow > a.metadata.contextWindow ? b : a));
    if (estimate.inputTokens > largest.metadata.contextWindow) {
      return `The text is too large: about ${estimate.inputTokens.toLocaleString('en-US')} tokens, and the largest context window in the chain is ${largest.metadata.contextWindow.toLocaleString('en-US')} tokens (${largest.name}). Select less text.`;
    }
    return undefined;
  }

  private async confirmCost(options: RunOptions): Promise<boolean> {
    const threshold = this.confirmCostAboveUsd();
    if (threshold <= 0) return true;
    const estimate = this.manager.estimateCost(options.request);
    if (estimate.maxUsd <= threshold) return true;
    const dearest = estimate.perModel.reduce((a, b) => (b.maxUsd > a.maxUsd ? b : a));
    const choice = await vscode.window.showWarningMessage(
      `This request could cost up to ${formatUsd(estimate.maxUsd)} (${dearest.model}, about ${estimate.inputTokens.toLocaleString('en-US')} input tokens). Send it?`,
      {
        modal: true,
        detail: `You are asked because the estimate is above llmManager.confirmCostAboveUsd (${formatUsd(threshold)}).`,
      },
      'Send',
    );
    return choice === 'Send';
  }

  private showError(title: string, error: LlmError): void {
    if (error.kind === 'cancelled') {
      void vscode.window.showInformationMessage(`${title}: cancelled.`);
      return;
    }
    const actions = ['Show Details'];
    const needsKey =
      isChainFailedError(error) &&
      error.failures.some((f) => f.outcome === 'noApiKey' || f.outcome === 'auth');
    if (needsKey) actions.push('Set API Key');
    const headline = isChainFailedError(error)
      ? `${error.message.split('\n')[0]} ${error.failures.map((f) => `${f.model}: ${f.summary}`).join(' · ')}`
      : error.message;
    void vscode.window.showErrorMessage(`${title} failed. ${headline}`, ...actions).then((choice) => {
      if (choice === 'Show Details' && error.trace)
        void this.showTrace(error.trace, `${title} — routing trace`, error);
      if (choice === 'Set API Key') void vscode.commands.executeCommand(COMMANDS.setApiKey);
    });
  }

  async showTrace(trace: RequestTrace, title: string, error?: LlmError): Promise<vscode.Uri> {
    const uri = this.documents.create('Routing trace', traceToMarkdown(trace, title, error));
    await this.documents.show(uri, false);
    return uri;
  }

  /** A model skipped for want of a key: say so once per key, with a button to set it. */
  private announceSkippedKeys(trace: RequestTrace): void {
    for (const step of trace.steps) {
      if (step.type !== 'skip' || step.reason !== 'noApiKey') continue;
      const keyId = this.models.keyIdOf(step.model);
      if (!keyId || this.announcedMissingKeys.has(keyId)) continue;
      this.announcedMissingKeys.add(keyId);
      void vscode.window
        .showWarningMessage(
          `LLM Manager skipped ${step.model}: no API key for "${keyId}" — set one.`,
          'Set Key',
        )
        .then((choice) => {
          if (choice) void vscode.commands.executeCommand(COMMANDS.setApiKey, keyId);
        });
    }
  }
}

export function answerFooter(result: GenerateResult): string {
  const parts = [`Answered by **${result.model}**`];
  parts.push(result.cached ? 'from the cache' : formatDuration(result.latencyMs));
  parts.push(result.cached ? 'no cost' : formatUsd(result.costUsd));
  const { inputTokens, outputTokens, cacheReadTokens, reasoningTokens } = result.usage;
  const count = (n: number) => n.toLocaleString('en-US');
  const cached = cacheReadTokens ? ` (${count(cacheReadTokens)} cached)` : '';
  const reasoning = reasoningTokens ? ` (${count(reasoningTokens)} reasoning)` : '';
  parts.push(`${count(inputTokens)} in${cached} / ${count(outputTokens)} out${reasoning} tokens`);
  return `_${parts.join(' · ')}_`;
}

function errorFooter(error: LlmError): string {
  switch (error.kind) {
    case 'cancelled':
      return '_Cancelled._';
    case 'interrupted':
      return `_${error.message} Run **LLM Manager: Show Routing Trace…** for details._`;
    default:
      return `**No answer.** ${error.message.replace(/\n/g, '  \n')}`;
  }
}
