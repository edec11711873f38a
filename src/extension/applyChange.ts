import * as vscode from 'vscode';
import type { AnswerDocuments } from './answerDocuments';
import { fencedBlock } from './templates';

/** The text a proposal would replace, as it was when the request (or the click) started. */
export interface ReplacementTarget {
  readonly document: vscode.TextDocument;
  readonly range: vscode.Range;
  readonly original: string;
  readonly languageId: string;
  /** Workspace-relative name, for messages. */
  readonly fileName: string;
}

export interface ReplacementOptions {
  /** Names the diff editor, e.g. `Improve selection` or `Apply to selection`. */
  readonly title: string;
  /** The model that proposed the code. */
  readonly proposedBy: string;
  /** e.g. `$0.0012` or `cached`, shown when asking. */
  readonly costText?: string;
  /** Show VS Code's diff editor and ask before applying (`llmManager.improve.showDiff`). */
  readonly showDiff: boolean;
}

export type ReplacementOutcome = 'applied' | 'unchanged' | 'discarded' | 'conflict' | 'failed';

/**
 * Replaces `target` with `proposed` the careful way, for Improve Selection and the answer view's
 * Apply to Selection alike: VS Code's diff editor first (when wanted) and a question, then one
 * WorkspaceEdit, which is one undo step. If the text changed meanwhile nothing is replaced: the
 * proposal opens beside instead.
 */
export async function proposeReplacement(
  documents: AnswerDocuments,
  target: ReplacementTarget,
  proposed: string,
  options: ReplacementOptions,
): Promise<ReplacementOutcome> {
  if (proposed === target.original) {
    void vscode.window.showInformationMessage(`${options.proposedBy} suggests no change.`);
    return 'unchanged';
  }
  if (options.showDiff) {
    const left = documents.create('Original', target.original);
    const right = documents.create('Proposed', proposed);
    await vscode.commands.executeCommand(
      'vscode.diff',
      left,
      right,
      `${options.title}: ${target.fileName} original ↔ proposed by ${options.proposedBy}`,
      { preview: true, viewColumn: vscode.ViewColumn.Beside },
    );
    const choice = await vscode.window.showInformationMessage(
      `Apply ${options.proposedBy}'s change to ${target.fileName}?${options.costText ? ` (${options.costText})` : ''}`,
      'Apply',
      'Discard',
    );
    if (choice !== 'Apply') return 'discarded';
  }
  const { document, range } = target;
  if (document.isClosed || document.getText(range) !== target.original) {
    const uri = documents.create(
      'Proposed code',
      `The selection changed while the model was working, so it was not replaced.\n\n${fencedBlock(proposed, target.languageId)}\n`,
    );
    await documents.show(uri);
    void vscode.window.showWarningMessage(
      'The selection changed while waiting; the proposed code was opened beside instead of applied.',
    );
    return 'conflict';
  }
  // One WorkspaceEdit is one undo step.
  const edit = new vscode.WorkspaceEdit();
  edit.replace(document.uri, range, proposed);
  return (await vscode.workspace.applyEdit(edit)) ? 'applied' : 'failed';
}
