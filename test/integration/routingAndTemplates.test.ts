import * as assert from 'assert';
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

const CODE = 'export const answer = 42;\n';

describe('prompt templates', function () {
  let api: ExtensionExports;
  let up: FaultUpstream;

  before(async () => {
    api = await activateExtension();
    up = await upstream();
    await configure(api, {
      // These tests read the answer document (the answer view has UI tests of its own).
      'answers.view': 'document',
      models: [openAiModel('tpl', up.url, 'ok~tpl')],
      activeModel: 'tpl',
      confirmCostAboveUsd: 0,
      'templates.custom': [
        {
          id: 'tests',
          title: 'Write unit tests',
          prompt: 'Write unit tests in {{language}} for:\n{{selectionBlock}}',
        },
        { id: 'broken', title: 'Broken', prompt: 'Uses {{nonsense}}' },
      ],
    });
  });

  after(() => resetSettings());

  it('runs a user template from settings through the chain', async () => {
    await editorWith(CODE, CODE.trim());
    up.resetStats();
    const outcome = await runCommand(COMMANDS.runTemplate, 'tests');
    assert.strictEqual(outcome.ok, true, outcome.message);
    assert.match(await documentText(outcome.document), /^# Write unit tests/);
    const sent = up.stats().recent.at(-1);
    assert.strictEqual(sent?.model, 'ok~tpl');
  });

  it('refuses a template with an unknown placeholder, naming it', async () => {
    // The broken template is dropped when settings are read (with a message naming the setting).
    const outcome = await runCommand(COMMANDS.runTemplate, 'broken');
    assert.strictEqual(outcome.ok, false);
    assert.match(outcome.message!, /There is no prompt template "broken"/);
  });

  it('uses an edited built-in template for Explain Selection', async () => {
    await configure(api, { 'templates.explain': 'In one sentence, what is {{selection}}?' });
    await editorWith(CODE, CODE.trim());
    const outcome = await runCommand(COMMANDS.explainSelection);
    assert.strictEqual(outcome.ok, true, outcome.message);
    await configure(api, { 'templates.explain': undefined });
  });
});

describe('task tiers and budget pressure', function () {
  let api: ExtensionExports;
  let up: FaultUpstream;

  before(async () => {
    api = await activateExtension();
    up = await upstream();
  });

  after(() => resetSettings());

  it("sends each task to its tier's chain", async () => {
    await configure(api, {
      // These tests read the answer document (the answer view has UI tests of its own).
      'answers.view': 'document',
      models: [
        openAiModel('standard-model', up.url, 'ok~tier-s'),
        anthropicModel('premium', up.url, 'ok~tier-h'),
        openAiModel('budget', up.url, 'ok~tier-e', { inputPricePerMTok: 0.1, outputPricePerMTok: 0.4 }),
      ],
      activeModel: 'standard-model',
      'routing.highChain': ['premium'],
      'routing.economyChain': ['budget'],
      'improve.showDiff': false,
      confirmCostAboveUsd: 0,
    });
    await editorWith(CODE, CODE.trim());
    assert.strictEqual((await runCommand(COMMANDS.explainSelection)).model, 'standard-model');
    assert.strictEqual((await runCommand(COMMANDS.askSelection, 'Quick one?')).model, 'budget');
    await editorWith(CODE, CODE.trim());
    assert.strictEqual((await runCommand(COMMANDS.improveSelection)).model, 'premium');
  });

  it('moves standard tasks to the economy chain under budget pressure, and the trace and status bar say so', async () => {
    const spent = api.getMetrics().spend.todayUsd;
    assert.ok(spent > 0, 'earlier requests spent something');
    // A daily budget of which only 10 % remains.
    await configure(api, { 'budget.dailyUsd': spent / 0.9, 'budget.pressureThreshold': 0.2 });
    await eventually(
      () => api.diagnostics.statusBar()?.text ?? '',
      (text) => text.includes('budget pressure'),
      'the status bar to show budget pressure',
    );
    await editorWith('export const other = 7;\n', 'export const other = 7;');
    const outcome = await runCommand(COMMANDS.explainSelection);
    assert.strictEqual(outcome.model, 'budget');
    const trace = await documentText(
      (await vscode.commands.executeCommand(COMMANDS.showTrace, outcome.traceId)) as string,
    );
    assert.match(
      trace,
      /standard request routed to the economy chain \(budget pressure: \d+ % of the daily budget left\)/,
    );
    assert.match(api.diagnostics.statusBar()!.tooltip, /standard tasks use the economy chain/);
  });
});
