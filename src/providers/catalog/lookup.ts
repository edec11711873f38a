/**
 * Finds a model in the price dataset with the library's own matching (dated and family ids,
 * provider fallbacks), after resolving our provider labels and router prefixes to the dataset's
 * providers, and turns its prices into the core's {@link ModelMetadata} fields.
 */

import type { ModelMetadata, PriceTier } from '../../core';
import {
  catalogGeneration,
  catalogInfo,
  genaiPrices,
  withLibraryWarnings,
  type CatalogProviderData,
} from './dataset';

/** A model's prices in the core's terms (US dollars per million tokens). */
export type CatalogPrices = Pick<
  ModelMetadata,
  | 'inputPricePerMTok'
  | 'outputPricePerMTok'
  | 'cacheReadPricePerMTok'
  | 'cacheWritePricePerMTok'
  | 'priceTiers'
>;

/** A model the dataset knows. */
export interface CatalogEntry {
  readonly known: true;
  /** The dataset's id of the matched model (a family id such as `claude-sonnet-5` for `claude-sonnet-5-5`). */
  readonly matchedId: string;
  /** The dataset's provider the price is from (`anthropic`, `openrouter`, …). */
  readonly catalogProvider: string;
  readonly name?: string;
  /** Undefined when the dataset lists the model without token prices. */
  readonly prices?: CatalogPrices;
  readonly contextWindow?: number;
  /** The dataset marks the model deprecated. */
  readonly deprecated: boolean;
  /** Date of the dataset the entry comes from. */
  readonly datasetDate: string;
}

/** A model the dataset does not know. */
export interface UnknownModel {
  readonly known: false;
  readonly datasetDate: string;
}

export type CatalogLookup = CatalogEntry | UnknownModel;

/**
 * Our provider labels (see `providerLabel`) → the dataset's provider ids. Labels not listed
 * (DeepInfra, Hugging Face, gateways, local servers, `openai-compatible`) have no provider of
 * their own in the dataset: their models are matched by name.
 */
const DATASET_PROVIDER: Readonly<Record<string, string>> = {
  openai: 'openai',
  azure: 'azure',
  anthropic: 'anthropic',
  openrouter: 'openrouter',
  groq: 'groq',
  mistral: 'mistral',
  deepseek: 'deepseek',
  gemini: 'google',
  xai: 'x-ai',
  together: 'together',
  fireworks: 'fireworks',
  cerebras: 'cerebras',
  perplexity: 'perplexity',
  moonshot: 'moonshotai',
};

/** The dataset's provider id for one of our provider labels, if it has one. */
export function datasetProviderOf(providerLabel: string): string | undefined {
  return DATASET_PROVIDER[providerLabel.toLowerCase()];
}

interface Candidate {
  readonly providerId?: string;
  readonly modelId: string;
}

/**
 * Where to look, most specific first: the provider's own price; each router prefix as a provider
 * (`openrouter/anthropic/claude-…`, `anthropic/claude-…`), or Hugging Face's serving-provider
 * suffix (`org/model:novita`); the provider with the last path
 * segment (`models/gemini-…`); then the name alone, which the library matches to its vendor.
 */
function candidatesFor(providerLabel: string, modelId: string): Candidate[] {
  const id = modelId.trim();
  const own = datasetProviderOf(providerLabel);
  const segments = id.split('/');
  const last = segments[segments.length - 1];
  const found: Candidate[] = [];
  // Hugging Face's router picks the serving provider with a suffix: `org/model:novita`.
  const routedSuffix = /^(.+):([a-z0-9-]+)$/.exec(id);
  if (providerLabel === 'huggingface' && routedSuffix) {
    const served = genaiPrices().findProvider({ providerId: `huggingface_${routedSuffix[2]}` })?.id;
    if (served) found.push({ providerId: served, modelId: routedSuffix[1] });
  }
  if (own) found.push({ providerId: own, modelId: id });
  for (let i = 0; i < segments.length - 1; i++) {
    const routed = genaiPrices().findProvider({ providerId: segments[i] })?.id;
    if (routed) found.push({ providerId: routed, modelId: segments.slice(i + 1).join('/') });
  }
  if (own && last !== id) found.push({ providerId: own, modelId: last });
  found.push({ modelId: id });
  if (last !== id) found.push({ modelId: last });
  return found;
}

const memo = new Map<string, CatalogLookup>();
const MEMO_LIMIT = 4_000;

/**
 * The dataset's entry for a model served by `providerLabel` (`openai`, `anthropic`, `openrouter`,
 * `azure`, a preset's label…), or `{ known: false }`. Loads the dataset on first use. Prices
 * that change on a date (the dataset's conditional prices) are those in force at `now`.
 */
