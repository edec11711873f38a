/**
 * "Add Model…": asks for the provider, the model and what that provider needs (an Azure endpoint
 * and deployment), appends the model to llmManager.models, and offers to set its key.
 */
import * as vscode from 'vscode';
import { PRESETS, type PresetId } from '../../providers/presets';
import { SUGGESTED_MODELS } from '../../providers/suggestions';
import type { CommandHandlers } from '../commandArgs';
import { CHAT_VENDOR, COMMANDS } from '../contributions';
import type { KeyStore } from '../keyStore';
import type { ModelService } from '../modelService';
import type { ModelSettings } from '../settings';
import type { SettingsService } from '../settingsService';
import { pickModelId } from './modelDiscovery';
import type { CommandServices } from './services';

export function addModelCommand(services: CommandServices): Pick<CommandHandlers, 'addModel'> {
  const { settings, models, keys } = services;
  return {
    addModel: async () => {
      const added = await addModelInteractively(settings, models, keys);
      if (added) void vscode.window.showInformationMessage(`Model "${added}" added to llmManager.models.`);
      return added;
    },
  };
}

interface ProviderChoice extends vscode.QuickPickItem {
  readonly provider: ModelSettings['provider'];
  readonly preset?: PresetId;
  readonly suggestedModel: string;
  readonly modelHint?: string;
  /** Ask for the base URL (an endpoint without a preset). */
  readonly askBaseUrl?: boolean;
}

/**
 * "Add Model…": asks for the provider, the model and what that provider needs (an Azure endpoint
 * and deployment), appends the model to llmManager.models, and offers to set its key.
 */
