/**
 * The providers: adapters from the core's {@link LlmProvider} to real services through the official
 * SDKs. No `vscode` here; the extension builds configs from the settings and calls
 * {@link createProvider}, then registers each with `LlmManager.registerModel(name, provider,
 * defaultModelMetadata(config))`.
 */

import type { LlmProvider } from '../core';
import type { Credentials } from './credentials';
import type { SdkLogger } from './providerBase';
import { AnthropicProvider } from './anthropicProvider';
import { createOpenAiClient, DEFAULT_ANTHROPIC_BASE_URL, openAiBaseUrl, trimSlash } from './clients';
import { asGatewayMember } from './gateways';
import { OpenAiChatProvider } from './openAiChatProvider';
import { OpenAiResponsesProvider } from './openAiResponsesProvider';
import type { ProviderDeps } from './providerBase';
import {
  DEFAULT_ANTHROPIC_MAX_TOKENS,
  DEFAULT_HEALTH_CHECK_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  keyIdOf,
  openAiApiOf,
  presetOf,
  providerLabel,
  validateProviderConfig,
  type ProviderConfig,
} from './providerConfig';

export { scrubSecrets, translateError, type ErrorContext } from './errorMapping';
export {
  BUDGET_RECHECK_MS,
  describeTeamBudget,
  GATEWAY_HEADERS_SETTING,
  isLiteLlmMember,
  LITELLM_COST_HEADER,
  teamBudget,
  type TeamBudget,
} from './gateways';
export { NO_KEY_PLACEHOLDER } from './credentials';
export * from './catalog';
export { listModels, type DiscoveredModel, type ListModelsOptions } from './discovery';
export {
  DEFAULT_CONTEXT_WINDOW,
  defaultModelMetadata,
  loadCatalog,
  type ModelMetadataOptions,
  type ModelPrice,
} from './modelDefaults';
export type { ProviderDeps } from './providerBase';
export {
  planAnthropicRequest,
  planOpenAiRequest,
  reasoningEffortProblem,
  thinkingProblem,
} from './parameterRules';
export {
  isPresetId,
  PRESET_IDS,
  PRESETS,
  type ModelListRoute,
  type OpenAiCompatiblePreset,
  type PresetId,
} from './presets';
export { SUGGESTED_MODELS, type SuggestionKey } from './suggestions';
export {
  DEFAULT_ANTHROPIC_MAX_TOKENS,
  DEFAULT_AZURE_API_VERSION,
  DEFAULT_AZURE_RESPONSES_API_VERSION,
  DEFAULT_HEALTH_CHECK_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  isLocalProvider,
  keyIdOf,
  MAX_TOKENS_PARAMS,
  MIN_THINKING_BUDGET,
  OPENAI_APIS,
  openAiApiOf,
  parameterProblems,
  presetOf,
  providerLabel,
  thinkingProblems,
  validateProviderConfig,
  type AnthropicProviderConfig,
  type AzureProviderConfig,
  type HealthCheckMethod,
  type MaxTokensParam,
  type OpenAiApi,
  type OpenAiCompatibleProviderConfig,
  type OpenAiProviderConfig,
  type ParameterOverrides,
  type ProviderConfig,
  type SecretSource,
  type ThinkingSetting,
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
  // A team gateway (LiteLLM, Portkey) also reports its cost and its own errors.
  return asGatewayMember(config, deps, createAdapter(config, deps));
}

/** The wire adapter a valid config describes. */
function createAdapter(config: ProviderConfig, deps: ProviderDeps): LlmProvider {
  const common = {
    model: config.model,
    keyId: keyIdOf(config),
    secretHeaders: config.secretHeaders,
    requestTimeoutMs: config.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    healthCheckTimeoutMs: config.healthCheckTimeoutMs ?? DEFAULT_HEALTH_CHECK_TIMEOUT_MS,
    healthCheck: config.healthCheck ?? 'tinyRequest',
  };
  const provider = providerLabel(config);
  switch (config.kind) {
    case 'anthropic':
      return new AnthropicProvider(
        {
          ...common,
          baseUrl: endpointOf(config),
          extraHeaders: config.extraHeaders,
          defaultMaxTokens: config.defaultMaxTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS,
          thinking: config.thinking,
          parameters: config.parameters,
        },
        deps,
      );
    case 'openai':
    case 'azure':
    case 'openaiCompatible': {
      const openAiCommon = {
        ...common,
        provider,
        keyRequired:
          config.kind === 'openaiCompatible'
            ? (config.requiresKey ?? presetOf(config)?.requiresKey ?? true)
            : true,
        // Listing models is not part of Azure's data-plane API.
        healthCheck: config.kind === 'azure' ? 'tinyRequest' : common.healthCheck,
        reasoningEffort: config.reasoningEffort,
        parameters: config.parameters,
        createClient: (
          sdk: Parameters<typeof createOpenAiClient>[0],
          credentials: Credentials,
          logger: SdkLogger,
        ) => createOpenAiClient(sdk, config, credentials, logger),
      } as const;
      if (openAiApiOf(config) === 'responses') {
        return new OpenAiResponsesProvider(
          {
            ...openAiCommon,
            wireModel: config.kind === 'azure' ? config.deployment : undefined,
            store: config.store,
          },
          deps,
        );
      }
      return new OpenAiChatProvider(
        {
          ...openAiCommon,
          maxTokensParam:
            config.parameters?.maxTokensParam ??
            config.maxTokensParam ??
            (config.kind === 'openaiCompatible' ? 'max_tokens' : 'max_completion_tokens'),
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
  return config.kind === 'anthropic'
    ? (trimSlash(config.baseUrl) ?? DEFAULT_ANTHROPIC_BASE_URL)
    : (openAiBaseUrl(config) ?? '');
}

export { DEFAULT_ANTHROPIC_BASE_URL, DEFAULT_OPENAI_BASE_URL } from './clients';
