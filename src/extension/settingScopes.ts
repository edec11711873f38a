/**
 * Which settings only the user may set. A setting that can reach a key or spend money (models, base
 * URLs, headers, key ids, presets, the chains, the tiers, the budgets) is declared in package.json
 * with scope `application`: VS Code then ignores workspace and folder values of it,
 * and the extension reads only the user's value as well. The rest stay `window`-scoped and are
 * listed as restricted configurations, so an untrusted workspace cannot change them either.
 * No `vscode` import: the rules are unit-tested in plain Node.
 */

import { SETTINGS_SECTION, type SettingKey } from './settings';

/**
 * The user-only settings and their scope, `application` for all: only the user settings may set
 * them (never a workspace or folder), and a remote window reads them from the user's own settings.
 * Not `machine`: in a remote window (SSH, containers, code-server) VS Code treats `machine`
 * settings as the remote's and the Settings editor's User tab no longer offers them.
 */
export const USER_ONLY_SETTINGS = {
  models: 'application',
  activeModel: 'application',
  fallbackChain: 'application',
  'routing.economyChain': 'application',
  'routing.standardChain': 'application',
  'routing.highChain': 'application',
  'tasks.tiers': 'application',
  'tasks.maxOutputTokens': 'application',
  'budget.dailyUsd': 'application',
  'budget.monthlyUsd': 'application',
  'budget.alertAt': 'application',
  'budget.hardStop': 'application',
  'budget.pressureThreshold': 'application',
  confirmCostAboveUsd: 'application',
  'catalog.refresh': 'application',
} as const satisfies Partial<Record<SettingKey, 'application'>>;

export type UserOnlySetting = keyof typeof USER_ONLY_SETTINGS;

export function isUserOnlySetting(key: string): key is UserOnlySetting {
  return Object.prototype.hasOwnProperty.call(USER_ONLY_SETTINGS, key);
}

/**
 * The user-only settings (full names, sorted) that a parsed settings file defines: a workspace's
 * `.vscode/settings.json` or the `settings` of a `.code-workspace` file. Both the flat form
 * (`"llmManager.models"`) and the nested one (`"llmManager": { "models": … }`) count.
 */
export function userOnlySettingsIn(settingsFile: unknown): string[] {
  const found = new Set<string>();
  const prefix = `${SETTINGS_SECTION}.`;
  const visit = (value: unknown, path: string | undefined) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
    for (const [name, child] of Object.entries(value as Record<string, unknown>)) {
      const full = path ? `${path}.${name}` : name;
      if (full.startsWith(prefix) && isUserOnlySetting(full.slice(prefix.length))) found.add(full);
      else if (full === SETTINGS_SECTION || full.startsWith(prefix)) visit(child, full);
    }
  };
  visit(settingsFile, undefined);
  return [...found].sort();
}

/** What `WorkspaceConfiguration.inspect` says about where a setting is set (the part we use). */
export interface InspectedSetting {
  readonly workspaceValue?: unknown;
  readonly workspaceFolderValue?: unknown;
}

export type WriteTarget = 'global' | 'workspace' | 'workspaceFolder';

/**
 * Where the extension writes a setting it changes (Choose Active Model, Add Model, …): a user-only
 * setting always to the user settings; another where the user keeps it, the folder or the
 * workspace if it is set there, else the user settings.
 */
export function writeTargetFor(key: SettingKey, inspected: InspectedSetting | undefined): WriteTarget {
  if (isUserOnlySetting(key)) return 'global';
  if (inspected?.workspaceFolderValue !== undefined) return 'workspaceFolder';
  if (inspected?.workspaceValue !== undefined) return 'workspace';
  return 'global';
}