async function addModelInteractively(
  settings: SettingsService,
  models: ModelService,
  keys: KeyStore,
): Promise<string | undefined> {
  const choices: ProviderChoice[] = [
    {
      label: 'OpenAI',
      provider: 'openai',
      suggestedModel: SUGGESTED_MODELS.openai,
      description: 'api.openai.com',
    },
    {
      label: 'Anthropic',
      provider: 'anthropic',
      suggestedModel: SUGGESTED_MODELS.anthropic,
      description: 'api.anthropic.com',
    },
    {
      label: 'Azure OpenAI',
      provider: 'azure',
      suggestedModel: SUGGESTED_MODELS.azure,
      description: 'your resource endpoint and deployment',
    },
    ...Object.values(PRESETS).map((preset) => ({
      label: preset.displayName,
      provider: 'openaiCompatible' as const,
      preset: preset.id,
      suggestedModel: SUGGESTED_MODELS[preset.id],
      description: preset.local ? 'local · no key' : preset.baseUrl,
      detail: preset.hint,
      modelHint: preset.hint,
    })),
    {
      label: 'Another OpenAI-compatible endpoint',
      provider: 'openaiCompatible',
      suggestedModel: '',
      description: 'your base URL',
      detail: "A server that speaks OpenAI's chat completions API (a team gateway, vLLM elsewhere, …).",
      askBaseUrl: true,
    },
    {
      label: "One of VS Code's models",
      provider: 'vscode-lm',
      suggestedModel: '',
      description: 'e.g. Copilot · no key',
      detail: 'Uses vscode.lm; VS Code asks for your consent on first use.',
    },
  ];
  const choice = await vscode.window.showQuickPick(choices, {
    placeHolder: 'Which provider serves the model?',
    matchOnDetail: true,
  });
  if (!choice) return undefined;

  let entry: Record<string, unknown>;
  if (choice.provider === 'vscode-lm') {
    const offered = (await vscode.lm.selectChatModels()).filter((m) => m.vendor !== CHAT_VENDOR);
    if (offered.length === 0) {
      void vscode.window.showInformationMessage(
        'VS Code offers no language models right now (is Copilot or another model extension installed and signed in?).',
      );
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      offered.map((m) => ({ label: m.name, description: `${m.vendor} · ${m.family}`, model: m })),
      { placeHolder: "Which of VS Code's models?" },
    );
    if (!picked) return undefined;
    entry = {
      provider: 'vscode-lm',
      vendor: picked.model.vendor,
      family: picked.model.family,
      model: picked.model.id,
    };
  } else {
    let baseUrl: string | undefined;
    if (choice.askBaseUrl) {
      baseUrl = (
        await vscode.window.showInputBox({
          prompt: 'Base URL of the endpoint (the part before /chat/completions)',
          placeHolder: 'https://gateway.example.com/v1',
          ignoreFocusOut: true,
          validateInput: validateHttpUrl,
        })
      )?.trim();
      if (!baseUrl) return undefined;
    }
    const where = baseUrl ?? choice.label;
    const draft = {
      provider: choice.provider,
      ...(choice.preset ? { preset: choice.preset } : {}),
      ...(baseUrl ? { baseUrl } : {}),
    };
    const model =
      choice.provider === 'azure'
        ? await typedModelId(choice)
        : await pickModelId(draft, where, choice.suggestedModel, choice.modelHint, { models, keys });
    if (!model) return undefined;
    entry = { ...draft, model };
    if (choice.provider === 'azure') {
      const baseUrl = await vscode.window.showInputBox({
        prompt: 'Azure OpenAI endpoint',
        placeHolder: 'https://NAME.openai.azure.com',
        ignoreFocusOut: true,
        validateInput: validateHttpUrl,
      });
      if (!baseUrl) return undefined;
      const deployment = await vscode.window.showInputBox({
        prompt: 'Deployment name',
        ignoreFocusOut: true,
        validateInput: (v) => (v.trim() ? undefined : 'The deployment name is required.'),
      });
      if (!deployment) return undefined;
      entry = { ...entry, baseUrl: baseUrl.trim(), deployment: deployment.trim() };
    }
  }

  const raw = vscode.workspace.getConfiguration('llmManager').get<unknown[]>('models') ?? [];
  const taken = new Set(
    raw.map((m) => (typeof m === 'object' && m !== null ? String((m as { id?: unknown }).id) : '')),
  );
  const base = String(entry.model || entry.family || 'model')
    .replace(/[^\w.:@/-]/g, '-')
    .slice(0, 60);
  let suggestion = base;
  for (let n = 2; taken.has(suggestion); n++) suggestion = `${base}-${n}`;
  const id = await vscode.window.showInputBox({
    prompt: 'A short name for this model in LLM Manager (used in the chain and the traces)',
    value: suggestion,
    ignoreFocusOut: true,
    validateInput: (v) =>
      !/^[\w.:@/-]{1,80}$/.test(v.trim())
        ? 'Letters, digits and . _ : @ / - only.'
        : taken.has(v.trim())
          ? 'A model already has this name.'
          : undefined,
  });
  if (!id?.trim()) return undefined;
  if (!(await settings.addModel({ id: id.trim(), ...entry }))) {
    void vscode.window.showWarningMessage(
      `"${id.trim()}" was written to llmManager.models but is not in effect; see the log for why.`,
    );
    return undefined;
  }
  const keyId = models.keyIdOf(id.trim());
  if (keyId && !(await keys.hasKey(keyId))) {
    const set = await vscode.window.showInformationMessage(
      `${id.trim()} needs an API key ("${keyId}"). Set it now?`,
      'Set API Key',
    );
    if (set) await vscode.commands.executeCommand(COMMANDS.setApiKey, keyId);
  }
  return id.trim();
}

/** Azure lists its deployments nowhere the key can read: the model behind one is typed. */
async function typedModelId(choice: ProviderChoice): Promise<string | undefined> {
  const typed = await vscode.window.showInputBox({
    prompt: `The model behind your deployment at ${choice.label} (for its prices and limits)`,
    value: choice.suggestedModel,
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() ? undefined : 'Give the model id, e.g. gpt-5.5.'),
  });
  return typed?.trim() || undefined;
}

function validateHttpUrl(value: string): string | undefined {
  try {
    const url = new URL(value.trim());
    return url.protocol === 'https:' || url.protocol === 'http:' ? undefined : 'Use an http(s) URL.';
  } catch {
    return 'That is not a URL.';
  }
}
