import * as assert from 'node:assert/strict';
import {
  defaultModelMetadata,
  keyIdOf,
  lookupPrice,
  lookupToolSupport,
  MODEL_LIMITS,
  PRESETS,
  PRICE_TABLE,
  PRICE_TABLE_DATE,
  providerLabel,
  UNKNOWN_MODEL_LIMITS,
  validateProviderConfig,
  type ProviderConfig,
} from '../../../src/providers';
import { MemoryLogger } from '../../support/fakeClock';

describe('price table', () => {
  it('is dated and covers each vendor', () => {
    assert.match(PRICE_TABLE_DATE, /^\d{4}-\d{2}-\d{2}$/);
    const vendors = new Set(Object.values(PRICE_TABLE).map((entry) => entry.vendor));
    assert.deepEqual([...vendors].sort(), ['anthropic', 'deepseek', 'gemini', 'groq', 'mistral', 'openai']);
  });

  it("finds dated ids, router prefixes and tags, but never borrows a neighbour's price", () => {
    assert.equal(lookupPrice('gpt-4o-2024-08-06').inputPerMTok, PRICE_TABLE['gpt-4o'].inputPerMTok);
    assert.equal(lookupPrice('gpt-4o-mini').inputPerMTok, PRICE_TABLE['gpt-4o-mini'].inputPerMTok);
    assert.equal(lookupPrice('claude-sonnet-4-5-20250929').outputPerMTok, 15);
    assert.equal(lookupPrice('openai/gpt-4o-mini').source, 'table');
    assert.equal(lookupPrice('models/gemini-2.5-flash').source, 'table');
    assert.equal(lookupPrice('claude-opus-4-6', { logger: new MemoryLogger() }).source, 'unknown');
  });

  it('prices an unknown model at 0 with one warning, never throwing', () => {
    const logger = new MemoryLogger();
    const price = lookupPrice('my-finetune-v3', { logger });
    assert.deepEqual(price, { inputPerMTok: 0, outputPerMTok: 0, source: 'unknown' });
    assert.equal(logger.warnings.length, 1);
    assert.match(logger.warnings[0], /No price known for model "my-finetune-v3".*\$0/);
  });

  it('lets the settings override a price per model, and ignores a malformed override', () => {
    const logger = new MemoryLogger();
    assert.deepEqual(
      lookupPrice('gpt-4o', { overrides: { 'gpt-4o': { inputPerMTok: 1, outputPerMTok: 2 } } }),
      { inputPerMTok: 1, outputPerMTok: 2, source: 'override' },
    );
    const bad = lookupPrice('gpt-4o', {
      overrides: { 'gpt-4o': { inputPerMTok: -1, outputPerMTok: 2 } },
      logger,
    });
    assert.equal(bad.source, 'table');
    assert.equal(logger.warnings.length, 1);
  });

  it('local models are free without a warning', () => {
    const logger = new MemoryLogger();
    const metadata = defaultModelMetadata(
      { kind: 'openaiCompatible', preset: 'ollama', model: 'llama3.2' },
      { logger },
    );
    assert.equal(metadata.inputPricePerMTok, 0);
    assert.equal(metadata.provider, 'ollama');
    assert.equal(metadata.contextWindow, UNKNOWN_MODEL_LIMITS.contextWindow);
    assert.deepEqual(logger.warnings, []);
  });
});

