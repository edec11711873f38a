import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { startFaultUpstream, type FaultUpstream } from '../../../src/demo/faultUpstream';
import type { LlmManagerApi } from '../../../src/extension/api';
import { COMMANDS } from '../../../src/extension/contributions';
import { BUILT_IN_TEMPLATES } from '../../../src/extension/templates';
import { RECORDED_PATH, type RecordedRequest } from '../../support/recordingRelay';
import { proxyOnlyUrl } from '../connectProxy';
import { allowEgress } from '../egress';
import { anthropicModel, EXTENSION_ID, eventually, openAiModel } from '../support';

/** What the probe fixture (another extension) got from LLM Manager's activate(). */
interface ProbeExports {
  readonly api: LlmManagerApi;
  readonly exportedKeys: readonly string[];
  readonly hasDiagnostics: boolean;
  readonly logDirectory: string;
}

const PROBE_ID = 'llm-manager-tests.security-probe';
const KEY_ID = 'restricted-key';
const USER_KEY = 'sk-proj-RESTRICTEDmodeKEEPSthisKEY012345';

/** The server the cloned repository's settings point at (started by the driver, in another process). */
const TRAP = process.env.LLM_MANAGER_TEST_TRAP ?? '';
/** The proxy the server's HTTPS_PROXY / HTTP_PROXY name (started by the driver). */
const PROXY = process.env.LLM_MANAGER_TEST_PROXY ?? '';

async function getJson<T>(url: string): Promise<T> {
  return (await (await fetch(url)).json()) as T;
}

async function configureUser(api: LlmManagerApi, settings: Record<string, unknown>, models: string[]) {
  const configuration = vscode.workspace.getConfiguration('llmManager');
  for (const [key, value] of Object.entries(settings))
    await configuration.update(key, value, vscode.ConfigurationTarget.Global);
  await eventually(
    () =>
      api
        .listModels()
        .map((m) => m.name)
        .sort()
        .join(),
    (names) => names === [...models].sort().join(),
    `models ${models.join(', ')}`,
  );
}

describe('a cloned repository opened in Restricted Mode, LLM Manager installed as a user has it', function () {
  let probe: ProbeExports;
  let api: LlmManagerApi;
  let up: FaultUpstream;

  before(async () => {
    assert.ok(TRAP && PROXY, 'the driver passes LLM_MANAGER_TEST_TRAP and LLM_MANAGER_TEST_PROXY');
    allowEgress(TRAP, "the workspace's server: only the test reads its record there");
    up = await startFaultUpstream();
    allowEgress(up.url, 'the fault upstream');
    probe = (await vscode.extensions.getExtension(PROBE_ID)!.activate()) as ProbeExports;
    api = probe.api;
  });

  after(async () => {
    await vscode.commands.executeCommand(COMMANDS.clearApiKey, KEY_ID);
    const configuration = vscode.workspace.getConfiguration('llmManager');
    for (const key of ['models', 'activeModel', 'fallbackChain', 'confirmCostAboveUsd'])
      await configuration.update(key, undefined, vscode.ConfigurationTarget.Global);
    await up.close();
  });

  it('is untrusted, and LLM Manager runs there (Restricted Mode support: limited)', () => {
    assert.strictEqual(vscode.workspace.isTrusted, false);
    assert.strictEqual(vscode.extensions.getExtension(EXTENSION_ID)?.isActive, true);
  });

  it('another extension that activates LLM Manager gets the documented API and no diagnostics', () => {
    assert.strictEqual(probe.hasDiagnostics, false);
    assert.deepStrictEqual(probe.exportedKeys, [
      'estimateCost',
      'generate',
      'getMetrics',
      'listModels',
      'onDidChangeCircuit',
      'onDidChangeMetrics',
      'onDidCompleteRequest',
      'onDidCrossBudgetAlert',
      'version',
    ]);
    assert.ok(Object.isFrozen(api), 'the API object cannot be extended by whoever holds it');
  });

  it("ignores the repository's models, key ids and secret headers: its server gets nothing, the user's model answers", async () => {
    await configureUser(
      api,
      {
        models: [openAiModel('mine', up.url, 'ok~restricted', { auth: 'apiKey', keyId: KEY_ID })],
        activeModel: 'mine',
        confirmCostAboveUsd: 0,
      },
      ['mine'],
    );
    await vscode.commands.executeCommand(COMMANDS.setApiKey, KEY_ID, USER_KEY);
    const result = await api.generate({ prompt: 'explain this repository', useCache: false });
    assert.strictEqual(result.model, 'mine');
    assert.ok(up.stats().recent.some((r) => r.model === 'ok~restricted' && r.hadKey));
    const seen = await getJson<RecordedRequest[]>(`${TRAP}${RECORDED_PATH}`);
    assert.deepStrictEqual(seen, [], "the repository's server received a request");
  });

  it("ignores the repository's other LLM Manager settings while it is untrusted", () => {
    const configuration = vscode.workspace.getConfiguration('llmManager');
    assert.strictEqual(configuration.get('templates.explain'), BUILT_IN_TEMPLATES.explain.prompt);
    assert.strictEqual(configuration.get('logLevel'), 'info');
    assert.strictEqual(configuration.inspect('templates.explain')?.workspaceValue, undefined);
  });

  it('names the ignored settings in its log', async () => {
    const logFolder = path.join(path.dirname(probe.logDirectory), EXTENSION_ID);
    await eventually(
      () =>
        fs.existsSync(logFolder)
          ? (fs.readdirSync(logFolder) as string[])
              .map((f) => fs.readFileSync(path.join(logFolder, f), 'utf8'))
              .join('\n')
          : '',
      (text) =>
        text.includes(
          "Ignored this workspace's settings llmManager.activeModel, llmManager.fallbackChain, llmManager.models",
        ),
      `the log line in ${logFolder}`,
    );
  });

  it('sends provider calls of both SDKs through the proxy the environment names (HTTPS_PROXY / HTTP_PROXY)', async () => {
    const openAiUrl = proxyOnlyUrl('env-openai', up.port);
    const anthropicUrl = proxyOnlyUrl('env-anthropic', up.port);
    await configureUser(
      api,
      {
        models: [
          openAiModel('env-a', openAiUrl, 'ok~env-a'),
          anthropicModel('env-b', anthropicUrl, 'ok~env-b'),
        ],
        activeModel: 'env-a',
        fallbackChain: ['env-b'],
      },
      ['env-a', 'env-b'],
    );
    assert.strictEqual(
      (await api.generate({ prompt: 'a', useCache: false, chain: ['env-a'] })).model,
      'env-a',
    );
    assert.strictEqual(
      (await api.generate({ prompt: 'b', useCache: false, chain: ['env-b'] })).model,
      'env-b',
    );
    const relayed = await getJson<string[]>(`${PROXY}/__relayed`);
    assert.deepStrictEqual(relayed, [new URL(openAiUrl).host, new URL(anthropicUrl).host]);
  });
});
