import * as assert from 'node:assert/strict';
import { buildWebviewHtml, contentSecurityPolicy, createNonce } from '../../../src/extension/webviewHtml';

const page = {
  surface: 'dashboard' as const,
  title: 'LLM Manager Metrics',
  cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
  nonce: 'bm9uY2Utbm9uY2Utbm9uY2U=',
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/dashboard.js',
  styleUris: [
    'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/codicon.css',
    'https://file+.vscode-resource.vscode-cdn.net/ext/media/metrics.css',
  ],
};

describe('metrics webview page', () => {
  it("denies everything by default and allows scripts only by this page's nonce", () => {
    const policy = contentSecurityPolicy(page.cspSource, page.nonce);
    const directives = new Map(
      policy
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .map(([name, ...values]) => [name, values]),
    );
    assert.deepEqual(directives.get('default-src'), ["'none'"]);
    assert.deepEqual(directives.get('script-src'), [`'nonce-${page.nonce}'`]);
    assert.deepEqual(directives.get('style-src'), [page.cspSource]);
    assert.deepEqual(directives.get('font-src'), [page.cspSource]);
    assert.deepEqual([...directives.keys()].sort(), ['default-src', 'font-src', 'script-src', 'style-src']);
    assert.doesNotMatch(policy, /unsafe-inline|unsafe-eval|\*|http:|data:/);
  });

  it("has no inline script or style and loads only the extension's own files", () => {
    const html = buildWebviewHtml(page);
    assert.ok(
      html.includes(`content="${contentSecurityPolicy(page.cspSource, page.nonce)}"`),
      'the policy is in the page',
    );
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 1);
    assert.match(
      scripts[0][1],
      new RegExp(`nonce="${page.nonce}" src="${page.scriptUri.replace(/[.+]/g, '\\$&')}"`),
    );
    assert.equal(scripts[0][2].trim(), '', 'the script has no inline body');
    assert.doesNotMatch(html, /<style|\sstyle=|\son[a-z]+=/i);
    for (const url of html.match(/(?:src|href)="([^"]+)"/g) ?? [])
      assert.ok(url.includes(page.cspSource), url);
    assert.match(html, /<body data-surface="dashboard">/);
    assert.match(html, /role="status" aria-live="polite"/);
  });

  it('escapes what it puts into attributes and text', () => {
    const html = buildWebviewHtml({ ...page, title: '<b>"x"</b>', scriptUri: 'a"onload="alert(1)' });
    assert.ok(html.includes('<title>&lt;b&gt;"x"&lt;/b&gt;</title>'));
    assert.ok(html.includes('src="a&quot;onload=&quot;alert(1)"'));
  });

  it('makes a fresh, unguessable nonce each time', () => {
    const nonces = new Set(Array.from({ length: 100 }, createNonce));
    assert.equal(nonces.size, 100);
    for (const nonce of nonces) assert.match(nonce, /^[A-Za-z0-9+/]{22}==$/);
  });
});
