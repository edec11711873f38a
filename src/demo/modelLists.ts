/**
 * The model-list endpoints the fault upstream answers, in each vendor's shape, for the Add Model
 * wizard and health checks:
 * - OpenAI and compatible services: `GET /v1/models` → `{ object: 'list', data: [{ id, object:
 *   'model', created, owned_by }] }`, and `GET /v1/models/{id}`.
 * - Anthropic (`anthropic-version` header): `GET /v1/models` → `{ data: [{ type: 'model', id,
 *   display_name, created_at, … }], has_more, first_id, last_id }`, newest first, paged by `limit`
 *   (1 to 1000, default 20) and `after_id` / `before_id`, as the API pages (docs.anthropic.com
 *   "List Models"); the model fields follow `ModelInfo` of `@anthropic-ai/sdk` 1.15.0.
 * - Ollama: `GET /api/tags` → `{ models: [{ name, model, modified_at, size, digest, details }] }`.
 */

import { claudeFamilies, claudeFamily, isRetired } from './claudeFamilies';
import { parseFaultBehaviour } from './faultBehaviour';
import { type ErrorAnswer } from './faultResponses';
import { errorFor } from './faultErrors';

/** Which models each list shows; a plain array is shown by every list. */
export interface ListedModels {
  readonly openai?: readonly string[];
  readonly anthropic?: readonly string[];
  readonly ollama?: readonly string[];
}

/** The fault models every default list offers, so the demo can be picked from a list too. */
const FAULT_MODELS = [
  'ok',
  'drip-40',
  'flaky-2',
  'error-500',
  'ratelimit-2',
  'overloaded',
  'bursty',
  'cut-5',
  'hang',
];

/** Current ids as the vendors listed them on 2026-12-01 (`openai` 7.59.0 `ChatModel`, Anthropic's model table). */
export const DEFAULT_LISTED_MODELS: Required<ListedModels> = {
  openai: [
    'gpt-5.6-sol',
    'gpt-5.6-terra',
    'gpt-5.6-luna',
    'gpt-5.5',
    'gpt-5.5-pro',
    'gpt-5.4',
    'gpt-5.4-mini',
    'gpt-5.4-nano',
    'gpt-5.3-chat-latest',
    'gpt-5.2',
    'gpt-5.1-codex-max',
    'gpt-5-mini',
    'o4-mini',
    'o3',
    'gpt-4.1',
    'gpt-4o-mini',
    ...FAULT_MODELS,
  ],
  anthropic: [
    'claude-opus-5-5',
    'claude-sonnet-5-5',
    'claude-haiku-5-5',
    'claude-opus-4-8',
    'claude-sonnet-4-6',
    'claude-haiku-4-5',
    'claude-opus-4-5',
    ...FAULT_MODELS,
  ],
  ollama: ['llama3.2:latest', 'qwen3:8b', 'gpt-oss:20b', 'mistral:7b', ...FAULT_MODELS],
};

/** The lists an upstream shows, from its `listedModels` option. */
export function resolveListedModels(
  option: readonly string[] | ListedModels | undefined,
): Required<ListedModels> {
  if (option === undefined) return DEFAULT_LISTED_MODELS;
  if (Array.isArray(option)) return { openai: option, anthropic: option, ollama: option };
  const lists = option as ListedModels;
  return {
    openai: lists.openai ?? DEFAULT_LISTED_MODELS.openai,
    anthropic: lists.anthropic ?? DEFAULT_LISTED_MODELS.anthropic,
    ollama: lists.ollama ?? DEFAULT_LISTED_MODELS.ollama,
  };
}

/** A fixed moment for fault models' dates, so lists are deterministic. */
const DEMO_CREATED = '2026-01-01T00:00:00Z';

export function openAiModel(id: string): Record<string, unknown> {
  const real = /^(gpt-|o\d|codex|chatgpt)/.test(id);
  return {
    id,
    object: 'model',
    created: Math.floor(Date.parse(DEMO_CREATED) / 1000),
    owned_by: real ? 'openai' : 'llm-manager-demo',
  };
}

export function openAiModelList(ids: readonly string[]): unknown {
  return { object: 'list', data: ids.map(openAiModel) };
}

export function anthropicModel(id: string, now: number): Record<string, unknown> {
  const family = claudeFamily(id);
  const retired = family !== undefined && isRetired(family, now);
  const deprecated = !retired && family?.retiresOn !== undefined;
  return {
    type: 'model',
    id,
    display_name: family?.displayName ?? `Demo ${id}`,
    created_at: family ? `${family.releasedOn}T00:00:00Z` : DEMO_CREATED,
    lifecycle: retired ? 'retired' : deprecated ? 'deprecated' : 'active',
    deprecated_at: null,
    retires_at: family?.retiresOn ? `${family.retiresOn}T17:00:00Z` : null,
    max_input_tokens: family?.contextWindow ?? null,
    max_tokens: family?.maxOutputTokens ?? null,
    capabilities: null,
    line: null,
  };
}

export interface AnthropicPageQuery {
  readonly limit?: string | null;
  readonly afterId?: string | null;
  readonly beforeId?: string | null;
  /** Lifecycle stages to list; empty for the API's default (active and deprecated). */
  readonly lifecycle?: readonly string[];
}

