/**
 * Builds the `openai` SDK client a config describes (OpenAI, Azure, OpenAI-compatible), for the
 * chat provider and for model discovery alike, so both reach the same host with the same headers.
 */

import type OpenAI from 'openai';
import type * as OpenAiSdk from 'openai';
import { azureClientOptions, constructWithoutSdkEnvironment, openAiClientOptions } from './clientOptions';
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
      return trimSlash(config.baseUrl) ?? DEFAULT_OPENAI_BASE_URL;
    case 'azure':
      return trimSlash(config.endpoint);
    case 'openaiCompatible':
      return trimSlash(config.baseUrl) ?? presetOf(config)?.baseUrl;
  }
}

/**
 * The SDK client for `config` with these credentials; the SDK's own retries are off. Every option
 * an environment variable could fill is pinned (see clientOptions.ts), and the client is built with
 * the SDKs' variables hidden. With `logger`, the SDK's warnings go there (never to the console);
 * without, the SDK logs nothing.
 */
export function createOpenAiClient(
  sdk: OpenAiModule,
  config: OpenAiKindConfig,
  credentials: Credentials,
  logger?: SdkLogger,
): OpenAI {
  const endpoint = openAiBaseUrl(config) ?? '';
  const pinned = (presetHeaders: Readonly<Record<string, string>> = {}) => ({
    apiKey: credentials.apiKey,
    endpoint,
    timeoutMs: config.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    headers: { ...presetHeaders, ...config.extraHeaders, ...credentials.secretHeaders },
    logger,
  });
  switch (config.kind) {
    case 'openai':
      return constructWithoutSdkEnvironment(
        () =>
          new sdk.OpenAI(
            openAiClientOptions({ ...pinned(), organization: config.organization, project: config.project }),
          ),
      );
    case 'azure':
      return constructWithoutSdkEnvironment(
        () =>
          new sdk.AzureOpenAI(
            azureClientOptions({
              ...pinned(),
              deployment: config.deployment,
              apiVersion:
                config.apiVersion ??
                (openAiApiOf(config) === 'responses'
                  ? DEFAULT_AZURE_RESPONSES_API_VERSION
                  : DEFAULT_AZURE_API_VERSION),
            }),
          ),
      );
    case 'openaiCompatible':
      return constructWithoutSdkEnvironment(
        // No organization or project: OPENAI_ORG_ID / OPENAI_PROJECT_ID are meant for api.openai.com.
        () => new sdk.OpenAI(openAiClientOptions(pinned(presetOf(config)?.defaultHeaders))),
      );
  }
}

export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';
export const DEFAULT_ANTHROPIC_BASE_URL = 'https://api.anthropic.com';

export function trimSlash(url: string | undefined): string | undefined {
  return url ? url.replace(/\/+$/, '') : undefined;
}
