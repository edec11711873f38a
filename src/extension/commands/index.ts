/**
 * Registers every contributed command. The handlers come from one file per command family; the
 * {@link CommandHandlers} type makes a missing or mistyped handler a compile error.
 */
import * as vscode from 'vscode';
import type { CommandHandlers } from '../commandArgs';
import { COMMANDS, type CommandName } from '../contributions';
import { addModelCommand } from './addModelWizard';
import { chainCommands } from './chainCommands';
import { editorCommands } from './editorCommands';
import { keyCommands } from './keyCommands';
import type { CommandServices } from './services';
import { viewCommands } from './viewCommands';

export type { CommandServices } from './services';

export function createHandlers(services: CommandServices): CommandHandlers {
  return {
    ...editorCommands(services),
    ...chainCommands(services),
    ...keyCommands(services),
    ...viewCommands(services),
    ...addModelCommand(services),
  };
}

export function registerCommands(services: CommandServices): vscode.Disposable[] {
  const handlers = createHandlers(services);
  return (Object.keys(COMMANDS) as CommandName[]).map((name) =>
    vscode.commands.registerCommand(COMMANDS[name], handlers[name] as (...args: unknown[]) => unknown),
  );
}
