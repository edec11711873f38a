/**
 * Context windows, output limits and tool support of the common models, and the helper that turns
 * a provider config into the core's {@link ModelMetadata} (limits + prices + tools) for
 * `registerModel`.
 */

import type { Logger, ModelMetadata } from '../core';
import { findModelKey, lookupPrice, type ModelPrice } from './prices';
import { isLocalProvider, providerLabel, type ProviderConfig } from './providerConfig';

export interface ModelLimits {
  readonly contextWindow: number;
  readonly maxOutputTokens: number;
}

const l = (contextWindow: number, maxOutputTokens: number): ModelLimits => ({
  contextWindow,
  maxOutputTokens,
});

/** Published limits, keyed like the price table (dated ids match by prefix). */
export const MODEL_LIMITS: Readonly<Record<string, ModelLimits>> = {
  'gpt-5.1': l(400_000, 128_000),
  'gpt-5': l(400_000, 128_000),
  'gpt-5-mini': l(400_000, 128_000),
  'gpt-5-nano': l(400_000, 128_000),
  'gpt-4.1': l(1_047_576, 32_768),
  'gpt-4.1-mini': l(1_047_576, 32_768),
  'gpt-4.1-nano': l(1_047_576, 32_768),
  'gpt-4o': l(128_000, 16_384),
  'gpt-4o-mini': l(128_000, 16_384),
  'gpt-4-turbo': l(128_000, 4_096),
  'gpt-3.5-turbo': l(16_385, 4_096),
  o1: l(200_000, 100_000),
  o3: l(200_000, 100_000),
  'o3-mini': l(200_000, 100_000),
  'o4-mini': l(200_000, 100_000),
  'claude-opus-4-5': l(200_000, 64_000),
  'claude-opus-4-1': l(200_000, 32_000),
  'claude-opus-4': l(200_000, 32_000),
  'claude-sonnet-4-5': l(200_000, 64_000),
  'claude-sonnet-4': l(200_000, 64_000),
  'claude-3-7-sonnet': l(200_000, 64_000),
  'claude-3-5-sonnet': l(200_000, 8_192),
  'claude-haiku-4-5': l(200_000, 64_000),
  'claude-3-5-haiku': l(200_000, 8_192),
  'claude-3-haiku': l(200_000, 4_096),
  'mistral-large-latest': l(131_072, 8_192),
  'mistral-medium-latest': l(131_072, 8_192),
  'mistral-small-latest': l(131_072, 8_192),
  'codestral-latest': l(256_000, 8_192),
  'open-mistral-nemo': l(131_072, 8_192),
  'deepseek-chat': l(128_000, 8_192),
  'deepseek-reasoner': l(128_000, 65_536),
  'llama-3.3-70b-versatile': l(131_072, 32_768),
  'llama-3.1-8b-instant': l(131_072, 8_192),
  'gpt-oss-120b': l(131_072, 65_536),
  'gpt-oss-20b': l(131_072, 65_536),
  'gemini-2.5-pro': l(1_048_576, 65_536),
  'gemini-2.5-flash': l(1_048_576, 65_536),
  'gemini-2.5-flash-lite': l(1_048_576, 65_536),
  'gemini-2.0-flash': l(1_048_576, 8_192),
  'gemini-1.5-pro': l(2_097_152, 8_192),
  'gemini-1.5-flash': l(1_048_576, 8_192),
};

/**
 * Limits assumed for a model not in the table: small enough that the manager never sends a prompt
 * an unknown model cannot take without first trying the ones it knows, large enough to be useful.
 */
export const UNKNOWN_MODEL_LIMITS: ModelLimits = l(8_192, 4_096);

export function lookupLimits(modelId: string): ModelLimits | undefined {
  const key = findModelKey(MODEL_LIMITS, modelId);
  return key === undefined ? undefined : MODEL_LIMITS[key];
}

/**
 * Whether a model family can call tools, keyed like the other tables (dated ids match by prefix).
 *
 * The decision: `true` for the current chat models of OpenAI, Anthropic, Mistral, Groq, DeepSeek
 * and Gemini, which all document function calling; `false` only where a family is documented not
 * to support it (o1-mini and o1-preview, completion-only and pre-tool models), so the manager skips
 * them for requests with tools instead of paying for a 400; and no entry, hence `undefined`, for
 * everything else. The core treats `undefined` as capable: a local or new model most likely can
 * call tools, and when it cannot, its 400 moves the chain on. The user's setting always wins.
 * `deepseek-reasoner` stays unknown on purpose: DeepSeek has changed its tool support between
 * releases behind the same id.
 */
