import * as vscode from 'vscode';
import { DisposableStore, type LlmManager } from '../core';
import { COMMANDS } from './contributions';
import type { KeyStore } from './keyStore';
import type { ModelService } from './modelService';
import { buildStatusView, type StatusView } from './statusModel';

/**
 * One status-bar item with the chain's health, the first-choice model and today's spend. It follows
 * the manager's events, throttled, and ticks while a circuit is open so "probe in …" stays true.
 */
export class StatusBarController implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables = new DisposableStore();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private ticker: ReturnType<typeof setInterval> | undefined;
  private view: StatusView | undefined;
  private disposed = false;

  constructor(
    private readonly manager: LlmManager,
    private readonly models: ModelService,
    private readonly keys: KeyStore,
    private readonly routingNote: () => string | undefined = () => undefined,
  ) {
    this.item = vscode.window.createStatusBarItem('llmManager.status', vscode.StatusBarAlignment.Left, 100);
    this.item.name = 'LLM Manager';
    this.item.command = COMMANDS.statusBarActions;
    const schedule = () => this.schedule();
    this.disposables.add(manager.onDidChangeCircuit(schedule));
    this.disposables.add(manager.onDidChangeMetrics(schedule));
    this.disposables.add(manager.onDidChangeModels(schedule));
    this.disposables.add(models.onDidChange(schedule));
    this.disposables.add(keys.onDidChange(schedule));
    void this.render();
    this.item.show();
  }

  /** What the item shows now (the VS Code API cannot read status-bar items back; tests read this). */
  get current(): StatusView | undefined {
    return this.view;
  }

  /** Renders at most four times a second however many events arrive. */
  schedule(): void {
    if (this.timer || this.disposed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.render();
    }, 250);
  }

  async render(): Promise<void> {
    const names = this.manager.resolveChain();
    const infos = names.map((name) => this.manager.getModelInfo(name)!).filter(Boolean);
    const missingKeys = new Set<string>();
    for (const info of infos) {
      const keyId = this.models.keyIdOf(info.name);
      if (keyId && !(await this.keys.hasKey(keyId))) missingKeys.add(info.name);
    }
    if (this.disposed) return;
    const view = buildStatusView({
      models: infos,
      metrics: this.manager.getMetrics(),
      firstChoice: names[0],
      now: Date.now(),
      demo: this.models.demoRunning,
      missingKeys,
      routingNote: this.routingNote(),
    });
    this.view = view;
    this.item.text = view.text;
    const tooltip = new vscode.MarkdownString(view.tooltip, true);
    tooltip.isTrusted = {
      enabledCommands: [COMMANDS.chooseActiveModel, COMMANDS.resetCircuit, COMMANDS.showMetrics],
    };
    this.item.tooltip = tooltip;
    this.item.accessibilityInformation = { label: view.accessibilityLabel, role: 'button' };
    this.item.backgroundColor =
      view.background === 'none'
        ? undefined
        : new vscode.ThemeColor(
            view.background === 'warning'
              ? 'statusBarItem.warningBackground'
              : 'statusBarItem.errorBackground',
          );
    const anyOpen = infos.some((m) => m.circuit.state === 'open');
    if (anyOpen && !this.ticker) this.ticker = setInterval(() => this.schedule(), 5000);
    if (!anyOpen && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.ticker) clearInterval(this.ticker);
    this.disposables.dispose();
    this.item.dispose();
  }
}
