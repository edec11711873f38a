/**
 * List prices of the common models, in US dollars per million tokens, as published by each vendor
 * on {@link PRICE_TABLE_DATE}. Prices change: users override any model's price in the settings,
 * and a model missing here costs 0 with a warning in the log rather than failing.
 */

import type { Logger } from '../core';

/** When the prices below were taken from the vendors' pricing pages (standard tier, no batch or cache discounts). */
export const PRICE_TABLE_DATE = '2025-11-20';

export interface ModelPrice {
  /** US dollars per million input tokens. */
  readonly inputPerMTok: number;
  /** US dollars per million output tokens. */
  readonly outputPerMTok: number;
}

export interface PriceEntry extends ModelPrice {
  readonly vendor: 'openai' | 'anthropic' | 'mistral' | 'deepseek' | 'groq' | 'gemini';
}

const p = (vendor: PriceEntry['vendor'], inputPerMTok: number, outputPerMTok: number): PriceEntry => ({
  vendor,
  inputPerMTok,
  outputPerMTok,
});

/** Keyed by the vendor's model id without a date suffix; dated ids (`gpt-4o-2024-08-06`) match by prefix. */
export const PRICE_TABLE: Readonly<Record<string, PriceEntry>> = {
  // OpenAI
  'gpt-5.1': p('openai', 1.25, 10),
  'gpt-5': p('openai', 1.25, 10),
  'gpt-5-mini': p('openai', 0.25, 2),
  'gpt-5-nano': p('openai', 0.05, 0.4),
  'gpt-4.1': p('openai', 2, 8),
  'gpt-4.1-mini': p('openai', 0.4, 1.6),
  'gpt-4.1-nano': p('openai', 0.1, 0.4),
  'gpt-4o': p('openai', 2.5, 10),
  'gpt-4o-mini': p('openai', 0.15, 0.6),
  'gpt-4-turbo': p('openai', 10, 30),
  'gpt-3.5-turbo': p('openai', 0.5, 1.5),
  o1: p('openai', 15, 60),
  o3: p('openai', 2, 8),
  'o3-mini': p('openai', 1.1, 4.4),
  'o4-mini': p('openai', 1.1, 4.4),
  // Anthropic
  'claude-opus-4-5': p('anthropic', 5, 25),
  'claude-opus-4-1': p('anthropic', 15, 75),
  'claude-opus-4': p('anthropic', 15, 75),
  'claude-sonnet-4-5': p('anthropic', 3, 15),
  'claude-sonnet-4': p('anthropic', 3, 15),
  'claude-3-7-sonnet': p('anthropic', 3, 15),
  'claude-3-5-sonnet': p('anthropic', 3, 15),
  'claude-haiku-4-5': p('anthropic', 1, 5),
  'claude-3-5-haiku': p('anthropic', 0.8, 4),
  'claude-3-haiku': p('anthropic', 0.25, 1.25),
  // Mistral
  'mistral-large-latest': p('mistral', 2, 6),
  'mistral-medium-latest': p('mistral', 0.4, 2),
  'mistral-small-latest': p('mistral', 0.1, 0.3),
  'codestral-latest': p('mistral', 0.3, 0.9),
  'open-mistral-nemo': p('mistral', 0.15, 0.15),
  // DeepSeek (V3.2 prices, cache miss)
  'deepseek-chat': p('deepseek', 0.28, 0.42),
  'deepseek-reasoner': p('deepseek', 0.28, 0.42),
  // Groq
  'llama-3.3-70b-versatile': p('groq', 0.59, 0.79),
  'llama-3.1-8b-instant': p('groq', 0.05, 0.08),
  'gpt-oss-120b': p('groq', 0.15, 0.75),
  'gpt-oss-20b': p('groq', 0.1, 0.5),
  // Google Gemini (prompts up to 200k tokens)
  'gemini-2.5-pro': p('gemini', 1.25, 10),
  'gemini-2.5-flash': p('gemini', 0.3, 2.5),
  'gemini-2.5-flash-lite': p('gemini', 0.1, 0.4),
  'gemini-2.0-flash': p('gemini', 0.1, 0.4),
  'gemini-1.5-pro': p('gemini', 1.25, 5),
  'gemini-1.5-flash': p('gemini', 0.075, 0.3),
};

