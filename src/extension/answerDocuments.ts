import * as vscode from 'vscode';
import { ANSWER_SCHEME } from './contributions';

/**
 * Read-only virtual documents (`llm-manager:` URIs) for streamed answers and routing traces.
 * Being virtual, they never ask to be saved when closed, and they update as text arrives.
 */
export class AnswerDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private readonly pending = new Set<string>();
  private readonly _onDidChange = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this._onDidChange.event;
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private counter = 0;
  /** Documents kept at most; older ones are dropped (their tabs then show an empty document). */
  private static readonly maxDocuments = 50;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '';
  }

  /** A new document with a unique, readable name such as `Explain selection 3.md`. */
  create(title: string, initial: string): vscode.Uri {
    this.counter++;
    const safe = title.replace(/[^\w\s.-]/g, '').trim() || 'Answer';
    const uri = vscode.Uri.from({ scheme: ANSWER_SCHEME, path: `/${safe} ${this.counter}.md` });
    this.contents.set(uri.toString(), initial);
    while (this.contents.size > AnswerDocuments.maxDocuments) {
      this.contents.delete(this.contents.keys().next().value as string);
    }
    return uri;
  }

  get(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '';
  }

  /** Replaces the text; the editor is told at most every 80 ms, so fast streams stay cheap. */
  set(uri: vscode.Uri, text: string): void {
    this.contents.set(uri.toString(), text);
    this.pending.add(uri.toString());
    this.flushTimer ??= setTimeout(() => this.flush(), 80);
  }

  /** Tells the editor about every pending change now. */
  flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    for (const key of this.pending) this._onDidChange.fire(vscode.Uri.parse(key));
    this.pending.clear();
  }

  async show(uri: vscode.Uri, beside = true): Promise<vscode.TextEditor> {
    const document = await vscode.workspace.openTextDocument(uri);
    return vscode.window.showTextDocument(document, {
      viewColumn: beside ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active,
      preview: false,
      preserveFocus: beside,
    });
  }

  dispose(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this._onDidChange.dispose();
    this.contents.clear();
  }
}
