import * as path from 'path';
import * as vscode from 'vscode';
import {
  DEFAULT_SETTINGS,
  formatUsdTogether,
  LlmManager,
  mergeSettings,
  systemClock,
  type Event,
  type Logger,
  type SettingsPatch,
} from '../core';
import { AnswerDocuments } from './answerDocuments';
import { ANSWER_PANEL_TYPE, AnswerPanels } from './answers/answerPanels';
import { CodeActions } from './answers/codeActions';
import { ConversationRunner } from './answers/conversationRunner';
import { ConversationStore } from './answers/conversationStore';
import { pickCompareModels } from './answers/pickModels';
import type { LlmManagerApi, LlmManagerDiagnostics } from './api';
import { CatalogRefresher } from './catalogRefresher';
import { ChainStateFeed } from './chainState';
import { ChainChatModelProvider } from './chatModelProvider';
import { registerCommands } from './commands';
import { ANSWER_SCHEME, CHAT_VENDOR } from './contributions';
import { DemoController } from './demoController';
import { FileSharedStore } from './fileSharedStore';
import { GlobalStateStore } from './globalStateStore';
import { KeyConsent } from './keyConsent';
import { KeyStore } from './keyStore';
import { MetricsViews } from './metricsViews';
import { ModelService } from './modelService';
import { OutputLog } from './outputLog';
import { redactSecrets } from './redact';
import { RequestRunner } from './requestRunner';
import { SettingsService } from './settingsService';
import { StatusBarController } from './statusBar';
import { TeamBudgets } from './teamBudgets';
import { traceToLogLine } from './traceFormat';
import { VscodeLmProvider } from './vscodeLmProvider';
import { WorkspaceSettingsGuard } from './workspaceSettingsGuard';

/**
 * What `activate()` returns while the extension runs in development or test mode
 * (`context.extensionMode`): the API plus test read-outs. In a user's VS Code (production mode)
 * other extensions get the {@link LlmManagerApi} alone.
 */
export type ExtensionExports = LlmManagerApi & { readonly diagnostics: LlmManagerDiagnostics };

/**
 * Activation does the least it can: it reads the settings, builds the manager over globalState and
 * SecretStorage, and registers commands, the status bar and the chat model. It runs once the window
 * has started (`onStartupFinished`), so a new user sees the status-bar item before any command;
 * the SDKs load on the first request, the demo server only when asked for.
 */