/**
 * What may follow a table key in a model id and still name the same model: a date stamp
 * (`-20250929`, `-2024-08-06`), or a tag (`:latest`, `@2024-05-13`). Anything else is another
 * model (`claude-opus-4-6` is not `claude-opus-4`) and must not borrow its price.
 */
const VERSION_SUFFIX = /^(?:-\d{4}-?\d{2}-?\d{2}|[:@].*)$/;

/**
 * Finds a table key for a model id: an exact match, else the longest key the id extends with a
 * version suffix (`claude-sonnet-4-5-20250929` → `claude-sonnet-4-5`). Router prefixes such as
 * `openai/` (OpenRouter, Groq) and `models/` (Gemini) are ignored.
 */
export function findModelKey<T>(table: Readonly<Record<string, T>>, modelId: string): string | undefined {
  const candidates = [modelId.trim().toLowerCase()];
  const last = candidates[0].split('/').pop()!;
  if (last !== candidates[0]) candidates.push(last);
  for (const id of candidates) {
    if (Object.prototype.hasOwnProperty.call(table, id)) return id;
  }
  let best: string | undefined;
  for (const id of candidates) {
    for (const key of Object.keys(table)) {
      if (
        id.startsWith(key) &&
        VERSION_SUFFIX.test(id.slice(key.length)) &&
        (!best || key.length > best.length)
      )
        best = key;
    }
  }
  return best;
}

export interface PriceLookup extends ModelPrice {
  /** Where the price came from; `unknown` prices are 0. */
  readonly source: 'override' | 'table' | 'free' | 'unknown';
}

export interface PriceLookupOptions {
  /** Per-model prices from the user's settings, keyed by model id; they win over the table. */
  readonly overrides?: Readonly<Record<string, ModelPrice>>;
  /** The model runs locally (Ollama, LM Studio, vLLM): it is free, silently. */
  readonly local?: boolean;
  /** Told about models missing from the table. */
  readonly logger?: Pick<Logger, 'warn'>;
}

/** The price of a model: override, table entry, free for local models, or 0 with a warning. */
export function lookupPrice(modelId: string, options: PriceLookupOptions = {}): PriceLookup {
  const override = options.overrides ? findModelKey(options.overrides, modelId) : undefined;
  if (override !== undefined) {
    const price = options.overrides![override];
    if (isValidPrice(price))
      return { inputPerMTok: price.inputPerMTok, outputPerMTok: price.outputPerMTok, source: 'override' };
    options.logger?.warn(`The price override for "${modelId}" is not two numbers ≥ 0; it is ignored.`);
  }
  if (options.local) return { inputPerMTok: 0, outputPerMTok: 0, source: 'free' };
  const key = findModelKey(PRICE_TABLE, modelId);
  if (key !== undefined) {
    const entry = PRICE_TABLE[key];
    return { inputPerMTok: entry.inputPerMTok, outputPerMTok: entry.outputPerMTok, source: 'table' };
  }
  options.logger?.warn(
    `No price known for model "${modelId}" (price table of ${PRICE_TABLE_DATE}); its spend counts as $0. Set its price in the settings to track it.`,
  );
  return { inputPerMTok: 0, outputPerMTok: 0, source: 'unknown' };
}

function isValidPrice(price: unknown): price is ModelPrice {
  if (typeof price !== 'object' || price === null) return false;
  const { inputPerMTok, outputPerMTok } = price as Record<string, unknown>;
  return (
    typeof inputPerMTok === 'number' &&
    typeof outputPerMTok === 'number' &&
    inputPerMTok >= 0 &&
    outputPerMTok >= 0 &&
    Number.isFinite(inputPerMTok + outputPerMTok)
  );
}
