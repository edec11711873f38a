/**
 * Discovery: the models a provider really serves, fetched with the stored key from its model-list
 * endpoint (OpenAI and compatible `/models` through the `openai` SDK, Anthropic's `/v1/models`
 * through its SDK with pagination, Ollama's `/api/tags` at the server root), each joined with the
 * catalog (price, window, deprecation, end of life, the dataset's date), newest first.
 */

import { LlmError } from '../core';
import { isPastEndOfLife, capabilitiesOf } from './catalog/familyRules';
import { catalogModelsOf, lookupModel, type CatalogPrices } from './catalog/lookup';
import { createOpenAiClient, DEFAULT_ANTHROPIC_BASE_URL, openAiBaseUrl, trimSlash } from './clients';
import { anthropicClientOptions, constructWithoutSdkEnvironment } from './clientOptions';
import { readCredentials, type Credentials } from './credentials';
import { translateError } from './errorMapping';
import type { ProviderDeps } from './openAiChatProvider';
import {
  DEFAULT_REQUEST_TIMEOUT_MS,
  isLocalProvider,
  keyIdOf,
  presetOf,
  providerLabel,
  type ProviderConfig,
} from './providerConfig';

/** One model a provider lists, with what the catalog and the family rules know of it. */
export interface DiscoveredModel {
  /** The id to put in the model's settings. */
  readonly id: string;
  /** The provider's own name for it, when it gives one. */
  readonly displayName?: string;
  /** When the provider says the model was created or last changed (ms since the epoch). */
  readonly createdAt?: number;
  /** The provider's figure when it reports one, else the catalog's. */
  readonly contextWindow?: number;
  /** The catalog's prices; undefined when unknown (or free). */
  readonly prices?: CatalogPrices;
  /** Neither the catalog nor a local runner prices it: it would count as paid with unknown cost. */
  readonly priceUnknown: boolean;
  /** Runs locally: free. */
  readonly free: boolean;
  /** The dataset's model the prices come from (a family id for dated ids). */
  readonly catalogId?: string;
  /** The dataset marks it deprecated, or it has an announced end of life. */
  readonly deprecated: boolean;
  /** ISO date from which the vendor refuses it, when announced. */
  readonly endOfLife?: string;
  /** Past its end of life: listed only with `includeEndOfLife`. */
  readonly pastEndOfLife: boolean;
  /** Date of the price dataset, to show beside prices. */
  readonly datasetDate: string;
  /** `provider`: the provider's list; `catalog`: the service has no list, the catalog's models. */
  readonly source: 'provider' | 'catalog';
}

export interface ListModelsOptions {
  /** Keep models past their end of life (marked `pastEndOfLife`) instead of dropping them. */
  readonly includeEndOfLife?: boolean;
  /** Keep embedding, speech, image and moderation models (dropped by default: not chat models). */
  readonly includeNonChat?: boolean;
  /** Deadline of the list request. Default 15 s. */
  readonly timeoutMs?: number;
}

interface ListedModel {
  readonly id: string;
  readonly displayName?: string;
  readonly createdAt?: number;
  readonly contextWindow?: number;
}

/** Families that are not chat models (what Add Model offers). */
const NON_CHAT =
  /embed|whisper|tts|transcribe|dall-e|gpt-image|-image|moderation|realtime|audio|^sora|^babbage|^davinci|search-preview|rerank/i;

/**
 * The models `config`'s provider serves, newest first, joined with the catalog. Models past their
 * end of life are dropped unless `includeEndOfLife`. Azure lists deployments nowhere in its
 * data-plane API: it answers a `badRequest` saying so.
 *
 * @throws {LlmError} like a request would (missing key, rejected key, network, timeout…).
 */
