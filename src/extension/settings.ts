/**
 * The extension's settings, read in one place into a typed object and validated. This file does
 * not import `vscode`: it takes a getter, so the rules are unit-tested in plain Node. A bad value
 * yields a problem naming the setting, and the rest keeps working with defaults.
 */

import { QUALITY_TIERS, type ChainStep, type QualityTier, type SettingsPatch } from '../core';
import { PRESETS } from '../providers/presets';
import {
  BUILT_IN_TEMPLATES,
  unknownPlaceholderMessage,
  unknownPlaceholders,
  type PromptTemplate,
  type TemplateMode,
} from './templates';

export const SETTINGS_SECTION = 'llmManager';

export const PROVIDER_KINDS = ['openai', 'anthropic', 'azure', 'openaiCompatible', 'vscode-lm'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

export const LOG_LEVELS = ['off', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
/** Where answers show: the rendered answer view, or a Markdown document (the behaviour before it). */
export const ANSWER_VIEWS = ['panel', 'document'] as const;
export type AnswerViewKind = (typeof ANSWER_VIEWS)[number];

/** One entry of `llmManager.models`, validated. */
export interface ModelSettings {
  /** The name used everywhere in LLM Manager (active model, chain, traces). */
  readonly id: string;
  readonly provider: ProviderKind;
  /** The vendor's model name (for Azure: the model behind the deployment, for prices). */
  readonly model: string;
  readonly preset?: string;
  readonly baseUrl?: string;
  readonly deployment?: string;
  readonly apiVersion?: string;
  /** Extra HTTP headers; `${key}` in a value is replaced by the model's secret key at request time. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Which stored key the model uses; models of one provider or endpoint share one by default. */
  readonly keyId?: string;
  /** `none` for endpoints that need no key (local servers, an open gateway). */
  readonly auth?: 'apiKey' | 'none';
  readonly contextWindow?: number;
  readonly maxOutputTokens?: number;
  readonly inputPricePerMTok?: number;
  readonly outputPricePerMTok?: number;
  readonly free?: boolean;
  readonly rpm?: number;
  readonly weight?: number;
  readonly priority?: number;
  readonly displayName?: string;
  /** For `vscode-lm`: which of VS Code's models (e.g. vendor `copilot`, family `gpt-4o`). */
  readonly vendor?: string;
  readonly family?: string;
}

export interface ExtensionSettings {
  readonly models: readonly ModelSettings[];
  readonly activeModel?: string;
  readonly fallbackChain?: readonly ChainStep[];
  /** What the manager core gets (retries, backoff, timeouts, breaker, cache, budget). */
  readonly manager: SettingsPatch;
  /** Ask before sending when the worst-case cost of a request is above this (0 = never ask). */
  readonly confirmCostAboveUsd: number;
  readonly improveShowsDiff: boolean;
  /** `llmManager.answers.view`. */
  readonly answerView: AnswerViewKind;
  /** Ask and Explain fall back to the whole file when nothing is selected and it is at most this long. */
  readonly wholeFileMaxChars: number;
  readonly commandTemperature: number;
  readonly logLevel: LogLevel;
  /** The prompts behind Ask, Explain and Improve, and the user's own templates. */
  readonly templates: Readonly<Record<'ask' | 'explain' | 'improve', PromptTemplate>> & {
    readonly custom: readonly PromptTemplate[];
  };
  /** The quality tier of each editor task (its chain under llmManager.routing.*Chain). */
  readonly taskTiers: Readonly<Record<TaskName, QualityTier>>;
  /** Fetch the price catalog's newer published data (off: nothing leaves the machine for it). */
  readonly catalogRefresh: boolean;
}

export const TASK_NAMES = ['ask', 'explain', 'improve', 'freePrompt', 'template', 'chat'] as const;
export type TaskName = (typeof TASK_NAMES)[number];

export interface SettingsProblem {
  /** The full setting name, e.g. `llmManager.budget.dailyUsd`. */
  readonly setting: string;
  readonly message: string;
}

export interface ParsedSettings {
  readonly settings: ExtensionSettings;
  readonly problems: readonly SettingsProblem[];
}

/**
 * Every setting the extension reads, with its default. package.json's `contributes.configuration`
 * must list exactly these (a unit test checks both ways).
 */
export const SETTING_DEFAULTS = {
  models: [] as unknown[],
  activeModel: '',
  fallbackChain: [] as unknown[],
  'retry.maxRetries': 3,
  'retry.initialDelayMs': 1000,
  'retry.multiplier': 2,
  'retry.maxDelayMs': 30_000,
  'retry.jitter': 0.2,
  'timeouts.requestSeconds': 120,
  'timeouts.firstChunkSeconds': 30,
  'timeouts.idleSeconds': 30,
  'circuitBreaker.failureThreshold': 5,
  'circuitBreaker.recoveryTimeoutSeconds': 60,
  'cache.enabled': true,
  'cache.ttlMinutes': 60,
  'cache.maxTemperature': 0.3,
  'cache.maxEntries': 200,
  'cache.maxSizeKB': 160,
  'budget.dailyUsd': 0,
  'budget.monthlyUsd': 0,
  'budget.alertAt': 0.8,
  'budget.hardStop': false,
  confirmCostAboveUsd: 0.5,
  'improve.showDiff': true,
  'answers.view': 'panel' as AnswerViewKind,
  wholeFileMaxChars: 12_000,
  commandTemperature: 0.2,
  logLevel: 'info' as LogLevel,
  'templates.ask': BUILT_IN_TEMPLATES.ask.prompt,
  'templates.explain': BUILT_IN_TEMPLATES.explain.prompt,
  'templates.improve': BUILT_IN_TEMPLATES.improve.prompt,
  'templates.custom': [] as unknown[],
  'tasks.tiers': {
    ask: 'economy',
    explain: 'standard',
    improve: 'high',
    freePrompt: 'standard',
    template: 'standard',
    chat: 'standard',
  } as Record<TaskName, QualityTier>,
  'tasks.maxOutputTokens': { economy: 4096, standard: 8192, high: 12288 } as Record<QualityTier, number>,
  'routing.economyChain': [] as unknown[],
  'routing.standardChain': [] as unknown[],
  'routing.highChain': [] as unknown[],
  'budget.pressureThreshold': 0.2,
  'healthProbe.enabled': true,
  'healthProbe.intervalSeconds': 30,
  'healthProbe.idleMinutes': 5,
  'catalog.refresh': false,
} as const;

export type SettingKey = keyof typeof SETTING_DEFAULTS;

/** Reads one setting's raw value (VS Code's `WorkspaceConfiguration.get`, or a test double). */
export type SettingsGetter = (key: SettingKey) => unknown;

/** Preset ids by their lower-case spelling, so `lmstudio` and `lmStudio` both work. */
const PRESET_BY_LOWER_CASE = new Map(
  Object.values(PRESETS).map((preset) => [preset.id.toLowerCase(), preset]),
);

export function parseSettings(get: SettingsGetter): ParsedSettings {
  const problems: SettingsProblem[] = [];
  const problem = (key: string, message: string) =>
    problems.push({ setting: `${SETTINGS_SECTION}.${key}`, message });

  const number = (key: SettingKey, min: number, max = Number.POSITIVE_INFINITY, integer = false): number => {
    const fallback = SETTING_DEFAULTS[key] as number;
    const raw = get(key);
    if (raw === undefined || raw === null) return fallback;
    if (
      typeof raw !== 'number' ||
      !Number.isFinite(raw) ||
      raw < min ||
      raw > max ||
      (integer && !Number.isInteger(raw))
    ) {
      const range = max === Number.POSITIVE_INFINITY ? `≥ ${min}` : `between ${min} and ${max}`;
      problem(
        key,
        `must be ${integer ? 'a whole number ' : 'a number '}${range} (got ${JSON.stringify(raw)}); using ${fallback}.`,
      );
      return fallback;
    }
    return raw;
  };
  const boolean = (key: SettingKey): boolean => {
    const raw = get(key);
    if (raw === undefined || raw === null) return SETTING_DEFAULTS[key] as boolean;
    if (typeof raw !== 'boolean') {
      problem(
        key,
        `must be true or false (got ${JSON.stringify(raw)}); using ${String(SETTING_DEFAULTS[key])}.`,
      );
      return SETTING_DEFAULTS[key] as boolean;
    }
    return raw;
  };

  const models = parseModels(get('models'), problem);
  const ids = new Set(models.map((m) => m.id));

  let activeModel: string | undefined;
  const rawActive = get('activeModel');
  if (typeof rawActive === 'string' && rawActive.trim()) {
    if (ids.has(rawActive.trim())) activeModel = rawActive.trim();
    else
      problem(
        'activeModel',
        `names an unknown model "${rawActive}"; no active model is set. Known models: ${[...ids].join(', ') || 'none'}.`,
      );
  } else if (rawActive !== undefined && rawActive !== null && typeof rawActive !== 'string') {
    problem('activeModel', 'must be a model id (a string).');
  }

  const fallbackChain = parseChain(get('fallbackChain'), ids, problem);

  const dailyUsd = number('budget.dailyUsd', 0);
  const monthlyUsd = number('budget.monthlyUsd', 0);
  const manager: SettingsPatch = {
    maxRetries: number('retry.maxRetries', 0, 10, true),
    backoff: {
      initialDelayMs: number('retry.initialDelayMs', 0, 600_000),
      multiplier: number('retry.multiplier', 1, 10),
      maxDelayMs: number('retry.maxDelayMs', 0, 3_600_000),
      jitter: number('retry.jitter', 0, 1),
    },
    requestTimeoutMs: number('timeouts.requestSeconds', 1, 3600) * 1000,
    stream: {
      firstChunkTimeoutMs: number('timeouts.firstChunkSeconds', 1, 3600) * 1000,
      idleTimeoutMs: number('timeouts.idleSeconds', 1, 3600) * 1000,
    },
    breaker: {
      failureThreshold: number('circuitBreaker.failureThreshold', 1, 1000, true),
      recoveryTimeoutMs: number('circuitBreaker.recoveryTimeoutSeconds', 1, 86_400) * 1000,
    },
    enableCaching: boolean('cache.enabled'),
    cache: {
      ttlMs: number('cache.ttlMinutes', 0, 43_200) * 60_000,
      maxTemperature: number('cache.maxTemperature', 0, 2),
      maxEntries: number('cache.maxEntries', 0, 1000, true),
      maxBytes: number('cache.maxSizeKB', 0, 192) * 1024,
    },
    budget: {
      dailyUsd: dailyUsd > 0 ? dailyUsd : undefined,
      monthlyUsd: monthlyUsd > 0 ? monthlyUsd : undefined,
      alertAt: number('budget.alertAt', 0.01, 1),
      hardStop: boolean('budget.hardStop'),
    },
    routing: {
      tierChains: {
        economy: parseChain(get('routing.economyChain'), ids, problem, 'routing.economyChain'),
        standard: parseChain(get('routing.standardChain'), ids, problem, 'routing.standardChain'),
        high: parseChain(get('routing.highChain'), ids, problem, 'routing.highChain'),
      },
      pressureThreshold: number('budget.pressureThreshold', 0, 0.99),
    },
    healthProbe: {
      enabled: boolean('healthProbe.enabled'),
      intervalMs: number('healthProbe.intervalSeconds', 5, 3600) * 1000,
      idleAfterMs: number('healthProbe.idleMinutes', 0, 1440) * 60_000,
    },
    output: { tierTokens: parseTierCaps(get('tasks.maxOutputTokens'), problem) },
  };

  const rawLevel = get('logLevel');
  let logLevel: LogLevel = SETTING_DEFAULTS.logLevel;
  if (typeof rawLevel === 'string' && (LOG_LEVELS as readonly string[]).includes(rawLevel))
    logLevel = rawLevel as LogLevel;
  else if (rawLevel !== undefined && rawLevel !== null)
    problem('logLevel', `must be one of ${LOG_LEVELS.join(', ')}; using "info".`);

  const rawView = get('answers.view');
  let answerView: AnswerViewKind = SETTING_DEFAULTS['answers.view'];
  if (typeof rawView === 'string' && (ANSWER_VIEWS as readonly string[]).includes(rawView))
    answerView = rawView as AnswerViewKind;
  else if (rawView !== undefined && rawView !== null)
    problem('answers.view', `must be one of ${ANSWER_VIEWS.join(', ')}; using "panel".`);

  return {
    settings: {
      models,
      activeModel,
      fallbackChain,
      manager,
      confirmCostAboveUsd: number('confirmCostAboveUsd', 0),
      improveShowsDiff: boolean('improve.showDiff'),
      answerView,
      wholeFileMaxChars: number('wholeFileMaxChars', 0, 1_000_000, true),
      commandTemperature: number('commandTemperature', 0, 2),
      logLevel,
      templates: {
        ask: builtInTemplate('ask', get('templates.ask'), problem),
        explain: builtInTemplate('explain', get('templates.explain'), problem),
        improve: builtInTemplate('improve', get('templates.improve'), problem),
        custom: parseCustomTemplates(get('templates.custom'), problem),
      },
      taskTiers: parseTaskTiers(get('tasks.tiers'), problem),
      catalogRefresh: boolean('catalog.refresh'),
    },
    problems,
  };
}

/** A built-in command's template: the user's prompt text if valid, else the default with a problem. */
function builtInTemplate(
  id: 'ask' | 'explain' | 'improve',
  raw: unknown,
  problem: ProblemSink,
): PromptTemplate {
  const base = { ...BUILT_IN_TEMPLATES[id], builtIn: true };
  if (raw === undefined || raw === null || raw === '') return base;
  if (typeof raw !== 'string') {
    problem(`templates.${id}`, 'must be the prompt text; using the default.');
    return base;
  }
  const unknown = unknownPlaceholders(raw);
  if (unknown.length > 0) {
    problem(`templates.${id}`, `${unknownPlaceholderMessage(id, unknown)} Using the default.`);
    return base;
  }
  return { ...base, prompt: raw };
}

function parseCustomTemplates(raw: unknown, problem: ProblemSink): PromptTemplate[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    problem('templates.custom', 'must be a list of templates ({ "id", "title", "prompt" }).');
    return [];
  }
  const templates: PromptTemplate[] = [];
  const seen = new Set<string>(Object.keys(BUILT_IN_TEMPLATES));
  raw.forEach((entry: unknown, index) => {
    const where = `templates.custom[${index}]`;
    if (typeof entry !== 'object' || entry === null)
      return problem(where, 'must be an object with "id", "title" and "prompt"; it is ignored.');
    const t = entry as Record<string, unknown>;
    const id = typeof t.id === 'string' ? t.id.trim() : '';
    if (!/^[\w.-]{1,60}$/.test(id))
      return problem(where, 'needs an "id" of letters, digits, "." "_" or "-"; it is ignored.');
    if (seen.has(id)) return problem(where, `repeats the id "${id}" (built-in or earlier); it is ignored.`);
    if (typeof t.prompt !== 'string' || !t.prompt.trim())
      return problem(`${where} (${id})`, 'needs a "prompt"; it is ignored.');
    const unknown = [
      ...unknownPlaceholders(t.prompt),
      ...(typeof t.system === 'string' ? unknownPlaceholders(t.system) : []),
    ];
    if (unknown.length > 0)
      return problem(`${where} (${id})`, `${unknownPlaceholderMessage(id, unknown)} It is ignored.`);
    const mode: TemplateMode = t.mode === 'replace' ? 'replace' : 'answer';
    if (t.mode !== undefined && t.mode !== 'replace' && t.mode !== 'answer')
      problem(`${where} (${id})`, '"mode" must be "answer" or "replace"; using "answer".');
    const tier =
      typeof t.tier === 'string' && (QUALITY_TIERS as readonly string[]).includes(t.tier)
        ? (t.tier as QualityTier)
        : undefined;
    if (t.tier !== undefined && tier === undefined)
      problem(
        `${where} (${id})`,
        `"tier" must be one of ${QUALITY_TIERS.join(', ')}; using the template task's tier.`,
      );
    seen.add(id);
    templates.push({
      id,
      title: typeof t.title === 'string' && t.title.trim() ? t.title.trim() : id,
      prompt: t.prompt,
      system: typeof t.system === 'string' && t.system.trim() ? t.system : BUILT_IN_TEMPLATES.explain.system,
      mode,
      tier,
      builtIn: false,
    });
  });
  return templates;
}

/** The output cap of each tier's requests (a model's own `maxOutputTokens` wins over its tier's). */
function parseTierCaps(raw: unknown, problem: ProblemSink): Record<QualityTier, number> {
  const caps = { ...SETTING_DEFAULTS['tasks.maxOutputTokens'] };
  if (raw === undefined || raw === null) return caps;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    problem(
      'tasks.maxOutputTokens',
      `must map tiers (${QUALITY_TIERS.join(', ')}) to whole numbers of tokens.`,
    );
    return caps;
  }
  for (const [tier, cap] of Object.entries(raw as Record<string, unknown>)) {
    if (!(QUALITY_TIERS as readonly string[]).includes(tier)) {
      problem('tasks.maxOutputTokens', `has an unknown tier "${tier}" (known: ${QUALITY_TIERS.join(', ')}).`);
    } else if (typeof cap !== 'number' || !Number.isInteger(cap) || cap < 16 || cap > 1_000_000) {
      problem(
        'tasks.maxOutputTokens',
        `gives "${tier}" ${JSON.stringify(cap)}; use a whole number of tokens from 16 to 1 000 000.`,
      );
    } else {
      caps[tier as QualityTier] = cap;
    }
  }
  return caps;
}

