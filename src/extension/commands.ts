import * as vscode from 'vscode';
import {
  formatDuration,
  formatUsd,
  toLlmError,
  type ChainStep,
  type GenerateRequest,
  type LlmManager,
  type ModelInfo,
} from '../core';
import type { AnswerDocuments } from './answerDocuments';
import type { AnswerPanels } from './answers/answerPanels';
import { pickCompareModels } from './answers/pickModels';
import { proposeReplacement } from './applyChange';
import { PRESETS, type PresetId } from '../providers/presets';
import { CHAT_VENDOR, COMMANDS, type CommandName } from './contributions';
import type { DemoController } from './demoController';
import type { KeyStore } from './keyStore';
import type { ModelService } from './modelService';
import type { ModelSettings, TaskName } from './settings';
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
} from './templates';
import type { CommandOutcome, RequestRunner } from './requestRunner';
import type { SettingsService } from './settingsService';
import { circuitLabel } from './statusModel';

export interface CommandServices {
  readonly manager: LlmManager;
  readonly models: ModelService;
  readonly keys: KeyStore;
  readonly settings: SettingsService;
  readonly runner: RequestRunner;
  readonly documents: AnswerDocuments;
  /** The answer view (its conversations, Compare models, Clear). */
  readonly answers: AnswerPanels;
  readonly demo: DemoController;
  readonly log: vscode.LogOutputChannel;
  /** Opens the metrics dashboard. */
  readonly showDashboard: () => Promise<void>;
}

type Handler = (...args: never[]) => unknown;

/** Registers every contributed command. The map's type makes a missing handler a compile error. */
export function registerCommands(services: CommandServices): vscode.Disposable[] {
  const handlers = createHandlers(services);
  return (Object.keys(COMMANDS) as CommandName[]).map((name) =>
    vscode.commands.registerCommand(COMMANDS[name], handlers[name] as (...args: unknown[]) => unknown),
  );
}

