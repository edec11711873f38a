import type * as vscode from 'vscode';
import {
  Emitter,
  type ChainStep,
  type LlmManager,
  type LlmProvider,
  type Logger,
  type ModelMetadata,
} from '../core';
import {
  createProvider,
  defaultModelMetadata,
  endpointOf,
  isCatalogLoaded,
  catalogInfo,
  isLiteLlmMember,
  listModels,
  loadCatalog,
  teamBudget as readTeamBudget,
  validateProviderConfig,
  type DiscoveredModel,
  type ProviderConfig,
  type SecretSource,
} from '../providers';
import type { KeyRelease, KeyUse } from './keyConsent';
import { hostOf } from './keyDestinations';
import type { PresetId } from '../providers/presets';
import { keyIdFor, type ExtensionSettings, type ModelSettings } from './settings';
import type { TeamBudgetReader } from './teamBudgets';

/** Key id under which keyless models (local servers, the demo) read their placeholder key. */
const KEYLESS_ID = '\u0000keyless';
const KEYLESS_VALUE = 'no-key-needed';

/** The models "Try Without Keys" adds while it runs; settings stay untouched. */
export interface DemoSetup {
  readonly models: readonly ModelSettings[];
  readonly activeModel?: string;
  readonly fallbackChain: readonly ChainStep[];
}

interface Registration {
  readonly fingerprint: string;
  readonly settings: ModelSettings;
  readonly provider: LlmProvider;
  /** The stored keys the model sends, and to which host. */
  readonly keyUses: readonly KeyUse[];
  /** Reads the team gateway's budget for the model's key (LiteLLM members only). */
  readonly teamBudget?: TeamBudgetReader;
}

/** Builds a provider for a `vscode-lm` model (VS Code's own models); supplied by the extension. */
export type VscodeLmProviderFactory = (model: ModelSettings) => LlmProvider;

/**
 * Keeps the manager's registry in line with the settings (and the demo, while it runs): registers
 * new or changed models, removes deleted ones, and sets the active model and chain. A model whose
 * settings did not change keeps its provider, and a changed one keeps its circuit and metrics.
 */
export class ModelService implements vscode.Disposable {
  private settings: ExtensionSettings | undefined;
  private demo: DemoSetup | undefined;
  private readonly registrations = new Map<string, Registration>();
  private readonly _onDidChange = new Emitter<void>();
  private catalogPending: Promise<void> | undefined;
  private disposed = false;
  /** The set of models, the active model or the chain changed. */
  readonly onDidChange = this._onDidChange.event;

  constructor(
    private readonly manager: LlmManager,
    private readonly keys: KeyRelease,
    private readonly logger: Logger,
    private readonly createVscodeLmProvider: VscodeLmProviderFactory,
    private readonly reportProblem: (setting: string, message: string) => void,
  ) {}

  get demoRunning(): boolean {
    return this.demo !== undefined;
  }

  apply(settings: ExtensionSettings): void {
    this.settings = settings;
    this.reconcile();
  }

  setDemo(demo: DemoSetup | undefined): void {
    this.demo = demo;
    this.reconcile();
  }

  /** While the demo runs, "Choose active model" changes the demo's chain, not the settings. */
  setDemoActive(name: string): void {
    if (this.demo) this.setDemo({ ...this.demo, activeModel: name });
  }

  /** Every model in effect (settings first, then the demo's). */
  models(): ModelSettings[] {
    return [...this.registrations.values()].map((r) => r.settings);
  }

  modelSettings(name: string): ModelSettings | undefined {
    return this.registrations.get(name)?.settings;
  }

  /** The stored-key id a model needs, or undefined when it needs none. */
  keyIdOf(name: string): string | undefined {
    const settings = this.modelSettings(name);
    return settings ? keyIdFor(settings) : undefined;
  }

  /** Every stored key the models in effect send, with the host each goes to. */
  keyUses(): KeyUse[] {
    return [...this.registrations.values()].flatMap((r) => r.keyUses);
  }

  /** How to read the model's team budget, when it is a gateway member that keeps one per key. */
  teamBudgetReader(name: string): TeamBudgetReader | undefined {
    return this.registrations.get(name)?.teamBudget;
  }

  /** Runs the provider's cheap real check (model list or a one-token request). */
  async healthCheck(name: string, signal: AbortSignal): Promise<void> {
    const registration = this.registrations.get(name);
    if (!registration) throw new Error(`Unknown model "${name}".`);
    if (registration.provider.healthCheck) {
      await registration.provider.healthCheck(signal);
      return;
    }
    await registration.provider.generate(
      { model: name, messages: [{ role: 'user', content: 'ping' }], maxTokens: 1 },
      signal,
    );
  }

