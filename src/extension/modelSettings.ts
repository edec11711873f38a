/**
 * One entry of `llmManager.models`: its shape, its validation (a problem names the field and the
 * entry is left out, the rest keeps working) and the stored-key id it reads. No `vscode` here.
 */
import { PRESETS } from '../providers/presets';
import { parseModelContract, type ModelContractSettings } from './modelContractSettings';

/** Reports a problem with the setting `key` (relative to `llmManager.`). */
export type ProblemSink = (key: string, message: string) => void;

export const PROVIDER_KINDS = ['openai', 'anthropic', 'azure', 'openaiCompatible', 'vscode-lm'] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

/** One entry of `llmManager.models`, validated (its vendor-contract settings: see modelContractSettings.ts). */
export interface ModelSettings extends ModelContractSettings {
  /** The name used everywhere in LLM Manager (active model, chain, traces). */
  readonly id: string;
  readonly provider: ProviderKind;
  /** The vendor's model name (for Azure: the model behind the deployment, for prices). */
  readonly model: string;
  readonly preset?: string;
  readonly baseUrl?: string;
  readonly deployment?: string;
  readonly apiVersion?: string;
  /** Extra HTTP headers; `${key}` in a value is replaced by the model's secret key at request time. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Which stored key the model uses; models of one provider or endpoint share one by default. */
  readonly keyId?: string;
  /** `none` for endpoints that need no key (local servers, an open gateway). */
  readonly auth?: 'apiKey' | 'none';
  readonly contextWindow?: number;
  readonly maxOutputTokens?: number;
  readonly inputPricePerMTok?: number;
  readonly outputPricePerMTok?: number;
  readonly free?: boolean;
  readonly rpm?: number;
  readonly weight?: number;
  readonly priority?: number;
  readonly displayName?: string;
  /** For `vscode-lm`: which of VS Code's models (e.g. vendor `copilot`, family `gpt-4o`). */
  readonly vendor?: string;
  readonly family?: string;
}

/** Preset ids by their lower-case spelling, so `lmstudio` and `lmStudio` both work. */
const PRESET_BY_LOWER_CASE = new Map(
  Object.values(PRESETS).map((preset) => [preset.id.toLowerCase(), preset]),
);

