import * as fs from 'fs';
import * as path from 'path';
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { FaultUpstream } from '../../src/demo/faultUpstream';
import { CHAT_MODEL_ID, CHAT_VENDOR, COMMANDS } from '../../src/extension/contributions';
import type { ExtensionExports } from '../../src/extension/extension';
import { itAfterReload, recallAcrossReload, rememberAcrossReload } from './reload';
import {
  activateExtension,
  anthropicModel,
  configure,
  eventually,
  openAiModel,
  resetSettings,
  upstream,
} from './support';

const PERSIST_SETTINGS = (url: string) => ({
  models: [
    openAiModel('persist-flaky', url, 'error-500~persist'),
    anthropicModel('persist-ok', url, 'ok~persist'),
  ],
  activeModel: 'persist-flaky',
  fallbackChain: ['persist-ok'],
  'circuitBreaker.failureThreshold': 1,
  'circuitBreaker.recoveryTimeoutSeconds': 3600,
  'retry.maxRetries': 0,
});

describe('persistence in globalState', function () {
  let api: ExtensionExports;
  let up: FaultUpstream;

  before(async () => {
    api = await activateExtension();
    up = await upstream();
  });

  it('saves cache, metrics, spend and circuit states, bounded in size', async () => {
    await configure(api, PERSIST_SETTINGS(up.url));
    const result = await api.generate({ prompt: 'remember me', temperature: 0 });
    assert.strictEqual(result.model, 'persist-ok');
    assert.strictEqual(api.listModels().find((m) => m.name === 'persist-flaky')!.circuit.state, 'open');
    await api.diagnostics.flush();
    const sizes = api.diagnostics.persistedSizes();
    // The cache stays in globalState; metrics, spend and circuits are the windows' shared ledger.
    assert.deepStrictEqual(Object.keys(sizes).sort(), ['llmManager.cache']);
    const ledgerFiles = fs.readdirSync(path.join(api.diagnostics.sharedDirectory!, 'windows'));
    assert.ok(
      ledgerFiles.length >= 1,
      `the shared ledger has this window's record (${ledgerFiles.join(', ')})`,
    );
    const total = Object.values(sizes).reduce((a, b) => a + b, 0);
    assert.ok(total < 256 * 1024, `globalState holds ${total} characters`);
    rememberAcrossReload('persist', {
      requests: api.getMetrics().requests,
      spend: api.getMetrics().spend.todayUsd,
      text: result.text,
    });
    await resetSettings();
  });

  itAfterReload('restores the cache, metrics, spend and an open circuit in the reloaded window', async () => {
    const saved = recallAcrossReload<{ requests: number; spend: number; text: string }>('persist');
    assert.ok(saved, 'the window before the reload saved its figures');
    await configure(api, PERSIST_SETTINGS(up.url));
    await eventually(
      () => api.getMetrics().requests,
      (requests) => requests >= saved.requests,
      'restored request count',
    );
    assert.ok(api.getMetrics().spend.todayUsd >= saved.spend);
    assert.strictEqual(api.listModels().find((m) => m.name === 'persist-flaky')!.circuit.state, 'open');
    up.resetStats();
    const again = await api.generate({ prompt: 'remember me', temperature: 0 });
    assert.strictEqual(again.cached, true);
    assert.strictEqual(again.text, saved.text);
    assert.strictEqual(up.stats().total, 0, 'answered from the restored cache without any upstream call');
    await vscode.commands.executeCommand(COMMANDS.resetCircuit, '*');
    await resetSettings();
  });
});

describe('the chain as a VS Code chat model', function () {
  let api: ExtensionExports;
  let up: FaultUpstream;

  before(async () => {
    api = await activateExtension();
    up = await upstream();
    await configure(api, {
      models: [openAiModel('chat-a', up.url, 'error-503~chat'), anthropicModel('chat-b', up.url, 'ok~chat')],
      activeModel: 'chat-a',
      fallbackChain: ['chat-b'],
      'retry.maxRetries': 0,
    });
  });

  after(() => resetSettings());

  async function chainModel(): Promise<vscode.LanguageModelChat> {
    const models = await eventually(
      async () => vscode.lm.selectChatModels({ vendor: CHAT_VENDOR }),
      (found) => found.length > 0,
      'the chain chat model',
    );
    return models[0];
  }

  it('is offered to vscode.lm as "LLM Manager (fallback chain)"', async () => {
    const model = await chainModel();
    assert.strictEqual(model.id, CHAT_MODEL_ID);
    assert.strictEqual(model.name, 'LLM Manager (fallback chain)');
    assert.ok(model.maxInputTokens > 1000);
  });

  it('streams an answer through the chain, failing over behind the scenes', async () => {
    const model = await chainModel();
    const response = await model.sendRequest(
      [vscode.LanguageModelChatMessage.User('Say hello')],
      {},
      new vscode.CancellationTokenSource().token,
    );
    let text = '';
    let pieces = 0;
    for await (const piece of response.text) {
      text += piece;
      pieces++;
    }
    assert.match(text, /Demo answer/);
    assert.ok(pieces >= 2, `streamed in ${pieces} piece(s)`);
    assert.strictEqual(api.getMetrics().fallbacks['chat-a→chat-b'] >= 1, true);
  });

  it('counts tokens', async () => {
    const model = await chainModel();
    assert.strictEqual(await model.countTokens('12345678'), 2);
  });
});

