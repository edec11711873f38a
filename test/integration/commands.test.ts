import * as assert from 'assert';
import * as vscode from 'vscode';
import type { FaultUpstream } from '../../src/demo/faultUpstream';
import { COMMANDS } from '../../src/extension/contributions';
import type { ExtensionExports } from '../../src/extension/extension';
import {
  activateExtension,
  anthropicModel,
  closeAllEditors,
  configure,
  documentText,
  editorWith,
  eventually,
  openAiModel,
  resetSettings,
  runCommand,
  upstream,
} from './support';

const CODE = 'export function add(a: number, b: number) {\n  return a + b;\n}\n';

describe('commands', function () {
  let api: ExtensionExports;
  let up: FaultUpstream;

  before(async () => {
    api = await activateExtension();
    up = await upstream();
  });

  beforeEach(async () => {
    await configure(api, {
      // These tests read the answer document (the answer view has UI tests of its own).
      'answers.view': 'document',
      models: [openAiModel('primary', up.url, 'ok~cmd'), anthropicModel('backup', up.url, 'ok~cmdb')],
      activeModel: 'primary',
      fallbackChain: ['backup'],
      confirmCostAboveUsd: 0,
      'improve.showDiff': false,
    });
    await vscode.commands.executeCommand(COMMANDS.resetCircuit, '*');
    await vscode.commands.executeCommand(COMMANDS.clearCache);
    up.resetStats();
  });

  after(async () => {
    await closeAllEditors();
    await resetSettings();
  });

  it('registers every contributed command', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const manifest = vscode.extensions.getExtension('llm-manager.llm-manager')!.packageJSON as {
      contributes: { commands: Array<{ command: string }> };
    };
    for (const { command } of manifest.contributes.commands)
      assert.ok(registered.has(command), `${command} is not registered`);
  });

  it('explains the selection through the chain and streams the answer into a document with model and cost', async () => {
    await editorWith(CODE, 'return a + b;');
    const outcome = await runCommand(COMMANDS.explainSelection);
    assert.strictEqual(outcome.ok, true, outcome.message);
    assert.strictEqual(outcome.model, 'primary');
    assert.ok(outcome.costUsd! > 0);
    const text = await documentText(outcome.document);
    assert.match(text, /^# Explain selection/);
    assert.match(text, /Demo answer/);
    assert.match(text, /Answered by \*\*primary\*\* · \d+ (ms|s) · \$0\.\d+/);
    assert.strictEqual(up.stats().byModel['ok~cmd'], 1);
  });

  it('answers a repeated question from the cache and says so', async () => {
    await editorWith(CODE, 'return a + b;');
    await runCommand(COMMANDS.askSelection, 'What does it return?');
    const again = await runCommand(COMMANDS.askSelection, 'What does it return?');
    assert.strictEqual(again.cached, true);
    assert.match(await documentText(again.document), /from the cache · no cost/);
    assert.strictEqual(up.stats().total, 1);
  });

  it('fails over to the next model when the active one errors, and the answer names who answered', async () => {
    await configure(api, {
      models: [openAiModel('primary', up.url, 'error-500~fo'), anthropicModel('backup', up.url, 'ok~fo')],
      'retry.maxRetries': 0,
    });
    await editorWith(CODE, 'return a + b;');
    const outcome = await runCommand(COMMANDS.explainSelection);
    assert.strictEqual(outcome.model, 'backup');
    assert.match(await documentText(outcome.document), /Answered by \*\*backup\*\*/);
    await configure(api, { 'retry.maxRetries': undefined });
  });

  it('improves the selection in place as one undo step', async () => {
    const editor = await editorWith(CODE, 'return a + b;');
    const outcome = await runCommand(COMMANDS.improveSelection);
    assert.strictEqual(outcome.ok, true, outcome.message);
    const changed = editor.document.getText();
    assert.notStrictEqual(changed, CODE);
    assert.ok(changed.startsWith('export function add'));
    await vscode.commands.executeCommand('undo');
    assert.strictEqual(editor.document.getText(), CODE);
  });

  it('sends a free prompt with the selection as context', async () => {
    await editorWith(CODE, 'a + b');
    const outcome = await runCommand(COMMANDS.freePrompt, 'Is this overflow-safe?');
    assert.strictEqual(outcome.ok, true);
    assert.match(await documentText(outcome.document), /^# Prompt/);
  });

  it('says clearly when there is no editor', async () => {
    await closeAllEditors();
    const outcome = await runCommand(COMMANDS.explainSelection);
    assert.strictEqual(outcome.ok, false);
    assert.match(outcome.message!, /Open a file and select some code first/);
    assert.strictEqual(up.stats().total, 0);
  });

  it('uses a small file whole when nothing is selected, and refuses a large one', async () => {
    await editorWith(CODE);
    assert.strictEqual((await runCommand(COMMANDS.explainSelection)).ok, true);
    await editorWith('x'.repeat(20_000));
    const outcome = await runCommand(COMMANDS.explainSelection);
    assert.strictEqual(outcome.ok, false);
    assert.match(outcome.message!, /too long to send whole \(20,000 characters/);
    assert.strictEqual((await runCommand(COMMANDS.improveSelection)).ok, false);
  });

  it('refuses a selection larger than every context window before any request', async () => {
    await configure(api, {
      models: [
        openAiModel('primary', up.url, 'ok~big', { contextWindow: 1000 }),
        anthropicModel('backup', up.url, 'ok~big2', { contextWindow: 2000 }),
      ],
    });
    const huge = 'const x = 1;\n'.repeat(1500);
    await editorWith(huge, huge);
    const outcome = await runCommand(COMMANDS.explainSelection);
    assert.strictEqual(outcome.errorKind, 'contextLength');
    assert.match(outcome.message!, /largest context window in the chain is 2,000 tokens \(backup\)/);
    assert.strictEqual(up.stats().total, 0);
  });

  it('reports one readable error saying what happened to each model when all fail', async () => {
    await configure(api, {
      models: [openAiModel('primary', up.url, 'auth~all'), anthropicModel('backup', up.url, 'quota~all')],
    });
    await editorWith(CODE, 'return a + b;');
    const outcome = await runCommand(COMMANDS.explainSelection);
    assert.strictEqual(outcome.ok, false);
    assert.match(outcome.message!, /- primary: API key rejected/);
    assert.match(outcome.message!, /- backup: out of quota or credit/);
    assert.match(await documentText(outcome.document), /\*\*No answer\.\*\*/);
  });

  it('chooses the active model and edits the chain through settings', async () => {
    assert.strictEqual(await vscode.commands.executeCommand(COMMANDS.chooseActiveModel, 'backup'), 'backup');
    await eventually(
      () => api.listModels()[0]?.name,
      (name) => name === 'backup',
      'backup first',
    );
    assert.strictEqual(vscode.workspace.getConfiguration('llmManager').get('activeModel'), 'backup');
    await vscode.commands.executeCommand(COMMANDS.editFallbackChain, ['primary']);
    assert.deepStrictEqual(vscode.workspace.getConfiguration('llmManager').get('fallbackChain'), ['primary']);
  });

  it('resets, isolates and re-enables circuits', async () => {
    await vscode.commands.executeCommand(COMMANDS.isolateModel, 'primary');
    assert.strictEqual(api.listModels().find((m) => m.name === 'primary')!.circuit.state, 'isolated');
    await editorWith(CODE, 'return a + b;');
    assert.strictEqual((await runCommand(COMMANDS.explainSelection)).model, 'backup');
    await vscode.commands.executeCommand(COMMANDS.resetCircuit, 'primary');
    assert.strictEqual(api.listModels().find((m) => m.name === 'primary')!.circuit.state, 'closed');
  });

  it('clears the cache', async () => {
    await editorWith(CODE, 'return a + b;');
    await runCommand(COMMANDS.explainSelection);
    assert.strictEqual(await vscode.commands.executeCommand(COMMANDS.clearCache), 1);
    assert.strictEqual(api.getMetrics().cache.entries, 0);
  });

  it('tests every model with a real call and reports each', async () => {
    await configure(api, {
      models: [openAiModel('primary', up.url, 'ok~hc'), anthropicModel('backup', up.url, 'auth~hc')],
    });
    const results = (await vscode.commands.executeCommand(COMMANDS.testModels)) as Array<{
      name: string;
      ok: boolean;
      detail: string;
    }>;
    assert.deepStrictEqual(
      results.map((r) => [r.name, r.ok]),
      [
        ['primary', true],
        ['backup', false],
      ],
    );
    assert.match(results[1].detail, /^auth:/);
  });

  it('opens the routing trace of a recent request', async () => {
    await configure(api, {
      models: [openAiModel('primary', up.url, 'error-503~tr'), anthropicModel('backup', up.url, 'ok~tr')],
      'retry.maxRetries': 0,
    });
    await editorWith(CODE, 'return a + b;');
    const outcome = await runCommand(COMMANDS.explainSelection);
    const uri = (await vscode.commands.executeCommand(COMMANDS.showTrace, outcome.traceId)) as string;
    const text = await documentText(uri);
    assert.match(text, /primary: attempt 1 failed .* the provider had a server error/);
    assert.match(text, /backup answered/);
    await configure(api, { 'retry.maxRetries': undefined });
  });

  it('shows chain health in the status bar', async () => {
    await eventually(
      () => api.diagnostics.statusBar()?.text ?? '',
      (text) => text.includes('primary'),
      'status bar text',
    );
    const status = api.diagnostics.statusBar()!;
    assert.strictEqual(status.health, 'healthy');
    assert.match(status.tooltip, /\| \$\(pass-filled\) \| \*\*primary\*\*(&nbsp;)* \| closed(&nbsp;)* \|/);
  });
});
