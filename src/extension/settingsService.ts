import * as vscode from 'vscode';
import { Emitter } from '../core';
import {
  parseSettings,
  SETTINGS_SECTION,
  type ExtensionSettings,
  type SettingKey,
  type SettingsProblem,
} from './settings';
import { isUserOnlySetting, writeTargetFor } from './settingScopes';

const TARGETS = {
  global: vscode.ConfigurationTarget.Global,
  workspace: vscode.ConfigurationTarget.Workspace,
  workspaceFolder: vscode.ConfigurationTarget.WorkspaceFolder,
} as const;

/**
 * Reads the settings in one place, re-reads them when they change (no reload needed) and tells
 * the user once about each new problem, naming the setting.
 */
export class SettingsService implements vscode.Disposable {
  private current: ExtensionSettings;
  private shownProblems = new Set<string>();
  private readonly _onDidChange = new Emitter<ExtensionSettings>();
  readonly onDidChange = this._onDidChange.event;
  private readonly subscription: vscode.Disposable;
  private readonly extraProblems: SettingsProblem[] = [];

  constructor(private readonly log: { warn(message: string): void }) {
    this.current = this.read();
    this.subscription = vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration(SETTINGS_SECTION)) return;
      this.current = this.read();
      this._onDidChange.fire(this.current);
    });
  }

  get settings(): ExtensionSettings {
    return this.current;
  }

  /** Problems found by later stages (a provider config the providers reject, a core limit). */
  report(setting: string, message: string): void {
    this.extraProblems.push({ setting: `${SETTINGS_SECTION}.${setting}`, message });
    this.announce([{ setting: `${SETTINGS_SECTION}.${setting}`, message }]);
  }

  /**
   * Writes a setting: a user-only one (models, chains, budgets) always to the user settings, never
   * to a workspace; another where the user keeps it (see {@link writeTargetFor}).
   */
  async update(key: SettingKey, value: unknown): Promise<void> {
    const configuration = vscode.workspace.getConfiguration(SETTINGS_SECTION);
    await configuration.update(key, value, TARGETS[writeTargetFor(key, configuration.inspect(key))]);
  }

  /**
   * Appends a model to `llmManager.models` and resolves once the change is in effect: after the
   * settings change event (whose listeners register the model) has run. Resolves false when the
   * entry was written but is not among the valid models (its problem is reported by name).
   */
  async addModel(entry: Readonly<Record<string, unknown>> & { readonly id: string }): Promise<boolean> {
    const raw = vscode.workspace.getConfiguration(SETTINGS_SECTION).get<unknown[]>('models') ?? [];
    const applied = new Promise<ExtensionSettings>((resolve) => {
      const subscription = this.onDidChange((next) => {
        subscription.dispose();
        resolve(next);
      });
    });
    await this.update('models', [...raw, entry]);
    const next = await applied;
    return next.models.some((model) => model.id === entry.id);
  }

  /**
   * Changes fields of the model `id` in the user's `llmManager.models` and resolves once the change
   * is in effect. False when no entry of the user's settings has that id (a demo model, say).
   */
  async updateModel(id: string, patch: Readonly<Record<string, unknown>>): Promise<boolean> {
    const raw =
      vscode.workspace.getConfiguration(SETTINGS_SECTION).inspect<unknown[]>('models')?.globalValue ?? [];
    const index = raw.findIndex(
      (entry) => typeof entry === 'object' && entry !== null && (entry as { id?: unknown }).id === id,
    );
    if (index < 0) return false;
    const next = raw.slice();
    next[index] = { ...(raw[index] as Record<string, unknown>), ...patch };
    const applied = new Promise<void>((resolve) => {
      const subscription = this.onDidChange(() => {
        subscription.dispose();
        resolve();
      });
    });
    await this.update('models', next);
    await applied;
    return true;
  }

  private read(): ExtensionSettings {
    const configuration = vscode.workspace.getConfiguration(SETTINGS_SECTION);
    // User-only settings come from the user's value alone: VS Code ignores workspace values of
    // `machine`/`application` settings already, and this holds even if a scope were ever lost.
    // One `inspect` of the whole section, not one per key: each costs about a third of a
    // millisecond, and activation reads some thirty of them.
    const userValues = vscode.workspace.getConfiguration().inspect(SETTINGS_SECTION)?.globalValue;
    const { settings, problems } = parseSettings((key) =>
      isUserOnlySetting(key) ? valueAt(userValues, key) : configuration.get(key),
    );
    this.announce(problems);
    return settings;
  }

  private announce(problems: readonly SettingsProblem[]): void {
    const fresh = problems.filter((p) => !this.shownProblems.has(`${p.setting}\u0000${p.message}`));
    for (const p of problems) this.shownProblems.add(`${p.setting}\u0000${p.message}`);
    if (fresh.length === 0) return;
    for (const p of fresh) this.log.warn(`Setting ${p.setting}: ${p.message}`);
    const first = fresh[0];
    const more =
      fresh.length > 1
        ? ` (and ${fresh.length - 1} more problem${fresh.length > 2 ? 's' : ''}, see the log)`
        : '';
    void vscode.window
      .showWarningMessage(`LLM Manager: ${first.setting} ${first.message}${more}`, 'Open Settings')
      .then((choice) => {
        if (choice)
          void vscode.commands.executeCommand(
            'workbench.action.openSettings',
            first.setting.replace(/\[\d+\].*$/, ''),
          );
      });
  }

  dispose(): void {
    this.subscription.dispose();
    this._onDidChange.dispose();
  }
}

/** The value at a dotted key (`budget.dailyUsd`) of a section's value tree, as VS Code nests it. */
function valueAt(tree: unknown, key: string): unknown {
  let value = tree;
  for (const part of key.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}
