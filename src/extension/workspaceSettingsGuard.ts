// The ESM build: esbuild cannot follow the UMD build's dynamic requires.
import { parse } from 'jsonc-parser/lib/esm/main.js';
import * as vscode from 'vscode';
import type { Logger } from '../core';
import { userOnlySettingsIn } from './settingScopes';

/** workspaceState key: the ignored settings the user was already told about in this workspace. */
const NOTIFIED_STATE = 'llmManager.ignoredWorkspaceSettingsNotified';

export const IGNORED_WORKSPACE_SETTINGS_NOTICE =
  "This workspace's settings try to change LLM Manager models; they are ignored.";

/** What the guard found last (a test read-out). */
export interface IgnoredWorkspaceSettings {
  /** Full names of the user-only settings the workspace defines, sorted. */
  readonly keys: readonly string[];
  /** How many notices were shown in this window. */
  readonly noticesShown: number;
}

/**
 * Watches the workspace's settings files for user-only `llmManager.*` settings. VS Code already
 * ignores them (their scope is `machine` or `application`) and hides them from `inspect()`, so the
 * files are read here only to tell the user: one notice per workspace, with a button to the user
 * settings, and a log line naming the ignored keys whenever they change.
 */
export class WorkspaceSettingsGuard implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[] = [];
  private lastKeys: readonly string[] = [];
  private noticesShown = 0;
  private checking: Promise<void> = Promise.resolve();

  constructor(
    private readonly logger: Logger,
    private readonly workspaceState: vscode.Memento,
  ) {
    const watcher = vscode.workspace.createFileSystemWatcher('**/.vscode/settings.json');
    const recheck = () => void this.check();
    this.subscriptions.push(
      watcher,
      watcher.onDidCreate(recheck),
      watcher.onDidChange(recheck),
      watcher.onDidDelete(recheck),
      vscode.workspace.onDidChangeWorkspaceFolders(recheck),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('llmManager')) recheck();
      }),
    );
    recheck();
  }

  /** Reads the settings files again; resolves when this check (and any before it) is done. */
  check(): Promise<void> {
    this.checking = this.checking.then(() => this.checkNow()).catch(() => undefined);
    return this.checking;
  }

  get current(): IgnoredWorkspaceSettings {
    return { keys: this.lastKeys, noticesShown: this.noticesShown };
  }

  private async checkNow(): Promise<void> {
    const files = (vscode.workspace.workspaceFolders ?? []).map((folder) =>
      vscode.Uri.joinPath(folder.uri, '.vscode', 'settings.json'),
    );
    const found = new Set<string>();
    for (const file of files) for (const key of userOnlySettingsIn(await readJsonc(file))) found.add(key);
    const workspaceFile = vscode.workspace.workspaceFile;
    if (workspaceFile && workspaceFile.scheme !== 'untitled') {
      const settings = ((await readJsonc(workspaceFile)) as { settings?: unknown } | undefined)?.settings;
      for (const key of userOnlySettingsIn(settings)) found.add(key);
    }
    const keys = [...found].sort();
    if (keys.join() !== this.lastKeys.join() && keys.length > 0)
      this.logger.warn(
        `Ignored this workspace's settings ${keys.join(', ')}: they can reach your API keys or spend, so only your user settings count.`,
      );
    this.lastKeys = keys;
    const notified = new Set(this.workspaceState.get<string[]>(NOTIFIED_STATE) ?? []);
    if (keys.length === 0 || keys.every((key) => notified.has(key))) return;
    await this.workspaceState.update(NOTIFIED_STATE, [...new Set([...notified, ...keys])].sort());
    this.noticesShown++;
    void vscode.window
      .showWarningMessage(IGNORED_WORKSPACE_SETTINGS_NOTICE, 'Open User Settings')
      .then((choice) => {
        if (choice)
          void vscode.commands.executeCommand('workbench.action.openGlobalSettings', { query: 'llmManager' });
      });
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}

async function readJsonc(file: vscode.Uri): Promise<unknown> {
  try {
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(file));
    return parse(text, [], { allowTrailingComma: true });
  } catch {
    return undefined;
  }
}
