/**
 * The chain commands: choose the active model, edit the fallback chain, reset or isolate
 * circuits, clear the cache, and test every model with a real call.
 */
import * as vscode from 'vscode';
import { formatDuration, toLlmError, type ChainStep } from '../../core';
import type { CommandHandlers } from '../commandArgs';
import { chooseModel, failed, modelItem, type CommandServices } from './services';

type ChainCommand =
  | 'setModelPrice'
  | 'chooseActiveModel'
  | 'editFallbackChain'
  | 'resetCircuit'
  | 'isolateModel'
  | 'clearCache'
  | 'testModels';

export function chainCommands(services: CommandServices): Pick<CommandHandlers, ChainCommand> {
  const { manager, models, settings, log } = services;
  return {
    setModelPrice: async (name?: string, inputPerMTok?: number, outputPerMTok?: number) => {
      const target =
        name ??
        (await chooseModel(
          manager,
          'Set the price of which model?',
          (m) => m.metadata.priceUnknown === true,
        ));
      if (!target) return undefined;
      if (!manager.getModelInfo(target)) return failed(`Unknown model "${target}".`);
      const ask = async (what: string) => {
        const typed = await vscode.window.showInputBox({
          prompt: `${target}: US dollars per million ${what} tokens`,
          placeHolder: 'e.g. 3 or 0.25',
          ignoreFocusOut: true,
          validateInput: (v) =>
            Number.isFinite(Number(v.trim())) && Number(v.trim()) >= 0 && v.trim() !== ''
              ? undefined
              : 'A number ≥ 0.',
        });
        return typed === undefined ? undefined : Number(typed.trim());
      };
      const input = inputPerMTok ?? (await ask('input'));
      if (input === undefined) return undefined;
      const output = outputPerMTok ?? (await ask('output'));
      if (output === undefined) return undefined;
      if (!(input >= 0 && output >= 0)) return failed('Prices must be numbers ≥ 0.');
      if (!(await settings.updateModel(target, { inputPricePerMTok: input, outputPricePerMTok: output }))) {
        return failed(`${target} is not in your llmManager.models settings (a demo model has fixed prices).`);
      }
      void vscode.window.showInformationMessage(
        `${target} now costs $${input} / $${output} per million input / output tokens.`,
      );
      return { model: target, inputPerMTok: input, outputPerMTok: output };
    },

    chooseActiveModel: async (name?: string) => {
      const chosen = name ?? (await chooseModel(manager, 'Choose the model to try first'));
      if (!chosen) return undefined;
      if (!manager.getModelInfo(chosen)) return failed(`Unknown model "${chosen}".`);
      if (models.demoRunning) models.setDemoActive(chosen);
      else await settings.update('activeModel', chosen);
      return chosen;
    },

    editFallbackChain: async (steps?: ChainStep[]) => {
      if (steps) {
        await settings.update('fallbackChain', steps);
        return steps;
      }
      const remaining = manager.listModels();
      const order: string[] = [];
      while (remaining.length > 0) {
        const items: Array<vscode.QuickPickItem & { name?: string }> = remaining.map((n) => ({
          label: n,
          name: n,
          description: manager.getModelInfo(n)?.metadata.provider,
        }));
        if (order.length > 0)
          items.unshift({ label: '$(check) Done', description: `save: ${order.join(' → ')}` });
        const picked = await vscode.window.showQuickPick(items, {
          placeHolder:
            order.length === 0
              ? 'Pick the first model of the fallback chain'
              : `Chain so far: ${order.join(' → ')} — pick the next, or Done`,
        });
        if (!picked) return undefined;
        if (!picked.name) break;
        order.push(picked.name);
        remaining.splice(remaining.indexOf(picked.name), 1);
      }
      await settings.update('fallbackChain', order);
      void vscode.window.showInformationMessage(`Fallback chain saved: ${order.join(' → ')}`);
      return order;
    },

    resetCircuit: async (name?: string) => {
      let target = name;
      if (!target) {
        const items = [
          { label: '$(debug-restart) All models', name: '*' },
          ...manager
            .listModels()
            .map((n) => ({ ...modelItem(Date.now())(manager.getModelInfo(n)!), name: n })),
        ];
        target = (await vscode.window.showQuickPick(items, { placeHolder: 'Reset which circuit?' }))?.name;
      }
      if (!target) return undefined;
      manager.resetCircuitBreaker(target === '*' ? undefined : target);
      void vscode.window.showInformationMessage(
        target === '*' ? 'All circuits reset.' : `Circuit of ${target} reset.`,
      );
      return target;
    },

    isolateModel: async (name?: string) => {
      const target =
        name ??
        (await chooseModel(
          manager,
          'Isolate which model? (it stays out of the chain until you reset its circuit)',
          (m) => m.circuit.state !== 'isolated',
        ));
      if (!target) return undefined;
      manager.isolateModel(target);
      return target;
    },

    clearCache: () => {
      const entries = manager.getMetrics().cache.entries;
      manager.clearCache();
      void vscode.window.showInformationMessage(
        `Response cache cleared (${entries} answer${entries === 1 ? '' : 's'}).`,
      );
      return entries;
    },

    testModels: async () => {
      const names = manager.listModels();
      if (names.length === 0)
        return failed('No models to test. Add one in the settings or run "LLM Manager: Try Without Keys".');
      const results = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `LLM Manager: testing ${names.length} model${names.length === 1 ? '' : 's'}…`,
          cancellable: true,
        },
        (_progress, token) =>
          Promise.all(
            names.map(async (name) => {
              const controller = new AbortController();
              token.onCancellationRequested(() => controller.abort());
              const timer = setTimeout(() => controller.abort(), 15_000);
              const started = Date.now();
              try {
                await models.healthCheck(name, controller.signal);
                return { name, ok: true, detail: `answered in ${formatDuration(Date.now() - started)}` };
              } catch (error) {
                const llmError = toLlmError(error);
                const detail = llmError.missingKey
                  ? 'no API key — set one'
                  : llmError.kind === 'cancelled'
                    ? 'no answer within 15 s'
                    : `${llmError.kind}: ${llmError.message}`;
                return { name, ok: false, detail };
              } finally {
                clearTimeout(timer);
              }
            }),
          ),
      );
      const lifecycleOf = (name: string) => {
        const lifecycle = manager.getModelInfo(name)?.metadata.lifecycle;
        if (!lifecycle) return undefined;
        return lifecycle.endOfLife
          ? `deprecated — end of life ${lifecycle.endOfLife}`
          : 'deprecated by its vendor';
      };
      for (const r of results) {
        const lifecycle = lifecycleOf(r.name);
        (r.ok ? log.info : log.warn).call(
          log,
          `Test ${r.name}: ${r.ok ? 'ok' : 'failed'} — ${r.detail}${lifecycle ? ` (${lifecycle})` : ''}`,
        );
      }
      void vscode.window.showQuickPick(
        results.map((r) => {
          const lifecycle = lifecycleOf(r.name);
          return {
            label: `${r.ok ? '$(pass-filled)' : '$(error)'} ${r.name}`,
            description: r.detail,
            ...(lifecycle ? { detail: `$(warning) ${lifecycle}` } : {}),
          };
        }),
        {
          placeHolder: `${results.filter((r) => r.ok).length} of ${results.length} models answered (details in the log)`,
        },
      );
      return results;
    },
  };
}
