import * as assert from 'assert';
import * as vscode from 'vscode';
import type { FaultUpstream } from '../../src/demo/faultUpstream';
import type { ExtensionExports } from '../../src/extension/extension';
import { proxyOnlyUrl, startConnectProxy, type ConnectProxy } from './connectProxy';
import { allowEgress } from './egress';
import {
  activateExtension,
  anthropicModel,
  configure,
  openAiModel,
  resetSettings,
  upstream,
} from './support';
import { startTlsFront, type TlsFront } from './tlsFront';

async function setHttpSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('http').update(key, value, vscode.ConfigurationTarget.Global);
}

describe("provider calls go through VS Code's proxy and trust its certificates", function () {
  let api: ExtensionExports;
  let up: FaultUpstream;
  let proxy: ConnectProxy;
  let secure: TlsFront;

  before(async () => {
    api = await activateExtension();
    up = await upstream();
    proxy = await startConnectProxy();
    secure = await startTlsFront(up.port);
    allowEgress(`127.0.0.1:${secure.port}`, 'the HTTPS front of the fault upstream');
    await setHttpSetting('proxy', proxy.url);
  });

  after(async () => {
    await setHttpSetting('proxy', undefined);
    await resetSettings();
    await proxy.close();
    await secure.close();
  });

  it("VS Code's extension host replaced fetch (the SDKs use it)", () => {
    const patched = globalThis as { __vscodeOriginalFetch?: unknown; fetch: unknown };
    assert.ok(patched.__vscodeOriginalFetch, 'VS Code keeps the original fetch aside');
    assert.notStrictEqual(patched.fetch, patched.__vscodeOriginalFetch);
  });

  for (const [sdk, model] of [
    ['openai', (url: string) => openAiModel('through-proxy', url, 'ok~proxy-openai')],
    ['@anthropic-ai/sdk', (url: string) => anthropicModel('through-proxy', url, 'ok~proxy-anthropic')],
  ] as const) {
    it(`${sdk}: a call to a host only the proxy knows goes through http.proxy`, async () => {
      const url = proxyOnlyUrl(sdk === 'openai' ? 'openai' : 'anthropic', up.port);
      await configure(api, { models: [model(url)], activeModel: 'through-proxy' });
      const before = proxy.relayed.length;
      const result = await api.generate({ prompt: 'through the proxy', useCache: false });
      assert.strictEqual(result.model, 'through-proxy');
      assert.deepStrictEqual(proxy.relayed.slice(before), [new URL(url).host]);
    });
  }

  it('an HTTPS endpoint behind the proxy, signed by a CA that is in the system certificates', async () => {
    const url = proxyOnlyUrl('secure', secure.port, 'https');
    await configure(api, {
      models: [openAiModel('secure-proxied', url, 'ok~tls-proxy')],
      activeModel: 'secure-proxied',
    });
    const before = proxy.relayed.length;
    const result = await api.generate({ prompt: 'over TLS', useCache: false });
    assert.strictEqual(result.model, 'secure-proxied');
    assert.deepStrictEqual(proxy.relayed.slice(before), [new URL(url).host]);
  });

  it('an HTTPS endpoint on loopback (never proxied) with the same CA, and with NODE_EXTRA_CA_CERTS alone', async () => {
    await setHttpSetting('proxy', undefined);
    const url = `https://127.0.0.1:${secure.port}`;
    await configure(api, {
      models: [anthropicModel('secure-direct', url, 'ok~tls-direct')],
      activeModel: 'secure-direct',
    });
    assert.strictEqual(
      (await api.generate({ prompt: 'direct TLS', useCache: false })).model,
      'secure-direct',
    );
    // With VS Code's system certificates off, fetch falls back to Node's store: NODE_EXTRA_CA_CERTS.
    await setHttpSetting('systemCertificates', false);
    try {
      assert.strictEqual(
        (await api.generate({ prompt: 'direct TLS again', useCache: false })).model,
        'secure-direct',
      );
    } finally {
      await setHttpSetting('systemCertificates', undefined);
    }
  });
});
