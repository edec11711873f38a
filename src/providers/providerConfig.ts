/**
 * How a provider is described: one discriminated union the extension builds from the user's
 * settings, plus the secret source port keys come through.
 */

import { capabilitiesOf, REASONING_EFFORTS, type ReasoningEffort } from './catalog/familyRules';
import { isPresetId, PRESETS, type OpenAiCompatiblePreset, type PresetId } from './presets';

/**
 * Where API keys come from. The extension backs it with VS Code's SecretStorage; tests and the
 * demo use a map. It is asked on every request, so an implementation over a slow store should
 * cache (and drop the cache when the key changes).
 */
export interface SecretSource {
  /** The key stored under `keyId`, or undefined when none is set. */
  getKey(keyId: string): Promise<string | undefined>;
}

/** How `healthCheck()` proves a model answers. */
export type HealthCheckMethod =
  /** A one-token chat request: proves the key, the endpoint and the model (costs a few tokens). */
  | 'tinyRequest'
  /** `GET /models`: free, proves the key and the endpoint but not the model. Not for Azure. */
  | 'listModels';

/** The request field that carries the output limit: newer OpenAI models accept only the second. */
export const MAX_TOKENS_PARAMS = ['max_tokens', 'max_completion_tokens'] as const;
export type MaxTokensParam = (typeof MAX_TOKENS_PARAMS)[number];

/** The OpenAI wire formats: chat completions, or the Responses API (`/v1/responses`). */
export const OPENAI_APIS = ['chat', 'responses'] as const;
export type OpenAiApi = (typeof OPENAI_APIS)[number];

/**
 * What a model's settings say about request parameters where its family's rules do not fit (a
 * deployment or gateway model whose name the catalog does not know, or knows wrongly).
 */
export interface ParameterOverrides {
  /** `true`: never send a temperature; `false`: always send it; unset: the family's rule decides. */
  readonly dropTemperature?: boolean;
  /** The field that carries the output cap on chat completions; unset: the family's rule decides. */
  readonly maxTokensParam?: MaxTokensParam;
  /** Anthropic: `false` sends no `cache_control` breakpoints (for gateways that refuse them). Default true. */
  readonly promptCaching?: boolean;
}

/**
 * Anthropic extended thinking for a model: a budget of thinking tokens (≥ 1 024, below the output
 * cap, which it counts in), or `adaptive` (the model decides how much to think).
 */
export type ThinkingSetting = { readonly budgetTokens: number } | 'adaptive';

/** Anthropic's smallest thinking budget. */
export const MIN_THINKING_BUDGET = 1_024;

interface CommonProviderConfig {
  /**
   * The model id the API expects (`gpt-4o-mini`, `claude-sonnet-4-5`, `llama3.2`). For Azure, the
   * underlying model of the deployment: it selects the price and limits.
   */
  readonly model: string;
  /** Name under which the {@link SecretSource} holds the key. Defaults to the preset id or the kind. */
  readonly keyId?: string;
  /** Headers sent with every request (a gateway's routing headers, for example). Not secret. */
  readonly extraHeaders?: Readonly<Record<string, string>>;
  /** Headers whose values are secrets: header name → key id in the {@link SecretSource}. */
  readonly secretHeaders?: Readonly<Record<string, string>>;
  /**
   * The SDK's own deadline, a backstop only: the manager enforces the request, first-chunk and idle
   * timeouts. Default 10 minutes.
   */
  readonly requestTimeoutMs?: number;
  /** Deadline of a health check. Default 10 s. */
  readonly healthCheckTimeoutMs?: number;
  /** Default `tinyRequest`. */
  readonly healthCheck?: HealthCheckMethod;
  /** Overrides of the family's parameter rules. */
  readonly parameters?: ParameterOverrides;
}

/** What the OpenAI wire formats (OpenAI, Azure, compatible endpoints) share. */
interface OpenAiWireConfig extends CommonProviderConfig {
  /**
   * `responses` speaks the Responses API. Unset: chat completions, except for models only the
   * Responses API serves (`*-codex`, `*-pro`…) on OpenAI and Azure.
   */
  readonly api?: OpenAiApi;
  /** Reasoning models: `reasoning_effort` (chat) or `reasoning.effort` (Responses); only values the family takes are sent. */
  readonly reasoningEffort?: ReasoningEffort;
  /** Responses API: let the vendor keep the response (`store: true`). Default false: nothing kept unasked. */
  readonly store?: boolean;
}

/** OpenAI's own API. */
export interface OpenAiProviderConfig extends OpenAiWireConfig {
  readonly kind: 'openai';
  /** Default `https://api.openai.com/v1`. */
  readonly baseUrl?: string;
  readonly organization?: string;
  readonly project?: string;
  /** Default `max_completion_tokens` (what current OpenAI models require). */
  readonly maxTokensParam?: MaxTokensParam;
}

