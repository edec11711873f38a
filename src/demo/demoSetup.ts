/**
 * The keyless demo: a set of models aimed at the fault upstream, each showing one behaviour of the
 * manager (streaming, failover, retry after a rate limit, a circuit that opens and closes). Used by
 * `npm run demo:terminal` (the extension's own demo models are in src/extension/demoModels.ts); no `vscode` here.
 */

import type { ChainStep, ModelMetadata, SettingsPatch } from '../core';
import { defaultModelMetadata, type ProviderConfig, type SecretSource } from '../providers';

/** The key id every demo model reads; the demo secret source answers it with a dummy key. */
export const DEMO_KEY_ID = 'llmManager.demo';

/** Not a secret: the upstream only checks that some key is present. */
const DEMO_KEY = 'demo-key-not-a-secret';

/** A secret source that knows only the demo key (so the demo never touches the user's keys). */
export const demoSecrets: SecretSource = {
  getKey: async (keyId) => (keyId === DEMO_KEY_ID ? DEMO_KEY : undefined),
};

export interface DemoModel {
  /** Registry name shown in the UI. */
  readonly name: string;
  /** What this model demonstrates, in one sentence. */
  readonly description: string;
  readonly config: ProviderConfig;
  readonly metadata: ModelMetadata;
}

/**
 * The demo's models, pointed at a running fault upstream. Prices are borrowed from real models so
 * that spend and budgets show believable numbers.
 */
export function demoModels(upstreamUrl: string): DemoModel[] {
  const base = upstreamUrl.replace(/\/+$/, '');
  const model = (
    name: string,
    description: string,
    config: ProviderConfig,
    pricedLike?: string,
  ): DemoModel => ({
    name,
    description,
    config,
    metadata: defaultModelMetadata(
      config,
      pricedLike
        ? { priceOverrides: { [config.model]: priceOf(pricedLike) }, overrides: { displayName: name } }
        : { overrides: { displayName: name } },
    ),
  });
  return [
    model(
      'demo-gpt',
      'OpenAI wire format; fails in bursts (20 s failing, 20 s fine), so its circuit opens and later closes.',
      { kind: 'openai', model: 'bursty-20-20', baseUrl: `${base}/v1`, keyId: DEMO_KEY_ID },
      'gpt-4o-mini',
    ),
    model(
      'demo-claude',
      'Anthropic wire format; always answers and streams visibly.',
      { kind: 'anthropic', model: 'drip-40', baseUrl: base, keyId: DEMO_KEY_ID },
      'claude-haiku-4-5',
    ),
    model(
      'demo-flaky',
      'Fails twice with a server error, then answers: the retry with backoff at work.',
      { kind: 'openaiCompatible', model: 'flaky-2', baseUrl: `${base}/v1`, keyId: DEMO_KEY_ID },
      'mistral-small-latest',
    ),
    model(
      'demo-ratelimited',
      'Answers 429 with "Retry-After: 2" once, then answers: the manager waits exactly that long.',
      { kind: 'azure', model: 'gpt-4o', endpoint: base, deployment: 'ratelimitonce-2', keyId: DEMO_KEY_ID },
      'gpt-4o',
    ),
    model(
      'demo-cut',
      'Stops streaming after a few words: the partial answer is kept and marked "interrupted".',
      { kind: 'openai', model: 'cut-6', baseUrl: `${base}/v1`, keyId: DEMO_KEY_ID },
      'gpt-4o-mini',
    ),
    model('demo-local', 'An OpenAI-compatible local server (Ollama preset): free, no key.', {
      kind: 'openaiCompatible',
      preset: 'ollama',
      model: 'drip-25',
      baseUrl: `${base}/v1`,
    }),
  ];
}

/** What the upstream's answers call each demo model: its name here, not the behaviour it asks for. */
export function demoAnswerNames(): Record<string, string> {
  return Object.fromEntries(
    demoModels('http://127.0.0.1').map(({ name, config }) => [
      config.kind === 'azure' ? config.deployment : config.model,
      name,
    ]),
  );
}

/** The demo's fallback chain: a bursty primary with two steady fallbacks behind it. */
export const DEMO_CHAIN: readonly ChainStep[] = ['demo-gpt', 'demo-claude', 'demo-local'];

/**
 * Settings that make the demo's behaviour visible within a minute: a circuit opens after three
 * failures and probes again after 15 s; backoffs are short.
 */
export const DEMO_SETTINGS: SettingsPatch = {
  maxRetries: 2,
  breaker: { failureThreshold: 3, recoveryTimeoutMs: 15_000 },
  backoff: { initialDelayMs: 250, multiplier: 2, maxDelayMs: 5_000, jitter: 0.2 },
  stream: { firstChunkTimeoutMs: 10_000, idleTimeoutMs: 10_000 },
  requestTimeoutMs: 20_000,
};

/** Per-chunk pause the demo upstream uses, so streaming is visible to the eye. */
export const DEMO_CHUNK_DELAY_MS = 30;

function priceOf(modelId: string) {
  const metadata = defaultModelMetadata({ kind: 'openai', model: modelId });
  return { inputPerMTok: metadata.inputPricePerMTok, outputPerMTok: metadata.outputPricePerMTok };
}
