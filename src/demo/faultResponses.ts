/**
 * What the fault upstream says on the wire besides errors (faultErrors.ts): the wire formats,
 * answer text, token counts, streamed chunks and ids, the way the real services shape them.
 */

/** Which API of a vendor a request came to. */
export type WireApi = 'chat' | 'responses' | 'messages';

export type Vendor = 'openai' | 'azure' | 'anthropic';

export interface ErrorAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/** About four characters per token, like the manager's own estimate. */
export function countTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/**
 * A plausible answer that mentions the prompt, long enough to stream in visible pieces, with a
 * little Markdown (a heading, a list, a code block) as real models write, so views that render
 * answers have something to render.
 */
export function demoAnswer(model: string, prompt: string): string {
  const flat = prompt.replace(/\s+/g, ' ').trim();
  const excerpt = flat.length > 80 ? `${flat.slice(0, 79)}…` : flat;
  return [
    `Demo answer from ${model}: you asked "${excerpt}".`,
    '',
    '### What happens here',
    '',
    '- This reply comes from the local fault-injecting upstream: **no API key**, no cost.',
    '- It streams a few short sentences, so you can watch the tokens arrive.',
    '- The fallback chain moves on when a model fails, and the circuits open and close.',
    '',
    'A real model would answer your question here, for example with code:',
    '',
    '```js',
    'const answer = await chain.ask(question); // each model in turn until one answers',
    '```',
  ].join('\n');
}

/** Cuts an answer into streaming pieces of about two words, keeping the spaces. */
export function splitIntoChunks(text: string): string[] {
  const words = text.match(/\S+\s*/g) ?? [];
  const chunks: string[] = [];
  for (let i = 0; i < words.length; i += 2) chunks.push(words.slice(i, i + 2).join(''));
  return chunks;
}

/** Trims an answer to a `max_tokens` budget, as a real model stops at its limit. */
export function truncateToTokens(
  text: string,
  maxTokens: number | undefined,
): { text: string; truncated: boolean } {
  if (maxTokens === undefined || !(maxTokens > 0) || countTokens(text) <= maxTokens)
    return { text, truncated: false };
  const words = text.match(/\S+\s*/g) ?? [];
  let result = '';
  for (const word of words) {
    if (result.length > 0 && countTokens(result + word) > maxTokens) break;
    result += word;
  }
  return { text: result.trimEnd(), truncated: true };
}

/** Shows the first and last characters of a key, the way OpenAI's 401 message does. */
export function maskKey(key: string): string {
  if (key.length <= 8) return '*'.repeat(key.length);
  return `${key.slice(0, 3)}${'*'.repeat(Math.min(20, key.length - 7))}${key.slice(-4)}`;
}

export function randomId(prefix: string): string {
  return `${prefix}${Math.random().toString(36).slice(2, 12)}${Math.random().toString(36).slice(2, 12)}`;
}
