import * as assert from 'assert';
import * as vscode from 'vscode';
import { startFaultUpstream, type FaultUpstream } from '../../src/demo/faultUpstream';
import type { ExtensionExports } from '../../src/extension/extension';
import type { CommandOutcome } from '../../src/extension/requestRunner';
import type { CommandArgsById } from '../../src/extension/commandArgs';
import type { CommandId } from '../../src/extension/contributions';
import { allowEgress } from './egress';

export const EXTENSION_ID = 'llm-manager.llm-manager';

/** Activates the extension; it runs under development (Test mode), so it also exports diagnostics. */
export async function activateExtension(): Promise<ExtensionExports> {
  const extension = vscode.extensions.getExtension<Partial<ExtensionExports>>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not installed in this host`);
  const activated = await extension.activate();
  assert.ok(activated.diagnostics, 'the extension under test exports diagnostics (Test mode)');
  return activated as ExtensionExports;
}

let shared: Promise<FaultUpstream> | undefined;

/** One fault-injecting upstream for the whole suite, on loopback inside the extension host. */
export function upstream(): Promise<FaultUpstream> {
  shared ??= startFaultUpstream().then((up) => {
    allowEgress(up.url, 'the fault upstream');
    return up;
  });
  return shared;
}

/** Polls until `accept` holds; VS Code applies settings and loads state asynchronously. */
export async function eventually<T>(
  read: () => T | Promise<T>,
  accept: (value: T) => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!accept(value)) {
    if (Date.now() > deadline)
      assert.fail(`Timed out waiting for ${what}; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  return value;
}

type SettingValue = unknown;

/**
 * Writes user settings under `llmManager.` and waits until the extension registered the models
 * (all of them, or `expectModels` when some are meant to be rejected).
 */
export async function configure(
  api: ExtensionExports,
  settings: Record<string, SettingValue>,
  expectModels?: string[],
): Promise<void> {
  const configuration = vscode.workspace.getConfiguration('llmManager');
  for (const [key, value] of Object.entries(settings)) {
    await configuration.update(key, value, vscode.ConfigurationTarget.Global);
  }
  const models = expectModels ?? (settings.models as Array<{ id: string }> | undefined)?.map((m) => m.id);
  if (models) {
    const wanted = [...models].sort().join(',');
    await eventually(
      () =>
        api
          .listModels()
          .map((m) => m.name)
          .sort()
          .join(','),
      (names) => names === wanted,
      `models ${wanted}`,
    );
  }
}

/** Clears every `llmManager.*` user setting this suite may have written. */
export async function resetSettings(): Promise<void> {
  const configuration = vscode.workspace.getConfiguration('llmManager');
  const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
    contributes: { configuration: { properties: Record<string, unknown> } };
  };
  for (const key of Object.keys(manifest.contributes.configuration.properties)) {
    const short = key.slice('llmManager.'.length);
    if (configuration.inspect(short)?.globalValue !== undefined)
      await configuration.update(short, undefined, vscode.ConfigurationTarget.Global);
  }
}

/** An OpenAI-format model on the fault upstream; `behaviour` is the upstream's model name. */
export function openAiModel(id: string, url: string, behaviour: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    provider: 'openai',
    model: behaviour,
    baseUrl: `${url}/v1`,
    auth: 'none',
    inputPricePerMTok: 2.5,
    outputPricePerMTok: 10,
    contextWindow: 128_000,
    maxOutputTokens: 4096,
    ...extra,
  };
}

export function anthropicModel(
  id: string,
  url: string,
  behaviour: string,
  extra: Record<string, unknown> = {},
) {
  return {
    id,
    provider: 'anthropic',
    model: behaviour,
    baseUrl: url,
    auth: 'none',
    inputPricePerMTok: 3,
    outputPricePerMTok: 15,
    contextWindow: 200_000,
    maxOutputTokens: 4096,
    ...extra,
  };
}

/** Opens an editor on `content` and selects `selected` (the first occurrence), or nothing. */
export async function editorWith(
  content: string,
  selected?: string,
  language = 'typescript',
): Promise<vscode.TextEditor> {
  const document = await vscode.workspace.openTextDocument({ content, language });
  const editor = await vscode.window.showTextDocument(document, vscode.ViewColumn.One);
  if (selected !== undefined) {
    const start = content.indexOf(selected);
    assert.ok(start >= 0, 'selection text not found');
    editor.selection = new vscode.Selection(
      document.positionAt(start),
      document.positionAt(start + selected.length),
    );
  } else {
    editor.selection = new vscode.Selection(0, 0, 0, 0);
  }
  return editor;
}

/** Runs one of our commands with arguments its {@link CommandArgsById} entry allows. */
export async function runCommand<I extends CommandId>(
  command: I,
  ...args: CommandArgsById[I]
): Promise<CommandOutcome> {
  return (await vscode.commands.executeCommand(command, ...args)) as CommandOutcome;
}

export async function closeAllEditors(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/**
 * The final text of an answer document a command returned. The editor learns of a virtual
 * document's new content asynchronously, so this waits until the answer's footer has arrived.
 */
export async function documentText(uri: string | undefined): Promise<string> {
  assert.ok(uri, 'the command returned no answer document');
  const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
  return eventually(
    () => document.getText(),
    (text) =>
      !text.includes('_Waiting for the chain…_') &&
      /\n---\n|\*\*No answer\.\*\*|_Cancelled\._|^## Steps$/m.test(text),
    `the final text of ${uri}`,
  );
}
