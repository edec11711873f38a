/**
 * The editor commands: ask about, explain and improve the selection, a free prompt, and the prompt
 * templates. Each gathers what its template needs from the editor (the selection, or a small file
 * whole; a question), sends it at the task's tier, then shows the answer beside the code or
 * replaces the selection in one undo step.
 */
import * as vscode from 'vscode';
import { formatUsd, type GenerateRequest } from '../../core';
import type { CommandHandlers } from '../commandArgs';
import type { CommandOutcome } from '../requestRunner';
import type { TaskName } from '../settings';
import {
  extractCode,
  fencedBlock,
  freePromptParts,
  renderTemplate,
  usesPlaceholder,
  type PlaceholderName,
  type PlaceholderValues,
  type PromptTemplate,
  type SelectionContext,
} from '../templates';
import { proposeReplacement } from '../applyChange';
import { pickCompareModels } from '../answers/pickModels';
import { failed, type CommandServices } from './services';

type EditorCommand =
  'askSelection' | 'explainSelection' | 'improveSelection' | 'runTemplate' | 'freePrompt' | 'compareModels';

export function editorCommands(services: CommandServices): Pick<CommandHandlers, EditorCommand> {
  const { settings, runner, documents, manager } = services;

  const selection = (allowWholeFile: boolean): SelectionContext | string => {
    const editor = vscode.window.activeTextEditor;
    if (!editor) return 'Open a file and select some code first.';
    const document = editor.document;
    const text = document.getText(editor.selection);
    if (text.trim()) {
      return {
        text,
        languageId: document.languageId,
        fileName: vscode.workspace.asRelativePath(document.uri),
        wholeFile: false,
      };
    }
    const whole = document.getText();
    const limit = settings.settings.wholeFileMaxChars;
    if (!allowWholeFile) return 'Select the code to improve first.';
    if (!whole.trim()) return 'The file is empty: write or select some code first.';
    if (whole.length > limit) {
      return `Nothing is selected and the file is too long to send whole (${whole.length.toLocaleString('en-US')} characters; the limit is llmManager.wholeFileMaxChars = ${limit.toLocaleString('en-US')}). Select the part you mean.`;
    }
    return {
      text: whole,
      languageId: document.languageId,
      fileName: vscode.workspace.asRelativePath(document.uri),
      wholeFile: true,
    };
  };

  const subtitleOf = (context: SelectionContext): string => {
    const editor = vscode.window.activeTextEditor;
    if (context.wholeFile || !editor) return `_\`${context.fileName}\` (whole file)_`;
    const { start, end } = editor.selection;
    return `_\`${context.fileName}\`, lines ${start.line + 1}–${end.line + 1}_`;
  };

  const temperature = () => settings.settings.commandTemperature;

  const placeholderValues = (context: SelectionContext, question: string): PlaceholderValues => ({
    selection: context.text,
    selectionBlock: fencedBlock(context.text, context.languageId),
    language: context.languageId,
    fileName: context.fileName,
    question,
  });

  /**
   * Runs a prompt template: gathers what its placeholders need (the selection, a question), sends
   * it at the task's tier, then shows the answer beside the code or replaces the selection.
   */
  const runTemplate = async (
    template: PromptTemplate,
    task: TaskName,
    question?: string,
  ): Promise<CommandOutcome | undefined> => {
    const needsSelection = ['selection', 'selectionBlock', 'language', 'fileName'].some((name) =>
      usesPlaceholder(template.prompt, name as PlaceholderName),
    );
    const editor = vscode.window.activeTextEditor;
    let context: SelectionContext = {
      text: '',
      languageId: editor?.document.languageId ?? 'plaintext',
      fileName: editor ? vscode.workspace.asRelativePath(editor.document.uri) : '',
      wholeFile: false,
    };
    if (needsSelection || template.mode === 'replace') {
      const found = selection(template.mode === 'answer');
      if (typeof found === 'string')
        return failed(
          template.mode === 'replace' && found.startsWith('Select the code')
            ? `Select the code for "${template.title}" first.`
            : found,
        );
      context = found;
    }
    let asked = question ?? '';
    if (usesPlaceholder(template.prompt, 'question') && !asked.trim()) {
      asked =
        (await vscode.window.showInputBox({
          prompt: template.id === 'ask' ? 'Ask about the selected code' : `${template.title}: your question`,
          placeHolder: 'What does this do? Is it safe? How do I test it?',
          ignoreFocusOut: true,
        })) ?? '';
      if (!asked.trim()) return { ok: false, errorKind: 'cancelled', message: 'No question asked.' };
    }
    let parts: { system: string; prompt: string };
    try {
      parts = renderTemplate(template, placeholderValues(context, asked.trim()));
    } catch (error) {
      return failed(error instanceof Error ? error.message : String(error));
    }
    const request = {
      ...parts,
      temperature: temperature(),
      tier: template.tier ?? settings.settings.taskTiers[task],
    };
    const subtitle = `${context.fileName ? subtitleOf(context) : ''}${asked.trim() ? ` — ${asked.trim().slice(0, 200)}` : ''}`;
    if (template.mode === 'answer') {
      return (
        await runner.run({
          title: template.title,
          progress: `${template.title}`,
          subtitle,
          showAnswer: true,
          request,
        })
      ).outcome;
    }
    return replaceSelection(template, request, context);
  };

  /** The "replace" mode: ask, take the code from the answer, show a diff if wanted, apply as one undo step. */
  const replaceSelection = async (
    template: PromptTemplate,
    request: GenerateRequest,
    context: SelectionContext,
  ): Promise<CommandOutcome> => {
    const editor = vscode.window.activeTextEditor!;
    const document = editor.document;
    const range = new vscode.Range(editor.selection.start, editor.selection.end);
    const original = document.getText(range);
    const { outcome, result } = await runner.run({
      title: template.title,
      progress: template.title,
      showAnswer: false,
      request,
    });
    if (!result) return outcome;
    const improved = extractCode(result.text, original.endsWith('\n'));
    const change = await proposeReplacement(
      documents,
      { document, range, original, languageId: context.languageId, fileName: context.fileName },
      improved,
      {
        title: template.title,
        proposedBy: result.model,
        costText: result.cached ? 'cached' : formatUsd(result.costUsd),
        showDiff: settings.settings.improveShowsDiff,
      },
    );
    switch (change) {
      case 'unchanged':
        return { ...outcome, text: improved };
      case 'discarded':
        return {
          ...outcome,
          ok: false,
          errorKind: 'cancelled',
          message: 'Change discarded.',
          text: improved,
        };
      case 'conflict':
        return { ...outcome, ok: false, errorKind: 'conflict', message: 'Selection changed', text: improved };
      case 'applied':
      case 'failed':
        return { ...outcome, ok: change === 'applied', text: improved };
    }
  };

  return {
    askSelection: (question?: string) => runTemplate(settings.settings.templates.ask, 'ask', question),

    explainSelection: () => runTemplate(settings.settings.templates.explain, 'explain'),

    improveSelection: () => runTemplate(settings.settings.templates.improve, 'improve'),

    runTemplate: async (id?: string, question?: string) => {
      const { templates } = settings.settings;
      const all = [templates.ask, templates.explain, templates.improve, ...templates.custom];
      let template = id === undefined ? undefined : all.find((t) => t.id === id);
      if (id !== undefined && !template)
        return failed(`There is no prompt template "${id}" (known: ${all.map((t) => t.id).join(', ')}).`);
      if (!template) {
        const picked = await vscode.window.showQuickPick(
          all.map((t) => ({
            label: t.title,
            description: t.builtIn ? 'built in' : t.id,
            detail: `${t.mode === 'replace' ? 'replaces the selection' : 'answers beside the code'} · ${t.tier ?? settings.settings.taskTiers[t.builtIn ? (t.id as TaskName) : 'template']} tier`,
            template: t,
          })),
          {
            placeHolder: templates.custom.length
              ? 'Run which prompt template?'
              : 'Run which prompt template? (add your own in llmManager.templates.custom)',
          },
        );
        template = picked?.template;
      }
      if (!template) return undefined;
      return runTemplate(template, template.builtIn ? (template.id as TaskName) : 'template', question);
    },

    freePrompt: async (question?: string) => {
      const asked =
        question ??
        (await vscode.window.showInputBox({
          prompt: 'Prompt for the fallback chain (the selection, if any, goes along as context)',
          ignoreFocusOut: true,
        }));
      if (!asked?.trim()) return { ok: false, errorKind: 'cancelled', message: 'No prompt.' };
      const editor = vscode.window.activeTextEditor;
      const context = editor && !editor.selection.isEmpty ? selection(false) : undefined;
      const values = typeof context === 'object' ? placeholderValues(context, asked.trim()) : undefined;
      const parts = freePromptParts(asked.trim(), values);
      return (
        await runner.run({
          title: 'Prompt',
          progress: 'Asking the chain',
          subtitle: `_${asked.trim().slice(0, 200)}_`,
          showAnswer: true,
          request: { ...parts, temperature: temperature(), tier: settings.settings.taskTiers.freePrompt },
        })
      ).outcome;
    },

    compareModels: async (question?: string, models?: string[]) => {
      const asked =
        question ??
        (await vscode.window.showInputBox({
          prompt: 'Question to send to each model you compare (the selection, if any, goes along as context)',
          ignoreFocusOut: true,
        }));
      if (!asked?.trim()) return { ok: false, errorKind: 'cancelled', message: 'No question.' };
      const chosen =
        models?.filter((name) => manager.getModelInfo(name)) ??
        (await pickCompareModels(manager, 'Compare on which models? (pick two or three)'));
      if (!chosen || chosen.length === 0)
        return { ok: false, errorKind: 'cancelled', message: 'No models picked.' };
      const editor = vscode.window.activeTextEditor;
      const context = editor && !editor.selection.isEmpty ? selection(false) : undefined;
      const values = typeof context === 'object' ? placeholderValues(context, asked.trim()) : undefined;
      const conversation = await services.answers.compareNew(
        asked.trim(),
        freePromptParts(asked.trim(), values),
        chosen,
      );
      return { ok: true, conversation };
    },
  };
}
