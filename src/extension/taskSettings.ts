/**
 * The editor tasks' settings: which tier each task runs at, each tier's output cap, and the prompt
 * templates (the built-in commands' and the user's own). No `vscode` here.
 */
import { QUALITY_TIERS, type QualityTier } from '../core';
import type { ProblemSink } from './modelSettings';
import {
  BUILT_IN_TEMPLATES,
  unknownPlaceholderMessage,
  unknownPlaceholders,
  type PromptTemplate,
  type TemplateMode,
} from './templates';

export const TASK_NAMES = ['ask', 'explain', 'improve', 'freePrompt', 'template', 'chat'] as const;
export type TaskName = (typeof TASK_NAMES)[number];

/** The tier of each task unless `llmManager.tasks.tiers` says otherwise. */
export const DEFAULT_TASK_TIERS: Readonly<Record<TaskName, QualityTier>> = {
  ask: 'economy',
  explain: 'standard',
  improve: 'high',
  freePrompt: 'standard',
  template: 'standard',
  chat: 'standard',
};

/** Each tier's output cap unless `llmManager.tasks.maxOutputTokens` says otherwise. */
export const DEFAULT_TIER_CAPS: Readonly<Record<QualityTier, number>> = {
  economy: 4096,
  standard: 8192,
  high: 12288,
};

/** A built-in command's template: the user's prompt text if valid, else the default with a problem. */
export function builtInTemplate(
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

export function parseCustomTemplates(raw: unknown, problem: ProblemSink): PromptTemplate[] {
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
export function parseTierCaps(raw: unknown, problem: ProblemSink): Record<QualityTier, number> {
  const caps = { ...DEFAULT_TIER_CAPS };
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

export function parseTaskTiers(raw: unknown, problem: ProblemSink): Record<TaskName, QualityTier> {
  const tiers = { ...DEFAULT_TASK_TIERS };
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