export function createHandlers(services: CommandServices): Record<CommandName, Handler> {
  const { manager, models, keys, settings, runner, documents, demo, log } = services;

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

  const fail = (message: string): CommandOutcome => {
    void vscode.window.showErrorMessage(message);
    return { ok: false, errorKind: 'badRequest', message };
  };

  const subtitleOf = (context: SelectionContext): string => {
    const editor = vscode.window.activeTextEditor;
    if (context.wholeFile || !editor) return `_\`${context.fileName}\` (whole file)_`;
    const { start, end } = editor.selection;
    return `_\`${context.fileName}\`, lines ${start.line + 1}–${end.line + 1}_`;
  };

  const temperature = () => settings.settings.commandTemperature;

  const chooseModel = async (
    placeHolder: string,
    filter: (info: ModelInfo) => boolean = () => true,
  ): Promise<string | undefined> => {
    const infos = manager
      .resolveChain()
      .map((name) => manager.getModelInfo(name)!)
      .filter(filter);
    if (infos.length === 0) {
      void vscode.window.showInformationMessage(
        'No models to choose from. Add one in the settings or run "LLM Manager: Try Without Keys".',
      );
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(infos.map(modelItem(Date.now())), {
      placeHolder,
      matchOnDescription: true,
    });
    return picked?.name;
  };

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
        return fail(
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
      return fail(error instanceof Error ? error.message : String(error));
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
        return fail(`There is no prompt template "${id}" (known: ${all.map((t) => t.id).join(', ')}).`);
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

    chooseActiveModel: async (name?: string) => {
      const chosen = name ?? (await chooseModel('Choose the model to try first'));
      if (!chosen) return undefined;
      if (!manager.getModelInfo(chosen)) return fail(`Unknown model "${chosen}".`);
      if (models.demoRunning) models.setDemoActive(chosen);
      else await settings.update('activeModel', chosen);
      return chosen;
    },

    editFallbackChain: async (steps?: ChainStep[]) => {
      if (steps) {
        await settings.update('fallbackChain', steps);
        return steps;
      }
      const remaining = manager.listModels();
      const order: string[] = [];
      while (remaining.length > 0) {
        const items: Array<vscode.QuickPickItem & { name?: string }> = remaining.map((n) => ({
          label: n,
          name: n,
          description: manager.getModelInfo(n)?.metadata.provider,
        }));
        if (order.length > 0)
          items.unshift({ label: '$(check) Done', description: `save: ${order.join(' → ')}` });
        const picked = await vscode.window.showQuickPick(items, {
          placeHolder:
            order.length === 0
              ? 'Pick the first model of the fallback chain'
              : `Chain so far: ${order.join(' → ')} — pick the next, or Done`,
        });
        if (!picked) return undefined;
        if (!picked.name) break;
        order.push(picked.name);
        remaining.splice(remaining.indexOf(picked.name), 1);
      }
      await settings.update('fallbackChain', order);
      void vscode.window.showInformationMessage(`Fallback chain saved: ${order.join(' → ')}`);
      return order;
    },

    resetCircuit: async (name?: string) => {
      let target = name;
      if (!target) {
        const items = [
          { label: '$(debug-restart) All models', name: '*' },
          ...manager
            .listModels()
            .map((n) => ({ ...modelItem(Date.now())(manager.getModelInfo(n)!), name: n })),
        ];
        target = (await vscode.window.showQuickPick(items, { placeHolder: 'Reset which circuit?' }))?.name;
      }
      if (!target) return undefined;
      manager.resetCircuitBreaker(target === '*' ? undefined : target);
      void vscode.window.showInformationMessage(
        target === '*' ? 'All circuits reset.' : `Circuit of ${target} reset.`,
      );
      return target;
    },

    isolateModel: async (name?: string) => {
      const target =
        name ??
        (await chooseModel(
          'Isolate which model? (it stays out of the chain until you reset its circuit)',
          (m) => m.circuit.state !== 'isolated',
        ));
      if (!target) return undefined;
      manager.isolateModel(target);
      return target;
    },

    clearCache: () => {
      const entries = manager.getMetrics().cache.entries;
      manager.clearCache();
      void vscode.window.showInformationMessage(
        `Response cache cleared (${entries} answer${entries === 1 ? '' : 's'}).`,
      );
      return entries;
    },

    testModels: async () => {
      const names = manager.listModels();
      if (names.length === 0)
        return fail('No models to test. Add one in the settings or run "LLM Manager: Try Without Keys".');
      const results = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `LLM Manager: testing ${names.length} model${names.length === 1 ? '' : 's'}…`,
          cancellable: true,
        },
        (_progress, token) =>
          Promise.all(
            names.map(async (name) => {
              const controller = new AbortController();
              token.onCancellationRequested(() => controller.abort());
              const timer = setTimeout(() => controller.abort(), 15_000);
              const started = Date.now();
              try {
                await models.healthCheck(name, controller.signal);
                return { name, ok: true, detail: `answered in ${formatDuration(Date.now() - started)}` };
              } catch (error) {
                const llmError = toLlmError(error);
                const detail = llmError.missingKey
                  ? 'no API key — set one'
                  : llmError.kind === 'cancelled'
                    ? 'no answer within 15 s'
                    : `${llmError.kind}: ${llmError.message}`;
                return { name, ok: false, detail };
              } finally {
                clearTimeout(timer);
              }
            }),
          ),
      );
      for (const r of results)
        (r.ok ? log.info : log.warn).call(log, `Test ${r.name}: ${r.ok ? 'ok' : 'failed'} — ${r.detail}`);
      void vscode.window.showQuickPick(
        results.map((r) => ({
          label: `${r.ok ? '$(pass-filled)' : '$(error)'} ${r.name}`,
          description: r.detail,
        })),
        {
          placeHolder: `${results.filter((r) => r.ok).length} of ${results.length} models answered (details in the log)`,
        },
      );
      return results;
    },

    showMetrics: () => services.showDashboard(),

    showLog: () => log.show(),

    showTrace: async (traceId?: string) => {
      const recent = manager.getRecentRequests().slice().reverse();
      if (recent.length === 0) return fail('No requests yet this session.');
      const pick = traceId
        ? recent.find((r) => r.trace.id === traceId)
        : (
            await vscode.window.showQuickPick(
              recent.map((r) => ({
                label: `${r.error ? '$(error)' : '$(pass-filled)'} ${r.result ? r.result.model : r.error?.kind}`,
                description: new Date(r.trace.startedAt).toLocaleTimeString(),
                detail: r.result
                  ? `${r.result.cached ? 'cached' : formatUsd(r.result.costUsd)} · ${r.trace.steps.length} steps`
                  : r.error?.message.split('\n')[0],
                request: r,
              })),
              { placeHolder: 'Which request?' },
            )
          )?.request;
      if (!pick) return undefined;
      return (await runner.showTrace(pick.trace, 'Routing trace', pick.error)).toString();
    },

    setApiKey: async (keyId?: string, value?: string) => {
      const target = keyId ?? (await pickKeyId(models, keys, 'Set the API key for…', true));
      if (!target) return undefined;
      const replacing = await keys.hasKey(target);
      const entered =
        value ??
        (await vscode.window.showInputBox({
          prompt: `${replacing ? 'Replace' : 'Enter'} the API key for "${target}". It is stored in your system keychain (VS Code SecretStorage), never in settings.`,
          password: true,
          ignoreFocusOut: true,
          validateInput: (text) =>
            !text.trim()
              ? 'The key cannot be empty.'
              : /\s/.test(text.trim())
                ? 'A key has no spaces.'
                : undefined,
        }));
      if (!entered?.trim()) return undefined;
      await keys.setKey(target, entered.trim());
      void vscode.window.showInformationMessage(
        `API key for "${target}" ${replacing ? 'replaced' : 'saved'}.`,
      );
      return target;
    },

    clearApiKey: async (keyId?: string) => {
      const target = keyId ?? (await pickKeyId(models, keys, 'Clear the API key of…', false));
      if (!target) return undefined;
      await keys.deleteKey(target);
      void vscode.window.showInformationMessage(`API key for "${target}" cleared.`);
      return target;
    },

    tryWithoutKeys: () => demo.start(),

    stopTryWithoutKeys: () => demo.stop(),

    statusBarActions: async () => {
      const actions: Array<vscode.QuickPickItem & { command: string }> = [
        { label: '$(check) Choose active model…', command: COMMANDS.chooseActiveModel },
        { label: '$(debug-restart) Reset circuits…', command: COMMANDS.resetCircuit },
        { label: '$(graph) Show metrics', command: COMMANDS.showMetrics },
        { label: '$(beaker) Test models', command: COMMANDS.testModels },
        { label: '$(list-tree) Show routing trace…', command: COMMANDS.showTrace },
        { label: '$(key) Set API key…', command: COMMANDS.setApiKey },
        { label: '$(output) Show log', command: COMMANDS.showLog },
        models.demoRunning
          ? { label: '$(debug-stop) Stop trying without keys', command: COMMANDS.stopTryWithoutKeys }
          : { label: '$(play) Try without keys', command: COMMANDS.tryWithoutKeys },
      ];
      const picked = await vscode.window.showQuickPick(actions, { placeHolder: 'LLM Manager' });
      if (picked) await vscode.commands.executeCommand(picked.command);
    },

    addModel: async () => {
      const added = await addModelInteractively(settings, models, keys);
      if (added) void vscode.window.showInformationMessage(`Model "${added}" added to llmManager.models.`);
      return added;
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

    clearConversations: async () => {
      const count = await services.answers.clearAll();
      void vscode.window.showInformationMessage(
        `Answer view: ${count} conversation${count === 1 ? '' : 's'} cleared.`,
      );
      return count;
    },

    openModelSettings: async (name?: string) => {
      await vscode.commands.executeCommand('workbench.action.openSettingsJson', {
        revealSetting: { key: 'llmManager.models' },
      });
      return name;
    },
  };
}

