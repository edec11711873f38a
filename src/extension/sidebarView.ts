import type * as vscode from 'vscode';
import { SIDEBAR_VIEW_ID } from './contributions';
import {
  metricsWebviewHtml,
  metricsWebviewOptions,
  MetricsWebviewBridge,
  type MetricsBridgeServices,
} from './webviewHost';

/**
 * The "LLM Manager" sidebar view: a compact card per model, totals and budgets. VS Code drops the
 * page while the view is hidden; when it is shown again the page says `ready` and gets a snapshot.
 */
export class SidebarViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewId = SIDEBAR_VIEW_ID;
  private current: { bridge: MetricsWebviewBridge; subscriptions: vscode.Disposable[] } | undefined;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly services: MetricsBridgeServices,
  ) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.release();
    view.webview.options = metricsWebviewOptions(this.extensionUri);
    const bridge = new MetricsWebviewBridge(view.webview, 'sidebar', this.services);
    view.webview.html = metricsWebviewHtml(view.webview, this.extensionUri, 'sidebar', 'LLM Manager');
    const subscriptions = [
      view.onDidChangeVisibility(() => bridge.setVisible(view.visible)),
      view.onDidDispose(() => {
        if (this.current?.bridge === bridge) this.release();
      }),
    ];
    this.current = { bridge, subscriptions };
  }

  private release(): void {
    if (!this.current) return;
    for (const subscription of this.current.subscriptions) subscription.dispose();
    this.current.bridge.dispose();
    this.current = undefined;
  }

  dispose(): void {
    this.release();
  }
}