export async function listModels(
  config: ProviderConfig,
  deps: ProviderDeps,
  signal: AbortSignal,
  options: ListModelsOptions = {},
): Promise<DiscoveredModel[]> {
  const provider = providerLabel(config);
  const now = (deps.now ?? Date.now)();
  const listed = await fetchList(config, deps, signal, options);
  const models: DiscoveredModel[] = [];
  for (const item of listed.models) {
    if (!options.includeNonChat && NON_CHAT.test(item.id)) continue;
    const joined = join(provider, config, item, listed.source, now);
    if (joined.pastEndOfLife && !options.includeEndOfLife) continue;
    models.push(joined);
  }
  return models.sort(
    (a, b) => (b.createdAt ?? -Infinity) - (a.createdAt ?? -Infinity) || b.id.localeCompare(a.id),
  );
}

function join(
  provider: string,
  config: ProviderConfig,
  item: ListedModel,
  source: DiscoveredModel['source'],
  now: number,
): DiscoveredModel {
  const entry = lookupModel(provider, item.id, { now });
  const capabilities = capabilitiesOf(item.id);
  const free = isLocalProvider(config);
  const prices = !free && entry.known ? entry.prices : undefined;
  const contextWindow = item.contextWindow ?? (entry.known ? entry.contextWindow : undefined);
  const pastEndOfLife = isPastEndOfLife(item.id, now);
  return {
    id: item.id,
    ...(item.displayName ? { displayName: item.displayName } : {}),
    ...(item.createdAt !== undefined ? { createdAt: item.createdAt } : {}),
    ...(contextWindow !== undefined ? { contextWindow } : {}),
    ...(prices ? { prices } : {}),
    priceUnknown: !free && prices === undefined,
    free,
    ...(entry.known ? { catalogId: entry.matchedId } : {}),
    deprecated: (entry.known && entry.deprecated) || capabilities.endOfLife !== undefined,
    ...(capabilities.endOfLife ? { endOfLife: capabilities.endOfLife } : {}),
    pastEndOfLife,
    datasetDate: entry.datasetDate,
    source,
  };
}

async function fetchList(
  config: ProviderConfig,
  deps: ProviderDeps,
  signal: AbortSignal,
  options: ListModelsOptions,
): Promise<{ models: ListedModel[]; source: DiscoveredModel['source'] }> {
  const provider = providerLabel(config);
  if (config.kind === 'azure') {
    throw new LlmError(
      'badRequest',
      'Azure OpenAI does not list deployments through its API; type the deployment and its model.',
      { provider, model: config.deployment },
    );
  }
  const route = presetOf(config)?.modelListRoute ?? '/models';
  if (route === 'none') {
    return { models: catalogModelsOf(provider).map((id) => ({ id })), source: 'catalog' };
  }
  const keyRequired =
    config.kind === 'openaiCompatible' ? (config.requiresKey ?? presetOf(config)?.requiresKey ?? true) : true;
  const credentials = await readCredentials({
    secrets: deps.secrets,
    keyId: keyIdOf(config),
    keyRequired,
    secretHeaders: config.secretHeaders,
    provider,
    model: config.model,
  });
  const deadline = AbortSignal.timeout(options.timeoutMs ?? 15_000);
  const combined = AbortSignal.any([signal, deadline]);
  try {
    if (config.kind === 'anthropic')
      return { models: await anthropicList(config, credentials, combined), source: 'provider' };
    if (route === '/api/tags')
      return { models: await ollamaTags(config, credentials, combined), source: 'provider' };
    return { models: await openAiList(config, credentials, combined), source: 'provider' };
  } catch (error) {
    throw translateError(error, {
      provider,
      model: config.model,
      secrets: credentials.secrets,
      now: deps.now ?? Date.now,
      signal,
    });
  }
}

