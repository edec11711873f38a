import type * as vscode from 'vscode';
import { LlmManager } from '../core';

/** Minimal activation until the extension layer lands: builds the manager over globalState. */
export function activate(context: vscode.ExtensionContext): LlmManager {
  const manager = new LlmManager({
    store: {
      get: async <T>(key: string) => context.globalState.get<T>(key),
      set: async (key: string, value: unknown) => context.globalState.update(key, value),
    },
  });
  context.subscriptions.push({ dispose: () => void manager.dispose() });
  return manager;
}

export function deactivate(): void {}