export function activate(context: vscode.ExtensionContext): LlmManagerApi {
  const started = performance.now();
  const subscriptions = context.subscriptions;
  const keys = new KeyStore(context.secrets);
  subscriptions.push(keys);
  const redact = (text: string) => redactSecrets(text, keys.knownValues());
  const logger = new OutputLog(redact);
  subscriptions.push(logger);
  const settings = new SettingsService(logger);
  subscriptions.push(settings);
  logger.setLevel(settings.settings.logLevel);
  const workspaceSettings = new WorkspaceSettingsGuard(logger, context.workspaceState);
  subscriptions.push(workspaceSettings);

  const store = new GlobalStateStore(context.globalState);
  // Nothing roams with Settings Sync: spend from two machines would overwrite each other there,
  // and circuits and caches describe this machine's network. Keys never touch globalState at all.
  context.globalState.setKeysForSync([]);
  // What the windows of this machine share (spend, metrics, reservations, circuits): see the
  // README's "Several windows". Private to this extension; nothing of it is exported.
  const sharedStore = createSharedStore(context.globalStorageUri, logger);
  const manager = new LlmManager({
    ...safeManagerSettings(settings, logger),
    store,
    shared: sharedStore,
    logger,
  });
  // The manager first: its last write goes to the store before the store closes.
  subscriptions.push(manager);
  if (sharedStore) subscriptions.push(sharedStore);

  // Keys reach providers only through the key-to-host check; it needs the models' current uses.
  const consent = new KeyConsent(keys, context.globalState, logger, () => models.keyUses());
  subscriptions.push(consent);
  const models: ModelService = new ModelService(
    manager,
    consent,
    logger,
    (model) => new VscodeLmProvider(model),
    (setting, message) => settings.report(setting, message),
  );
  subscriptions.push(models);
  models.apply(settings.settings);

  const restoreManagerSettings = () => manager.configure(safeManagerSettings(settings, logger));
  const demo = new DemoController(models, manager, restoreManagerSettings, logger);
  subscriptions.push(demo);

  const catalogRefresher = new CatalogRefresher({
    storageDir: context.globalStorageUri.fsPath,
    clock: systemClock,
    logger,
    onRefreshed: () => models.reloadPrices(),
  });
  subscriptions.push(catalogRefresher);
  catalogRefresher.setEnabled(settings.settings.catalogRefresh);

  subscriptions.push(
    settings.onDidChange((next) => {
      logger.setLevel(next.logLevel);
      restoreManagerSettings();
      demo.applyOverrides();
      models.apply(next);
      catalogRefresher.setEnabled(next.catalogRefresh);
    }),
  );

  const documents = new AnswerDocuments();
  subscriptions.push(
    documents,
    vscode.workspace.registerTextDocumentContentProvider(ANSWER_SCHEME, documents),
  );
  // The answer view: conversations kept in this workspace's state, one panel per conversation.
  const conversationStore = new ConversationStore(context.workspaceState, logger);
  const conversations: ConversationRunner = new ConversationRunner({
    manager,
    store: conversationStore,
    run: (options, sink) => runner.run(options, sink),
    tierChain: (tier) => {
      const chain = settings.settings.manager.routing?.tierChains?.[tier ?? 'standard'];
      return chain && chain.length > 0 ? chain : undefined;
    },
    redact,
    now: Date.now,
  });
  const codeActions = new CodeActions(documents, () => settings.settings.improveShowsDiff);
  const answers: AnswerPanels = new AnswerPanels({
    extensionUri: context.extensionUri,
    manager,
    store: conversationStore,
    conversations,
    codeActions,
    documents,
    settings: () => settings.settings,
    logger,
    pickModels: (placeHolder) => pickCompareModels(manager, placeHolder),
  });
  subscriptions.push(
    codeActions,
    answers,
    { dispose: () => conversations.stopAll() },
    vscode.window.registerWebviewPanelSerializer(ANSWER_PANEL_TYPE, answers.serializer),
  );
  const runner: RequestRunner = new RequestRunner(
    manager,
    documents,
    answers,
    models,
    () => settings.settings.confirmCostAboveUsd,
    logger,
  );

  const teamBudgets = new TeamBudgets({
    readerOf: (name) => models.teamBudgetReader(name),
    models: () => manager.listModels(),
    clock: systemClock,
    logger,
  });
  subscriptions.push(teamBudgets);
  const chainState = new ChainStateFeed({
    manager,
    keys,
    keyIdOf: (name) => models.keyIdOf(name),
    demoRunning: () => models.demoRunning,
    clock: systemClock,
    changes: [models.onDidChange, teamBudgets.onDidChange],
    teamBudgets: () => teamBudgets.current(),
  });
  subscriptions.push(chainState);
  const statusBar = new StatusBarController(chainState);
  subscriptions.push(statusBar);

  const metricsViews = new MetricsViews({
    extensionUri: context.extensionUri,
    manager,
    models,
    chainState,
    logger,
    redact,
    teamBudgets,
  });
  subscriptions.push(metricsViews);

  subscriptions.push(
    ...registerCommands({
      manager,
      models,
      keys,
      settings,
      runner,
      documents,
      answers,
      demo,
      log: logger,
      showDashboard: () => metricsViews.showDashboard(),
    }),
  );

  const chatProvider = new ChainChatModelProvider(manager, () => settings.settings.taskTiers.chat);
  subscriptions.push(chatProvider, vscode.lm.registerLanguageModelChatProvider(CHAT_VENDOR, chatProvider));
  subscriptions.push(models.onDidChange(() => chatProvider.refresh()));

  // Every request's routing trace at debug level (redacted by the logger).
  subscriptions.push(
    manager.onDidCompleteRequest((completed) => logger.debug(traceToLogLine(completed.trace))),
  );
  subscriptions.push(
    manager.onDidCrossBudgetAlert((alert) => {
      const period = alert.period === 'day' ? 'daily' : 'monthly';
      const [spent, limit] = formatUsdTogether(alert.spentUsd, alert.limitUsd);
      const message =
        alert.level === 'exceeded'
          ? `LLM Manager: the ${period} budget is used up (${spent} of ${limit}).`
          : `LLM Manager: ${Math.round((alert.spentUsd / alert.limitUsd) * 100)} % of the ${period} budget spent (${spent} of ${limit}).`;
      void vscode.window.showWarningMessage(message, 'Show Metrics').then((choice) => {
        if (choice) void vscode.commands.executeCommand('llmManager.showMetrics');
      });
    }),
  );
  // Another window may have spent money or seen a circuit open: catch up when this one gets focus.
  subscriptions.push(
    vscode.window.onDidChangeWindowState((state) => {
      if (state.focused) void manager.syncFromStore();
    }),
  );

  flushOnDeactivate = () => manager.flush();
  const activationMs = performance.now() - started;
  logger.info(`Activated in ${activationMs.toFixed(1)} ms with ${manager.listModels().length} model(s).`);

  const api: LlmManagerApi = Object.freeze<LlmManagerApi>({
    version: 1,
    generate: (request) => manager.generate(request),
    estimateCost: (request) => manager.estimateCost(request),
    listModels: () =>
      manager
        .chainModels()
        .map((name) => manager.getModelInfo(name)!)
        .filter(Boolean),
    getMetrics: () => manager.getMetrics(),
    onDidChangeCircuit: toVscodeEvent(manager.onDidChangeCircuit),
    onDidCrossBudgetAlert: toVscodeEvent(manager.onDidCrossBudgetAlert),
    onDidCompleteRequest: toVscodeEvent(manager.onDidCompleteRequest),
    onDidChangeMetrics: toVscodeEvent(manager.onDidChangeMetrics),
  });
  // Test read-outs (globalState holds cached prompts and answers: the user's code) never reach
  // other extensions in a user's VS Code.
  if (context.extensionMode === vscode.ExtensionMode.Production) return api;
  const diagnostics: LlmManagerDiagnostics = {
    activationMs,
    persistedSizes: () => store.writtenSizes(),
    statusBar: () =>
      statusBar.current && {
        text: statusBar.current.text,
        tooltip: statusBar.current.tooltip,
        health: statusBar.current.health,
      },
    flush: () => manager.flush(),
    globalStateDump: () =>
      Object.fromEntries(context.globalState.keys().map((key) => [key, context.globalState.get(key)])),
    logDirectory: context.logUri.fsPath,
    ignoredWorkspaceSettings: async () => {
      await workspaceSettings.check();
      return workspaceSettings.current;
    },
    keyConsentPrompts: () => consent.prompts(),
    answerKeyConsent: (keyId, host, allow) => consent.decide(keyId, host, allow),
    dashboardState: () => metricsViews.currentState(),
    ...(sharedStore ? { sharedDirectory: path.join(context.globalStorageUri.fsPath, 'shared') } : {}),
  };
  const withDiagnostics: ExtensionExports = Object.freeze({ ...api, diagnostics });
  return withDiagnostics;
}

