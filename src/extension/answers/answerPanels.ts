import * as vscode from 'vscode';
import type { LlmManager, Logger } from '../../core';
import type { AnswerHostMessage, CodeActionMessage } from '../../shared/answerProtocol';
import type { AnswerDocuments } from '../answerDocuments';
import { COMMANDS } from '../contributions';
import type { RunOptions } from '../runOptions';
import type { ExtensionSettings } from '../settings';
import { buildWebviewHtml, createNonce } from '../webviewHtml';
import { handleAnswerMessage } from './answerMessages';
import type { AnswerSink, AnswerSinkFactory } from './answerSink';
import type { CodeActions } from './codeActions';
import type { ConversationRunner } from './conversationRunner';
import type { ConversationStore } from './conversationStore';
import { openDocumentAnswer } from './documentSink';

/** The answer view's webview panel type (one panel per conversation). */
export const ANSWER_PANEL_TYPE = 'llmManager.answer';

export interface AnswerPanelServices {
  readonly extensionUri: vscode.Uri;
  readonly manager: LlmManager;
  readonly store: ConversationStore;
  readonly conversations: ConversationRunner;
  readonly codeActions: CodeActions;
  readonly documents: AnswerDocuments;
  readonly settings: () => ExtensionSettings;
  readonly logger: Logger;
  /** Asks the user for two or three models to compare; undefined when they cancel. */
  readonly pickModels: (placeHolder: string) => Promise<string[] | undefined>;
}

interface OpenPanel {
  readonly panel: vscode.WebviewPanel;
  readonly conversationId: string;
  readonly subscriptions: vscode.Disposable[];
}

/**
 * The answer view: one webview panel per conversation, beside the editor. It is where answers go
 * when `llmManager.answers.view` is `panel` (else they go to a document, as before). Each panel's
 * page says `ready` and gets its conversation, then the conversation's updates; what the page asks
 * is validated and run here. Panels come back after a window reload (the panel serializer), with
 * the conversation from the store.
 */
export class AnswerPanels implements AnswerSinkFactory, vscode.Disposable {
  private readonly panels = new Set<OpenPanel>();
  private readonly subscription: { dispose(): void };

  constructor(private readonly services: AnswerPanelServices) {
    this.subscription = services.conversations.onMessage((id, message) => this.post(id, message));
  }

  /** Where a command's answer goes: a new conversation in the answer view, or a document. */
  async open(options: RunOptions): Promise<AnswerSink> {
    if (this.services.settings().answerView === 'document')
      return openDocumentAnswer(this.services.documents, options);
    const { record, sinks } = this.services.conversations.start({
      title: options.title,
      subtitle: options.subtitle,
      question: options.title,
      request: options.request,
    });
    this.show(record.id, record.title);
    return sinks[0];
  }

  /** Brings back the answer panels VS Code restores after a reload. */
  readonly serializer: vscode.WebviewPanelSerializer = {
    deserializeWebviewPanel: async (panel, state: unknown) => {
      const id =
        typeof state === 'object' && state !== null
          ? (state as { conversationId?: unknown }).conversationId
          : undefined;
      if (typeof id !== 'string' || !this.services.store.get(id)) {
        // Cleared or dropped from the store since: nothing to show.
        panel.dispose();
        return;
      }
      panel.webview.options = this.webviewOptions();
      this.adopt(panel, id);
    },
  };

  /** Opens the panel of a conversation, or brings it to the front. */
  show(conversationId: string, title: string): void {
    const open = [...this.panels].find((entry) => entry.conversationId === conversationId);
    if (open) {
      open.panel.reveal(open.panel.viewColumn, true);
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      ANSWER_PANEL_TYPE,
      title,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { ...this.webviewOptions(), enableFindWidget: true },
    );
    this.adopt(panel, conversationId);
  }

  /** "Compare Models…" from the palette: a new conversation whose first turn asks each model. */
  async compareNew(question: string, prompt: { system: string; prompt: string }, models: readonly string[]) {
    const settings = this.services.settings();
    const { record, sinks } = this.services.conversations.start(
      {
        title: 'Compare models',
        subtitle: models.join(' · '),
        question,
        request: { ...prompt, temperature: settings.commandTemperature },
      },
      models,
    );
    this.show(record.id, record.title);
    await this.services.conversations.runComparison(record, sinks, models);
    return record.id;
  }

