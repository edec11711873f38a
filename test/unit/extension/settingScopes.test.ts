import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SETTING_DEFAULTS, SETTINGS_SECTION } from '../../../src/extension/settings';
import {
  isUserOnlySetting,
  USER_ONLY_SETTINGS,
  userOnlySettingsIn,
  writeTargetFor,
} from '../../../src/extension/settingScopes';

const root = path.resolve(__dirname, '../../../..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const properties: Record<string, { scope?: string }> = manifest.contributes.configuration.properties;

describe('settings only the user may set', () => {
  it('are every setting that reaches a key, spends money or opens a connection: models, chains, tiers, budgets, the cost guard, the catalog refresh', () => {
    assert.deepEqual(Object.keys(USER_ONLY_SETTINGS).sort(), [
      'activeModel',
      'budget.alertAt',
      'budget.dailyUsd',
      'budget.hardStop',
      'budget.monthlyUsd',
      'budget.pressureThreshold',
      'catalog.refresh',
      'confirmCostAboveUsd',
      'fallbackChain',
      'models',
      'routing.economyChain',
      'routing.highChain',
      'routing.standardChain',
      'tasks.maxOutputTokens',
      'tasks.tiers',
    ]);
  });

  it('package.json declares exactly their scope, and no scope (window) for the others', () => {
    for (const key of Object.keys(SETTING_DEFAULTS)) {
      const scope = properties[`${SETTINGS_SECTION}.${key}`].scope;
      if (isUserOnlySetting(key)) assert.equal(scope, USER_ONLY_SETTINGS[key], key);
      else assert.equal(scope, undefined, key);
    }
  });

  it('lists every other setting as restricted in untrusted workspaces, and declares virtual workspace support', () => {
    const untrusted = manifest.capabilities.untrustedWorkspaces;
    assert.equal(untrusted.supported, 'limited');
    assert.ok(untrusted.description.length > 20);
    const others = Object.keys(SETTING_DEFAULTS)
      .filter((key) => !isUserOnlySetting(key))
      .map((key) => `${SETTINGS_SECTION}.${key}`);
    assert.deepEqual([...untrusted.restrictedConfigurations].sort(), others.sort());
    assert.equal(manifest.capabilities.virtualWorkspaces, true);
  });

  it('are found in a workspace settings file, flat or nested, and nothing else is', () => {
    assert.deepEqual(
      userOnlySettingsIn({
        'llmManager.models': [],
        'llmManager.logLevel': 'trace',
        llmManager: { activeModel: 'x', budget: { dailyUsd: 100 }, templates: { ask: 'q' } },
        'llmManager.budget': { hardStop: false },
        'editor.fontSize': 12,
        other: { 'llmManager.models': [] },
      }),
      [
        'llmManager.activeModel',
        'llmManager.budget.dailyUsd',
        'llmManager.budget.hardStop',
        'llmManager.models',
      ],
    );
    assert.deepEqual(userOnlySettingsIn(undefined), []);
    assert.deepEqual(userOnlySettingsIn(['llmManager.models']), []);
  });

  it('are written to the user settings even when a workspace sets them; the others where they are set', () => {
    assert.equal(writeTargetFor('activeModel', { workspaceValue: 'evil' }), 'global');
    assert.equal(writeTargetFor('models', { workspaceFolderValue: [] }), 'global');
    assert.equal(writeTargetFor('logLevel', { workspaceValue: 'debug' }), 'workspace');
    assert.equal(
      writeTargetFor('logLevel', { workspaceFolderValue: 'debug', workspaceValue: 'x' }),
      'workspaceFolder',
    );
    assert.equal(writeTargetFor('logLevel', undefined), 'global');
  });
});