async function openAiList(
  config: Exclude<ProviderConfig, { kind: 'anthropic' | 'azure' }>,
  credentials: Credentials,
  signal: AbortSignal,
): Promise<ListedModel[]> {
  const client = createOpenAiClient(await import('openai'), config, credentials);
  // The raw body: some compatible services (Together) answer a bare array instead of `{ data }`.
  const response = await client.models.list({ signal }).asResponse();
  const body = (await response.json()) as unknown;
  const items = Array.isArray(body) ? body : ((body as { data?: unknown } | null)?.data ?? []);
  if (!Array.isArray(items)) return [];
  return items.flatMap((item: unknown): ListedModel[] => {
    const model = item as Record<string, unknown> | null;
    if (!model || typeof model.id !== 'string') return [];
    const created = typeof model.created === 'number' ? model.created * 1000 : undefined;
    // OpenRouter, Together, Fireworks: context_length; Groq: context_window; vLLM: max_model_len.
    const window = [model.context_length, model.context_window, model.max_model_len].find(positive);
    const name = [model.display_name, model.name].find((v): v is string => typeof v === 'string');
    return [
      {
        id: model.id,
        ...(name ? { displayName: name } : {}),
        ...(created !== undefined ? { createdAt: created } : {}),
        ...(window !== undefined ? { contextWindow: window } : {}),
      },
    ];
  });
}

async function anthropicList(
  config: Extract<ProviderConfig, { kind: 'anthropic' }>,
  credentials: Credentials,
  signal: AbortSignal,
): Promise<ListedModel[]> {
  const sdk = await import('@anthropic-ai/sdk');
  // Pinned like the provider's client: no environment variable picks the host or adds a header.
  const client = constructWithoutSdkEnvironment(
    () =>
      new sdk.Anthropic(
        anthropicClientOptions({
          apiKey: credentials.apiKey,
          endpoint: trimSlash(config.baseUrl) ?? DEFAULT_ANTHROPIC_BASE_URL,
          timeoutMs: config.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
          headers: { ...config.extraHeaders, ...credentials.secretHeaders },
        }),
      ),
  );
  const models: ListedModel[] = [];
  // The SDK follows `has_more` / `last_id` page by page.
  for await (const model of client.models.list({ limit: 100 }, { signal })) {
    const created = Date.parse(model.created_at);
    // Newer API versions report the window as `max_input_tokens`.
    const window = (model as { max_input_tokens?: unknown }).max_input_tokens;
    models.push({
      id: model.id,
      ...(model.display_name ? { displayName: model.display_name } : {}),
      ...(Number.isNaN(created) ? {} : { createdAt: created }),
      ...(positive(window) ? { contextWindow: window } : {}),
    });
  }
  return models;
}

/** Ollama's own list: `GET {server root}/api/tags` (the preset's base URL ends in `/v1`). */
async function ollamaTags(
  config: Exclude<ProviderConfig, { kind: 'anthropic' | 'azure' }>,
  credentials: Credentials,
  signal: AbortSignal,
): Promise<ListedModel[]> {
  const base = new URL(openAiBaseUrl(config) ?? 'http://localhost:11434/v1');
  const root = `${base.origin}${base.pathname.replace(/\/v1\/?$/, '').replace(/\/+$/, '')}`;
  const headers: Record<string, string> = { ...config.extraHeaders, ...credentials.secretHeaders };
  const response = await fetch(`${root}/api/tags`, { signal, headers });
  if (!response.ok) {
    throw Object.assign(new Error(`Ollama answered HTTP ${response.status} for /api/tags.`), {
      status: response.status,
    });
  }
  const body = (await response.json()) as { models?: unknown };
  if (!Array.isArray(body.models)) return [];
  return body.models.flatMap((item: unknown): ListedModel[] => {
    const model = item as { name?: unknown; model?: unknown; modified_at?: unknown } | null;
    const id = typeof model?.model === 'string' ? model.model : model?.name;
    if (typeof id !== 'string') return [];
    const modified = typeof model?.modified_at === 'string' ? Date.parse(model.modified_at) : NaN;
    return [{ id, ...(Number.isNaN(modified) ? {} : { createdAt: modified }) }];
  });
}

function positive(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}
