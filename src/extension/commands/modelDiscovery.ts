/**
 * The "which model?" step of Add Model…: the provider's real models, fetched with the stored key
 * from its model-list endpoint and joined with the catalog (price, context window, deprecation,
 * the dataset's date), newest first — or a typed id when the list cannot be had.
 */
import * as vscode from 'vscode';
import { formatUsd, toLlmError } from '../../core';
import type { DiscoveredModel } from '../../providers';
import { COMMANDS } from '../contributions';
import type { KeyStore } from '../keyStore';
import type { ModelService } from '../modelService';
import { keyIdFor, parseModelEntry } from '../settings';

const TYPE_AN_ID = '$(edit) Type a model id…';

/**
 * Lets the user pick one of the models `entry`'s provider lists (offering to set its key first),
 * or type one. Undefined when the user gives up.
 */
export async function pickModelId(
  entry: Readonly<Record<string, unknown>>,
  where: string,
  suggested: string,
  hint: string | undefined,
  services: { readonly models: ModelService; readonly keys: KeyStore },
): Promise<string | undefined> {
  const listed = await discover(entry, where, services);
  if (listed && listed.length > 0) {
    const date = listed[0].datasetDate;
    const items: Array<vscode.QuickPickItem & { id?: string }> = [
      { label: TYPE_AN_ID, description: hint },
      ...listed.map((model) => ({ label: model.id, id: model.id, ...describe(model) })),
    ];
    const picked = await vscode.window.showQuickPick(items, {
      placeHolder: `Models at ${where}, newest first (prices: catalog of ${date})`,
      matchOnDescription: true,
      matchOnDetail: true,
      ignoreFocusOut: true,
    });
    if (!picked) return undefined;
    if (picked.id) return picked.id;
  }
  const typed = await vscode.window.showInputBox({
    prompt: `Model id at ${where}${hint ? ` — ${hint}` : ''}`,
    value: suggested,
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() ? undefined : 'Give the model id the API expects.'),
  });
  return typed?.trim() || undefined;
}

/** The provider's list, or undefined (said why) when there is none to show. */
async function discover(
  entry: Readonly<Record<string, unknown>>,
  where: string,
  { models, keys }: { readonly models: ModelService; readonly keys: KeyStore },
): Promise<DiscoveredModel[] | undefined> {
  const draft = parseModelEntry({ id: 'new-model', model: 'listing', ...entry });
  if (typeof draft === 'string' || draft.provider === 'vscode-lm' || draft.provider === 'azure')
    return undefined;
  const keyId = keyIdFor(draft);
  if (keyId && !(await keys.hasKey(keyId))) {
    const choice = await vscode.window.showInformationMessage(
      `To list the models at ${where}, LLM Manager needs the API key "${keyId}".`,
      'Set API Key',
      'Type the Model Id',
    );
    if (choice !== 'Set API Key') return undefined;
    await vscode.commands.executeCommand(COMMANDS.setApiKey, keyId);
    if (!(await keys.hasKey(keyId))) return undefined;
  }
  try {
    return await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Listing the models at ${where}…`,
        cancellable: true,
      },
      async (_progress, token) => {
        const controller = new AbortController();
        const subscription = token.onCancellationRequested(() => controller.abort());
        try {
          return await models.discover(draft, controller.signal);
        } finally {
          subscription.dispose();
        }
      },
    );
  } catch (error) {
    const failure = toLlmError(error);
    if (failure.kind !== 'cancelled') {
      void vscode.window.showWarningMessage(
        `Could not list the models at ${where}: ${failure.message} Type the model id instead.`,
      );
    }
    return undefined;
  }
}

function describe(model: DiscoveredModel): { description: string; detail?: string } {
  const price = model.free
    ? 'free'
    : model.priceUnknown || !model.prices
      ? 'price unknown'
      : `${formatUsd(model.prices.inputPricePerMTok)} / ${formatUsd(model.prices.outputPricePerMTok)} per M tokens`;
  const window = model.contextWindow
    ? ` · ${Math.round(model.contextWindow / 1000).toLocaleString('en-US')}k window`
    : '';
  const lifecycle = model.endOfLife
    ? `deprecated — end of life ${model.endOfLife}`
    : model.deprecated
      ? 'deprecated by its vendor'
      : undefined;
  return {
    description: `${model.displayName && model.displayName !== model.id ? `${model.displayName} · ` : ''}${price}${window}`,
    ...(lifecycle ? { detail: `$(warning) ${lifecycle}` } : {}),
  };
}
