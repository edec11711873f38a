/**
 * The arguments of every contributed command, one map for all callers: the handlers, the webview
 * actions that run commands, other extensions and the tests. No `vscode` import, so the webview
 * message handler and unit tests use it too.
 */
import type { ChainStep } from '../core';
import type { COMMANDS, CommandId, CommandName } from './contributions';

export interface CommandArgs {
  askSelection: [question?: string];
  explainSelection: [];
  improveSelection: [];
  freePrompt: [question?: string];
  runTemplate: [templateId?: string, question?: string];
  chooseActiveModel: [model?: string];
  editFallbackChain: [steps?: ChainStep[]];
  /** A model name, or `*` for every model. */
  resetCircuit: [model?: string];
  isolateModel: [model?: string];
  clearCache: [];
  testModels: [];
  showMetrics: [];
  showLog: [];
  showTrace: [traceId?: string];
  setApiKey: [keyId?: string, value?: string];
  clearApiKey: [keyId?: string];
  tryWithoutKeys: [];
  stopTryWithoutKeys: [];
  statusBarActions: [];
  openModelSettings: [model?: string];
  addModel: [];
  setModelPrice: [model?: string, inputPerMTok?: number, outputPerMTok?: number];
  /** The question, and the models to compare (two or three); asked for when missing. */
  compareModels: [question?: string, models?: string[]];
  clearConversations: [];
}

/** Fails to compile when a contributed command has no entry in {@link CommandArgs} or vice versa. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const everyCommandHasArgs: Same<keyof CommandArgs, CommandName> = true;
void everyCommandHasArgs;

/** A handler for each command, typed by its arguments. */
export type CommandHandlers = { readonly [C in CommandName]: (...args: CommandArgs[C]) => unknown };

/** `vscode.commands.executeCommand`, typed by command name. */
export type ExecuteCommand = <C extends CommandName>(
  command: C,
  ...args: CommandArgs[C]
) => PromiseLike<unknown>;

/** {@link CommandArgs} keyed by the command's id (`llmManager.…`) instead of its name. */
export type CommandArgsById = { [N in CommandName as (typeof COMMANDS)[N]]: CommandArgs[N] };

/** One command call whose arguments match its command (checked where the call is built). */
export type CommandCall = {
  [I in CommandId]: { readonly command: I; readonly args: CommandArgsById[I] };
}[CommandId];
