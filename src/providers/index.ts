/**
 * The providers: adapters from the core's {@link LlmProvider} to real services through the official
 * SDKs. No `vscode` here; the extension builds configs from the settings and calls
 * {@link createProvider}, then registers each with `LlmManager.registerModel(name, provider,
 * defaultModelMetadata(config))`.
 */

import type { LlmProvider } from '../core';
import { AnthropicProvider } from './anthropicProvider';
import { azureClientOptions, constructWithoutSdkEnvironment, openAiClientOptions } from './clientOptions';
import type { Credentials } from './credentials';
import { OpenAiChatProvider, type ProviderDeps } from './openAiChatProvider';
import {
  DEFAULT_ANTHROPIC_MAX_TOKENS,
  DEFAULT_AZURE_API_VERSION,
  DEFAULT_HEALTH_CHECK_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  keyIdOf,
  presetOf,
  providerLabel,
  validateProviderConfig,
  type ProviderConfig,
} from './providerConfig';

export { scrubSecrets, translateError, type ErrorContext } from './errorMapping';
export { NO_KEY_PLACEHOLDER } from './credentials';
export {
  defaultModelMetadata,
  lookupLimits,
  lookupToolSupport,
  MODEL_LIMITS,
  MODEL_TOOL_SUPPORT,
  UNKNOWN_MODEL_LIMITS,
  type ModelLimits,
  type ModelMetadataOptions,
} from './modelDefaults';
export type { ProviderDeps } from './openAiChatProvider';
export { isPresetId, PRESETS, type OpenAiCompatiblePreset, type PresetId } from './presets';
export {
  findModelKey,
  lookupPrice,
  PRICE_TABLE,
  PRICE_TABLE_DATE,
  type ModelPrice,
  type PriceEntry,
  type PriceLookup,
  type PriceLookupOptions,
} from './prices';
export {
  DEFAULT_ANTHROPIC_MAX_TOKENS,
  DEFAULT_AZURE_API_VERSION,
  DEFAULT_HEALTH_CHECK_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  isLocalProvider,
  keyIdOf,
  presetOf,
  providerLabel,
  validateProviderConfig,
  type AnthropicProviderConfig,
  type AzureProviderConfig,
  type HealthCheckMethod,
  type MaxTokensParam,
  type OpenAiCompatibleProviderConfig,
  type OpenAiProviderConfig,
  type ProviderConfig,
  type SecretSource,
} from './providerConfig';

/** Thrown by {@link createProvider} for a config it cannot use; `problems` name the fields. */
export class InvalidProviderConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid provider configuration: ${problems.join(' ')}`);
    this.name = 'InvalidProviderConfigError';
  }
}

/**
 * Builds the provider a config describes. Nothing is loaded or sent yet: the SDK loads and the key
 * is read on the first request. A missing key then fails that request with an `auth` error marked
 * `missingKey` (the manager skips the model with "no API key — set one").
 *
 * @throws {InvalidProviderConfigError} when {@link validateProviderConfig} finds problems.
 */
export function createProvider(config: ProviderConfig, deps: ProviderDeps): LlmProvider {
  const problems = validateProviderConfig(config);
  if (problems.length > 0) throw new InvalidProviderConfigError(problems);
  const common = {
    model: config.model,
    keyId: keyIdOf(config),
    secretHeaders: config.secretHeaders,
    requestTimeoutMs: config.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    healthCheckTimeoutMs: config.healthCheckTimeoutMs ?? DEFAULT_HEALTH_CHECK_TIMEOUT_MS,
    healthCheck: config.healthCheck ?? 'tinyRequest',
  };
  const provider = providerLabel(config);
  const endpoint = endpointOf(config);
  const pinned = (credentials: Credentials, headers: Readonly<Record<string, string>> = {}) => ({
    apiKey: credentials.apiKey,
    endpoint,
    timeoutMs: common.requestTimeoutMs,
    headers: { ...headers, ...config.extraHeaders, ...credentials.secretHeaders },
  });
  switch (config.kind) {
    case 'anthropic':
      return new AnthropicProvider(
        {
          ...common,
          baseUrl: endpoint,
          extraHeaders: config.extraHeaders,
          defaultMaxTokens: config.defaultMaxTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS,
        },
        deps,
      );
    case 'openai':
      return new OpenAiChatProvider(
        {
          ...common,
          provider,
          keyRequired: true,
          maxTokensParam: config.maxTokensParam ?? 'max_completion_tokens',
          createClient: (sdk, credentials) =>
            constructWithoutSdkEnvironment(
              () =>
                new sdk.OpenAI(
                  openAiClientOptions({
                    ...pinned(credentials),
                    organization: config.organization,
                    project: config.project,
                  }),
                ),
            ),
        },
        deps,
      );
    case 'azure':
      return new OpenAiChatProvider(
        {
          ...common,
          provider,
          keyRequired: true,
          // Listing models is not part of Azure's data-plane API.
          healthCheck: 'tinyRequest',
          maxTokensParam: config.maxTokensParam ?? 'max_completion_tokens',
          createClient: (sdk, credentials) =>
            constructWithoutSdkEnvironment(
              () =>
                new sdk.AzureOpenAI(
                  azureClientOptions({
                    ...pinned(credentials),
                    endpoint: trimSlash(config.endpoint)!,
                    deployment: config.deployment,
                    apiVersion: config.apiVersion ?? DEFAULT_AZURE_API_VERSION,
                  }),
                ),
            ),
        },
        deps,
      );
    case 'openaiCompatible': {
      const preset = presetOf(config);
      return new OpenAiChatProvider(
        {
          ...common,
          provider,
          keyRequired: config.requiresKey ?? preset?.requiresKey ?? true,
          maxTokensParam: config.maxTokensParam ?? 'max_tokens',
          createClient: (sdk, credentials) =>
            constructWithoutSdkEnvironment(
              // No organization or project: OPENAI_ORG_ID / OPENAI_PROJECT_ID are meant for api.openai.com.
              () => new sdk.OpenAI(openAiClientOptions(pinned(credentials, preset?.defaultHeaders))),
            ),
        },
        deps,
      );
    }
  }
}

/**
 * The base URL a config's requests go to, defaults filled in: the one rule both the SDK clients
 * and the extension's key-to-host check use. Always passed to the SDKs explicitly, so no
 * environment variable can choose it.
 */
export function endpointOf(config: ProviderConfig): string {
  switch (config.kind) {
    case 'openai':
      return trimSlash(config.baseUrl) ?? DEFAULT_OPENAI_BASE_URL;
    case 'anthropic':
      return trimSlash(config.baseUrl) ?? DEFAULT_ANTHROPIC_BASE_URL;
    case 'azure':
      return trimSlash(config.endpoint) ?? '';
    case 'openaiCompatible':
      return trimSlash(config.baseUrl) ?? presetOf(config)?.baseUrl ?? '';
  }
}

export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';
export const DEFAULT_ANTHROPIC_BASE_URL = 'https://api.anthropic.com';

function trimSlash(url: string | undefined): string | undefined {
  return url ? url.replace(/\/+$/, '') : undefined;
}