export function parseModels(raw: unknown, problem: ProblemSink): ModelSettings[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    problem('models', 'must be a list of model objects; no models are configured.');
    return [];
  }
  const models: ModelSettings[] = [];
  const seen = new Set<string>();
  raw.forEach((entry: unknown, index) => {
    const where = `models[${index}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problem(where, 'must be an object with at least "id" and "provider"; this entry is ignored.');
      return;
    }
    const id =
      typeof (entry as Record<string, unknown>).id === 'string'
        ? ` (${(entry as Record<string, unknown>).id})`
        : '';
    const result = parseModelEntry(entry as Record<string, unknown>, (message) =>
      problem(`${where}${id}`, message),
    );
    if (typeof result === 'string') {
      problem(`${where}${id}`, `${result}; this model is ignored.`);
      return;
    }
    if (seen.has(result.id)) {
      problem(where, `repeats the id "${result.id}"; only the first is used.`);
      return;
    }
    seen.add(result.id);
    models.push(result);
  });
  return models;
}

/**
 * Validates one `llmManager.models` entry; returns the reason it is unusable as a string. Problems
 * that leave the model usable (a contract setting left out) go to `warn`.
 */
export function parseModelEntry(
  entry: Record<string, unknown>,
  warn: (message: string) => void = () => undefined,
): ModelSettings | string {
  const id = typeof entry.id === 'string' ? entry.id.trim() : '';
  if (!id) return 'needs an "id" (the name you will see and use in the chain)';
  if (!/^[\w.:@/-]{1,80}$/.test(id)) return `"id" may use letters, digits and . _ : @ / - only (got "${id}")`;
  const provider = entry.provider;
  if (typeof provider !== 'string' || !(PROVIDER_KINDS as readonly string[]).includes(provider)) {
    return `"provider" must be one of ${PROVIDER_KINDS.join(', ')} (got ${JSON.stringify(provider)})`;
  }
  const kind = provider as ProviderKind;
  const text = (key: string): string | undefined =>
    typeof entry[key] === 'string' && (entry[key] as string).trim()
      ? (entry[key] as string).trim()
      : undefined;
  const model =
    text('model') ??
    (kind === 'vscode-lm' ? (text('family') ?? id) : kind === 'azure' ? (text('deployment') ?? id) : id);

  const baseUrl = text('baseUrl');
  if (baseUrl !== undefined && !isHttpUrl(baseUrl))
    return `"baseUrl" is not a valid http(s) URL (got "${baseUrl}")`;
  if (kind === 'azure') {
    if (!baseUrl) return 'Azure needs "baseUrl" (your resource endpoint, e.g. https://NAME.openai.azure.com)';
    if (!text('deployment')) return 'Azure needs "deployment" (the deployment name)';
  }
  const presetName = text('preset');
  const presetInfo =
    presetName === undefined ? undefined : PRESET_BY_LOWER_CASE.get(presetName.toLowerCase());
  if (presetName !== undefined && !presetInfo) {
    return `"preset" must be one of ${Object.keys(PRESETS).join(', ')} (got "${presetName}")`;
  }
  const preset = presetInfo?.id;
  if (kind === 'openaiCompatible' && !baseUrl && !preset)
    return 'an OpenAI-compatible model needs "baseUrl" or a "preset"';

  for (const key of ['contextWindow', 'maxOutputTokens', 'rpm']) {
    const value = entry[key];
    if (value !== undefined && !(typeof value === 'number' && Number.isInteger(value) && value > 0)) {
      return `"${key}" must be a whole number above 0 (got ${JSON.stringify(value)})`;
    }
  }
  for (const key of ['inputPricePerMTok', 'outputPricePerMTok', 'weight', 'priority']) {
    const value = entry[key];
    if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value >= 0)) {
      return `"${key}" must be a number ≥ 0 (got ${JSON.stringify(value)})`;
    }
  }
  let headers: Record<string, string> | undefined;
  if (entry.headers !== undefined) {
    if (
      typeof entry.headers !== 'object' ||
      entry.headers === null ||
      Array.isArray(entry.headers) ||
      !Object.values(entry.headers).every((v) => typeof v === 'string')
    ) {
      return '"headers" must be an object of header names to text values';
    }
    headers = { ...(entry.headers as Record<string, string>) };
  }
  const auth = entry.auth === 'none' || entry.auth === 'apiKey' ? entry.auth : undefined;
  if (entry.auth !== undefined && auth === undefined) return '"auth" must be "apiKey" or "none"';

  const numberOrUndefined = (key: string) =>
    typeof entry[key] === 'number' ? (entry[key] as number) : undefined;
  const settings: ModelSettings = {
    id,
    provider: kind,
    model,
    preset,
    baseUrl,
    deployment: text('deployment'),
    apiVersion: text('apiVersion'),
    headers,
    keyId: text('keyId'),
    auth:
      auth ??
      (kind === 'vscode-lm' || (presetInfo !== undefined && !presetInfo.requiresKey) ? 'none' : 'apiKey'),
    contextWindow: numberOrUndefined('contextWindow'),
    maxOutputTokens: numberOrUndefined('maxOutputTokens'),
    inputPricePerMTok: numberOrUndefined('inputPricePerMTok'),
    outputPricePerMTok: numberOrUndefined('outputPricePerMTok'),
    free: entry.free === true,
    rpm: numberOrUndefined('rpm'),
    weight: numberOrUndefined('weight'),
    priority: numberOrUndefined('priority'),
    displayName: text('displayName'),
    vendor: text('vendor'),
    family: text('family'),
    ...parseModelContract(entry, kind, model, warn),
  };
  return settings;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0;
  } catch {
    return false;
  }
}

/** The stored-key name a model uses: explicit, else one per provider or endpoint. */
export function keyIdFor(model: ModelSettings): string | undefined {
  if (model.auth === 'none' || model.provider === 'vscode-lm') return undefined;
  if (model.keyId) return model.keyId;
  switch (model.provider) {
    case 'openai':
    case 'anthropic':
      return model.baseUrl ? `${model.provider}@${new URL(model.baseUrl).host}` : model.provider;
    case 'azure':
      return `azure@${new URL(model.baseUrl!).host}`;
    case 'openaiCompatible':
      return model.preset && !model.baseUrl
        ? model.preset
        : `openaiCompatible@${new URL(model.baseUrl!).host}`;
    default:
      return undefined;
  }
}