  async clearAll(): Promise<number> {
    const count = this.services.store.size;
    this.services.conversations.stopAll();
    await this.services.store.clear();
    for (const entry of this.panels) this.post(entry.conversationId, { type: 'snapshot', running: false });
    return count;
  }

  private webviewOptions(): vscode.WebviewOptions {
    const { extensionUri } = this.services;
    return {
      enableScripts: true,
      localResourceRoots: [
        vscode.Uri.joinPath(extensionUri, 'dist'),
        vscode.Uri.joinPath(extensionUri, 'media'),
      ],
    };
  }

  private adopt(panel: vscode.WebviewPanel, conversationId: string): void {
    const { extensionUri } = this.services;
    const asset = (...path: string[]) =>
      panel.webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...path)).toString();
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'activity.svg');
    const entry: OpenPanel = { panel, conversationId, subscriptions: [] };
    entry.subscriptions.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => this.receive(entry, raw)),
      panel.onDidDispose(() => {
        for (const subscription of entry.subscriptions) subscription.dispose();
        this.panels.delete(entry);
      }),
    );
    this.panels.add(entry);
    panel.webview.html = buildWebviewHtml({
      surface: 'answer',
      title: panel.title,
      cspSource: panel.webview.cspSource,
      nonce: createNonce(),
      scriptUri: asset('dist', 'webview', 'answer.js'),
      styleUris: [
        asset('dist', 'webview', 'codicon.css'),
        asset('media', 'metrics.css'),
        asset('media', 'answer.css'),
      ],
      loadingText: 'Loading the answer…',
    });
  }

  private post(conversationId: string, message: AnswerHostMessage): void {
    for (const entry of this.panels)
      if (entry.conversationId === conversationId) void entry.panel.webview.postMessage(message);
  }

  private async receive(entry: OpenPanel, raw: unknown): Promise<void> {
    const { conversations, store, manager, logger } = this.services;
    const id = entry.conversationId;
    const outcome = await handleAnswerMessage(raw, {
      logger,
      answerText: (turnId, answerId) =>
        store
          .get(id)
          ?.turns.find((turn) => turn.id === turnId)
          ?.answers.find((answer) => answer.id === answerId)?.text,
      isKnownModel: (name) => manager.getModelInfo(name) !== undefined,
      isRunning: () => conversations.isRunning(id),
      stop: () => conversations.stop(id),
      followUp: (question) => conversations.followUp(id, question),
      codeAction: (message) => this.codeAction(id, message),
      openLink: async (href) => {
        await vscode.env.openExternal(vscode.Uri.parse(href, true));
      },
      compare: async () => {
        const models = await this.services.pickModels(
          'Compare the last question on which models? (two or three)',
        );
        if (models) await conversations.compareLast(id, models);
      },
      makeActive: async (model) => {
        await vscode.commands.executeCommand(COMMANDS.chooseActiveModel, model);
        await conversations.prefer(id, model);
        void vscode.window.showInformationMessage(`${model} is now the active model (tried first).`);
      },
      clearConversations: async () => {
        await vscode.commands.executeCommand(COMMANDS.clearConversations);
      },
    });
    if (outcome.kind === 'ready')
      void entry.panel.webview.postMessage({
        type: 'snapshot',
        conversation: conversations.view(id),
        running: conversations.isRunning(id),
      } satisfies AnswerHostMessage);
  }

  private async codeAction(conversationId: string, message: CodeActionMessage): Promise<void> {
    const { codeActions, store } = this.services;
    switch (message.action) {
      case 'copy':
        return codeActions.copy(message.code);
      case 'insert':
        return codeActions.insert(message.code);
      case 'apply': {
        const answer = store
          .get(conversationId)
          ?.turns.find((turn) => turn.id === message.turnId)
          ?.answers.find((candidate) => candidate.id === message.answerId);
        return codeActions.apply(message.code, answer?.model ?? 'the model');
      }
    }
  }

  dispose(): void {
    this.subscription.dispose();
    for (const entry of [...this.panels]) entry.panel.dispose();
  }
}