/** A deployment on Azure OpenAI (key authentication). */
export interface AzureProviderConfig extends OpenAiWireConfig {
  readonly kind: 'azure';
  /** The resource endpoint, e.g. `https://my-resource.openai.azure.com`. */
  readonly endpoint: string;
  /** The deployment name: requests go to `/openai/deployments/{deployment}/chat/completions`. */
  readonly deployment: string;
  /** Default {@link DEFAULT_AZURE_API_VERSION}. */
  readonly apiVersion?: string;
  /** Default `max_completion_tokens`. */
  readonly maxTokensParam?: MaxTokensParam;
}

/** Any server that speaks OpenAI's chat completions API: local runners, routers, team gateways. */
export interface OpenAiCompatibleProviderConfig extends OpenAiWireConfig {
  readonly kind: 'openaiCompatible';
  /** Fills in the base URL, key requirement and headers; each can still be overridden. */
  readonly preset?: PresetId;
  /** Required without a preset, e.g. `http://localhost:11434/v1`. */
  readonly baseUrl?: string;
  /** Whether a missing key skips the model. Default from the preset, else true. */
  readonly requiresKey?: boolean;
  /** Default `max_tokens` (what most compatible servers understand). */
  readonly maxTokensParam?: MaxTokensParam;
}

/** Anthropic's Messages API. */
export interface AnthropicProviderConfig extends CommonProviderConfig {
  readonly kind: 'anthropic';
  /** Default `https://api.anthropic.com`. */
  readonly baseUrl?: string;
  /** Anthropic requires an output limit; used when the request sets none. Default 4096. */
  readonly defaultMaxTokens?: number;
  /** Extended thinking (unset: none). Sent only to models that take it, with temperature unset. */
  readonly thinking?: ThinkingSetting;
}

/** Everything needed to build one provider; `kind` selects the wire format and SDK. */
export type ProviderConfig =
  OpenAiProviderConfig | AzureProviderConfig | OpenAiCompatibleProviderConfig | AnthropicProviderConfig;

export const DEFAULT_AZURE_API_VERSION = '2024-10-21';
/**
 * The Azure api-version used for the Responses API when the settings name none: the first GA-era
 * version that serves `/openai/responses` (learn.microsoft.com "Azure OpenAI Responses API").
 */
export const DEFAULT_AZURE_RESPONSES_API_VERSION = '2025-04-01-preview';
export const DEFAULT_REQUEST_TIMEOUT_MS = 600_000;
export const DEFAULT_HEALTH_CHECK_TIMEOUT_MS = 10_000;
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 4096;

/**
 * The wire format an OpenAI-kind config speaks: its `api` setting, else the Responses API for models
 * only it serves on OpenAI and Azure (a compatible gateway may serve them on chat completions), else
 * chat completions.
 */
export function openAiApiOf(config: Exclude<ProviderConfig, { kind: 'anthropic' }>): OpenAiApi {
  if (config.api) return config.api;
  return config.kind !== 'openaiCompatible' && capabilitiesOf(config.model).responsesOnly
    ? 'responses'
    : 'chat';
}

/** The key id a config reads its key under. */
export function keyIdOf(config: ProviderConfig): string {
  if (config.keyId) return config.keyId;
  if (config.kind === 'openaiCompatible' && config.preset) return config.preset;
  return config.kind;
}

/** The preset a config uses, if any. */
export function presetOf(config: ProviderConfig): OpenAiCompatiblePreset | undefined {
  return config.kind === 'openaiCompatible' && config.preset ? PRESETS[config.preset] : undefined;
}

/** The provider label for messages, metrics and grouping (`openai`, `azure`, `ollama`, …). */
export function providerLabel(config: ProviderConfig): string {
  return (
    presetOf(config)?.provider ?? (config.kind === 'openaiCompatible' ? 'openai-compatible' : config.kind)
  );
}

/** Whether the model runs on the user's machine (so it is free and needs no key). */
export function isLocalProvider(config: ProviderConfig): boolean {
  return presetOf(config)?.local ?? false;
}

/**
 * Says what is wrong with a config, one sentence per problem naming the field, or nothing.
 * {@link createProvider} throws with these; the extension can show them next to the setting.
 */