describe('defaultModelMetadata', () => {
  it('fills limits and prices for known models, with overrides on top', () => {
    const metadata = defaultModelMetadata(
      { kind: 'anthropic', model: 'claude-haiku-4-5' },
      { overrides: { rpm: 50, weight: undefined } },
    );
    assert.deepEqual(metadata, {
      provider: 'anthropic',
      contextWindow: 200_000,
      maxOutputTokens: 64_000,
      inputPricePerMTok: 1,
      outputPricePerMTok: 5,
      supportsTools: true,
      rpm: 50,
    });
    const azure = defaultModelMetadata({
      kind: 'azure',
      model: 'gpt-4o-mini',
      endpoint: 'https://r.openai.azure.com',
      deployment: 'mini',
    });
    assert.equal(azure.provider, 'azure');
    assert.equal(azure.outputPricePerMTok, 0.6);
  });

  it('says which models can call tools: every known chat model, not the families known without tools, and nothing for unknown models', () => {
    for (const model of Object.keys(MODEL_LIMITS).filter((id) => id !== 'deepseek-reasoner')) {
      assert.equal(lookupToolSupport(model), true, model);
    }
    for (const model of [
      'o1-mini',
      'o1-mini-2024-09-12',
      'o1-preview',
      'gpt-3.5-turbo-instruct',
      'claude-2.1',
      'claude-instant-1.2',
    ]) {
      assert.equal(lookupToolSupport(model), false, model);
    }
    assert.equal(lookupToolSupport('claude-sonnet-4-5-20250929'), true, 'dated ids match their family');
    assert.equal(lookupToolSupport('openai/gpt-4o'), true, 'router prefixes are ignored');
    assert.equal(
      lookupToolSupport('deepseek-reasoner'),
      undefined,
      'tool support changed between releases behind this id',
    );
    assert.equal(lookupToolSupport('llama3.2'), undefined);

    assert.equal(defaultModelMetadata({ kind: 'openai', model: 'o1-mini' }).supportsTools, false);
    assert.ok(
      !(
        'supportsTools' in
        defaultModelMetadata({ kind: 'openaiCompatible', preset: 'ollama', model: 'llama3.2' })
      ),
      'unknown: the core treats the model as capable',
    );
    assert.equal(
      defaultModelMetadata({ kind: 'openai', model: 'o1-mini' }, { overrides: { supportsTools: true } })
        .supportsTools,
      true,
      "the user's setting wins",
    );
  });
});

describe('provider configs and presets', () => {
  it('every preset has an http(s) base URL and a provider label', () => {
    for (const preset of Object.values(PRESETS)) {
      assert.match(preset.baseUrl, /^https?:\/\//);
      assert.ok(preset.provider && preset.displayName && preset.hint);
      assert.equal(
        preset.local,
        !preset.requiresKey,
        `${preset.id}: local servers need no key, hosted ones do`,
      );
    }
  });

  it('derives key ids and labels', () => {
    assert.equal(keyIdOf({ kind: 'openai', model: 'gpt-4o' }), 'openai');
    assert.equal(keyIdOf({ kind: 'openaiCompatible', preset: 'groq', model: 'x' }), 'groq');
    assert.equal(keyIdOf({ kind: 'anthropic', model: 'x', keyId: 'work' }), 'work');
    assert.equal(
      providerLabel({ kind: 'openaiCompatible', baseUrl: 'http://h/v1', model: 'x' }),
      'openai-compatible',
    );
  });

  it('names each problem field', () => {
    const cases: Array<[ProviderConfig, RegExp]> = [
      [{ kind: 'openai', model: '' }, /^model/],
      [{ kind: 'openai', model: 'x', baseUrl: 'ftp://x' }, /^baseUrl must be an http/],
      [
        { kind: 'azure', model: 'x', endpoint: 'https://r', deployment: 'd', apiVersion: 'latest' },
        /^apiVersion/,
      ],
      [{ kind: 'openaiCompatible', model: 'x', preset: 'nope' as never }, /^preset "nope" is unknown/],
      [{ kind: 'anthropic', model: 'x', defaultMaxTokens: 0 }, /^defaultMaxTokens/],
      [{ kind: 'openai', model: 'x', extraHeaders: { 'bad header': 'v' } }, /^extraHeaders: "bad header"/],
      [{ kind: 'openai', model: 'x', requestTimeoutMs: -1 }, /^requestTimeoutMs/],
    ];
    for (const [config, expected] of cases) {
      const problems = validateProviderConfig(config);
      assert.ok(
        problems.some((p) => expected.test(p)),
        `${JSON.stringify(config)} → ${JSON.stringify(problems)}`,
      );
    }
    assert.deepEqual(
      validateProviderConfig({ kind: 'openaiCompatible', preset: 'ollama', model: 'llama3.2' }),
      [],
    );
    assert.match(validateProviderConfig({ kind: 'gemini' } as unknown as ProviderConfig)[0], /^kind must be/);
  });
});