  private reconcile(): void {
    const wanted = new Map<string, ModelSettings>();
    for (const model of this.settings?.models ?? []) wanted.set(model.id, model);
    for (const model of this.demo?.models ?? []) {
      if (wanted.has(model.id))
        this.logger.warn(
          `A configured model is named "${model.id}" like a demo model; the demo model is not added.`,
        );
      else wanted.set(model.id, model);
    }

    for (const name of [...this.registrations.keys()]) {
      if (!wanted.has(name)) {
        this.registrations.delete(name);
        this.manager.unregisterModel(name);
      }
    }
    for (const [name, settings] of wanted) {
      const fingerprint = JSON.stringify(settings);
      if (this.registrations.get(name)?.fingerprint === fingerprint) continue;
      try {
        const { provider, metadata, keyUses, teamBudget } = this.build(settings);
        this.manager.registerModel(name, provider, metadata);
        this.registrations.set(name, { fingerprint, settings, provider, keyUses, teamBudget });
      } catch (error) {
        this.registrations.delete(name);
        this.manager.unregisterModel(name);
        this.reportProblem(
          `models (${name})`,
          `${error instanceof Error ? error.message : String(error)}; this model is ignored.`,
        );
      }
    }

    const source = this.demo ?? {
      activeModel: this.settings?.activeModel,
      fallbackChain: this.settings?.fallbackChain,
    };
    const known = (name: string) => this.registrations.has(name);
    this.manager.setActiveModel(
      source.activeModel && known(source.activeModel) ? source.activeModel : undefined,
    );
    this.manager.setFallbackChain(
      source.fallbackChain ? filterChain(source.fallbackChain, known) : undefined,
    );
    this._onDidChange.fire();
  }

  private build(settings: ModelSettings): {
    provider: LlmProvider;
    metadata: ModelMetadata;
    keyUses: readonly KeyUse[];
    teamBudget?: TeamBudgetReader;
  } {
    const overrides: Partial<ModelMetadata> = {
      contextWindow: settings.contextWindow,
      // The user's figure is both the model's limit (the catalog may lag behind) and the cap its
      // requests send, whatever their tier.
      maxOutputTokens: settings.maxOutputTokens,
      outputCap: settings.maxOutputTokens,
      inputPricePerMTok: settings.free ? 0 : settings.inputPricePerMTok,
      outputPricePerMTok: settings.free ? 0 : settings.outputPricePerMTok,
      rpm: settings.rpm,
      weight: settings.weight,
      priority: settings.priority,
      displayName: settings.displayName,
    };
    if (settings.provider === 'vscode-lm') {
      return {
        keyUses: [],
        provider: this.createVscodeLmProvider(settings),
        metadata: withDefined(
          {
            provider: `vscode-lm${settings.vendor ? `:${settings.vendor}` : ''}`,
            contextWindow: 128_000,
            maxOutputTokens: 4096,
            inputPricePerMTok: 0,
            outputPricePerMTok: 0,
          },
          overrides,
        ),
      };
    }
    const config = toProviderConfig(settings);
    const problems = validateProviderConfig(config);
    if (problems.length > 0) throw new Error(problems.join(' '));
    const host = hostOf(endpointOf(config));
    const deps = { secrets: this.secretsFor(settings.id, host), logger: this.logger };
    const provider = createProvider(config, deps);
    // The budget is read with the member's own key, through the same key-to-host check, and only
    // from the member's own host (teamBudget refuses any other).
    const teamBudget: TeamBudgetReader | undefined = isLiteLlmMember(config)
      ? (signal) => readTeamBudget(config, deps, signal)
      : undefined;
    // Activation never loads the price catalog: models registered before it loaded are
    // registered again with its prices a moment later.
    const metadata = defaultModelMetadata(config, {
      logger: this.logger,
      overrides,
      free: settings.free,
      catalog: 'ifLoaded',
    });
    const keyIds = [config.keyId, ...Object.values(config.secretHeaders ?? {})].filter(
      (keyId): keyId is string => keyId !== undefined && keyId !== KEYLESS_ID,
    );
    if (!isCatalogLoaded()) this.registerAgainWithCatalog();
    return {
      provider,
      metadata,
      keyUses: [...new Set(keyIds)].map((keyId) => ({ keyId, host })),
      teamBudget,
    };
  }

