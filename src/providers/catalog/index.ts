/**
 * The model catalog: prices and context windows from a maintained dataset
 * (`@pydantic/genai-prices`, loaded on first use, refreshable on request), and what no dataset
 * has (output limits, API contracts, end of life) from one rule table by model family.
 */

export {
  CATALOG_DATE,
  catalogInfo,
  isCatalogLoaded,
  PACKAGED_DATASET,
  restorePackagedDataset,
  type CatalogInfo,
} from './dataset';
export {
  capabilitiesOf,
  isPastEndOfLife,
  REASONING_EFFORTS,
  ruleIdOf,
  type ModelCapabilities,
  type ReasoningEffort,
  type ThinkingMode,
} from './familyRules';
export {
  catalogModelsOf,
  datasetProviderOf,
  lookupModel,
  type CatalogEntry,
  type CatalogLookup,
  type CatalogPrices,
  type UnknownModel,
} from './lookup';
export {
  CATALOG_CACHE_FILE,
  refreshCatalog,
  validateDataset,
  type CatalogRefreshOptions,
  type CatalogRefreshResult,
} from './refresh';
