import * as vscode from 'vscode';
import {
  metricsWebviewHtml,
  metricsWebviewOptions,
  MetricsWebviewBridge,
  type MetricsBridgeServices,
} from './webviewHost';

/** The dashboard's webview panel type. */
export const DASHBOARD_PANEL_TYPE = 'llmManager.dashboard';

/**
 * The metrics dashboard ("LLM Manager: Show Metrics"): one panel at a time; showing it again
 * brings the open one to the front.
 */
export class DashboardPanel implements vscode.Disposable {
  private current:
    | { panel: vscode.WebviewPanel; bridge: MetricsWebviewBridge; subscriptions: vscode.Disposable[] }
    | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly services: MetricsBridgeServices,
  ) {}

  get isOpen(): boolean {
    return this.current !== undefined;
  }

  show(): void {
    if (this.current) {
      this.current.panel.reveal(this.current.panel.viewColumn);
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      DASHBOARD_PANEL_TYPE,
      'LLM Manager Metrics',
      vscode.ViewColumn.Active,
      {
        ...metricsWebviewOptions(this.extensionUri),
        enableFindWidget: true,
      },
    );
    this.adopt(panel);
  }

  /**
   * Brings back a dashboard VS Code restored after a window reload (registered as the panel
   * type's serializer): it gets fresh options, page and bridge, then asks for a snapshot as usual.
   */
  readonly serializer: vscode.WebviewPanelSerializer = {
    deserializeWebviewPanel: async (panel) => {
      if (this.current) {
        panel.dispose();
        return;
      }
      panel.webview.options = metricsWebviewOptions(this.extensionUri);
      this.adopt(panel);
    },
  };

  private adopt(panel: vscode.WebviewPanel): void {
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'activity.svg');
    const bridge = new MetricsWebviewBridge(panel.webview, 'dashboard', this.services);
    panel.webview.html = metricsWebviewHtml(
      panel.webview,
      this.extensionUri,
      'dashboard',
      'LLM Manager Metrics',
    );
    const subscriptions = [
      panel.onDidChangeViewState(() => bridge.setVisible(panel.visible)),
      panel.onDidDispose(() => {
        if (this.current?.panel === panel) this.release();
      }),
    ];
    this.current = { panel, bridge, subscriptions };
  }

  private release(): void {
    if (!this.current) return;
    for (const subscription of this.current.subscriptions) subscription.dispose();
    this.current.bridge.dispose();
    this.current = undefined;
  }

  dispose(): void {
    const panel = this.current?.panel;
    this.release();
    panel?.dispose();
  }
}