/**
 * The one piece of module state: VS Code awaits `deactivate`, not disposables, so this is how the
 * last debounced writes reach globalState before the window closes.
 */
let flushOnDeactivate: (() => Promise<void>) | undefined;

export async function deactivate(): Promise<void> {
  await flushOnDeactivate?.();
  flushOnDeactivate = undefined;
}

/**
 * The store several windows share: files in this extension's global storage folder, which every
 * window's extension host on this machine sees (desktop and server builds alike). Only a `mkdir`
 * happens now; reading waits for the first use. Where no such folder can be had, undefined: the
 * manager then keeps the ledger in globalState, which survives a reload but is not safe for
 * windows flushing at the same moment — and says so.
 */
function createSharedStore(globalStorage: vscode.Uri, logger: Logger): FileSharedStore | undefined {
  let problem: string;
  if (globalStorage.scheme === 'file') {
    try {
      return new FileSharedStore(path.join(globalStorage.fsPath, 'shared'), { logger });
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error);
    }
  } else {
    problem = `global storage is not on disk (${globalStorage.scheme}:)`;
  }
  logger.warn(`Cannot share state with other windows through files (${problem}); keeping it in globalState.`);
  return undefined;
}

/** The core's settings from the user's; a combination the core refuses falls back to defaults. */
function safeManagerSettings(settings: SettingsService, logger: OutputLog): SettingsPatch {
  const patch = settings.settings.manager;
  try {
    mergeSettings(DEFAULT_SETTINGS, patch);
    return patch;
  } catch (error) {
    logger.warn(
      `Settings rejected: ${error instanceof Error ? error.message : String(error)}; using defaults for retry, cache and budget.`,
    );
    return {};
  }
}

function toVscodeEvent<T>(event: Event<T>): vscode.Event<T> {
  return (listener, thisArgs?, disposables?) => {
    const subscription = event((value) => listener.call(thisArgs, value));
    disposables?.push(subscription);
    return subscription;
  };
}
