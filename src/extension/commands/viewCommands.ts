/**
 * The view commands: metrics, log, routing trace, the demo, the status bar's menu, the model
 * settings and clearing the answer view's conversations.
 */
import * as vscode from 'vscode';
import { formatUsd } from '../../core';
import type { CommandHandlers } from '../commandArgs';
import { COMMANDS } from '../contributions';
import { failed, type CommandServices } from './services';

type ViewCommand =
  | 'showMetrics'
  | 'showLog'
  | 'showTrace'
  | 'tryWithoutKeys'
  | 'stopTryWithoutKeys'
  | 'statusBarActions'
  | 'openModelSettings'
  | 'clearConversations';

export function viewCommands(services: CommandServices): Pick<CommandHandlers, ViewCommand> {
  const { manager, models, runner, demo, log } = services;
  return {
    showMetrics: () => services.showDashboard(),

    showLog: () => log.show(),

    clearConversations: async () => {
      const count = await services.answers.clearAll();
      void vscode.window.showInformationMessage(
        `Answer view: ${count} conversation${count === 1 ? '' : 's'} cleared.`,
      );
      return count;
    },

    showTrace: async (traceId?: string) => {
      const recent = manager.getRecentRequests().slice().reverse();
      if (recent.length === 0) return failed('No requests yet this session.');
      const pick = traceId
        ? recent.find((r) => r.trace.id === traceId)
        : (
            await vscode.window.showQuickPick(
              recent.map((r) => ({
                label: `${r.error ? '$(error)' : '$(pass-filled)'} ${r.result ? r.result.model : r.error?.kind}`,
                description: new Date(r.trace.startedAt).toLocaleTimeString(),
                detail: r.result
                  ? `${r.result.cached ? 'cached' : formatUsd(r.result.costUsd)} · ${r.trace.steps.length} steps`
                  : r.error?.message.split('\n')[0],
                request: r,
              })),
              { placeHolder: 'Which request?' },
            )
          )?.request;
      if (!pick) return undefined;
      return (await runner.showTrace(pick.trace, 'Routing trace', pick.error)).toString();
    },

    tryWithoutKeys: () => demo.start(),

    stopTryWithoutKeys: () => demo.stop(),

    statusBarActions: async () => {
      const actions: Array<vscode.QuickPickItem & { command: string }> = [
        { label: '$(check) Choose active model…', command: COMMANDS.chooseActiveModel },
        { label: '$(debug-restart) Reset circuits…', command: COMMANDS.resetCircuit },
        { label: '$(graph) Show metrics', command: COMMANDS.showMetrics },
        { label: '$(beaker) Test models', command: COMMANDS.testModels },
        { label: '$(list-tree) Show routing trace…', command: COMMANDS.showTrace },
        { label: '$(key) Set API key…', command: COMMANDS.setApiKey },
        { label: '$(output) Show log', command: COMMANDS.showLog },
        models.demoRunning
          ? { label: '$(debug-stop) Stop trying without keys', command: COMMANDS.stopTryWithoutKeys }
          : { label: '$(play) Try without keys', command: COMMANDS.tryWithoutKeys },
      ];
      const picked = await vscode.window.showQuickPick(actions, { placeHolder: 'LLM Manager' });
      if (picked) await vscode.commands.executeCommand(picked.command);
    },

    openModelSettings: async (name?: string) => {
      await vscode.commands.executeCommand('workbench.action.openSettingsJson', {
        revealSetting: { key: 'llmManager.models' },
      });
      return name;
    },
  };
}
