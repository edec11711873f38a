/**
 * The webview's side of the channel to the extension host. Only protocol messages go out; the
 * little state kept across reloads of the page is which parts the user had opened.
 */
import type { WebviewMessage } from '../shared/protocol';

/** What survives the page being dropped while hidden (VS Code keeps it for the view). */
export interface PersistedUiState {
  /** Ids of the routing traces the user expanded. */
  readonly openTraces?: readonly string[];
}

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): PersistedUiState | undefined;
  setState(state: PersistedUiState): void;
}

/** Provided by VS Code in every webview; may be called once per page. */
declare function acquireVsCodeApi(): VsCodeApi;

let api: VsCodeApi | undefined;

function vscode(): VsCodeApi {
  api ??= acquireVsCodeApi();
  return api;
}

export function postToHost(message: WebviewMessage): void {
  vscode().postMessage(message);
}

export function loadUiState(): PersistedUiState {
  return vscode().getState() ?? {};
}

export function saveUiState(state: PersistedUiState): void {
  vscode().setState(state);
}