  /**
   * The secret source of one model's provider, bound to the host its SDK sends to: every key it
   * reads (its own and those of `${secret:…}` headers) goes through the key-to-host check.
   */
  private secretsFor(model: string, host: string): SecretSource {
    return {
      getKey: (keyId) =>
        keyId === KEYLESS_ID ? Promise.resolve(KEYLESS_VALUE) : this.keys.release({ keyId, host, model }),
    };
  }

  /**
   * The models the provider of `draft` (a model being added) really serves, newest first, with the
   * catalog's prices: fetched with the stored key, through the same key-to-host check as requests.
   */
  async discover(draft: ModelSettings, signal: AbortSignal): Promise<DiscoveredModel[]> {
    const config = toProviderConfig(draft);
    const problems = validateProviderConfig(config);
    if (problems.length > 0) throw new Error(problems.join(' '));
    const host = hostOf(endpointOf(config));
    return listModels(config, { secrets: this.secretsFor(draft.id, host), logger: this.logger }, signal);
  }

  /** The catalog's data changed (a refresh): every model takes its prices again. */
  reloadPrices(): void {
    if (this.disposed) return;
    for (const [name, registration] of this.registrations)
      this.registrations.set(name, { ...registration, fingerprint: '' });
    this.reconcile();
  }

  private registerAgainWithCatalog(): void {
    if (this.catalogPending) return;
    this.catalogPending = loadCatalog().then(
      () => {
        if (this.disposed) return;
        const info = catalogInfo();
        this.logger.info(
          `Prices and context windows from @pydantic/genai-prices ${info.libraryVersion}, data of ${info.date} (${info.source}).`,
        );
        this.reloadPrices();
      },
      (error: unknown) => this.logger.warn(`The price catalog could not be loaded: ${String(error)}`),
    );
  }

  dispose(): void {
    this.disposed = true;
    this._onDidChange.dispose();
  }
}

/**
 * Turns a model's settings into the providers' config. Header values may name secrets:
 * `${key}` is the model's own key, `${secret:NAME}` another stored secret.
 */
export function toProviderConfig(settings: ModelSettings): ProviderConfig {
  const keyId = keyIdFor(settings) ?? KEYLESS_ID;
  const extraHeaders: Record<string, string> = {};
  const secretHeaders: Record<string, string> = {};
  for (const [header, value] of Object.entries(settings.headers ?? {})) {
    const secret = /^\$\{(?:key|secret:([^}]+))\}$/.exec(value.trim());
    if (secret) secretHeaders[header] = secret[1] ?? keyId;
    else extraHeaders[header] = value;
  }
  const common = {
    model: settings.model,
    keyId,
    extraHeaders: Object.keys(extraHeaders).length ? extraHeaders : undefined,
    secretHeaders: Object.keys(secretHeaders).length ? secretHeaders : undefined,
  };
  // How the vendor's API is spoken to (settings.ts validated these against the family rules).
  const openAiContract = {
    api: settings.api,
    reasoningEffort: settings.reasoningEffort,
    store: settings.store,
    parameters: settings.parameters,
  };
  switch (settings.provider) {
    case 'openai':
      return { kind: 'openai', baseUrl: settings.baseUrl, ...common, ...openAiContract };
    case 'anthropic':
      return {
        kind: 'anthropic',
        baseUrl: settings.baseUrl,
        ...common,
        thinking: settings.thinking,
        parameters: settings.parameters,
      };
    case 'azure':
      return {
        kind: 'azure',
        endpoint: settings.baseUrl ?? '',
        deployment: settings.deployment ?? '',
        apiVersion: settings.apiVersion,
        ...common,
        ...openAiContract,
      };
    case 'openaiCompatible':
      return {
        kind: 'openaiCompatible',
        // The settings schema offers only known presets; validateProviderConfig reports any other.
        preset: settings.preset as PresetId | undefined,
        baseUrl: settings.baseUrl,
        requiresKey: settings.auth !== 'none',
        ...common,
        ...openAiContract,
      };
    case 'vscode-lm':
      throw new Error('vscode-lm models are not built from a provider config');
  }
}

function filterChain(steps: readonly ChainStep[], known: (name: string) => boolean): ChainStep[] {
  const result: ChainStep[] = [];
  for (const step of steps) {
    if (typeof step === 'string') {
      if (known(step)) result.push(step);
    } else {
      const group = step.filter(known);
      if (group.length) result.push(group);
    }
  }
  return result;
}

function withDefined(base: ModelMetadata, overrides: Partial<ModelMetadata>): ModelMetadata {
  return { ...base, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
}