export const MODEL_TOOL_SUPPORT: Readonly<Record<string, boolean>> = {
  // OpenAI
  'gpt-5.1': true,
  'gpt-5': true,
  'gpt-5-mini': true,
  'gpt-5-nano': true,
  'gpt-4.1': true,
  'gpt-4.1-mini': true,
  'gpt-4.1-nano': true,
  'gpt-4o': true,
  'gpt-4o-mini': true,
  'gpt-4-turbo': true,
  'gpt-3.5-turbo': true,
  o1: true,
  o3: true,
  'o3-mini': true,
  'o4-mini': true,
  'o1-mini': false,
  'o1-preview': false,
  'gpt-3.5-turbo-instruct': false,
  'gpt-4-vision-preview': false,
  'davinci-002': false,
  'babbage-002': false,
  // Anthropic: every Claude 3 and later model; Claude 2 and Instant predate tool use.
  'claude-opus-4-5': true,
  'claude-opus-4-1': true,
  'claude-opus-4': true,
  'claude-sonnet-4-5': true,
  'claude-sonnet-4': true,
  'claude-3-7-sonnet': true,
  'claude-3-5-sonnet': true,
  'claude-haiku-4-5': true,
  'claude-3-5-haiku': true,
  'claude-3-haiku': true,
  'claude-3-opus': true,
  'claude-2.1': false,
  'claude-2.0': false,
  'claude-instant-1.2': false,
  // Mistral
  'mistral-large-latest': true,
  'mistral-medium-latest': true,
  'mistral-small-latest': true,
  'codestral-latest': true,
  'open-mistral-nemo': true,
  // DeepSeek
  'deepseek-chat': true,
  // Groq
  'llama-3.3-70b-versatile': true,
  'llama-3.1-8b-instant': true,
  'gpt-oss-120b': true,
  'gpt-oss-20b': true,
  // Google Gemini
  'gemini-2.5-pro': true,
  'gemini-2.5-flash': true,
  'gemini-2.5-flash-lite': true,
  'gemini-2.0-flash': true,
  'gemini-1.5-pro': true,
  'gemini-1.5-flash': true,
};

/** Whether a model can call tools: true or false when the table knows, undefined otherwise. */
export function lookupToolSupport(modelId: string): boolean | undefined {
  const key = findModelKey(MODEL_TOOL_SUPPORT, modelId);
  return key === undefined ? undefined : MODEL_TOOL_SUPPORT[key];
}

export interface ModelMetadataOptions {
  /** Per-model prices from the settings (keyed by model id). */
  readonly priceOverrides?: Readonly<Record<string, ModelPrice>>;
  /** Told when a model has no known price. */
  readonly logger?: Pick<Logger, 'warn'>;
  /** Fields that win over the defaults (context window from the settings, rpm, weight…). */
  readonly overrides?: Partial<ModelMetadata>;
}

/**
 * The core's metadata for a configured model: known limits (or conservative ones), the price from
 * overrides or the table (0 with a warning when unknown; 0 silently for local runners), tool
 * support when the table knows it (see {@link MODEL_TOOL_SUPPORT}), and the provider label. Pass
 * the result to `LlmManager.registerModel`.
 */
export function defaultModelMetadata(
  config: ProviderConfig,
  options: ModelMetadataOptions = {},
): ModelMetadata {
  const limits = lookupLimits(config.model) ?? UNKNOWN_MODEL_LIMITS;
  const price = lookupPrice(config.model, {
    overrides: options.priceOverrides,
    local: isLocalProvider(config),
    logger: options.logger,
  });
  const supportsTools = lookupToolSupport(config.model);
  return {
    provider: providerLabel(config),
    contextWindow: limits.contextWindow,
    maxOutputTokens: limits.maxOutputTokens,
    inputPricePerMTok: price.inputPerMTok,
    outputPricePerMTok: price.outputPerMTok,
    ...(supportsTools === undefined ? {} : { supportsTools }),
    ...definedOnly(options.overrides ?? {}),
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
