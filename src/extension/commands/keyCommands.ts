/** The key commands: set or clear an API key in SecretStorage (never in settings). */
import * as vscode from 'vscode';
import type { CommandHandlers } from '../commandArgs';
import type { KeyStore } from '../keyStore';
import type { ModelService } from '../modelService';
import type { CommandServices } from './services';

export function keyCommands(services: CommandServices): Pick<CommandHandlers, 'setApiKey' | 'clearApiKey'> {
  const { models, keys } = services;
  return {
    setApiKey: async (keyId?: string, value?: string) => {
      const target = keyId ?? (await pickKeyId(models, keys, 'Set the API key for…', true));
      if (!target) return undefined;
      const replacing = await keys.hasKey(target);
      const entered =
        value ??
        (await vscode.window.showInputBox({
          prompt: `${replacing ? 'Replace' : 'Enter'} the API key for "${target}". It is stored in your system keychain (VS Code SecretStorage), never in settings.`,
          password: true,
          ignoreFocusOut: true,
          validateInput: (text) =>
            !text.trim()
              ? 'The key cannot be empty.'
              : /\s/.test(text.trim())
                ? 'A key has no spaces.'
                : undefined,
        }));
      if (!entered?.trim()) return undefined;
      await keys.setKey(target, entered.trim());
      void vscode.window.showInformationMessage(
        `API key for "${target}" ${replacing ? 'replaced' : 'saved'}.`,
      );
      return target;
    },

    clearApiKey: async (keyId?: string) => {
      const target = keyId ?? (await pickKeyId(models, keys, 'Clear the API key of…', false));
      if (!target) return undefined;
      await keys.deleteKey(target);
      void vscode.window.showInformationMessage(`API key for "${target}" cleared.`);
      return target;
    },
  };
}

async function pickKeyId(
  models: ModelService,
  keys: KeyStore,
  placeHolder: string,
  offerOther: boolean,
): Promise<string | undefined> {
  const byKey = new Map<string, string[]>();
  for (const model of models.models()) {
    const keyId = models.keyIdOf(model.id);
    if (keyId) byKey.set(keyId, [...(byKey.get(keyId) ?? []), model.id]);
  }
  const items: Array<vscode.QuickPickItem & { keyId?: string }> = [];
  for (const [keyId, users] of byKey) {
    const has = await keys.hasKey(keyId);
    if (!offerOther && !has) continue;
    items.push({
      label: `${has ? '$(key)' : '$(circle-slash)'} ${keyId}`,
      description: has ? 'set' : 'not set',
      detail: `used by ${users.join(', ')}`,
      keyId,
    });
  }
  if (offerOther)
    items.push({ label: '$(add) Another key…', description: 'type its name (e.g. openai, anthropic, groq)' });
  if (items.length === 0) {
    void vscode.window.showInformationMessage('No API keys are stored.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(items, { placeHolder });
  if (!picked) return undefined;
  if (picked.keyId) return picked.keyId;
  const typed = await vscode.window.showInputBox({
    prompt: 'Name of the key (the model setting "keyId", or the provider name)',
    validateInput: (v) => (/^[\w.:@/-]+$/.test(v) ? undefined : 'Letters, digits and . _ : @ / - only'),
  });
  return typed?.trim() || undefined;
}
