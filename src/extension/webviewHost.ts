import * as vscode from 'vscode';
import type { Surface } from '../shared/protocol';
import type { DashboardFeed, FeedConnection } from './dashboardFeed';
import { handleWebviewMessage, type DashboardMessageServices } from './dashboardMessages';
import { buildWebviewHtml, createNonce } from './webviewHtml';

/** Where the webview bundles and styles live, relative to the extension (see esbuild.js). */
const WEBVIEW_DIR = ['dist', 'webview'] as const;

/**
 * Webview options shared by the sidebar view and the dashboard panel: scripts on, and files only
 * from the bundle and media folders.
 */
export function metricsWebviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [
      vscode.Uri.joinPath(extensionUri, 'dist'),
      vscode.Uri.joinPath(extensionUri, 'media'),
    ],
  };
}

/** The page for one surface, with a fresh nonce each time it is loaded. */
export function metricsWebviewHtml(
  webview: vscode.Webview,
  extensionUri: vscode.Uri,
  surface: Surface,
  title: string,
): string {
  const asset = (...path: string[]) =>
    webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...path)).toString();
  return buildWebviewHtml({
    surface,
    title,
    cspSource: webview.cspSource,
    nonce: createNonce(),
    scriptUri: asset(...WEBVIEW_DIR, `${surface}.js`),
    styleUris: [asset(...WEBVIEW_DIR, 'codicon.css'), asset('media', 'metrics.css')],
  });
}

export interface MetricsBridgeServices extends DashboardMessageServices {
  readonly feed: DashboardFeed;
}

/**
 * Connects one webview to the feed (snapshot on `ready`, then updates) and runs what it asks for
 * through the message handler, which validates every message first.
 */
export class MetricsWebviewBridge implements vscode.Disposable {
  private readonly connection: FeedConnection;
  private readonly subscription: vscode.Disposable;

  constructor(
    webview: vscode.Webview,
    private readonly surface: Surface,
    services: MetricsBridgeServices,
  ) {
    this.connection = services.feed.connect((message) => webview.postMessage(message));
    this.subscription = webview.onDidReceiveMessage(async (raw: unknown) => {
      const outcome = await handleWebviewMessage(raw, services);
      if (outcome.kind !== 'ready') return;
      if (outcome.surface !== this.surface) {
        services.logger.warn(
          `Metrics view: the ${this.surface} webview said it is the ${outcome.surface}; ignored.`,
        );
        return;
      }
      await this.connection.ready(outcome.surface);
    });
  }

  setVisible(visible: boolean): void {
    this.connection.setVisible(visible);
  }

  dispose(): void {
    this.subscription.dispose();
    this.connection.dispose();
  }
}
