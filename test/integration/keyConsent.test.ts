import * as assert from 'assert';
import * as vscode from 'vscode';
import type { FaultUpstream } from '../../src/demo/faultUpstream';
import { COMMANDS } from '../../src/extension/contributions';
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

const KEY_ID = 'consent-key';
const KEY = 'sk-proj-CONSENTkeyGOESonlyWHEREset0123';

/**
 * The hosts here are names only the test proxy resolves (to the fault upstream): loopback never
 * asks, so the model must name a host that is not.
 */
describe('a key goes only to the host it was set for', function () {
  let api: ExtensionExports;
  let up: FaultUpstream;
  let proxy: ConnectProxy;
  let oldHost: string;
  let newHost: string;

  const movingModel = (host: string) =>
    openAiModel('moving', `http://${host}:${up.port}`, 'ok~consent', { auth: 'apiKey', keyId: KEY_ID });
  const relayedTo = (host: string) => proxy.relayed.filter((target) => target.startsWith(`${host}:`)).length;

  before(async () => {
    api = await activateExtension();
    up = await upstream();
    proxy = await startConnectProxy();
    allowEgress(proxy.url, 'the test proxy');
    oldHost = new URL(proxyOnlyUrl('consent-old', up.port)).hostname;
    newHost = new URL(proxyOnlyUrl('consent-new', up.port)).hostname;
    allowEgress(`${oldHost}:${up.port}`, 'a model in the user settings (through the proxy)');
    await vscode.workspace
      .getConfiguration('http')
      .update('proxy', proxy.url, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand(COMMANDS.clearApiKey, KEY_ID);
    await configure(api, {
      models: [movingModel(oldHost), anthropicModel('local-backup', up.url, 'ok~consent-backup')],
      activeModel: 'moving',
      fallbackChain: ['local-backup'],
      confirmCostAboveUsd: 0,
    });
    // Setting the key is where the user says where it belongs: the host of the model using it.
    await vscode.commands.executeCommand(COMMANDS.setApiKey, KEY_ID, KEY);
  });

  after(async () => {
    await vscode.workspace
      .getConfiguration('http')
      .update('proxy', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand(COMMANDS.clearApiKey, KEY_ID);
    await resetSettings();
    await proxy.close();
  });

  it('sends the key to the host it was set for', async () => {
    const result = await api.generate({ prompt: 'hello', useCache: false });
    assert.strictEqual(result.model, 'moving');
    assert.ok(relayedTo(oldHost) >= 1, 'the request went through the proxy to the old host');
    assert.deepStrictEqual(api.diagnostics.keyConsentPrompts(), []);
  });

  it('asks once when the base URL moves to a new host, and sends nothing until then', async () => {
    await configure(api, {
      models: [movingModel(newHost), anthropicModel('local-backup', up.url, 'ok~consent-backup')],
    });
    up.resetStats();
    for (let i = 0; i < 3; i++) {
      const result = await api.generate({ prompt: `hello ${i}`, useCache: false });
      assert.strictEqual(result.model, 'local-backup');
      const skip = result.trace.steps.find((s) => s.type === 'skip' && s.model === 'moving');
      assert.ok(skip, JSON.stringify(result.trace.steps));
    }
    assert.deepStrictEqual(api.diagnostics.keyConsentPrompts(), [
      { keyId: KEY_ID, host: newHost, model: 'moving' },
    ]);
    assert.strictEqual(relayedTo(newHost), 0, 'no connection to the new host at all');
    assert.strictEqual(up.stats().byModel['ok~consent'], undefined, 'no request of the moved model arrived');
  });

  it('declining sends nothing, and is remembered without asking again', async () => {
    await api.diagnostics.answerKeyConsent(KEY_ID, newHost, false);
    up.resetStats();
    const result = await api.generate({ prompt: 'after no', useCache: false });
    assert.strictEqual(result.model, 'local-backup');
    assert.strictEqual(relayedTo(newHost), 0);
    assert.strictEqual(up.stats().byModel['ok~consent'], undefined);
    assert.strictEqual(api.diagnostics.keyConsentPrompts().length, 1, 'asked once in all');
    const stored = api.diagnostics.globalStateDump()['llmManager.keyDestinations'] as Record<string, unknown>;
    assert.deepStrictEqual(stored[KEY_ID], { allowed: [oldHost], refused: [newHost] });
  });

  it('allowing the new host sends the key there from the next request on', async () => {
    await api.diagnostics.answerKeyConsent(KEY_ID, newHost, true);
    up.resetStats();
    const result = await api.generate({ prompt: 'after yes', useCache: false });
    assert.strictEqual(result.model, 'moving');
    assert.ok(relayedTo(newHost) >= 1, 'through the proxy to the new host');
    assert.ok(up.stats().recent.some((r) => r.model === 'ok~consent' && r.hadKey));
    allowEgress(`${newHost}:${up.port}`, 'a model in the user settings (through the proxy)');
  });
});