function parseTaskTiers(raw: unknown, problem: ProblemSink): Record<TaskName, QualityTier> {
  const tiers = { ...SETTING_DEFAULTS['tasks.tiers'] };
  if (raw === undefined || raw === null) return tiers;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    problem(
      'tasks.tiers',
      `must map tasks (${TASK_NAMES.join(', ')}) to tiers (${QUALITY_TIERS.join(', ')}).`,
    );
    return tiers;
  }
  for (const [task, tier] of Object.entries(raw as Record<string, unknown>)) {
    if (!(TASK_NAMES as readonly string[]).includes(task)) {
      problem('tasks.tiers', `has an unknown task "${task}" (known: ${TASK_NAMES.join(', ')}).`);
    } else if (typeof tier !== 'string' || !(QUALITY_TIERS as readonly string[]).includes(tier)) {
      problem(
        'tasks.tiers',
        `gives "${task}" the unknown tier ${JSON.stringify(tier)} (known: ${QUALITY_TIERS.join(', ')}).`,
      );
    } else {
      tiers[task as TaskName] = tier as QualityTier;
    }
  }
  return tiers;
}

type ProblemSink = (key: string, message: string) => void;

function parseModels(raw: unknown, problem: ProblemSink): ModelSettings[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    problem('models', 'must be a list of model objects; no models are configured.');
    return [];
  }
  const models: ModelSettings[] = [];
  const seen = new Set<string>();
  raw.forEach((entry: unknown, index) => {
    const where = `models[${index}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problem(where, 'must be an object with at least "id" and "provider"; this entry is ignored.');
      return;
    }
    const result = parseModelEntry(entry as Record<string, unknown>);
    if (typeof result === 'string') {
      const id =
        typeof (entry as Record<string, unknown>).id === 'string'
          ? ` (${(entry as Record<string, unknown>).id})`
          : '';
      problem(`${where}${id}`, `${result}; this model is ignored.`);
      return;
    }
    if (seen.has(result.id)) {
      problem(where, `repeats the id "${result.id}"; only the first is used.`);
      return;
    }
    seen.add(result.id);
    models.push(result);
  });
  return models;
}

/** Validates one `llmManager.models` entry; returns the reason it is unusable as a string. */
export function parseModelEntry(entry: Record<string, unknown>): ModelSettings | string {
  const id = typeof entry.id === 'string' ? entry.id.trim() : '';
  if (!id) return 'needs an "id" (the name you will see and use in the chain)';
  if (!/^[\w.:@/-]{1,80}$/.test(id)) return `"id" may use letters, digits and . _ : @ / - only (got "${id}")`;
  const provider = entry.provider;
  if (typeof provider !== 'string' || !(PROVIDER_KINDS as readonly string[]).includes(provider)) {
    return `"provider" must be one of ${PROVIDER_KINDS.join(', ')} (got ${JSON.stringify(provider)})`;
  }
  const kind = provider as ProviderKind;
  const text = (key: string): string | undefined =>
    typeof entry[key] === 'string' && (entry[key] as string).trim()
      ? (entry[key] as string).trim()
      : undefined;
  const model =
    text('model') ??
    (kind === 'vscode-lm' ? (text('family') ?? id) : kind === 'azure' ? (text('deployment') ?? id) : id);

  const baseUrl = text('baseUrl');
  if (baseUrl !== undefined && !isHttpUrl(baseUrl))
    return `"baseUrl" is not a valid http(s) URL (got "${baseUrl}")`;
  if (kind === 'azure') {
    if (!baseUrl) return 'Azure needs "baseUrl" (your resource endpoint, e.g. https://NAME.openai.azure.com)';
    if (!text('deployment')) return 'Azure needs "deployment" (the deployment name)';
  }
  const presetName = text('preset');
  const presetInfo =
    presetName === undefined ? undefined : PRESET_BY_LOWER_CASE.get(presetName.toLowerCase());
  if (presetName !== undefined && !presetInfo) {
    return `"preset" must be one of ${Object.keys(PRESETS).join(', ')} (got "${presetName}")`;
  }
  const preset = presetInfo?.id;
  if (kind === 'openaiCompatible' && !baseUrl && !preset)
    return 'an OpenAI-compatible model needs "baseUrl" or a "preset"';

  for (const key of ['contextWindow', 'maxOutputTokens', 'rpm']) {
    const value = entry[key];
    if (value !== undefined && !(typeof value === 'number' && Number.isInteger(value) && value > 0)) {
      return `"${key}" must be a whole number above 0 (got ${JSON.stringify(value)})`;
    }
  }
  for (const key of ['inputPricePerMTok', 'outputPricePerMTok', 'weight', 'priority']) {
    const value = entry[key];
    if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value >= 0)) {
      return `"${key}" must be a number ≥ 0 (got ${JSON.stringify(value)})`;
    }
  }
  let headers: Record<string, string> | undefined;
  if (entry.headers !== undefined) {
    if (
      typeof entry.headers !== 'object' ||
      entry.headers === null ||
      Array.isArray(entry.headers) ||
      !Object.values(entry.headers).every((v) => typeof v === 'string')
    ) {
      return '"headers" must be an object of header names to text values';
    }
    headers = { ...(entry.headers as Record<string, string>) };
  }
  const auth = entry.auth === 'none' || entry.auth === 'apiKey' ? entry.auth : undefined;
  if (entry.auth !== undefined && auth === undefined) return '"auth" must be "apiKey" or "none"';

  const numberOrUndefined = (key: string) =>
    typeof entry[key] === 'number' ? (entry[key] as number) : undefined;
  const settings: ModelSettings = {
    id,
    provider: kind,
    model,
    preset,
    baseUrl,
    deployment: text('deployment'),
    apiVersion: text('apiVersion'),
    headers,
    keyId: text('keyId'),
    auth:
      auth ??
      (kind === 'vscode-lm' || (presetInfo !== undefined && !presetInfo.requiresKey) ? 'none' : 'apiKey'),
    contextWindow: numberOrUndefined('contextWindow'),
    maxOutputTokens: numberOrUndefined('maxOutputTokens'),
    inputPricePerMTok: numberOrUndefined('inputPricePerMTok'),
    outputPricePerMTok: numberOrUndefined('outputPricePerMTok'),
    free: entry.free === true,
    rpm: numberOrUndefined('rpm'),
    weight: numberOrUndefined('weight'),
    priority: numberOrUndefined('priority'),
    displayName: text('displayName'),
    vendor: text('vendor'),
    family: text('family'),
  };
  return settings;
}

function parseChain(
  raw: unknown,
  ids: ReadonlySet<string>,
  problem: ProblemSink,
  setting = 'fallbackChain',
): ChainStep[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) {
    problem(setting, 'must be a list of model ids (a nested list is a group sharing load); it is ignored.');
    return undefined;
  }
  if (raw.length === 0) return undefined;
  const steps: ChainStep[] = [];
  const keep = (name: unknown, where: string): string | undefined => {
    if (typeof name !== 'string') {
      problem(setting, `${where} must be a model id; it is skipped.`);
      return undefined;
    }
    if (!ids.has(name)) {
      problem(
        setting,
        `names an unknown model "${name}"; it is skipped. Known models: ${[...ids].join(', ') || 'none'}.`,
      );
      return undefined;
    }
    return name;
  };
  raw.forEach((step: unknown, index) => {
    if (Array.isArray(step)) {
      const group = step
        .map((name, inner) => keep(name, `entry ${index + 1}.${inner + 1}`))
        .filter((n): n is string => n !== undefined);
      if (group.length > 0) steps.push(group);
    } else {
      const name = keep(step, `entry ${index + 1}`);
      if (name) steps.push(name);
    }
  });
  return steps;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0;
  } catch {
    return false;
  }
}

/** The stored-key name a model uses: explicit, else one per provider or endpoint. */
export function keyIdFor(model: ModelSettings): string | undefined {
  if (model.auth === 'none' || model.provider === 'vscode-lm') return undefined;
  if (model.keyId) return model.keyId;
  switch (model.provider) {
    case 'openai':
    case 'anthropic':
      return model.baseUrl ? `${model.provider}@${new URL(model.baseUrl).host}` : model.provider;
    case 'azure':
      return `azure@${new URL(model.baseUrl!).host}`;
    case 'openaiCompatible':
      return model.preset && !model.baseUrl
        ? model.preset
        : `openaiCompatible@${new URL(model.baseUrl!).host}`;
    default:
      return undefined;
  }
}
