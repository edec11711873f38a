/**
 * The opt-in refresh of the price dataset: fetches the newer JSON the library publishes (the URL
 * the library's `updatePrices` mechanism hands out), validates it, caches it in a directory the
 * caller owns (the extension's global storage) and activates it through that same mechanism. Any
 * failure keeps the packaged data (or a valid cached copy). Nothing is fetched unless the caller,
 * which checks the user's setting, calls {@link refreshCatalog}.
 */

import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../../core';
import {
  activateDataset,
  catalogInfo,
  genaiPrices,
  PACKAGED_DATASET,
  withLibraryWarnings,
  type CatalogInfo,
  type CatalogProviderData,
} from './dataset';

export interface CatalogRefreshOptions {
  /** Where the downloaded copy is cached (the extension's global storage path). */
  readonly storageDir: string;
  /** Default: the URL the library publishes its data at (`REMOTE_DATA_JSON_URL`). */
  readonly url?: string;
  /** A cached copy younger than this is used without downloading. Default one day. */
  readonly maxAgeMs?: number;
  /** Deadline of the download. Default 15 s. */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
  readonly logger?: Pick<Logger, 'info' | 'warn'>;
  readonly signal?: AbortSignal;
}

export interface CatalogRefreshResult {
  /** Where the active prices come from now. */
  readonly source: 'downloaded' | 'cache' | 'packaged';
  readonly info: CatalogInfo;
  /** Why the download was not used, when it was not. */
  readonly problem?: string;
}

/** The cache file's name inside `storageDir`. */
export const CATALOG_CACHE_FILE = 'genai-prices.json';
const DAY_MS = 86_400_000;
/** The published file is about 400 KB; anything far larger is not it. */
const MAX_BYTES = 20 * 1024 * 1024;

interface CachedDataset {
  readonly fetchedAt: string;
  readonly libraryVersion: string;
  readonly data: readonly CatalogProviderData[];
}

/**
 * Refreshes the dataset: a fresh cached copy, else a download, validated before use; on any
 * failure the packaged data stays (a valid cached copy, even stale, is preferred to it).
 */
export async function refreshCatalog(options: CatalogRefreshOptions): Promise<CatalogRefreshResult> {
  const now = options.now ?? Date.now;
  const cachePath = path.join(options.storageDir, CATALOG_CACHE_FILE);
  const cached = await readCache(cachePath);
  const cacheAge = cached ? now() - Date.parse(cached.fetchedAt) : Infinity;
  if (cached && cacheAge < (options.maxAgeMs ?? DAY_MS)) {
    if (await activate(cached)) return { source: 'cache', info: catalogInfo() };
  }

  const fetchedAt = new Date(now()).toISOString();
  const outcome: { data?: readonly CatalogProviderData[]; problem: string } = {
    problem: 'the library refused the downloaded data',
  };
  const accepted = await activateDataset(
    (remoteDataUrl) =>
      downloadDataset(options.url ?? remoteDataUrl, options).then(
        (data) => (outcome.data = data),
        (error: unknown) => {
          outcome.problem = error instanceof Error ? error.message : String(error);
          return null;
        },
      ),
    infoOf(fetchedAt),
  );
  if (accepted && outcome.data) {
    await writeCache(
      cachePath,
      { fetchedAt, libraryVersion: PACKAGED_DATASET.version, data: outcome.data },
      options.logger,
    );
    options.logger?.info(
      `Price catalog refreshed: ${outcome.data.length} providers, as of ${fetchedAt.slice(0, 10)}.`,
    );
    return { source: 'downloaded', info: catalogInfo() };
  }
  const problem = outcome.problem;
  options.logger?.warn(
    `Price catalog refresh failed: ${problem}; keeping the ${cached ? 'cached' : 'packaged'} prices.`,
  );
  if (cached && (await activate(cached))) return { source: 'cache', info: catalogInfo(), problem };
  return { source: 'packaged', info: catalogInfo(), problem };
}

function infoOf(fetchedAt: string): CatalogInfo {
  return { source: 'refreshed', date: fetchedAt.slice(0, 10), libraryVersion: PACKAGED_DATASET.version };
}

/** Activates a cached copy (already validated) through the library's mechanism. */
function activate(dataset: CachedDataset): Promise<boolean> {
  return activateDataset(async () => dataset.data, infoOf(dataset.fetchedAt));
}

