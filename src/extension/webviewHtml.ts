/**
 * The HTML the metrics webviews and the answer view load, with their Content Security Policy. Pure (no `vscode`), so
 * the policy is unit-tested: nothing is allowed by default, scripts run only with this page's
 * nonce, styles and fonts come only from the extension's own files, nothing inline, nothing remote.
 */
import { randomBytes } from 'node:crypto';
import type { Surface } from '../shared/protocol';

export interface WebviewPage {
  /** The metrics surfaces, or `answer` for the answer view. */
  readonly surface: Surface | 'answer';
  readonly title: string;
  /** `webview.cspSource`: the origin the webview serves the extension's files from. */
  readonly cspSource: string;
  /** A fresh random value per page load. */
  readonly nonce: string;
  /** Webview URIs (`webview.asWebviewUri`) of the bundle, the stylesheets and the codicon font's CSS. */
  readonly scriptUri: string;
  readonly styleUris: readonly string[];
  /** What shows until the script has drawn the page. */
  readonly loadingText?: string;
}

/** 128 random bits from the OS's generator: a CSP nonce must not be guessable. */
export function createNonce(): string {
  return randomBytes(16).toString('base64');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `style-src ${cspSource}`,
    `font-src ${cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

export function buildWebviewHtml(page: WebviewPage): string {
  const styles = page.styleUris
    .map((uri) => `    <link rel="stylesheet" href="${escapeAttribute(uri)}">`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <meta http-equiv="Content-Security-Policy" content="${escapeAttribute(contentSecurityPolicy(page.cspSource, page.nonce))}">
    <meta name="viewport" content="width=device-width, initial-scale=1.0">
${styles}
    <title>${escapeText(page.title)}</title>
  </head>
  <body data-surface="${page.surface}">
    <main id="app" class="app app-${page.surface}" aria-busy="true">
      <p class="loading">${escapeText(page.loadingText ?? 'Loading metrics…')}</p>
    </main>
    <div id="announcer" class="visually-hidden" role="status" aria-live="polite"></div>
    <script nonce="${escapeAttribute(page.nonce)}" src="${escapeAttribute(page.scriptUri)}"></script>
  </body>
</html>
`;
}

function escapeAttribute(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