function modelItem(now: number) {
  return (info: ModelInfo): vscode.QuickPickItem & { name: string } => {
    const price =
      info.metadata.inputPricePerMTok === 0 && info.metadata.outputPricePerMTok === 0
        ? 'free'
        : `$${info.metadata.inputPricePerMTok}/$${info.metadata.outputPricePerMTok} per M tokens`;
    const latency = info.latency.p50Ms !== undefined ? ` · p50 ${formatDuration(info.latency.p50Ms)}` : '';
    return {
      name: info.name,
      label: `${info.active ? '$(star-full) ' : ''}${info.name}`,
      description: `${info.metadata.provider} · ${price}`,
      detail: `circuit ${circuitLabel(info, now)}${latency}${info.lastError ? ` · last error: ${info.lastError.kind}` : ''}`,
    };
  };
}

async function pickKeyId(
  models: ModelService,
  keys: KeyStore,
  placeHolder: string,
  offerOther: boolean,
): Promise<string | undefined> {
  const byKey = new Map<string, string[]>();
  for (const model of models.models()) {
    const keyId = models.keyIdOf(model.id);
    if (keyId) byKey.set(keyId, [...(byKey.get(keyId) ?? []), model.id]);
  }
  const items: Array<vscode.QuickPickItem & { keyId?: string }> = [];
  for (const [keyId, users] of byKey) {
    const has = await keys.hasKey(keyId);
    if (!offerOther && !has) continue;
    items.push({
      label: `${has ? '$(key)' : '$(circle-slash)'} ${keyId}`,
      description: has ? 'set' : 'not set',
      detail: `used by ${users.join(', ')}`,
      keyId,
    });
  }
  if (offerOther)
    items.push({ label: '$(add) Another key…', description: 'type its name (e.g. openai, anthropic, groq)' });
  if (items.length === 0) {
    void vscode.window.showInformationMessage('No API keys are stored.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(items, { placeHolder });
  if (!picked) return undefined;
  if (picked.keyId) return picked.keyId;
  const typed = await vscode.window.showInputBox({
    prompt: 'Name of the key (the model setting "keyId", or the provider name)',
    validateInput: (v) => (/^[\w.:@/-]+$/.test(v) ? undefined : 'Letters, digits and . _ : @ / - only'),
  });
  return typed?.trim() || undefined;
}

interface ProviderChoice extends vscode.QuickPickItem {
  readonly provider: ModelSettings['provider'];
  readonly preset?: PresetId;
  readonly suggestedModel: string;
  readonly modelHint?: string;
}

/**
 * "Add Model…": asks for the provider, the model and what that provider needs (an Azure endpoint
 * and deployment), appends the model to llmManager.models, and offers to set its key.
 */
async function addModelInteractively(
  settings: SettingsService,
  models: ModelService,
  keys: KeyStore,
): Promise<string | undefined> {
  const choices: ProviderChoice[] = [
    { label: 'OpenAI', provider: 'openai', suggestedModel: 'gpt-4o-mini', description: 'api.openai.com' },
    {
      label: 'Anthropic',
      provider: 'anthropic',
      suggestedModel: 'claude-sonnet-4-5',
      description: 'api.anthropic.com',
    },
    {
      label: 'Azure OpenAI',
      provider: 'azure',
      suggestedModel: 'gpt-4o',
      description: 'your resource endpoint and deployment',
    },
    ...Object.values(PRESETS).map((preset) => ({
      label: preset.displayName,
      provider: 'openaiCompatible' as const,
      preset: preset.id,
      suggestedModel: SUGGESTED_PRESET_MODELS[preset.id],
      description: preset.local ? 'local · no key' : preset.baseUrl,
      detail: preset.hint,
      modelHint: preset.hint,
    })),
    {
      label: "One of VS Code's models",
      provider: 'vscode-lm',
      suggestedModel: '',
      description: 'e.g. Copilot · no key',
      detail: 'Uses vscode.lm; VS Code asks for your consent on first use.',
    },
  ];
  const choice = await vscode.window.showQuickPick(choices, {
    placeHolder: 'Which provider serves the model?',
    matchOnDetail: true,
  });
  if (!choice) return undefined;

  let entry: Record<string, unknown>;
  if (choice.provider === 'vscode-lm') {
    const offered = (await vscode.lm.selectChatModels()).filter((m) => m.vendor !== CHAT_VENDOR);
    if (offered.length === 0) {
      void vscode.window.showInformationMessage(
        'VS Code offers no language models right now (is Copilot or another model extension installed and signed in?).',
      );
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      offered.map((m) => ({ label: m.name, description: `${m.vendor} · ${m.family}`, model: m })),
      { placeHolder: "Which of VS Code's models?" },
    );
    if (!picked) return undefined;
    entry = {
      provider: 'vscode-lm',
      vendor: picked.model.vendor,
      family: picked.model.family,
      model: picked.model.id,
    };
  } else {
    const model = await vscode.window.showInputBox({
      prompt: `Model id at ${choice.label}${choice.modelHint ? ` — ${choice.modelHint}` : ''}`,
      value: choice.suggestedModel,
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? undefined : 'Give the model id the API expects.'),
    });
    if (!model?.trim()) return undefined;
    entry = {
      provider: choice.provider,
      model: model.trim(),
      ...(choice.preset ? { preset: choice.preset } : {}),
    };
    if (choice.provider === 'azure') {
      const baseUrl = await vscode.window.showInputBox({
        prompt: 'Azure OpenAI endpoint',
        placeHolder: 'https://NAME.openai.azure.com',
        ignoreFocusOut: true,
        validateInput: validateHttpUrl,
      });
      if (!baseUrl) return undefined;
      const deployment = await vscode.window.showInputBox({
        prompt: 'Deployment name',
        ignoreFocusOut: true,
        validateInput: (v) => (v.trim() ? undefined : 'The deployment name is required.'),
      });
      if (!deployment) return undefined;
      entry = { ...entry, baseUrl: baseUrl.trim(), deployment: deployment.trim() };
    }
  }

  const raw = vscode.workspace.getConfiguration('llmManager').get<unknown[]>('models') ?? [];
  const taken = new Set(
    raw.map((m) => (typeof m === 'object' && m !== null ? String((m as { id?: unknown }).id) : '')),
  );
  const base = String(entry.model || entry.family || 'model')
    .replace(/[^\w.:@/-]/g, '-')
    .slice(0, 60);
  let suggestion = base;
  for (let n = 2; taken.has(suggestion); n++) suggestion = `${base}-${n}`;
  const id = await vscode.window.showInputBox({
    prompt: 'A short name for this model in LLM Manager (used in the chain and the traces)',
    value: suggestion,
    ignoreFocusOut: true,
    validateInput: (v) =>
      !/^[\w.:@/-]{1,80}$/.test(v.trim())
        ? 'Letters, digits and . _ : @ / - only.'
        : taken.has(v.trim())
          ? 'A model already has this name.'
          : undefined,
  });
  if (!id?.trim()) return undefined;
  await settings.update('models', [...raw, { id: id.trim(), ...entry }]);

  const keyId = await eventuallyKeyId(models, id.trim());
  if (keyId && !(await keys.hasKey(keyId))) {
    const set = await vscode.window.showInformationMessage(
      `${id.trim()} needs an API key ("${keyId}"). Set it now?`,
      'Set API Key',
    );
    if (set) await vscode.commands.executeCommand(COMMANDS.setApiKey, keyId);
  }
  return id.trim();
}

/** The settings change reaches the model service asynchronously; wait briefly for the new model. */
async function eventuallyKeyId(models: ModelService, id: string): Promise<string | undefined> {
  for (let i = 0; i < 40 && !models.modelSettings(id); i++)
    await new Promise((resolve) => setTimeout(resolve, 50));
  return models.keyIdOf(id);
}

function validateHttpUrl(value: string): string | undefined {
  try {
    const url = new URL(value.trim());
    return url.protocol === 'https:' || url.protocol === 'http:' ? undefined : 'Use an http(s) URL.';
  } catch {
    return 'That is not a URL.';
  }
}

const SUGGESTED_PRESET_MODELS: Readonly<Record<PresetId, string>> = {
  ollama: 'llama3.2',
  lmStudio: 'qwen2.5-coder-7b-instruct',
  vllm: 'meta-llama/Llama-3.1-8B-Instruct',
  openRouter: 'openai/gpt-4o-mini',
  groq: 'llama-3.3-70b-versatile',
  mistral: 'mistral-small-latest',
  deepSeek: 'deepseek-chat',
  gemini: 'gemini-2.5-flash',
  liteLlm: 'gpt-4o-mini',
  portkey: 'gpt-4o-mini',
};