export function validateProviderConfig(config: ProviderConfig): string[] {
  const problems: string[] = [];
  const kind = (config as { kind?: unknown }).kind;
  if (kind !== 'openai' && kind !== 'azure' && kind !== 'openaiCompatible' && kind !== 'anthropic') {
    return [
      `kind must be "openai", "azure", "openaiCompatible" or "anthropic" (got ${JSON.stringify(kind)}).`,
    ];
  }
  if (typeof config.model !== 'string' || !config.model.trim())
    problems.push('model must name the model id (e.g. "gpt-4o-mini").');
  const checkUrl = (field: string, value: string | undefined, required: boolean) => {
    if (value === undefined || value === '') {
      if (required) problems.push(`${field} is required.`);
      return;
    }
    try {
      const url = new URL(value);
      if (url.protocol !== 'http:' && url.protocol !== 'https:')
        problems.push(`${field} must be an http(s) URL (got "${value}").`);
    } catch {
      problems.push(`${field} must be a URL (got "${value}").`);
    }
  };
  const checkPositive = (field: string, value: number | undefined) => {
    if (value !== undefined && !(Number.isFinite(value) && value > 0))
      problems.push(`${field} must be a number > 0.`);
  };
  checkPositive('requestTimeoutMs', config.requestTimeoutMs);
  checkPositive('healthCheckTimeoutMs', config.healthCheckTimeoutMs);
  for (const [field, headers] of [
    ['extraHeaders', config.extraHeaders],
    ['secretHeaders', config.secretHeaders],
  ] as const) {
    if (headers === undefined) continue;
    if (typeof headers !== 'object' || headers === null) {
      problems.push(`${field} must map header names to strings.`);
      continue;
    }
    for (const [name, value] of Object.entries(headers)) {
      if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name))
        problems.push(`${field}: "${name}" is not a valid header name.`);
      if (typeof value !== 'string') problems.push(`${field}: the value of "${name}" must be a string.`);
    }
  }
  if (
    config.healthCheck !== undefined &&
    config.healthCheck !== 'tinyRequest' &&
    config.healthCheck !== 'listModels'
  ) {
    problems.push('healthCheck must be "tinyRequest" or "listModels".');
  }
  problems.push(...parameterProblems(config.parameters, config.kind === 'anthropic'));
  if (config.kind === 'anthropic') {
    problems.push(...thinkingProblems(config.thinking));
  } else {
    if (config.api !== undefined && !(OPENAI_APIS as readonly string[]).includes(config.api))
      problems.push(`api must be "chat" or "responses" (got ${JSON.stringify(config.api)}).`);
    if (
      config.reasoningEffort !== undefined &&
      !(REASONING_EFFORTS as readonly string[]).includes(config.reasoningEffort)
    ) {
      problems.push(
        `reasoningEffort must be one of ${REASONING_EFFORTS.join(', ')} (got ${JSON.stringify(config.reasoningEffort)}).`,
      );
    }
    if (config.store !== undefined && typeof config.store !== 'boolean')
      problems.push('store must be true or false.');
  }
  switch (config.kind) {
    case 'openai':
      checkUrl('baseUrl', config.baseUrl, false);
      break;
    case 'azure':
      checkUrl('endpoint', config.endpoint, true);
      if (typeof config.deployment !== 'string' || !config.deployment.trim())
        problems.push('deployment is required (the Azure deployment name).');
      if (config.apiVersion !== undefined && !/^\d{4}-\d{2}-\d{2}(-preview)?$/.test(config.apiVersion)) {
        problems.push(`apiVersion must look like "2024-10-21" (got "${config.apiVersion}").`);
      }
      if (config.healthCheck === 'listModels')
        problems.push('healthCheck "listModels" is not available for Azure; use "tinyRequest".');
      break;
    case 'openaiCompatible':
      if (config.preset !== undefined && !isPresetId(config.preset)) {
        problems.push(
          `preset "${String(config.preset)}" is unknown (known: ${Object.keys(PRESETS).join(', ')}).`,
        );
      }
      checkUrl('baseUrl', config.baseUrl, !config.preset);
      break;
    case 'anthropic':
      checkUrl('baseUrl', config.baseUrl, false);
      if (
        config.defaultMaxTokens !== undefined &&
        !(Number.isInteger(config.defaultMaxTokens) && config.defaultMaxTokens > 0)
      ) {
        problems.push('defaultMaxTokens must be a whole number > 0.');
      }
      break;
  }
  return problems;
}

/** What is wrong with a `parameters` override, one sentence per problem. */
export function parameterProblems(parameters: unknown, anthropic: boolean): string[] {
  if (parameters === undefined) return [];
  if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters))
    return ['parameters must be an object (e.g. { "dropTemperature": true }).'];
  const problems: string[] = [];
  const known = anthropic ? ['dropTemperature', 'promptCaching'] : ['dropTemperature', 'maxTokensParam'];
  for (const [name, value] of Object.entries(parameters)) {
    if (!known.includes(name)) {
      problems.push(`parameters.${name} is unknown (known: ${known.join(', ')}).`);
    } else if (name === 'maxTokensParam') {
      if (!(MAX_TOKENS_PARAMS as readonly unknown[]).includes(value))
        problems.push(`parameters.maxTokensParam must be "max_tokens" or "max_completion_tokens".`);
    } else if (typeof value !== 'boolean') {
      problems.push(`parameters.${name} must be true or false.`);
    }
  }
  return problems;
}

/** What is wrong with a `thinking` setting, one sentence per problem. */
export function thinkingProblems(thinking: unknown): string[] {
  if (thinking === undefined || thinking === 'adaptive') return [];
  const budget =
    typeof thinking === 'object' && thinking !== null && !Array.isArray(thinking)
      ? (thinking as { budgetTokens?: unknown }).budgetTokens
      : undefined;
  if (typeof budget === 'number' && Number.isInteger(budget) && budget >= MIN_THINKING_BUDGET) return [];
  return [
    `thinking must be "adaptive" or { "budgetTokens": n } with n a whole number ≥ ${MIN_THINKING_BUDGET} (got ${JSON.stringify(thinking)}).`,
  ];
}
