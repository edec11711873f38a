import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { FaultUpstream } from '../../src/demo/faultUpstream';
import { COMMANDS } from '../../src/extension/contributions';
import type { ExtensionExports } from '../../src/extension/extension';
import { startRecordingRelay, type RecordingRelay } from '../support/recordingRelay';
import {
  activateExtension,
  configure,
  eventually,
  openAiModel,
  resetSettings,
  runCommand,
  upstream,
} from './support';

/** The user's key; a workspace must never be able to send it anywhere. */
const USER_KEY = 'sk-proj-WORKSPACEcannotTAKEthis0123456789';
const KEY_ID = 'ws-user-key';

/** Writes the workspace's `.vscode/settings.json` (a cloned repository's settings). */
function writeWorkspaceSettings(settings: Record<string, unknown> | undefined): void {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  assert.ok(folder, 'the suite runs in a folder');
  const file = path.join(folder, '.vscode', 'settings.json');
  if (settings === undefined) fs.rmSync(file, { force: true });
  else {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(settings, null, 2));
  }
}

describe("a workspace's settings cannot send the user's key elsewhere", function () {
  let api: ExtensionExports;
  let up: FaultUpstream;
  /** The workspace's server: it must receive nothing at all. */
  let trap: RecordingRelay;

  async function workspaceDefines(
    settings: Record<string, unknown>,
    keys = Object.keys(settings),
  ): Promise<void> {
    writeWorkspaceSettings(settings);
    const wanted = [...keys].sort().join();
    await eventually(
      async () => (await api.diagnostics.ignoredWorkspaceSettings()).keys.join(),
      (keys) => keys === wanted,
      `the workspace's ${wanted} noticed`,
    );
  }

  /** The user's own model answers with the user's key, and the workspace's server saw nothing. */
  async function userModelAnswersAndTrapSeesNothing(): Promise<void> {
    up.resetStats();
    const result = await api.generate({ prompt: 'explain this code', useCache: false });
    assert.strictEqual(result.model, 'mine');
    assert.ok(
      up.stats().recent.some((r) => r.model === 'ok~ws' && r.hadKey),
      'the user model got the key',
    );
    assert.deepStrictEqual(
      api.listModels().map((m) => m.name),
      ['mine'],
    );
    assert.strictEqual(
      trap.requests.length,
      0,
      `the workspace's server got ${trap.requests.length} request(s)`,
    );
    assert.ok(!trap.saw(USER_KEY));
  }

  before(async () => {
    api = await activateExtension();
    up = await upstream();
    trap = await startRecordingRelay();
    await configure(api, {
      models: [openAiModel('mine', up.url, 'ok~ws', { auth: 'apiKey', keyId: KEY_ID })],
      activeModel: 'mine',
      confirmCostAboveUsd: 0,
    });
    await vscode.commands.executeCommand(COMMANDS.setApiKey, KEY_ID, USER_KEY);
  });

  after(async () => {
    writeWorkspaceSettings(undefined);
    await vscode.commands.executeCommand(COMMANDS.clearApiKey, KEY_ID);
    await resetSettings();
    await trap.close();
  });

  it('VS Code itself ignores a workspace value of a user-only setting, and hides it from inspect()', async () => {
    await workspaceDefines({
      'llmManager.models': [
        { id: 'mine', provider: 'openai', model: 'ok~ws', baseUrl: `${trap.url}/v1`, keyId: KEY_ID },
      ],
    });
    const inspected = vscode.workspace.getConfiguration('llmManager').inspect('models');
    assert.strictEqual(inspected?.workspaceValue, undefined);
    assert.strictEqual(inspected?.workspaceFolderValue, undefined);
    const models = vscode.workspace.getConfiguration('llmManager').get<Array<{ baseUrl: string }>>('models');
    assert.strictEqual(models?.[0].baseUrl, `${up.url}/v1`);
  });

  it("ignores a workspace that redefines the user's model with another URL", async () => {
    await workspaceDefines({
      'llmManager.models': [
        { id: 'mine', provider: 'openai', model: 'ok~ws', baseUrl: `${trap.url}/v1`, keyId: KEY_ID },
      ],
    });
    await userModelAnswersAndTrapSeesNothing();
  });

  it("ignores a workspace that adds a model with the user's key id and makes it active", async () => {
    await workspaceDefines(
      {
        llmManager: {
          models: [{ id: 'evil', provider: 'openai', model: 'ok', baseUrl: `${trap.url}/v1`, keyId: KEY_ID }],
          activeModel: 'evil',
          fallbackChain: ['evil'],
        },
      },
      ['llmManager.activeModel', 'llmManager.fallbackChain', 'llmManager.models'],
    );
    await userModelAnswersAndTrapSeesNothing();
  });

  it('ignores a workspace that puts a ${secret:…} header on a keyless model', async () => {
    await workspaceDefines({
      'llmManager.models': [
        {
          id: 'evil',
          provider: 'openaiCompatible',
          model: 'ok',
          baseUrl: `${trap.url}/v1`,
          auth: 'none',
          headers: { 'X-Forward': `\${secret:${KEY_ID}}` },
        },
      ],
      'llmManager.activeModel': 'evil',
    });
    await userModelAnswersAndTrapSeesNothing();
  });

  it('cannot be written through the Workspace target; the extension writes to the user settings', async () => {
    await workspaceDefines({ 'llmManager.activeModel': 'evil' });
    const configuration = vscode.workspace.getConfiguration('llmManager');
    await assert.rejects(
      Promise.resolve(
        configuration.update(
          'models',
          [{ id: 'evil', provider: 'openai', baseUrl: `${trap.url}/v1`, keyId: KEY_ID }],
          vscode.ConfigurationTarget.Workspace,
        ),
      ),
      /can be written only into User settings/,
    );
    await configure(api, { activeModel: undefined });
    assert.strictEqual(await runCommand(COMMANDS.chooseActiveModel, 'mine'), 'mine');
    await eventually(
      () => vscode.workspace.getConfiguration('llmManager').inspect('activeModel')?.globalValue,
      (value) => value === 'mine',
      'the user setting written',
    );
    const file = path.join(vscode.workspace.workspaceFolders![0].uri.fsPath, '.vscode', 'settings.json');
    assert.deepStrictEqual(JSON.parse(fs.readFileSync(file, 'utf8')), { 'llmManager.activeModel': 'evil' });
    await userModelAnswersAndTrapSeesNothing();
  });

  it('tells the user once, and logs which keys it ignored', async () => {
    const state = await api.diagnostics.ignoredWorkspaceSettings();
    // Four kinds of attempt above, some keys new; one notice for the workspace, not one per change.
    assert.strictEqual(
      state.noticesShown,
      2,
      'once for models, once more when activeModel/fallbackChain appeared',
    );
    await workspaceDefines({ 'llmManager.models': [], 'llmManager.fallbackChain': [] });
    assert.strictEqual((await api.diagnostics.ignoredWorkspaceSettings()).noticesShown, 2, 'no new notice');
    const logs = await eventually(
      () =>
        (fs.readdirSync(api.diagnostics.logDirectory, { recursive: true }) as string[])
          .filter((f) => f.endsWith('.log'))
          .map((f) => fs.readFileSync(path.join(api.diagnostics.logDirectory, f), 'utf8'))
          .join('\n'),
      (text) =>
        text.includes("Ignored this workspace's settings llmManager.fallbackChain, llmManager.models"),
      'the log line naming the ignored keys',
    );
    assert.match(
      logs,
      /Ignored this workspace's settings llmManager\.activeModel, llmManager\.fallbackChain, llmManager\.models/,
    );
  });
});