describe('the exported API', function () {
  let api: ExtensionExports;
  let up: FaultUpstream;

  before(async () => {
    api = await activateExtension();
    up = await upstream();
    await configure(api, {
      models: [
        openAiModel('api-a', up.url, 'ok~api'),
        anthropicModel('api-b', up.url, 'ok~api2', {
          inputPricePerMTok: 0,
          outputPricePerMTok: 0,
          free: true,
        }),
      ],
      activeModel: 'api-a',
      fallbackChain: ['api-b'],
    });
  });

  after(() => resetSettings());

  it('generates through the chain and reports events', async () => {
    const completed: string[] = [];
    const subscription = api.onDidCompleteRequest((request) =>
      completed.push(request.result?.model ?? 'error'),
    );
    const result = await api.generate({ prompt: 'from another extension', useCache: false });
    subscription.dispose();
    assert.strictEqual(result.model, 'api-a');
    assert.deepStrictEqual(completed, ['api-a']);
    assert.ok(result.trace.steps.some((s) => s.type === 'answered'));
  });

  it('estimates cost and lists models with their state', () => {
    const estimate = api.estimateCost({ prompt: 'x'.repeat(4000), maxTokens: 100 });
    assert.deepStrictEqual(
      estimate.perModel.map((m) => [m.model, m.free]),
      [
        ['api-a', false],
        ['api-b', true],
      ],
    );
    const models = api.listModels();
    assert.deepStrictEqual(
      models.map((m) => m.name),
      ['api-a', 'api-b'],
    );
    assert.strictEqual(models[0].circuit.state, 'closed');
  });

  it('tells subscribers when a circuit changes', async () => {
    const changes: string[] = [];
    const subscription = api.onDidChangeCircuit((change) => changes.push(`${change.model}:${change.to}`));
    await vscode.commands.executeCommand(COMMANDS.isolateModel, 'api-a');
    await vscode.commands.executeCommand(COMMANDS.resetCircuit, 'api-a');
    subscription.dispose();
    assert.deepStrictEqual(changes, ['api-a:isolated', 'api-a:closed']);
  });

  it('rejects a bad request with a clear error kind', async () => {
    await assert.rejects(
      api.generate({ prompt: '' }),
      (error: { kind?: string; message: string }) =>
        error.kind === 'badRequest' && /no prompt/.test(error.message),
    );
  });

  it('reports how long activate() took', function () {
    // Reported in the test's title, not asserted: speed is proven by measurement, not by timed tests.
    assert.ok(api.diagnostics.activationMs > 0);
    this.test!.title += ` (activate() took ${api.diagnostics.activationMs.toFixed(1)} ms)`;
  });
});

describe("VS Code's own models as chain members", function () {
  let api: ExtensionExports;
  let up: FaultUpstream;

  before(async () => {
    api = await activateExtension();
    up = await upstream();
    // The fixture extension (test/fixtures/fake-lm-extension) offers vendor llm-manager-test-lm, as Copilot would.
    await eventually(
      async () => vscode.lm.selectChatModels({ vendor: 'llm-manager-test-lm' }),
      (found) => found.length > 0,
      'the fixture chat model',
    );
    await configure(api, {
      models: [
        openAiModel('cloud', up.url, 'error-500~vslm'),
        { id: 'editor-model', provider: 'vscode-lm', vendor: 'llm-manager-test-lm', family: 'echo' },
      ],
      activeModel: 'cloud',
      fallbackChain: ['editor-model'],
      'retry.maxRetries': 0,
    });
  });

  after(() => resetSettings());

  it('answers through vscode.lm without any key, free of charge', async () => {
    const result = await api.generate({ prompt: 'hello from the chain', useCache: false });
    assert.strictEqual(result.model, 'editor-model');
    assert.strictEqual(result.text, 'Echo: hello from the chain');
    assert.strictEqual(result.costUsd, 0);
    assert.ok(result.usage.inputTokens > 0 && result.usage.outputTokens > 0);
  });

  it("maps the model's errors to the core's kinds", async () => {
    const error = await api
      .generate({ prompt: '[blocked] please', useCache: false, chain: ['editor-model'] })
      .then(
        () => assert.fail('expected a failure'),
        (e: { kind: string; message: string }) => e,
      );
    assert.strictEqual(error.kind, 'quota');
    assert.match(error.message, /editor-model: out of quota or credit/);
  });
});