async function downloadDataset(
  url: string,
  options: CatalogRefreshOptions,
): Promise<readonly CatalogProviderData[]> {
  const fetchImpl = options.fetch ?? fetch;
  const deadline = AbortSignal.timeout(options.timeoutMs ?? 15_000);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  let response: Response;
  try {
    response = await fetchImpl(url, { signal, headers: { accept: 'application/json' } });
  } catch (error) {
    throw new Error(`could not reach ${hostOf(url)} (${causeOf(error)})`, { cause: error });
  }
  if (!response.ok) throw new Error(`${hostOf(url)} answered HTTP ${response.status}`);
  const text = await response.text();
  if (text.length > MAX_BYTES) throw new Error('the download is too large to be the price dataset');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error('the download is not JSON');
  }
  return validateDataset(json);
}

/**
 * Checks that `json` is a dataset this library version can use: providers with ids and models,
 * OpenAI's and Anthropic's among them, at least half as many models as the packaged data (a
 * truncated file is refused), and every provider accepted by the library's own normaliser.
 *
 * @throws Error saying what is wrong.
 */
export function validateDataset(json: unknown): readonly CatalogProviderData[] {
  if (!Array.isArray(json)) throw new Error('the dataset is not a list of providers');
  for (const provider of json) {
    const p = provider as Partial<CatalogProviderData> | null;
    if (!p || typeof p.id !== 'string' || typeof p.api_pattern !== 'string' || !Array.isArray(p.models)) {
      throw new Error('a provider entry lacks its id, api_pattern or models');
    }
    for (const model of p.models) {
      if (!model || typeof model.id !== 'string' || typeof model.match !== 'object' || !model.prices) {
        throw new Error(`a model of ${p.id} lacks its id, match or prices`);
      }
    }
  }
  const providers = json as CatalogProviderData[];
  for (const required of ['openai', 'anthropic']) {
    if (!providers.some((p) => p.id === required)) throw new Error(`the dataset has no ${required} provider`);
  }
  const models = providers.reduce((sum, p) => sum + p.models.length, 0);
  const packagedModels = packagedModelCount();
  if (models < packagedModels / 2) {
    throw new Error(`the dataset lists ${models} models, far fewer than the packaged ${packagedModels}`);
  }
  const library = genaiPrices();
  const warnings: string[] = [];
  for (const provider of providers) {
    const first = provider.models[0];
    if (!first) continue;
    try {
      withLibraryWarnings(
        () => library.calcPrice({}, first.id, { provider }),
        (warning) => warnings.push(warning),
      );
    } catch (error) {
      throw new Error(`the library cannot read ${provider.id}: ${causeOf(error)}`, { cause: error });
    }
  }
  if (warnings.length > 0) throw new Error(`the library does not understand it: ${warnings[0]}`);
  return providers;
}

let packagedCount: number | undefined;

/** Models in the packaged dataset, counted through the library (it does not export the list). */
function packagedModelCount(): number {
  if (packagedCount !== undefined) return packagedCount;
  const library = genaiPrices();
  const ids = ['openai', 'anthropic', 'google', 'openrouter', 'aws', 'azure', 'groq', 'mistral'];
  packagedCount = ids.reduce(
    (sum, id) => sum + (library.findProvider({ providerId: id })?.models.length ?? 0),
    0,
  );
  return packagedCount;
}

async function readCache(file: string): Promise<CachedDataset | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as Partial<CachedDataset>;
    if (typeof parsed.fetchedAt !== 'string' || Number.isNaN(Date.parse(parsed.fetchedAt))) return undefined;
    // A copy older than the packaged data, or read by another library version, is not used.
    if (parsed.fetchedAt.slice(0, 10) < PACKAGED_DATASET.date) return undefined;
    if (parsed.libraryVersion !== PACKAGED_DATASET.version) return undefined;
    return {
      fetchedAt: parsed.fetchedAt,
      libraryVersion: parsed.libraryVersion,
      data: validateDataset(parsed.data),
    };
  } catch {
    return undefined;
  }
}

async function writeCache(
  file: string,
  dataset: CachedDataset,
  logger: Pick<Logger, 'warn'> | undefined,
): Promise<void> {
  try {
    await fs.mkdir(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    await fs.writeFile(temporary, JSON.stringify(dataset));
    await fs.rename(temporary, file);
  } catch (error) {
    logger?.warn(
      `The refreshed price catalog could not be cached (${causeOf(error)}); it is used for this session.`,
    );
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the dataset URL';
  }
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  if (typeof cause === 'string') return cause;
  return error instanceof Error ? error.message : String(error);
}
