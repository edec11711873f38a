/**
 * Provider configs aimed at the fault upstream, one per provider kind, so tests can run the same
 * fault against every kind with the real SDKs over real HTTP.
 */

import * as assert from 'node:assert/strict';
import {
  isLlmError,
  LlmManager,
  type GenerateResult,
  type LlmError,
  type LlmManagerOptions,
  type LlmProvider,
  type ModelMetadata,
  type StreamChunk,
} from '../../src/core';
import {
  createProvider,
  defaultModelMetadata,
  type ProviderConfig,
  type ProviderDeps,
} from '../../src/providers';
import type { FaultUpstream } from '../../src/demo/faultUpstream';
import { MemorySecrets, PLANTED_KEY } from './faultServer';
import { FakeClock, MemoryLogger } from './fakeClock';

/** The provider kinds, plus `responses`: OpenAI spoken through the Responses API (`api: "responses"`). */
export type ProviderKindUnderTest = 'openai' | 'azure' | 'openaiCompatible' | 'anthropic' | 'responses';
export const PROVIDER_KINDS: readonly ProviderKindUnderTest[] = [
  'openai',
  'azure',
  'openaiCompatible',
  'anthropic',
  'responses',
];

/** Every provider kind reads the same planted key. */
export function plantedSecrets(): MemorySecrets {
  return new MemorySecrets({
    openai: PLANTED_KEY,
    azure: PLANTED_KEY,
    groq: PLANTED_KEY,
    anthropic: PLANTED_KEY,
    portkey: PLANTED_KEY,
  });
}

/** A config of `kind` whose upstream model (Azure: deployment) is `faultModel`. */
export function configFor(
  kind: ProviderKindUnderTest,
  upstream: FaultUpstream,
  faultModel: string,
  extra: Partial<ProviderConfig> = {},
): ProviderConfig {
  switch (kind) {
    case 'openai':
      return { kind, model: faultModel, baseUrl: `${upstream.url}/v1`, ...extra } as ProviderConfig;
    case 'azure':
      return {
        kind,
        model: faultModel,
        endpoint: upstream.url,
        deployment: faultModel,
        ...extra,
      } as ProviderConfig;
    case 'openaiCompatible':
      // A hosted preset (Groq) pointed at the upstream: it needs a key, like the real service.
      return {
        kind,
        preset: 'groq',
        model: faultModel,
        baseUrl: `${upstream.url}/v1`,
        ...extra,
      } as ProviderConfig;
    case 'anthropic':
      return { kind, model: faultModel, baseUrl: upstream.url, ...extra } as ProviderConfig;
    case 'responses':
      return {
        kind: 'openai',
        api: 'responses',
        model: faultModel,
        baseUrl: `${upstream.url}/v1`,
        ...extra,
      } as ProviderConfig;
  }
}

export function providerFor(
  kind: ProviderKindUnderTest,
  upstream: FaultUpstream,
  faultModel: string,
  deps: Partial<ProviderDeps> = {},
): LlmProvider {
  return createProvider(configFor(kind, upstream, faultModel), {
    secrets: deps.secrets ?? plantedSecrets(),
    ...deps,
  });
}

/** Test prices, set through the override path so no table entry is needed for fault model names. */
export const TEST_PRICE = { inputPerMTok: 3, outputPerMTok: 15 };

export function metadataFor(
  kind: ProviderKindUnderTest,
  upstream: FaultUpstream,
  faultModel: string,
  overrides: Partial<ModelMetadata> = {},
): ModelMetadata {
  const config = configFor(kind, upstream, faultModel);
  return defaultModelMetadata(config, { priceOverrides: { [config.model]: TEST_PRICE }, overrides });
}

/** A manager on `clock` with retries that never wait (backoff 0) unless a Retry-After says so. */
export function testManager(options: LlmManagerOptions): { manager: LlmManager; logger: MemoryLogger } {
  const logger = new MemoryLogger();
  const manager = new LlmManager({
    enableCaching: false,
    maxRetries: 1,
    backoff: { initialDelayMs: 0, multiplier: 2, maxDelayMs: 1000, jitter: 0 },
    breaker: { failureThreshold: 3, recoveryTimeoutMs: 60_000 },
    random: () => 0,
    logger,
    ...options,
  });
  return { manager, logger };
}

/** Awaits work that must fail with an LlmError, and returns that error. */
export async function caught(work: Promise<unknown>): Promise<LlmError> {
  try {
    await work;
  } catch (error) {
    assert.ok(isLlmError(error), `expected an LlmError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to fail');
}

/**
 * A manager (no retries) with one model per config, in chain order, priced from the real catalog
 * (no test prices), so costs are what a user would see.
 */
export function catalogManager(
  entries: ReadonlyArray<readonly [name: string, config: ProviderConfig]>,
  options: Partial<LlmManagerOptions> = {},
): { manager: LlmManager; logger: MemoryLogger } {
  const made = testManager({ clock: new FakeClock(), maxRetries: 0, ...options });
  for (const [name, config] of entries) {
    made.manager.registerModel(
      name,
      createProvider(config, { secrets: plantedSecrets(), logger: made.logger }),
      defaultModelMetadata(config),
    );
  }
  made.manager.setFallbackChain(entries.map(([name]) => name));
  return made;
}

/** The `adjust` steps of a request's trace, in words. */
export function adjustSteps(result: GenerateResult): string[] {
  return result.trace.steps.flatMap((step) => (step.type === 'adjust' ? [step.detail] : []));
}

/** Every chunk of a stream. */
export async function drainStream(stream: AsyncIterable<StreamChunk>): Promise<StreamChunk[]> {
  const chunks: StreamChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}
