import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { FaultUpstream } from '../../src/demo/faultUpstream';
import { COMMANDS } from '../../src/extension/contributions';
import type { ExtensionExports } from '../../src/extension/extension';
import {
  activateExtension,
  anthropicModel,
  configure,
  documentText,
  editorWith,
  eventually,
  openAiModel,
  resetSettings,
  runCommand,
  upstream,
} from './support';

/** A key planted for this test; it must never appear anywhere but SecretStorage and the wire. */
const PLANTED_KEY = 'sk-proj-PLANTEDkey0123456789abcdefXYZ';

function filesUnder(folder: string): string[] {
  if (!fs.existsSync(folder)) return [];
  return (fs.readdirSync(folder, { recursive: true }) as string[])
    .map((f) => path.join(folder, f))
    .filter((f) => fs.statSync(f).isFile());
}

describe('API keys', function () {
  let api: ExtensionExports;
  let up: FaultUpstream;

  before(async () => {
    api = await activateExtension();
    up = await upstream();
    await vscode.commands.executeCommand(COMMANDS.clearApiKey, 'it-key');
  });

  after(async () => {
    await vscode.commands.executeCommand(COMMANDS.clearApiKey, 'it-key');
    await resetSettings();
  });

  it('skips a model without a key with "no API key — set one", and the chain goes on', async () => {
    await configure(api, {
      // These tests read the answer document (the answer view has UI tests of its own).
      'answers.view': 'document',
      models: [
        openAiModel('keyed', up.url, 'ok~keys', { auth: 'apiKey', keyId: 'it-key' }),
        anthropicModel('open', up.url, 'ok~keys2'),
      ],
      activeModel: 'keyed',
      fallbackChain: ['open'],
      confirmCostAboveUsd: 0,
    });
    up.resetStats();
    const result = await api.generate({ prompt: 'hello', useCache: false });
    assert.strictEqual(result.model, 'open');
    const skip = result.trace.steps.find((s) => s.type === 'skip');
    assert.ok(
      skip && skip.type === 'skip' && skip.detail === 'skipped: no API key — set one',
      JSON.stringify(result.trace.steps),
    );
    assert.strictEqual(
      up.stats().byModel['ok~keys'],
      undefined,
      'no request reached the upstream for the keyless model',
    );
  });

  it('uses a key set through SecretStorage, and forgets it when cleared', async () => {
    assert.strictEqual(
      await vscode.commands.executeCommand(COMMANDS.setApiKey, 'it-key', PLANTED_KEY),
      'it-key',
    );
    up.resetStats();
    const result = await api.generate({ prompt: 'hello again', useCache: false });
    assert.strictEqual(result.model, 'keyed');
    const record = up.stats().recent.find((r) => r.model === 'ok~keys');
    assert.ok(record?.hadKey, 'the request carried the key');
    await vscode.commands.executeCommand(COMMANDS.clearApiKey, 'it-key');
    assert.strictEqual((await api.generate({ prompt: 'and again', useCache: false })).model, 'open');
  });

  it('never writes a key to globalState, settings, logs, errors, traces or answers — even when a provider echoes it', async () => {
    await vscode.commands.executeCommand(COMMANDS.setApiKey, 'it-key', PLANTED_KEY);
    await configure(api, {
      // These tests read the answer document (the answer view has UI tests of its own).
      'answers.view': 'document',
      models: [
        openAiModel('keyed', up.url, 'leaky-auth~keys', { auth: 'apiKey', keyId: 'it-key' }),
        anthropicModel('open', up.url, 'ok~keys3'),
      ],
      logLevel: 'trace',
    });
    await editorWith('const secretless = true;\n', 'const secretless = true;');
    const outcome = await runCommand(COMMANDS.explainSelection);
    assert.strictEqual(outcome.model, 'open');
    const answer = await documentText(outcome.document);
    const trace = await documentText(
      (await vscode.commands.executeCommand(COMMANDS.showTrace, outcome.traceId)) as string,
    );
    assert.match(trace, /keyed: attempt 1 failed .*API key rejected/);
    await api.diagnostics.flush();
    // Give the log channel a moment to reach its file.
    await new Promise((resolve) => setTimeout(resolve, 1500));

    const places: Record<string, string> = {
      globalState: JSON.stringify(api.diagnostics.globalStateDump()),
      sharedLedger: filesUnder(api.diagnostics.sharedDirectory!)
        .map((f) => fs.readFileSync(f, 'utf8'))
        .join('\n'),
      settings: JSON.stringify(vscode.workspace.getConfiguration('llmManager')),
      metrics: JSON.stringify(api.getMetrics()) + JSON.stringify(api.listModels()),
      answer,
      trace,
      logs: filesUnder(api.diagnostics.logDirectory)
        .map((f) => fs.readFileSync(f, 'utf8'))
        .join('\n'),
    };
    assert.ok(
      places.logs.includes('trace '),
      `the log holds routing traces (so the scan means something); files: ${filesUnder(api.diagnostics.logDirectory).join(', ')}`,
    );
    assert.ok(
      places.sharedLedger.includes('keyed'),
      'the shared ledger holds the model state (so the scan means something)',
    );
    for (const [where, text] of Object.entries(places)) {
      assert.ok(!text.includes(PLANTED_KEY), `the key leaked into ${where}`);
      assert.ok(!text.includes(PLANTED_KEY.slice(8, 24)), `part of the key leaked into ${where}`);
    }
    await configure(api, { logLevel: undefined });
  });
});

