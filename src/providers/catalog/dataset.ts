/**
 * The price dataset: `@pydantic/genai-prices`, loaded on the first lookup and never at activation
 * (its 470 KB of data take tens of milliseconds to compile). The library keeps its active dataset
 * per process and replaces it through its own `updatePrices` mechanism; this module mirrors which
 * dataset is active (packaged or refreshed, and its date) so every price can say how old it is.
 */

import type * as GenaiPrices from '@pydantic/genai-prices';

export type GenaiPricesModule = typeof GenaiPrices;
export type CatalogProviderData = GenaiPrices.Provider;

/**
 * The dataset packaged with this build. The data carries no date of its own, so the date is the
 * npm release's (`npm view @pydantic/genai-prices time`); a unit test fails when the installed
 * version is not this one, so an upgrade cannot keep a stale date.
 */
export const PACKAGED_DATASET = {
  library: '@pydantic/genai-prices',
  version: '0.1.8',
  date: '2026-09-23',
} as const;

/** The packaged dataset's date, for the UI ("prices of 2026-09-23"). */
export const CATALOG_DATE: string = PACKAGED_DATASET.date;

/** Which dataset prices come from right now. */
export interface CatalogInfo {
  /** `packaged`: the data shipped with the extension; `refreshed`: a newer copy fetched on request. */
  readonly source: 'packaged' | 'refreshed';
  /** ISO date of the data: the release date when packaged, the download date when refreshed. */
  readonly date: string;
  /** Version of the library that reads the data. */
  readonly libraryVersion: string;
}

interface DatasetState {
  library?: GenaiPricesModule;
  /** The packaged providers, kept the first time another dataset replaces them (to restore them). */
  packaged?: readonly CatalogProviderData[];
  info: CatalogInfo;
  /** Bumped whenever the active data changes, so memoised lookups are dropped. */
  generation: number;
}

const PACKAGED_INFO: CatalogInfo = {
  source: 'packaged',
  date: PACKAGED_DATASET.date,
  libraryVersion: PACKAGED_DATASET.version,
};

// The library's own data is process-wide, so what describes it is too.
const state: DatasetState = { info: PACKAGED_INFO, generation: 0 };

/** The library, loaded on first use (the bundle requires it from dist/genai-prices.cjs). */
export function genaiPrices(): GenaiPricesModule {
  // A plain require keeps the load synchronous and lazy; esbuild.js maps it to the copied file.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  state.library ??= require('@pydantic/genai-prices') as GenaiPricesModule;
  return state.library;
}

/** Whether the dataset has been loaded in this process (activation must not load it). */
export function isCatalogLoaded(): boolean {
  return state.library !== undefined;
}

/** Which dataset is active and how old it is. */
export function catalogInfo(): CatalogInfo {
  return state.info;
}

/** Counter that changes whenever the active data does (memo key for lookups). */
export function catalogGeneration(): number {
  return state.generation;
}

/**
 * Replaces the active data through the library's update mechanism: `updatePrices` hands `obtain`
 * the URL the library publishes its data at, and the promise `obtain` returns goes to the
 * library's `setProviderData`. It must resolve to validated data, or to `null` to keep what is
 * active. Resolves to whether the library took the data; `info` then describes it.
 */
export async function activateDataset(
  obtain: (remoteDataUrl: string) => Promise<readonly CatalogProviderData[] | null>,
  info: CatalogInfo,
): Promise<boolean> {
  const library = genaiPrices();
  if (state.packaged === undefined && state.info.source === 'packaged') {
    state.packaged = (await library.waitForUpdate()) ?? undefined;
  }
  const outcome = { accepted: false };
  library.updatePrices(({ remoteDataUrl, setProviderData }) => {
    setProviderData(
      obtain(remoteDataUrl).then((value) => {
        outcome.accepted = value !== null;
        return value === null ? null : [...value];
      }),
    );
  });
  try {
    await library.waitForUpdate();
  } catch {
    // The library refused the data and keeps what was active.
    return false;
  }
  if (!outcome.accepted) return false;
  state.info = info;
  state.generation++;
  return true;
}

/** Goes back to the packaged dataset (after a refreshed one), e.g. when refresh is turned off. */
export async function restorePackagedDataset(): Promise<void> {
  if (state.info.source === 'packaged' || state.packaged === undefined) return;
  const packaged = state.packaged;
  await activateDataset(async () => packaged, PACKAGED_INFO);
}

/**
 * Runs a library call with its `console.warn` (e.g. a price key this version does not know, in a
 * newer dataset) sent to `onWarning` instead of the console. Synchronous calls only.
 */
export function withLibraryWarnings<T>(call: () => T, onWarning: (message: string) => void): T {
  const original = console.warn;
  console.warn = (...args: unknown[]) => onWarning(args.map(String).join(' '));
  try {
    return call();
  } finally {
    console.warn = original;
  }
}
