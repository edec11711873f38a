import * as vscode from 'vscode';
import { Disposable } from '../core';
import { chainInfos, firstChoice, type ChainState, type ChainStateFeed } from './chainState';
import { COMMANDS } from './contributions';
import { buildStatusView, routingNote, type StatusView } from './statusModel';

/** While a circuit is open, the tooltip's "probe in …" is refreshed this often. */
const COUNTDOWN_REFRESH_MS = 5000;

/**
 * One status-bar item with the chain's health, the first-choice model and today's spend. It shows
 * each snapshot of the shared chain state, and asks for a fresh one while a circuit is open so
 * "probe in …" stays true.
 */
export class StatusBarController extends Disposable {
  private readonly item: vscode.StatusBarItem;
  private ticker: ReturnType<typeof setInterval> | undefined;
  private view: StatusView | undefined;

  constructor(private readonly feed: ChainStateFeed) {
    super();
    this.item = this._register(
      vscode.window.createStatusBarItem('llmManager.status', vscode.StatusBarAlignment.Left, 100),
    );
    this.item.name = 'LLM Manager';
    this.item.command = COMMANDS.statusBarActions;
    this._register(feed.onDidChange((state) => this.render(state)));
    this._register({ dispose: () => this.stopTicker() });
    // The first look is drawn just after activation returns: it reads every model's state and
    // builds the tooltip, a few milliseconds activation need not wait for.
    const first = setImmediate(() => {
      if (this.view === undefined) this.render(feed.current);
      this.item.show();
    });
    this._register({ dispose: () => clearImmediate(first) });
  }

  /** What the item shows now (the VS Code API cannot read status-bar items back; tests read this). */
  get current(): StatusView | undefined {
    return this.view;
  }

  private render(state: ChainState): void {
    if (this.isDisposed) return;
    const infos = chainInfos(state);
    const view = buildStatusView({
      models: infos,
      metrics: state.metrics,
      firstChoice: firstChoice(state),
      now: state.now,
      demo: state.demo,
      missingKeys: state.missingKeys,
      routingNote: routingNote(state.routing),
      teamBudgets: state.teamBudgets,
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
    if (anyOpen && !this.ticker) this.ticker = setInterval(() => this.feed.schedule(), COUNTDOWN_REFRESH_MS);
    if (!anyOpen) this.stopTicker();
  }

  private stopTicker(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
  }
}
