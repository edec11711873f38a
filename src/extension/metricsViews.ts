import * as vscode from 'vscode';
import { DisposableStore, systemClock, type LlmManager, type Logger } from '../core';
import type { ViewState } from '../shared/protocol';
import type { ChainStateFeed } from './chainState';
import { SIDEBAR_VIEW_ID } from './contributions';
import { DashboardFeed } from './dashboardFeed';
import { buildViewState } from './dashboardModel';
import { DASHBOARD_PANEL_TYPE, DashboardPanel } from './dashboardPanel';
import type { ModelService } from './modelService';
import { SidebarViewProvider } from './sidebarView';
import type { TeamBudgets } from './teamBudgets';
import type { MetricsBridgeServices } from './webviewHost';

export interface MetricsViewServices {
  readonly extensionUri: vscode.Uri;
  readonly manager: LlmManager;
  readonly models: ModelService;
  /** The shared snapshot of the chain the views are built from. */
  readonly chainState: ChainStateFeed;
  readonly logger: Logger;
  /** Removes secrets from provider texts before they reach a webview. */
  readonly redact: (text: string) => string;
  /** Gateway members' team budgets: read when a view renders, at most once a minute each. */
  readonly teamBudgets: TeamBudgets;
}

/**
 * The sidebar view and the dashboard panel over one shared feed of the manager's state. Nothing
 * is built until a view opens: the feed reads the manager only for webviews that are listening.
 */
export class MetricsViews implements vscode.Disposable {
  private readonly disposables = new DisposableStore();
  private readonly panel: DashboardPanel;

  constructor(private readonly services: MetricsViewServices) {
    const { manager, models, chainState } = services;
    const feed = this.disposables.add(
      new DashboardFeed({
        // A fresh snapshot: countdowns and "ago" texts are as of the render. The feed renders only
        // for visible views, so this is where the team budgets are read while one shows.
        read: async () => {
          services.teamBudgets.refreshDue();
          return viewState(services);
        },
        changes: [chainState.onDidChange],
        clock: systemClock,
        logger: services.logger,
        // The chain state already batches the manager's events.
        minIntervalMs: 0,
      }),
    );
    const bridgeServices: MetricsBridgeServices = {
      feed,
      executeCommand: (command, ...args) => vscode.commands.executeCommand(command, ...args),
      isKnownModel: (name) => manager.listModels().includes(name),
      keyIdOf: (name) => models.keyIdOf(name),
      logger: services.logger,
    };
    const sidebar = this.disposables.add(new SidebarViewProvider(services.extensionUri, bridgeServices));
    this.disposables.add(vscode.window.registerWebviewViewProvider(SIDEBAR_VIEW_ID, sidebar));
    this.panel = this.disposables.add(new DashboardPanel(services.extensionUri, bridgeServices));
    this.disposables.add(
      vscode.window.registerWebviewPanelSerializer(DASHBOARD_PANEL_TYPE, this.panel.serializer),
    );
  }

  /** What the dashboard shows right now (for tests: the webview's DOM is not reachable from the host). */
  currentState(): ViewState {
    return viewState(this.services);
  }

  /** "LLM Manager: Show Metrics": opens the dashboard, or brings it to the front. */
  async showDashboard(): Promise<void> {
    this.panel.show();
  }

  dispose(): void {
    this.disposables.dispose();
  }
}

function viewState(services: MetricsViewServices): ViewState {
  const state = services.chainState.fresh();
  return buildViewState({
    chain: state.chain,
    models: state.models,
    metrics: state.metrics,
    recent: state.recent,
    now: state.now,
    demo: state.demo,
    missingKeys: state.missingKeys,
    redact: services.redact,
    teamBudgets: state.teamBudgets,
  });
}
