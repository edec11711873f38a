import * as vscode from 'vscode';
import type { LlmManager, Logger } from '../core';
import type { FaultUpstream } from '../demo/faultUpstream';
import { DEMO_MANAGER_SETTINGS, demoAnswerNames, demoModels } from './demoModels';
import type { ModelService } from './modelService';

/**
 * "Try Without Keys": starts the demo upstream inside the extension host and adds its models, so a
 * new user sees the chain, circuits and spend before entering any key. "Stop" removes them again.
 */
export class DemoController implements vscode.Disposable {
  private upstream: FaultUpstream | undefined;

  constructor(
    private readonly models: ModelService,
    private readonly manager: LlmManager,
    private readonly restoreManagerSettings: () => void,
    private readonly logger: Logger,
  ) {}

  get running(): boolean {
    return this.upstream !== undefined;
  }

  /** The demo's short breaker timings, re-applied after any settings change while it runs. */
  applyOverrides(): void {
    if (this.running) this.manager.configure(DEMO_MANAGER_SETTINGS);
  }

  async start(): Promise<{ url: string; models: string[] }> {
    if (!this.upstream) {
      // Loaded on demand: the demo server is not part of activation.
      const { startFaultUpstream } = await import('../demo/faultUpstream');
      this.upstream = await startFaultUpstream({
        logger: { info: (message) => this.logger.debug(`demo upstream: ${message}`) },
        answerNames: demoAnswerNames(),
      });
      const models = demoModels(this.upstream.url);
      this.models.setDemo({
        models,
        activeModel: 'demo-openai',
        fallbackChain: ['demo-claude', 'demo-local'],
      });
      this.applyOverrides();
      await vscode.commands.executeCommand('setContext', 'llmManager.demoRunning', true);
      this.logger.info(
        `Demo upstream at ${this.upstream.url}; demo models added: ${models.map((m) => m.id).join(', ')}.`,
      );
      void vscode.window
        .showInformationMessage(
          'LLM Manager demo is on: demo-openai fails in bursts, demo-claude answers, demo-local is free. Select some code and run "LLM Manager: Explain Selection".',
          'Explain Selection',
        )
        .then((choice) => {
          if (choice) void vscode.commands.executeCommand('llmManager.explainSelection');
        });
    }
    return { url: this.upstream.url, models: this.models.models().map((m) => m.id) };
  }

  async stop(): Promise<void> {
    const upstream = this.upstream;
    if (!upstream) return;
    this.upstream = undefined;
    this.models.setDemo(undefined);
    this.restoreManagerSettings();
    await vscode.commands.executeCommand('setContext', 'llmManager.demoRunning', false);
    await upstream.close();
    this.logger.info('Demo stopped; demo models removed.');
  }

  dispose(): void {
    void this.stop();
  }
}
