/**
 * What the host does with a message from an answer page. Every message is validated against the
 * protocol first, and what it names is checked against the host's own copy: a code action must
 * carry code that is in that answer, a link must be http(s) or mailto, a model must exist. A
 * malformed or unexpected message is logged and dropped. No `vscode` here (the actions are
 * injected), so it is unit-tested.
 */
import type { Logger } from '../../core';
import {
  parseAnswerWebviewMessage,
  type AnswerWebviewMessage,
  type CodeActionMessage,
} from '../../shared/answerProtocol';
import { isSafeLink } from '../../shared/links';
import { preview } from '../dashboardMessages';

export interface AnswerMessageServices {
  readonly logger: Logger;
  /** The text of an answer of this panel's conversation, or undefined when there is none such. */
  readonly answerText: (turnId: string, answerId: string) => string | undefined;
  readonly isKnownModel: (name: string) => boolean;
  readonly isRunning: () => boolean;
  readonly stop: () => void;
  readonly followUp: (question: string) => Promise<void>;
  readonly codeAction: (message: CodeActionMessage) => Promise<void>;
  readonly openLink: (href: string) => Promise<void>;
  readonly compare: () => Promise<void>;
  readonly makeActive: (model: string) => Promise<void>;
  readonly clearConversations: () => Promise<void>;
}

export type AnswerMessageOutcome =
  | { readonly kind: 'ready' }
  | { readonly kind: 'done'; readonly type: AnswerWebviewMessage['type'] }
  | { readonly kind: 'rejected'; readonly reason: string };

export async function handleAnswerMessage(
  raw: unknown,
  services: AnswerMessageServices,
): Promise<AnswerMessageOutcome> {
  const parsed = parseAnswerWebviewMessage(raw);
  if (!parsed.ok) return reject(services, parsed.reason, raw);
  const message = parsed.message;
  const problem = refusal(message, services);
  if (problem) return reject(services, problem, raw);
  try {
    switch (message.type) {
      case 'ready':
        return { kind: 'ready' };
      case 'stop':
        services.stop();
        break;
      case 'followUp':
        await services.followUp(message.text.trim());
        break;
      case 'codeAction':
        await services.codeAction(message);
        break;
      case 'openLink':
        await services.openLink(message.href);
        break;
      case 'compare':
        await services.compare();
        break;
      case 'makeActive':
        await services.makeActive(message.model);
        break;
      case 'clearConversations':
        await services.clearConversations();
        break;
      default:
        return assertUnreachable(message);
    }
  } catch (error) {
    services.logger.warn(
      `Answer view: ${message.type} failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return { kind: 'done', type: message.type };
}

/** Why a well-formed message is still refused, if it is. */
function refusal(message: AnswerWebviewMessage, services: AnswerMessageServices): string | undefined {
  switch (message.type) {
    case 'followUp':
    case 'compare':
      return services.isRunning()
        ? `${message.type}: a request of this conversation is still running`
        : undefined;
    case 'codeAction': {
      const answer = services.answerText(message.turnId, message.answerId);
      if (answer === undefined) return `codeAction: no answer ${message.turnId}/${message.answerId}`;
      return isCodeFromAnswer(message.code, answer)
        ? undefined
        : 'codeAction: the code is not in that answer';
    }
    case 'openLink':
      return isSafeLink(message.href) ? undefined : 'openLink: only http, https and mailto links open';
    case 'makeActive':
      return services.isKnownModel(message.model)
        ? undefined
        : `makeActive: no model is named "${message.model.slice(0, 80)}"`;
    default:
      return undefined;
  }
}

/**
 * Whether `code` is a code block of `answer`: every one of its lines is a line of the answer
 * (blocks inside lists lose their indentation, so lines are compared without leading spaces). So a
 * page can only copy, insert or apply what the model wrote.
 */
export function isCodeFromAnswer(code: string, answer: string): boolean {
  const lines = new Set(answer.split('\n').map((line) => line.trim()));
  return code.split('\n').every((line) => lines.has(line.trim()));
}

function assertUnreachable(value: never): never {
  throw new Error(`Unhandled answer message ${JSON.stringify(value)}`);
}

function reject(services: AnswerMessageServices, reason: string, raw: unknown): AnswerMessageOutcome {
  services.logger.warn(`Answer view: ignored a message from the page (${reason}): ${preview(raw)}`);
  return { kind: 'rejected', reason };
}
