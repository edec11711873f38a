/**
 * The prompts behind the editor commands. Pure: they take what the editor knows (the selected
 * text, its language, the file name, the user's question) and return the request's messages.
 */
export interface SelectionContext {
  readonly text: string;
  readonly languageId: string;
  readonly fileName: string;
  /** True when there was no selection and the whole (small) file is used. */
  readonly wholeFile: boolean;
}

export interface PromptParts {
  readonly system: string;
  readonly prompt: string;
}

const SYSTEM = 'You are a senior software engineer helping inside a code editor. Be accurate and concise. Use Markdown.';

function fenced(context: SelectionContext): string {
  const fence = context.text.includes('```') ? '````' : '```';
  return `${fence}${context.languageId}\n${context.text}\n${fence}`;
}

function where(context: SelectionContext): string {
  return context.wholeFile ? `the file \`${context.fileName}\`` : `this ${context.languageId} code from \`${context.fileName}\``;
}

export function askPrompt(context: SelectionContext, question: string): PromptParts {
  return { system: SYSTEM, prompt: `${question}\n\nAbout ${where(context)}:\n\n${fenced(context)}` };
}

export function explainPrompt(context: SelectionContext): PromptParts {
  return {
    system: SYSTEM,
    prompt: `Explain what ${where(context)} does, step by step, and point out anything surprising or risky:\n\n${fenced(context)}`,
  };
}

export function improvePrompt(context: SelectionContext): PromptParts {
  return {
    system: `${SYSTEM} When asked to improve code, reply with the improved code only, in one fenced block, with no explanation.`,
    prompt: `Improve this ${context.languageId} code from \`${context.fileName}\` (readability, correctness, performance) without changing what it does. Keep its indentation style.\n\n${fenced(context)}`,
  };
}

export function freePrompt(question: string, context?: SelectionContext): PromptParts {
  return { system: SYSTEM, prompt: context ? `${question}\n\nContext — ${where(context)}:\n\n${fenced(context)}` : question };
}

/**
 * Takes the code out of an "improve" answer: the first fenced block if there is one, else the
 * whole answer. Keeps a trailing newline only if the original selection had one.
 */
export function extractCode(answer: string, originalEndsWithNewline: boolean): string {
  const match = /(`{3,})[^\n]*\n([\s\S]*?)\n\1/.exec(answer);
  let code = match ? match[2] : answer.trim();
  code = code.replace(/\s+$/, '');
  return originalEndsWithNewline ? `${code}\n` : code;
}
