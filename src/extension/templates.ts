import type { QualityTier } from '../core';

/**
 * Prompt templates: the prompts behind the editor commands, and the user's own, with
 * `{{placeholder}}`s filled from the editor. Pure (no `vscode`), so the rules are unit-tested.
 */

export const PLACEHOLDERS = {
  selection: 'the selected text (or the whole file when nothing is selected and it is small)',
  selectionBlock: 'the selection in a fenced code block tagged with its language',
  language: "the editor's language id, e.g. typescript",
  fileName: 'the file name relative to the workspace',
  question: 'what the user types when the command runs',
} as const;

export type PlaceholderName = keyof typeof PLACEHOLDERS;
export type PlaceholderValues = Readonly<Record<PlaceholderName, string>>;

/** What the editor knows about the code a command is about. */
export interface SelectionContext {
  readonly text: string;
  readonly languageId: string;
  readonly fileName: string;
  /** True when there was no selection and the whole (small) file is used. */
  readonly wholeFile: boolean;
}

/** What a template does with the answer. */
export type TemplateMode = 'answer' | 'replace';

export interface PromptTemplate {
  /** Stable id: `ask`, `explain`, `improve`, or the user's own. */
  readonly id: string;
  readonly title: string;
  readonly prompt: string;
  readonly system: string;
  /** `answer` streams into a document; `replace` swaps the selection for the code in the answer. */
  readonly mode: TemplateMode;
  readonly tier?: QualityTier;
  readonly builtIn: boolean;
}

export const DEFAULT_SYSTEM =
  'You are a senior software engineer helping inside a code editor. Be accurate and concise. Use Markdown.';

export const BUILT_IN_TEMPLATES: Readonly<
  Record<'ask' | 'explain' | 'improve', Omit<PromptTemplate, 'builtIn'>>
> = {
  ask: {
    id: 'ask',
    title: 'Ask about selection',
    system: DEFAULT_SYSTEM,
    prompt: '{{question}}\n\nAbout this {{language}} code from `{{fileName}}`:\n\n{{selectionBlock}}',
    mode: 'answer',
  },
  explain: {
    id: 'explain',
    title: 'Explain selection',
    system: DEFAULT_SYSTEM,
    prompt:
      'Explain what this {{language}} code from `{{fileName}}` does, step by step, and point out anything surprising or risky:\n\n{{selectionBlock}}',
    mode: 'answer',
  },
  improve: {
    id: 'improve',
    title: 'Improve selection',
    system: `${DEFAULT_SYSTEM} When asked to improve code, reply with the improved code only, in one fenced block, with no explanation.`,
    prompt:
      'Improve this {{language}} code from `{{fileName}}` (readability, correctness, performance) without changing what it does. Keep its indentation style.\n\n{{selectionBlock}}',
    mode: 'replace',
  },
};

const PLACEHOLDER_PATTERN = /\{\{\s*([^{}\s]*)\s*\}\}/g;

/** Placeholders a template uses that do not exist. */
export function unknownPlaceholders(template: string): string[] {
  const unknown = new Set<string>();
  for (const match of template.matchAll(PLACEHOLDER_PATTERN)) {
    if (!(match[1] in PLACEHOLDERS)) unknown.add(match[1]);
  }
  return [...unknown];
}

export function usesPlaceholder(template: string, name: PlaceholderName): boolean {
  for (const match of template.matchAll(PLACEHOLDER_PATTERN)) if (match[1] === name) return true;
  return false;
}

/** Fills a template; throws an error naming any unknown placeholder. */
export function renderTemplate(
  template: PromptTemplate,
  values: PlaceholderValues,
): { system: string; prompt: string } {
  const unknown = [...unknownPlaceholders(template.prompt), ...unknownPlaceholders(template.system)];
  if (unknown.length > 0) throw new Error(unknownPlaceholderMessage(template.id, unknown));
  const fill = (text: string) =>
    text.replace(PLACEHOLDER_PATTERN, (_match, name: PlaceholderName) => values[name]);
  return { system: fill(template.system), prompt: fill(template.prompt) };
}

export function unknownPlaceholderMessage(templateId: string, unknown: readonly string[]): string {
  const list = unknown.map((name) => `{{${name}}}`).join(', ');
  return `Template "${templateId}" uses an unknown placeholder ${list}. Known placeholders: ${Object.keys(
    PLACEHOLDERS,
  )
    .map((n) => `{{${n}}}`)
    .join(', ')}.`;
}

/** A free prompt: the question, with the selection as context when there is one. */
export function freePromptParts(
  question: string,
  context?: PlaceholderValues,
): { system: string; prompt: string } {
  return {
    system: DEFAULT_SYSTEM,
    prompt: context
      ? `${question}\n\nContext — ${context.language} code from \`${context.fileName}\`:\n\n${context.selectionBlock}`
      : question,
  };
}

/** The selection as a fenced block, with a fence longer than any inside it. */
export function fencedBlock(text: string, language: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`{3,}/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${text}${text.endsWith('\n') ? '' : '\n'}${fence}`;
}

/**
 * Takes the code out of a "replace" answer: the first fenced block if there is one, else the whole
 * answer. Keeps a final newline only if the original selection had one.
 */
export function extractCode(answer: string, originalEndsWithNewline: boolean): string {
  const match = /(`{3,})[^\n]*\n([\s\S]*?)\n\1/.exec(answer);
  const code = (match ? match[2] : answer.trim()).replace(/\s+$/, '');
  return originalEndsWithNewline ? `${code}\n` : code;
}
