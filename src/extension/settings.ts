/**
 * The extension's settings, read in one place into a typed object and validated. This file does
 * not import `vscode`: it takes a getter, so the rules are unit-tested in plain Node. A bad value
 * yields a problem naming the setting, and the rest keeps working with defaults.
 */

import { type ChainStep, type QualityTier, type SettingsPatch } from '../core';
import { parseModels, type ModelSettings, type ProblemSink } from './modelSettings';
import {
  builtInTemplate,
  DEFAULT_TASK_TIERS,
  DEFAULT_TIER_CAPS,
  parseCustomTemplates,
  parseTaskTiers,
  parseTierCaps,
  type TaskName,
} from './taskSettings';
import { BUILT_IN_TEMPLATES, type PromptTemplate } from './templates';

export {
  keyIdFor,
  parseModelEntry,
  PROVIDER_KINDS,
  type ModelSettings,
  type ProviderKind,
} from './modelSettings';
export { TASK_NAMES, type TaskName } from './taskSettings';

export const SETTINGS_SECTION = 'llmManager';

export const LOG_LEVELS = ['off', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
/** Where answers show: the rendered answer view, or a Markdown document (the behaviour before it). */
export const ANSWER_VIEWS = ['panel', 'document'] as const;
export type AnswerViewKind = (typeof ANSWER_VIEWS)[number];

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
  'tasks.tiers': DEFAULT_TASK_TIERS as Record<TaskName, QualityTier>,
  'tasks.maxOutputTokens': DEFAULT_TIER_CAPS as Record<QualityTier, number>,
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