export function lookupModel(
  providerLabel: string,
  modelId: string,
  options: { readonly now?: number; readonly onWarning?: (message: string) => void } = {},
): CatalogLookup {
  const when = new Date(options.now ?? Date.now());
  const key = `${catalogGeneration()}\u0000${when.toISOString().slice(0, 10)}\u0000${providerLabel}\u0000${modelId}`;
  const cached = memo.get(key);
  if (cached) return cached;
  const result = withLibraryWarnings(
    () => find(providerLabel, modelId, when),
    options.onWarning ?? (() => undefined),
  );
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(key, result);
  return result;
}

function find(providerLabel: string, modelId: string, when: Date): CatalogLookup {
  const library = genaiPrices();
  for (const candidate of candidatesFor(providerLabel, modelId)) {
    if (!candidate.modelId) continue;
    const match = library.calcPrice({}, candidate.modelId, {
      ...(candidate.providerId ? { providerId: candidate.providerId } : {}),
      timestamp: when,
    });
    if (!match) continue;
    return {
      known: true,
      matchedId: match.model.id,
      catalogProvider: match.provider.id,
      ...(match.model.name ? { name: match.model.name } : {}),
      ...definedPrices(match.model_price),
      ...(positive(match.model.context_window) ? { contextWindow: match.model.context_window } : {}),
      deprecated: match.model.deprecated === true,
      datasetDate: catalogInfo().date,
    };
  }
  return { known: false, datasetDate: catalogInfo().date };
}

/** Every model the dataset lists under one of our provider labels (for services without a model list). */
export function catalogModelsOf(providerLabel: string): readonly string[] {
  const providerId = datasetProviderOf(providerLabel);
  if (!providerId) return [];
  const provider: CatalogProviderData | undefined = genaiPrices().findProvider({ providerId });
  return provider ? provider.models.map((model) => model.id) : [];
}

type RawPrice =
  number | { readonly base: number; readonly tiers: readonly { start: number; price: number }[] };

/** The dataset's price keys behind each of the core's price fields. */
const PRICE_FIELDS = [
  ['inputPricePerMTok', 'input_mtok'],
  ['outputPricePerMTok', 'output_mtok'],
  ['cacheReadPricePerMTok', 'cache_read_mtok'],
  ['cacheWritePricePerMTok', 'cache_write_mtok'],
] as const;

function definedPrices(modelPrice: Readonly<Record<string, unknown>>): { prices?: CatalogPrices } {
  const raw = new Map<string, RawPrice>();
  for (const [field, key] of PRICE_FIELDS) {
    const value = modelPrice[key];
    if (isRawPrice(value)) raw.set(field, value);
  }
  if (!raw.has('inputPricePerMTok') && !raw.has('outputPricePerMTok')) return {};
  const at = (price: RawPrice, threshold?: number): number => {
    if (typeof price === 'number') return price;
    if (threshold === undefined) return price.base;
    let current = price.base;
    for (const tier of [...price.tiers].sort((a, b) => a.start - b.start)) {
      if (tier.start <= threshold) current = tier.price;
    }
    return current;
  };
  const pricesAt = (threshold?: number) => {
    const result: Record<string, number> = { inputPricePerMTok: 0, outputPricePerMTok: 0 };
    for (const [field, price] of raw) result[field] = at(price, threshold);
    return result;
  };
  const thresholds = [
    ...new Set(
      [...raw.values()].flatMap((price) =>
        typeof price === 'number' ? [] : price.tiers.map((t) => t.start),
      ),
    ),
  ].sort((a, b) => a - b);
  // The library applies a tier when the input exceeds its start: the core's `aboveInputTokens`.
  const priceTiers: PriceTier[] = thresholds.map((threshold) => ({
    aboveInputTokens: threshold,
    ...(pricesAt(threshold) as Omit<PriceTier, 'aboveInputTokens'>),
  }));
  const base = pricesAt() as unknown as CatalogPrices;
  return { prices: priceTiers.length > 0 ? { ...base, priceTiers } : base };
}

function isRawPrice(value: unknown): value is RawPrice {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0;
  if (typeof value !== 'object' || value === null) return false;
  const { base, tiers } = value as { base?: unknown; tiers?: unknown };
  return (
    typeof base === 'number' &&
    Array.isArray(tiers) &&
    tiers.every((tier) => typeof tier?.start === 'number' && typeof tier?.price === 'number')
  );
}

function positive(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}
