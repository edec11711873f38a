import * as vscode from 'vscode';
import type { AnswerDocuments } from '../answerDocuments';
import { proposeReplacement } from '../applyChange';
import { ANSWER_SCHEME } from '../contributions';

/**
 * Copy, Insert at Cursor and Apply to Selection for a code block of an answer. The answer view has
 * the focus when its buttons are clicked, so "the editor" is the text editor that was active last.
 */
export class CodeActions implements vscode.Disposable {
  private lastEditor: vscode.TextEditor | undefined;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly documents: AnswerDocuments,
    private readonly showDiff: () => boolean,
  ) {
    this.remember(vscode.window.activeTextEditor);
    this.subscription = vscode.window.onDidChangeActiveTextEditor((editor) => this.remember(editor));
  }

  async copy(code: string): Promise<void> {
    await vscode.env.clipboard.writeText(code);
    vscode.window.setStatusBarMessage('$(copy) Code copied', 3000);
  }

  async insert(code: string): Promise<void> {
    const editor = this.editor();
    if (!editor) return;
    const at = editor.selection.active;
    const edit = new vscode.WorkspaceEdit();
    edit.insert(editor.document.uri, at, code);
    await vscode.workspace.applyEdit(edit);
    await vscode.window.showTextDocument(editor.document, {
      viewColumn: editor.viewColumn,
      preserveFocus: false,
    });
  }

  /** Shows the diff first (as Improve Selection does), then replaces the selection as one undo step. */
  async apply(code: string, proposedBy: string): Promise<void> {
    const editor = this.editor();
    if (!editor) return;
    const { document, selection } = editor;
    if (selection.isEmpty) {
      void vscode.window.showInformationMessage(
        `Select the code to replace in ${vscode.workspace.asRelativePath(document.uri)} first, then Apply again.`,
      );
      return;
    }
    const range = new vscode.Range(selection.start, selection.end);
    const original = document.getText(range);
    // A block copied from an answer ends with a newline; keep the selection's own ending.
    const proposed = original.endsWith('\n') ? code.replace(/\n*$/, '\n') : code.replace(/\n+$/, '');
    await proposeReplacement(
      this.documents,
      {
        document,
        range,
        original,
        languageId: document.languageId,
        fileName: vscode.workspace.asRelativePath(document.uri),
      },
      proposed,
      { title: 'Apply to selection', proposedBy, showDiff: this.showDiff() },
    );
  }

  private remember(editor: vscode.TextEditor | undefined): void {
    if (editor && editor.document.uri.scheme !== ANSWER_SCHEME) this.lastEditor = editor;
  }

  private editor(): vscode.TextEditor | undefined {
    const last = this.lastEditor;
    const editor =
      last && !last.document.isClosed
        ? (vscode.window.visibleTextEditors.find((candidate) => candidate.document === last.document) ?? last)
        : undefined;
    if (!editor) void vscode.window.showInformationMessage('Open the file to change in an editor first.');
    return editor;
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
