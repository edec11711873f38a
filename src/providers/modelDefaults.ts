/**
 * Turns a provider config into the core's {@link ModelMetadata} for `registerModel`: prices and
 * context window from the catalog (a maintained dataset), output limit and tool support from the
 * family rules, the user's settings on top. Unknown is never free and never a small guess.
 */

import type { Logger, ModelMetadata } from '../core';
import { capabilitiesOf } from './catalog/familyRules';
import { isCatalogLoaded } from './catalog/dataset';
import { lookupModel, type CatalogPrices } from './catalog/lookup';
import { isLocalProvider, providerLabel, type ProviderConfig } from './providerConfig';

/** A price set by hand (settings, tests, the demo), in US dollars per million tokens. */
export interface ModelPrice {
  readonly inputPerMTok: number;
  readonly outputPerMTok: number;
}

/**
 * Context window assumed when neither the settings, the provider's model list nor the catalog
 * knows it: generous, because a guess must never refuse a prompt the model would take (the
 * provider's own `context_length_exceeded` then moves the chain on).
 */
export const DEFAULT_CONTEXT_WINDOW = 128_000;

export interface ModelMetadataOptions {
  /** Prices set by hand, keyed by the config's model id; they win over the catalog. */
  readonly priceOverrides?: Readonly<Record<string, ModelPrice>>;
  /** The user marked the model free (`free: true` in its settings): it costs $0. */
  readonly free?: boolean;
  /** The context window the provider's model list reports for this model, if it does. */
  readonly listedContextWindow?: number;
  /** Told when a model has no known price or context window. */
  readonly logger?: Pick<Logger, 'warn'>;
  /** Fields that win over everything (the model's settings: window, prices, rpm, weight…). */
  readonly overrides?: Partial<ModelMetadata>;
  /** Wall clock for prices that change on a date. */
  readonly now?: number;
  /**
   * `load` (default) loads the catalog if needed. `ifLoaded` never loads it (activation must not):
   * until it is loaded, catalog prices are unknown and nothing is logged; the caller registers
   * again once {@link loadCatalog} resolved.
   */
  readonly catalog?: 'load' | 'ifLoaded';
}

/**
 * The core's metadata for a configured model. Prices: the settings' overrides, else $0 for local
 * runners and models marked free, else the catalog's (input, output, cache, tiers), else
 * `priceUnknown: true` (0, but treated as paid). Context window: the settings, else the provider's
 * model list, else the catalog, else {@link DEFAULT_CONTEXT_WINDOW} with a warning. Output limit
 * and tool support: the family rules. Pass the result to `LlmManager.registerModel`.
 */
export function defaultModelMetadata(
  config: ProviderConfig,
  options: ModelMetadataOptions = {},
): ModelMetadata {
  const provider = providerLabel(config);
  const overrides = definedOnly(options.overrides ?? {});
  const capabilities = capabilitiesOf(config.model);
  const free = options.free === true || isLocalProvider(config);
  const manual = manualPrice(config.model, options, overrides);
  const deferred = options.catalog === 'ifLoaded' && !isCatalogLoaded();
  const logger = deferred ? undefined : options.logger;
  const entry =
    deferred ||
    (manual && (overrides.contextWindow !== undefined || options.listedContextWindow !== undefined))
      ? undefined
      : lookupModel(provider, config.model, { now: options.now });
  const known = entry?.known ? entry : undefined;

  let prices: CatalogPrices & { priceUnknown?: boolean };
  let priceSource: string | undefined;
  if (manual) {
    prices = manual;
    priceSource = 'your settings';
  } else if (free) {
    prices = { inputPricePerMTok: 0, outputPricePerMTok: 0 };
    priceSource = options.free === true ? 'free (your settings)' : 'free (local)';
  } else if (known?.prices) {
    prices = known.prices;
    priceSource = `catalog of ${known.datasetDate}`;
  } else {
    prices = { inputPricePerMTok: 0, outputPricePerMTok: 0, priceUnknown: true };
    logger?.warn(
      `No price known for model "${config.model}" at ${provider} (price catalog of ${entry?.datasetDate ?? 'unknown date'}): it counts as paid with an unknown cost. Set its price in the model's settings, or mark it free.`,
    );
  }

  const listed = positive(options.listedContextWindow) ? options.listedContextWindow : undefined;
  let contextWindow = listed ?? known?.contextWindow;
  if (contextWindow === undefined && overrides.contextWindow === undefined) {
    contextWindow = DEFAULT_CONTEXT_WINDOW;
    if (!free) {
      logger?.warn(
        `Context window of "${config.model}" is unknown; assuming ${DEFAULT_CONTEXT_WINDOW.toLocaleString('en-US')} tokens. Set contextWindow in the model's settings if it is smaller.`,
      );
    }
  }
  const window = overrides.contextWindow ?? contextWindow ?? DEFAULT_CONTEXT_WINDOW;
  const deprecated = known?.deprecated === true || capabilities.endOfLife !== undefined;
  return {
    provider,
    contextWindow: window,
    maxOutputTokens: Math.min(capabilities.maxOutputTokens, window),
    ...prices,
    ...(priceSource ? { priceSource } : {}),
    ...(deprecated
      ? {
          lifecycle: { deprecated, ...(capabilities.endOfLife ? { endOfLife: capabilities.endOfLife } : {}) },
        }
      : {}),
    ...(capabilities.known ? { supportsTools: capabilities.supportsTools } : {}),
    ...overrides,
  };
}

/** Prices the user (or a test) set by hand: the settings' fields, or a `priceOverrides` entry. */
function manualPrice(
  modelId: string,
  options: ModelMetadataOptions,
  overrides: Partial<ModelMetadata>,
): CatalogPrices | undefined {
  if (overrides.inputPricePerMTok !== undefined || overrides.outputPricePerMTok !== undefined) {
    return {
      inputPricePerMTok: overrides.inputPricePerMTok ?? 0,
      outputPricePerMTok: overrides.outputPricePerMTok ?? 0,
    };
  }
  const entry = options.priceOverrides?.[modelId];
  if (!entry) return undefined;
  if (!isValidPrice(entry)) {
    options.logger?.warn(`The price override for "${modelId}" is not two numbers ≥ 0; it is ignored.`);
    return undefined;
  }
  return { inputPricePerMTok: entry.inputPerMTok, outputPricePerMTok: entry.outputPerMTok };
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

function positive(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Loads the price catalog soon after the caller returns (a macrotask later, so activation never
 * pays for it) and resolves once prices can be read.
 */
export function loadCatalog(): Promise<void> {
  if (isCatalogLoaded()) return Promise.resolve();
  return new Promise((resolve, reject) =>
    setTimeout(() => {
      try {
        lookupModel('openai', 'gpt-5');
        resolve();
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    }, 0),
  );
}
