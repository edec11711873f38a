/**
 * Ids of everything package.json contributes. Handlers are registered from a map keyed by
 * {@link CommandId}, so the compiler refuses a command without a handler, and a unit test checks
 * that this list and package.json agree both ways. No `vscode` import: the test runs in Node.
 */
export const COMMANDS = {
  askSelection: 'llmManager.askSelection',
  explainSelection: 'llmManager.explainSelection',
  improveSelection: 'llmManager.improveSelection',
  freePrompt: 'llmManager.freePrompt',
  runTemplate: 'llmManager.runTemplate',
  chooseActiveModel: 'llmManager.chooseActiveModel',
  editFallbackChain: 'llmManager.editFallbackChain',
  resetCircuit: 'llmManager.resetCircuit',
  isolateModel: 'llmManager.isolateModel',
  clearCache: 'llmManager.clearCache',
  testModels: 'llmManager.testModels',
  showMetrics: 'llmManager.showMetrics',
  showLog: 'llmManager.showLog',
  showTrace: 'llmManager.showTrace',
  setApiKey: 'llmManager.setApiKey',
  clearApiKey: 'llmManager.clearApiKey',
  tryWithoutKeys: 'llmManager.tryWithoutKeys',
  stopTryWithoutKeys: 'llmManager.stopTryWithoutKeys',
  statusBarActions: 'llmManager.statusBarActions',
  openModelSettings: 'llmManager.openModelSettings',
  addModel: 'llmManager.addModel',
  setModelPrice: 'llmManager.setModelPrice',
  compareModels: 'llmManager.compareModels',
  clearConversations: 'llmManager.clearConversations',
} as const;

export type CommandName = keyof typeof COMMANDS;
export type CommandId = (typeof COMMANDS)[CommandName];

/** The chat-model vendor registered with VS Code's Language Model API. */
export const CHAT_VENDOR = 'llm-manager';
export const CHAT_MODEL_ID = 'fallback-chain';

export const VIEW_CONTAINER_ID = 'llmManager';
export const SIDEBAR_VIEW_ID = 'llmManager.sidebar';

/** The URI scheme of answer and trace documents (read-only, virtual). */
export const ANSWER_SCHEME = 'llm-manager';
