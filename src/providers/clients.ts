/**
 * Builds the `openai` SDK client a config describes (OpenAI, Azure, OpenAI-compatible), for the
 * chat provider and for model discovery alike, so both reach the same host with the same headers.
 */

import type OpenAI from 'openai';
import type * as OpenAiSdk from 'openai';
import type { Credentials } from './credentials';
import type { SdkLogger } from './providerBase';
import {
  DEFAULT_AZURE_API_VERSION,
  DEFAULT_AZURE_RESPONSES_API_VERSION,
  DEFAULT_REQUEST_TIMEOUT_MS,
  openAiApiOf,
  presetOf,
  type ProviderConfig,
} from './providerConfig';

type OpenAiModule = typeof OpenAiSdk;
type OpenAiKindConfig = Exclude<ProviderConfig, { kind: 'anthropic' }>;

/** The base URL an OpenAI-wire config talks to (without a trailing slash). */
export function openAiBaseUrl(config: OpenAiKindConfig): string | undefined {
  switch (config.kind) {
    case 'openai':
      return trimSlash(config.baseUrl) ?? 'https://api.openai.com/v1';
    case 'azure':
      return trimSlash(config.endpoint);
    case 'openaiCompatible':
      return trimSlash(config.baseUrl) ?? presetOf(config)?.baseUrl;
  }
}

/**
 * The SDK client for `config` with these credentials; the SDK's own retries are off. With `logger`,
 * the SDK's warnings go there (never to the console); without, the SDK logs nothing.
 */
export function createOpenAiClient(
  sdk: OpenAiModule,
  config: OpenAiKindConfig,
  credentials: Credentials,
  logger?: SdkLogger,
): OpenAI {
  const common = {
    apiKey: credentials.apiKey,
    maxRetries: 0,
    timeout: config.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    ...sdkLogging(logger),
  };
  switch (config.kind) {
    case 'openai':
      return new sdk.OpenAI({
        ...common,
        baseURL: openAiBaseUrl(config),
        organization: config.organization ?? null,
        project: config.project ?? null,
        defaultHeaders: { ...config.extraHeaders, ...credentials.secretHeaders },
      });
    case 'azure':
      return new sdk.AzureOpenAI({
        ...common,
        endpoint: openAiBaseUrl(config),
        deployment: config.deployment,
        apiVersion:
          config.apiVersion ??
          (openAiApiOf(config) === 'responses'
            ? DEFAULT_AZURE_RESPONSES_API_VERSION
            : DEFAULT_AZURE_API_VERSION),
        defaultHeaders: { ...config.extraHeaders, ...credentials.secretHeaders },
      });
    case 'openaiCompatible':
      return new sdk.OpenAI({
        ...common,
        baseURL: openAiBaseUrl(config),
        // Never pick up OPENAI_ORG_ID / OPENAI_PROJECT_ID meant for api.openai.com.
        organization: null,
        project: null,
        defaultHeaders: {
          ...presetOf(config)?.defaultHeaders,
          ...config.extraHeaders,
          ...credentials.secretHeaders,
        },
      });
  }
}

/** The SDK client options that send its warnings to `logger`, or silence it without one. */
export function sdkLogging(logger: SdkLogger | undefined): {
  readonly logger?: SdkLogger;
  readonly logLevel: 'warn' | 'off';
} {
  return logger ? { logger, logLevel: 'warn' } : { logLevel: 'off' };
}

export function trimSlash(url: string | undefined): string | undefined {
  return url ? url.replace(/\/+$/, '') : undefined;
}
