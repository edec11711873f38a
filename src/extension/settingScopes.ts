/**
 * Which settings only the user may set. A setting that can reach a key or spend money (models, base
 * URLs, headers, key ids, presets, the chains, the tiers, the budgets) is declared in package.json
 * with scope `machine` or `application`: VS Code then ignores workspace and folder values of it,
 * and the extension reads only the user's value as well. The rest stay `window`-scoped and are
 * listed as restricted configurations, so an untrusted workspace cannot change them either.
 * No `vscode` import: the rules are unit-tested in plain Node.
 */

import { SETTINGS_SECTION, type SettingKey } from './settings';

/**
 * The user-only settings and their scope. `machine`: the value names this machine's key store,
 * endpoints and spend (counted per machine), so Settings Sync does not copy it to another machine,
 * and a remote window may have its own. `application`: a choice that belongs to the person, the
 * same in every window and synced (the cost guard; whether the extension may fetch from the
 * internet at all).
 */
export const USER_ONLY_SETTINGS = {
  models: 'machine',
  activeModel: 'machine',
  fallbackChain: 'machine',
  'routing.economyChain': 'machine',
  'routing.standardChain': 'machine',
  'routing.highChain': 'machine',
  'tasks.tiers': 'machine',
  'budget.dailyUsd': 'machine',
  'budget.monthlyUsd': 'machine',
  'budget.alertAt': 'machine',
  'budget.hardStop': 'machine',
  'budget.pressureThreshold': 'machine',
  confirmCostAboveUsd: 'application',
  'catalog.refresh': 'application',
} as const satisfies Partial<Record<SettingKey, 'machine' | 'application'>>;

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
