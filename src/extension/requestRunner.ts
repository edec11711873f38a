import * as vscode from 'vscode';
import {
  formatUsd,
  isChainFailedError,
  isLlmError,
  toLlmError,
  type GenerateResult,
  type LlmError,
  type LlmManager,
  type Logger,
  type RequestTrace,
} from '../core';
import type { AnswerDocuments } from './answerDocuments';
import type { RunOptions } from './runOptions';
import type { AnswerSink, AnswerSinkFactory } from './answers/answerSink';
import { COMMANDS } from './contributions';
import type { ModelService } from './modelService';
import { traceToLogLine, traceToMarkdown } from './traceFormat';

export type { RunOptions } from './runOptions';

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
  /** The answer view's conversation, when the answer went there. */
  readonly conversation?: string;
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
    private readonly answers: AnswerSinkFactory,
    private readonly models: ModelService,
    private readonly confirmCostAboveUsd: () => number,
    private readonly log: Logger,
  ) {}

  /**
   * Runs one request. `sink` is where the answer goes when the caller already has one (a follow-up
   * in the answer view); otherwise an answer that is shown goes where `llmManager.answers.view` says.
   */
  async run(
    options: RunOptions,
    sink?: AnswerSink,
  ): Promise<{ outcome: CommandOutcome; result?: GenerateResult }> {
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

    // The one place that decides where an answer goes: the answer view or a document (by the
    // setting), or the sink of a follow-up the answer view sends itself.
    const answer = sink ?? (options.showAnswer ? await this.answers.open(options) : undefined);
    let streamed = '';

    try {
      const result = await vscode.window.withProgress(
        {
          // The answer view has its own Stop button: a spinner in the status bar is enough there.
          location: answer?.inView ? vscode.ProgressLocation.Window : vscode.ProgressLocation.Notification,
          title: `LLM Manager: ${options.progress}…`,
          cancellable: !answer?.inView,
        },
        async (_progress, token) => {
          const controller = new AbortController();
          const subscription = token.onCancellationRequested(() => controller.abort());
          const stop = () => controller.abort();
          if (answer?.signal?.aborted) stop();
          answer?.signal?.addEventListener('abort', stop);
          try {
            return await this.manager.generate({
              ...options.request,
              signal: controller.signal,
              onToken: answer
                ? (text) => {
                    streamed += text;
                    answer.append(text);
                  }
                : undefined,
            });
          } finally {
            subscription.dispose();
            answer?.signal?.removeEventListener('abort', stop);
          }
        },
      );
      this.log.debug(traceToLogLine(result.trace));
      this.announceSkippedKeys(result.trace);
      answer?.finish(result);
      return {
        outcome: {
          ok: true,
          text: result.text,
          model: result.model,
          cached: result.cached,
          costUsd: result.costUsd,
          document: answer?.document,
          conversation: answer?.conversation,
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
      answer?.fail(error, error.partialText ?? streamed);
      if (!answer?.inView) this.showError(options.title, error);
      return {
        outcome: {
          ok: false,
          errorKind: error.kind,
          message: error.message,
          document: answer?.document,
          conversation: answer?.conversation,
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
      // (A key withheld from a new host is skipped as `keyWithheld`, with its own prompt.)
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
