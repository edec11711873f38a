import * as vscode from 'vscode';
import { formatDuration, isFree, type LlmManager, type ModelInfo } from '../../core';
import type { AnswerDocuments } from '../answerDocuments';
import type { AnswerPanels } from '../answers/answerPanels';
import type { DemoController } from '../demoController';
import type { KeyStore } from '../keyStore';
import type { ModelService } from '../modelService';
import type { OutputLog } from '../outputLog';
import type { CommandOutcome, RequestRunner } from '../requestRunner';
import type { SettingsService } from '../settingsService';
import { circuitLabel } from '../statusModel';

/** What the command handlers work with; built once in `activate`. */
export interface CommandServices {
  readonly manager: LlmManager;
  readonly models: ModelService;
  readonly keys: KeyStore;
  readonly settings: SettingsService;
  readonly runner: RequestRunner;
  readonly documents: AnswerDocuments;
  /** The answer view (its conversations, Compare models, Clear). */
  readonly answers: AnswerPanels;
  readonly demo: DemoController;
  /** The redacting log (the raw channel is never handed out). */
  readonly log: OutputLog;
  /** Opens the metrics dashboard. */
  readonly showDashboard: () => Promise<void>;
}

/** A failed command's outcome, after telling the user why. */
export function failed(message: string): CommandOutcome {
  void vscode.window.showErrorMessage(message);
  return { ok: false, errorKind: 'badRequest', message };
}

/** A quick-pick row for a model: its provider and price, circuit, latency and last error. */
export function modelItem(now: number) {
  return (info: ModelInfo): vscode.QuickPickItem & { name: string } => {
    const price = isFree(info.metadata)
      ? 'free'
      : info.metadata.priceUnknown
        ? 'price unknown'
        : `$${info.metadata.inputPricePerMTok}/$${info.metadata.outputPricePerMTok} per M tokens`;
    const latency = info.latency.p50Ms !== undefined ? ` · p50 ${formatDuration(info.latency.p50Ms)}` : '';
    return {
      name: info.name,
      label: `${info.active ? '$(star-full) ' : ''}${info.name}`,
      description: `${info.metadata.provider} · ${price}`,
      detail: `circuit ${circuitLabel(info, now)}${latency}${info.lastError ? ` · last error: ${info.lastError.kind}` : ''}`,
    };
  };
}

/** Asks the user to pick one of the chain's models (those `filter` keeps). */
export async function chooseModel(
  manager: LlmManager,
  placeHolder: string,
  filter: (info: ModelInfo) => boolean = () => true,
): Promise<string | undefined> {
  const infos = manager
    .chainModels()
    .map((name) => manager.getModelInfo(name)!)
    .filter(filter);
  if (infos.length === 0) {
    void vscode.window.showInformationMessage(
      'No models to choose from. Add one in the settings or run "LLM Manager: Try Without Keys".',
    );
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(infos.map(modelItem(Date.now())), {
    placeHolder,
    matchOnDescription: true,
  });
  return picked?.name;
}
