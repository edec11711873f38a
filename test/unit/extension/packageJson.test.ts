import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CHAT_VENDOR, COMMANDS } from '../../../src/extension/contributions';
import { SETTING_DEFAULTS, SETTINGS_SECTION } from '../../../src/extension/settings';

const root = path.resolve(__dirname, '../../../..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const commandsDir = path.join(root, 'src/extension/commands');
const handlersSource = fs
  .readdirSync(commandsDir)
  .map((file) => fs.readFileSync(path.join(commandsDir, file), 'utf8'))
  .join('\n');

describe('package.json and the code agree', () => {
  const contributed: string[] = manifest.contributes.commands.map((c: { command: string }) => c.command);

  it('contributes every command the code defines, and only those', () => {
    assert.deepEqual([...contributed].sort(), Object.values(COMMANDS).sort());
  });

  it('has a handler for every command (the handler map is keyed by command name)', () => {
    for (const name of Object.keys(COMMANDS)) {
      assert.match(handlersSource, new RegExp(`^    ${name}: `, 'm'), `no handler for ${name}`);
    }
  });

  it('gives every command a title in the "LLM Manager" category', () => {
    for (const command of manifest.contributes.commands) {
      assert.equal(command.category, 'LLM Manager', command.command);
      assert.ok(command.title.length > 3, command.command);
    }
  });

  it('contributes exactly the settings the code reads, with the same defaults', () => {
    const properties: Record<string, { default: unknown }> = manifest.contributes.configuration.properties;
    const contributedKeys = Object.keys(properties).map((k) => k.slice(SETTINGS_SECTION.length + 1));
    assert.deepEqual(contributedKeys.sort(), Object.keys(SETTING_DEFAULTS).sort());
    for (const [key, value] of Object.entries(SETTING_DEFAULTS)) {
      assert.deepEqual(properties[`${SETTINGS_SECTION}.${key}`].default, value, key);
    }
  });

  it('only references contributed commands from menus', () => {
    for (const [menu, items] of Object.entries(
      manifest.contributes.menus as Record<string, Array<{ command?: string }>>,
    )) {
      for (const item of items)
        if (item.command) assert.ok(contributed.includes(item.command), `${menu}: ${item.command}`);
    }
  });

  it('declares the chat model vendor the code registers', () => {
    assert.deepEqual(
      manifest.contributes.languageModelChatProviders.map((p: { vendor: string }) => p.vendor),
      [CHAT_VENDOR],
    );
  });

  it('keeps @types/vscode at the engine version, so no newer API slips in', () => {
    assert.equal(manifest.engines.vscode, `^${manifest.devDependencies['@types/vscode']}`);
  });
});
