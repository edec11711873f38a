/**
 * What requests cost: the one rule for "is this model free", prices by prompt size, the cost of a
 * request's usage (cache reads and writes at their own rates), and the output cap a request sends —
 * the same cap its worst-case estimate and the hard stop use.
 */
import type { CostEstimate } from './insights';
import type { QualityTier } from './kinds';
import type { OutputCapOptions } from './managerSettings';
import { estimateInputTokens, normalizeRequest } from './requestShape';
import type { GenerateRequest, ModelMetadata, TokenUsage } from './types';

/** Prices per million tokens that apply to one request. */
export interface AppliedPrices {
  readonly input: number;
  readonly output: number;
  readonly cacheRead: number;
  readonly cacheWrite: number;
}

/** Free means a known price of zero (local runners, models marked free); an unknown price is not free. */
export function isFree(metadata: ModelMetadata): boolean {
  return (
    metadata.priceUnknown !== true &&
    metadata.inputPricePerMTok === 0 &&
    metadata.outputPricePerMTok === 0 &&
    !(metadata.priceTiers ?? []).some((tier) => tier.inputPricePerMTok > 0 || tier.outputPricePerMTok > 0)
  );
}

/** The prices for a request of `inputTokens`: the last tier whose threshold it exceeds, else the base. */
export function pricesAt(metadata: ModelMetadata, inputTokens: number): AppliedPrices {
  let input = metadata.inputPricePerMTok;
  let output = metadata.outputPricePerMTok;
  let cacheRead = metadata.cacheReadPricePerMTok;
  let cacheWrite = metadata.cacheWritePricePerMTok;
  for (const tier of metadata.priceTiers ?? []) {
    if (inputTokens <= tier.aboveInputTokens) continue;
    input = tier.inputPricePerMTok;
    output = tier.outputPricePerMTok;
    cacheRead = tier.cacheReadPricePerMTok ?? cacheRead;
    cacheWrite = tier.cacheWritePricePerMTok ?? cacheWrite;
  }
  return { input, output, cacheRead: cacheRead ?? input, cacheWrite: cacheWrite ?? input };
}

/** US dollars for `usage` at the model's prices; cached input at the cache rates. */
export function costOf(metadata: ModelMetadata, usage: TokenUsage): number {
  const prices = pricesAt(metadata, usage.inputTokens);
  const input = Math.max(0, usage.inputTokens);
  const cacheRead = clamp(usage.cacheReadTokens ?? 0, 0, input);
  const cacheWrite = clamp(usage.cacheWriteTokens ?? 0, 0, input - cacheRead);
  const uncached = input - cacheRead - cacheWrite;
  return (
    (uncached * prices.input +
      cacheRead * prices.cacheRead +
      cacheWrite * prices.cacheWrite +
      Math.max(0, usage.outputTokens) * prices.output) /
    1_000_000
  );
}

/** What reading from the prompt cache saved against paying the full input price for those tokens. */
export function cacheSavings(metadata: ModelMetadata, usage: TokenUsage): number {
  const read = Math.min(Math.max(0, usage.cacheReadTokens ?? 0), Math.max(0, usage.inputTokens));
  if (read === 0) return 0;
  const prices = pricesAt(metadata, usage.inputTokens);
  return Math.max(0, (read * (prices.input - prices.cacheRead)) / 1_000_000);
}

/**
 * The output cap a request sends to a model: the request's own, else the model's, else its
 * tier's, else the default — never above the model's limit. Estimates use this same number.
 */
export function outputCapFor(
  metadata: ModelMetadata,
  requested: number | undefined,
  tier: QualityTier,
  options: OutputCapOptions,
): number {
  const wanted = requested ?? metadata.outputCap ?? options.tierTokens[tier] ?? options.defaultTokens;
  return Math.max(1, Math.min(wanted, metadata.maxOutputTokens));
}

/** The most a request can cost: every input token uncached, and the whole output cap used. */
export function worstCaseCost(metadata: ModelMetadata, inputTokens: number, outputCap: number): number {
  return costOf(metadata, { inputTokens, outputTokens: outputCap });
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** What a request may cost on each of `models` (each at the output cap it would send), before sending. */
export function estimateCost(
  request: GenerateRequest,
  models: ReadonlyArray<{ readonly name: string; readonly metadata: ModelMetadata }>,
  options: OutputCapOptions,
): CostEstimate {
  const inputTokens = estimateInputTokens(normalizeRequest(request));
  const tier = request.tier ?? 'standard';
  const perModel = models.map(({ name, metadata }) => {
    const outputCap = outputCapFor(metadata, request.maxTokens, tier, options);
    const priceUnknown = metadata.priceUnknown === true;
    return {
      model: name,
      minUsd: priceUnknown ? 0 : worstCaseCost(metadata, inputTokens, 0),
      maxUsd: priceUnknown ? 0 : worstCaseCost(metadata, inputTokens, outputCap),
      free: isFree(metadata),
      outputCap,
      priceUnknown,
    };
  });
  return {
    inputTokens,
    minUsd: perModel.length ? Math.min(...perModel.map((m) => m.minUsd)) : 0,
    maxUsd: perModel.length ? Math.max(...perModel.map((m) => m.maxUsd)) : 0,
    perModel,
  };
}
