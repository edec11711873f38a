/**
 * What the host does with a message from a metrics webview. Every message is validated against
 * the protocol first; a malformed one, or one naming a model that does not exist, is logged and
 * dropped. Every action runs the palette command of the same purpose, so the UI can do nothing the
 * palette cannot. No `vscode` here (commands run through an injected function), so it is unit-tested.
 */
import type { Logger } from '../core';
import {
  parseWebviewMessage,
  type ModelActionMessage,
  type Surface,
  type WebviewMessage,
} from '../shared/protocol';
import type { CommandCall } from './commandArgs';
import { COMMANDS, type CommandId } from './contributions';

export interface DashboardMessageServices {
  /** `vscode.commands.executeCommand`. */
  readonly executeCommand: (command: CommandId, ...args: unknown[]) => PromiseLike<unknown>;
  readonly isKnownModel: (name: string) => boolean;
  /** The stored-key id a model uses, or undefined when it needs none. Never leaves the host. */
  readonly keyIdOf: (name: string) => string | undefined;
  readonly logger: Logger;
}

/** What came of one message, for the caller and for tests. */
export type MessageOutcome =
  | { readonly kind: 'ready'; readonly surface: Surface }
  | { readonly kind: 'command'; readonly command: CommandId; readonly args: CommandCall['args'] }
  | { readonly kind: 'rejected'; readonly reason: string };

/**
 * Validates `raw` and, when it is an action, runs its command. `ready` is only reported back: the
 * caller answers it with a snapshot.
 */
export async function handleWebviewMessage(
  raw: unknown,
  services: DashboardMessageServices,
): Promise<MessageOutcome> {
  const parsed = parseWebviewMessage(raw);
  if (!parsed.ok) return reject(services, parsed.reason, raw);
  const message = parsed.message;
  if (message.type === 'ready') return { kind: 'ready', surface: message.surface };

  const call = commandFor(message, services);
  if ('reason' in call) return reject(services, call.reason, raw);
  try {
    await services.executeCommand(call.command, ...call.args);
  } catch (error) {
    // Commands report their own failures to the user; the log keeps the detail.
    services.logger.warn(
      `Metrics view: ${call.command} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return { kind: 'command', command: call.command, args: call.args };
}

type CommandOrRejection = CommandCall | { readonly reason: string };

function commandFor(
  message: Exclude<WebviewMessage, { type: 'ready' }>,
  services: DashboardMessageServices,
): CommandOrRejection {
  if ('model' in message) {
    if (!services.isKnownModel(message.model))
      return { reason: `${message.type}: no model is named "${message.model.slice(0, 80)}"` };
    return modelCommand(message);
  }
  switch (message.type) {
    case 'clearCache':
      return { command: COMMANDS.clearCache, args: [] };
    case 'tryWithoutKeys':
      return { command: COMMANDS.tryWithoutKeys, args: [] };
    case 'stopTryWithoutKeys':
      return { command: COMMANDS.stopTryWithoutKeys, args: [] };
    case 'addModel':
      return { command: COMMANDS.addModel, args: [] };
    case 'showDashboard':
      return { command: COMMANDS.showMetrics, args: [] };
    case 'showTrace':
      return { command: COMMANDS.showTrace, args: [message.traceId] };
    default:
      return assertUnreachable(message);
  }

  function modelCommand(action: ModelActionMessage): CommandOrRejection {
    switch (action.type) {
      case 'resetCircuit':
        return { command: COMMANDS.resetCircuit, args: [action.model] };
      case 'isolateModel':
        return { command: COMMANDS.isolateModel, args: [action.model] };
      case 'makeActive':
        return { command: COMMANDS.chooseActiveModel, args: [action.model] };
      case 'openModelSettings':
        return { command: COMMANDS.openModelSettings, args: [action.model] };
      case 'setPrice':
        return { command: COMMANDS.setModelPrice, args: [action.model] };
      case 'setKey': {
        // The webview only knows the model; which stored key it uses is the host's business.
        const keyId = services.keyIdOf(action.model);
        return keyId
          ? { command: COMMANDS.setApiKey, args: [keyId] }
          : { reason: `setKey: ${action.model} needs no key` };
      }
      default:
        return assertUnreachable(action.type);
    }
  }
}

function assertUnreachable(value: never): never {
  throw new Error(`Unhandled webview message ${JSON.stringify(value)}`);
}

function reject(services: DashboardMessageServices, reason: string, raw: unknown): MessageOutcome {
  services.logger.warn(`Metrics view: ignored a message from the webview (${reason}): ${preview(raw)}`);
  return { kind: 'rejected', reason };
}

/** A short, single-line picture of what arrived, for the log. */
export function preview(raw: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(raw) ?? String(raw);
  } catch {
    text = Object.prototype.toString.call(raw);
  }
  text = text.replace(/\s+/g, ' ');
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}
