import type * as vscode from 'vscode';
import type { ViewState } from '../shared/protocol';
import type {
  BudgetAlert,
  CircuitChange,
  CompletedRequest,
  CostEstimate,
  GenerateRequest,
  GenerateResult,
  ManagerMetrics,
  ModelInfo,
} from '../core';
import type { KeyRequest } from './keyConsent';
import type { IgnoredWorkspaceSettings } from './workspaceSettingsGuard';

/**
 * What LLM Manager offers other extensions: `(await vscode.extensions.getExtension(
 * 'llm-manager.llm-manager')!.activate()) as LlmManagerApi`. Requests go through the same cache,
 * fallback chain, circuit breakers, retries and budget as the editor commands. Keys never cross.
 */
export interface LlmManagerApi {
  /** Bumped on breaking changes. */
  readonly version: 1;
  /** Answers a request through the chain; rejects with an error whose `kind` says why. */
  generate(request: GenerateRequest): Promise<GenerateResult>;
  /** What a request may cost on each model of the chain, before sending it. */
  estimateCost(request: GenerateRequest): CostEstimate;
  /** The models in chain order with circuit state, latency, tokens and spend. */
  listModels(): ModelInfo[];
  getMetrics(): ManagerMetrics;
  readonly onDidChangeCircuit: vscode.Event<CircuitChange>;
  readonly onDidCrossBudgetAlert: vscode.Event<BudgetAlert>;
  readonly onDidCompleteRequest: vscode.Event<CompletedRequest>;
  readonly onDidChangeMetrics: vscode.Event<void>;
}

/**
 * Extra read-outs for tests (not part of the API): present only when the extension runs in
 * development or test mode, never in a user's VS Code.
 */
export interface LlmManagerDiagnostics {
  readonly activationMs: number;
  /** JSON characters last written to globalState per key. */
  persistedSizes(): Record<string, number>;
  /** The status-bar item's text and tooltip, which the VS Code API cannot read back. */
  statusBar(): { text: string; tooltip: string; health: string } | undefined;
  /** Saves pending state now. */
  flush(): Promise<void>;
  /** Every value this extension holds in globalState (to prove no key ever lands there). */
  globalStateDump(): Record<string, unknown>;
  /** Folder of this extension's log files (the "LLM Manager" log channel writes there). */
  readonly logDirectory: string;
  /** The user-only settings this workspace defines (ignored) and how many notices said so. */
  ignoredWorkspaceSettings(): Promise<IgnoredWorkspaceSettings>;
  /** The key-to-host prompts shown this session, one per key id and host. */
  keyConsentPrompts(): readonly KeyRequest[];
  /** Answers a key-to-host prompt as its buttons do. */
  answerKeyConsent(keyId: string, host: string, allow: boolean): Promise<void>;
  /** Folder of the ledger the windows share (spend, metrics, circuits), when it is in files. */
  readonly sharedDirectory?: string;
  /** The dashboard's view state as it would be sent now (cards, totals, budgets). */
  dashboardState(): ViewState;
}
