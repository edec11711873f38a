import * as vscode from 'vscode';
import type { LlmManager } from '../../core';

/** Compare takes at least two models (a comparison) and at most three (side by side still reads). */
export const COMPARE_MODELS = { min: 2, max: 3 } as const;

/** Asks which models to compare; undefined when cancelled or not two or three. */
export async function pickCompareModels(
  manager: LlmManager,
  placeHolder: string,
): Promise<string[] | undefined> {
  const names = manager.listModels();
  if (names.length < COMPARE_MODELS.min) {
    void vscode.window.showInformationMessage(
      'Compare needs at least two models. Add models in the settings or run "LLM Manager: Try Without Keys".',
    );
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    names.map((name) => {
      const info = manager.getModelInfo(name);
      return {
        label: name,
        description: info ? `${info.metadata.provider}${info.active ? ' · active' : ''}` : undefined,
        picked: false,
      };
    }),
    { placeHolder, canPickMany: true, ignoreFocusOut: true },
  );
  if (!picked || picked.length === 0) return undefined;
  if (picked.length < COMPARE_MODELS.min || picked.length > COMPARE_MODELS.max) {
    void vscode.window.showWarningMessage(
      `Pick two or three models to compare (you picked ${picked.length}).`,
    );
    return undefined;
  }
  return picked.map((item) => item.label);
}