/**
 * One page of Anthropic's list: newest first (known families by release, fault models after them),
 * retired models left out unless `lifecycle` asks for them, as the API does (`@anthropic-ai/sdk`
 * 1.15.0 `ModelListParams.lifecycle`).
 */
export function anthropicModelPage(
  ids: readonly string[],
  query: AnthropicPageQuery,
  now: number,
): { status: number; body: unknown } {
  const limit = query.limit === undefined || query.limit === null ? 20 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    return {
      status: 400,
      body: {
        type: 'error',
        error: {
          type: 'invalid_request_error',
          message: 'limit: Input should be greater than or equal to 1 and less than or equal to 1000',
        },
      },
    };
  }
  const stages = query.lifecycle?.length ? query.lifecycle : ['active', 'deprecated'];
  const order = new Map(claudeFamilies().map((family, index) => [family.id, index]));
  const rank = (id: string) => {
    const family = claudeFamily(id);
    return family ? (order.get(family.id) ?? 0) : order.size;
  };
  const models = ids
    .map((id) => anthropicModel(id, now))
    .filter((model) => stages.includes(model.lifecycle as string))
    .map((model, index) => ({ model, index }))
    .sort((a, b) => rank(a.model.id as string) - rank(b.model.id as string) || a.index - b.index)
    .map(({ model }) => model);
  let start = 0;
  let end = models.length;
  if (query.afterId) start = models.findIndex((model) => model.id === query.afterId) + 1;
  if (query.beforeId)
    end = Math.max(
      0,
      models.findIndex((model) => model.id === query.beforeId),
    );
  const window =
    query.beforeId && !query.afterId
      ? models.slice(Math.max(0, end - limit), end)
      : models.slice(start, end).slice(0, limit);
  const lastIndex = window.length === 0 ? -1 : models.indexOf(window[window.length - 1]);
  const firstIndex = window.length === 0 ? -1 : models.indexOf(window[0]);
  const hasMore = query.beforeId && !query.afterId ? firstIndex > 0 : lastIndex >= 0 && lastIndex < end - 1;
  return {
    status: 200,
    body: {
      data: window,
      has_more: hasMore,
      first_id: window[0]?.id ?? null,
      last_id: window[window.length - 1]?.id ?? null,
    },
  };
}

/** Ollama's `/api/tags`: local models with their files' size and digest. */
export function ollamaTags(names: readonly string[]): unknown {
  return {
    models: names.map((name, index) => {
      const [base, tag = 'latest'] = name.split(':');
      const family = base.replace(/[\d.:-].*$/, '') || base;
      const digest = [...`${base}:${tag}`].reduce((hash, char) => (hash * 31 + char.charCodeAt(0)) >>> 0, 7);
      const billions = /^(\d+)b$/i.exec(tag)?.[1];
      return {
        name,
        model: name,
        modified_at: new Date(Date.parse(DEMO_CREATED) + index * 86_400_000).toISOString(),
        size: 2_000_000_000 + index * 100_000_000,
        digest: digest.toString(16).padStart(8, '0').repeat(8),
        details: {
          parent_model: '',
          format: 'gguf',
          family,
          families: [family],
          parameter_size: billions ? `${billions}B` : '3.2B',
          quantization_level: 'Q4_K_M',
        },
      };
    }),
  };
}

/**
 * The answer to a model-list request (`GET …/models`, `GET …/models/{id}`, `GET /api/tags`), once
 * the key was checked. A single model named `auth`, `notfound` or `forbidden` answers that error.
 */
export function modelListAnswer(
  listed: Required<ListedModels>,
  vendor: 'openai' | 'anthropic',
  url: URL,
  now: number,
): ErrorAnswer {
  const ok = (body: unknown): ErrorAnswer => ({ status: 200, headers: {}, body });
  if (url.pathname === '/api/tags') return ok(ollamaTags(listed.ollama));
  const rawId = /\/models\/([^/]+)$/.exec(url.pathname)?.[1];
  if (rawId !== undefined) {
    const id = decodeURIComponent(rawId);
    const behaviour = parseFaultBehaviour(id);
    if (behaviour.kind === 'auth' || behaviour.kind === 'notFound' || behaviour.kind === 'forbidden')
      return errorFor(behaviour, { vendor, model: id, presentedKey: '', now })!;
    return ok(vendor === 'anthropic' ? anthropicModel(id, now) : openAiModel(id));
  }
  if (vendor === 'openai') return ok(openAiModelList(listed.openai));
  const page = anthropicModelPage(
    listed.anthropic,
    {
      limit: url.searchParams.get('limit'),
      afterId: url.searchParams.get('after_id'),
      beforeId: url.searchParams.get('before_id'),
      // The SDK writes arrays as `lifecycle[]=…`; a plain or comma-separated `lifecycle` reads too.
      lifecycle: [...url.searchParams.getAll('lifecycle[]'), ...url.searchParams.getAll('lifecycle')].flatMap(
        (value) => value.split(','),
      ),
    },
    now,
  );
  return { status: page.status, headers: {}, body: page.body };
}