describe('settings', function () {
  let api: ExtensionExports;
  let up: FaultUpstream;

  before(async () => {
    api = await activateExtension();
    up = await upstream();
  });

  after(() => resetSettings());

  it('apply live, without a reload', async () => {
    await configure(api, {
      models: [openAiModel('one', up.url, 'ok~live'), anthropicModel('two', up.url, 'ok~live2')],
      activeModel: 'one',
      fallbackChain: ['two'],
    });
    assert.strictEqual((await api.generate({ prompt: 'a', useCache: false })).model, 'one');
    await configure(api, { activeModel: 'two' });
    await eventually(
      () => api.listModels()[0].name,
      (name) => name === 'two',
      'the new active model',
    );
    assert.strictEqual((await api.generate({ prompt: 'b', useCache: false })).model, 'two');
    await configure(api, {
      'circuitBreaker.failureThreshold': 1,
      'retry.maxRetries': 0,
      models: [openAiModel('one', up.url, 'error-500~live'), anthropicModel('two', up.url, 'ok~live2')],
      activeModel: 'one',
    });
    await api.generate({ prompt: 'c', useCache: false });
    assert.strictEqual(api.listModels().find((m) => m.name === 'one')!.circuit.state, 'open');
    await vscode.commands.executeCommand(COMMANDS.resetCircuit, '*');
    await configure(api, { 'circuitBreaker.failureThreshold': undefined, 'retry.maxRetries': undefined });
  });

  it('keep working with bad values: an unknown model in the chain, a negative budget, a malformed URL', async () => {
    await configure(
      api,
      {
        models: [
          openAiModel('good', up.url, 'ok~bad'),
          { id: 'broken', provider: 'openaiCompatible', baseUrl: 'htp:/nowhere', model: 'x' },
        ],
        activeModel: 'good',
        fallbackChain: ['ghost', 'broken'],
        'budget.dailyUsd': -3,
      },
      ['good'],
    );
    const result = await api.generate({ prompt: 'still works', useCache: false });
    assert.strictEqual(result.model, 'good');
    assert.strictEqual(api.getMetrics().spend.dailyBudgetUsd, undefined);
    await configure(api, { 'budget.dailyUsd': undefined, fallbackChain: undefined });
  });

  it('uses a preset by name, in any letter case, without a key for a local server', async () => {
    await configure(api, {
      models: [
        {
          id: 'local-llama',
          provider: 'openaiCompatible',
          preset: 'LMStudio',
          baseUrl: `${up.url}/v1`,
          model: 'ok~preset',
        },
      ],
      activeModel: 'local-llama',
    });
    const result = await api.generate({ prompt: 'hello local', useCache: false });
    assert.strictEqual(result.model, 'local-llama');
    assert.strictEqual(result.costUsd, 0, 'local presets are free');
  });

  it('re-registering a model after a settings edit keeps its circuit and history', async () => {
    await configure(api, { models: [openAiModel('kept', up.url, 'ok~kept')], activeModel: 'kept' });
    await api.generate({ prompt: 'one', useCache: false });
    const before = api.listModels()[0].requests;
    await configure(api, { models: [openAiModel('kept', up.url, 'ok~kept', { rpm: 600 })] });
    await eventually(
      () => api.listModels()[0]?.metadata.rpm,
      (rpm) => rpm === 600,
      'the edited model',
    );
    assert.strictEqual(api.listModels()[0].requests, before);
  });
});
