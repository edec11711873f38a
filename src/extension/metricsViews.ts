import * as vscode from 'vscode';
import { DisposableStore, systemClock, type LlmManager, type Logger, type ModelInfo } from '../core';
import type { ViewState } from '../shared/protocol';
import { SIDEBAR_VIEW_ID } from './contributions';
import { DashboardFeed } from './dashboardFeed';
import { buildViewState } from './dashboardModel';
import { DASHBOARD_PANEL_TYPE, DashboardPanel } from './dashboardPanel';
import type { KeyStore } from './keyStore';
import type { ModelService } from './modelService';
import { SidebarViewProvider } from './sidebarView';
import type { MetricsBridgeServices } from './webviewHost';

export interface MetricsViewServices {
  readonly extensionUri: vscode.Uri;
  readonly manager: LlmManager;
  readonly models: ModelService;
  readonly keys: KeyStore;
  readonly logger: Logger;
  /** Removes secrets from provider texts before they reach a webview. */
  readonly redact: (text: string) => string;
}

/**
 * The sidebar view and the dashboard panel over one shared feed of the manager's state. Nothing
 * is built until a view opens: the feed reads the manager only for webviews that are listening.
 */
export class MetricsViews implements vscode.Disposable {
  private readonly disposables = new DisposableStore();
  private readonly panel: DashboardPanel;

  constructor(services: MetricsViewServices) {
    const { manager, models, keys } = services;
    const feed = this.disposables.add(
      new DashboardFeed({
        read: () => readViewState(services),
        changes: [
          manager.onDidChangeCircuit,
          manager.onDidChangeMetrics,
          manager.onDidChangeModels,
          models.onDidChange,
          keys.onDidChange,
        ],
        clock: systemClock,
        logger: services.logger,
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

  /** "LLM Manager: Show Metrics": opens the dashboard, or brings it to the front. */
  async showDashboard(): Promise<void> {
    this.panel.show();
  }

  dispose(): void {
    this.disposables.dispose();
  }
}

async function readViewState(services: MetricsViewServices): Promise<ViewState> {
  const { manager, models, keys } = services;
  const infos = manager
    .listModels()
    .map((name) => manager.getModelInfo(name))
    .filter((info): info is ModelInfo => info !== undefined);
  const missingKeys = new Set<string>();
  for (const info of infos) {
    const keyId = models.keyIdOf(info.name);
    if (keyId && !(await keys.hasKey(keyId))) missingKeys.add(info.name);
  }
  return buildViewState({
    chain: manager.chainSteps(),
    models: infos,
    metrics: manager.getMetrics(),
    recent: manager.getRecentRequests(),
    now: Date.now(),
    demo: models.demoRunning,
    missingKeys,
    redact: services.redact,
  });
}
