import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CATALOG_DATE,
  catalogInfo,
  DEFAULT_CONTEXT_WINDOW,
  defaultModelMetadata,
  keyIdOf,
  lookupModel,
  PACKAGED_DATASET,
  PRESETS,
  providerLabel,
  validateProviderConfig,
  type CatalogEntry,
  type ProviderConfig,
} from '../../../src/providers';
import { MemoryLogger } from '../../support/fakeClock';

const root = path.resolve(__dirname, '../../../..');

/** The catalog's entry, failing the test when the model is unknown. */
function entry(provider: string, model: string): CatalogEntry {
  const found = lookupModel(provider, model);
  assert.ok(found.known, `${provider}/${model} should be in the catalog`);
  return found;
}

describe('price catalog (@pydantic/genai-prices)', () => {
  it('is dated, and the date belongs to the installed version of the dataset', () => {
    const installed = JSON.parse(
      fs.readFileSync(path.join(root, 'node_modules/@pydantic/genai-prices/package.json'), 'utf8'),
    ) as { version: string };
    assert.equal(
      installed.version,
      PACKAGED_DATASET.version,
      'the dataset was upgraded: set PACKAGED_DATASET.version and its release date (npm view @pydantic/genai-prices time)',
    );
    assert.match(CATALOG_DATE, /^\d{4}-\d{2}-\d{2}$/);
    assert.equal(catalogInfo().date, CATALOG_DATE);
    assert.equal(catalogInfo().source, 'packaged');
  });

  it("prices today's models with input, output and cache rates, and their context windows", () => {
    const gpt = entry('openai', 'gpt-5.5');
    assert.equal(gpt.matchedId, 'gpt-5.5');
    assert.equal(gpt.prices?.inputPricePerMTok, 5);
    assert.equal(gpt.prices?.outputPricePerMTok, 30);
    assert.equal(gpt.prices?.cacheReadPricePerMTok, 0.5);
    assert.equal(gpt.contextWindow, 1_000_000);
    assert.equal(gpt.datasetDate, CATALOG_DATE);
    const opus = entry('anthropic', 'claude-opus-4-8');
    assert.deepEqual(
      [
        opus.prices?.inputPricePerMTok,
        opus.prices?.outputPricePerMTok,
        opus.prices?.cacheReadPricePerMTok,
        opus.prices?.cacheWritePricePerMTok,
      ],
      [5, 25, 0.5, 6.25],
    );
    assert.equal(opus.contextWindow, 1_000_000);
  });

  it('turns tiered prices into price tiers above their input threshold', () => {
    const sonnet = entry('anthropic', 'claude-sonnet-4-5');
    assert.equal(sonnet.prices?.inputPricePerMTok, 3);
    assert.deepEqual(sonnet.prices?.priceTiers, [
      {
        aboveInputTokens: 200_000,
        inputPricePerMTok: 6,
        outputPricePerMTok: 22.5,
        cacheReadPricePerMTok: 0.6,
        cacheWritePricePerMTok: 7.5,
      },
    ]);
    assert.equal(entry('openai', 'gpt-5.5').prices?.priceTiers?.[0].aboveInputTokens, 271_999);
  });

  it('matches dated ids and family ids to their family rule', () => {
    assert.equal(entry('anthropic', 'claude-sonnet-4-5-20250929').matchedId, 'claude-sonnet-4-5');
    const dated = entry('anthropic', 'claude-sonnet-5-5-20261015');
    assert.equal(dated.matchedId, 'claude-sonnet-5');
    assert.equal(entry('anthropic', 'claude-sonnet-5-5').matchedId, 'claude-sonnet-5');
    assert.equal(entry('openai', 'gpt-5.4-mini-2026-03-17').matchedId, 'gpt-5.4-mini');
    assert.equal(entry('openai', 'gpt-5.6').matchedId, 'gpt-5.6-sol', 'the alias names its model');
  });

  it('resolves router prefixes: openrouter/…, openai/…, anthropic/…, models/…', () => {
    const routed = entry('openai-compatible', 'openrouter/anthropic/claude-sonnet-5');
    assert.equal(routed.catalogProvider, 'openrouter');
    assert.equal(routed.matchedId, 'anthropic/claude-sonnet-5');
    assert.equal(entry('openrouter', 'anthropic/claude-sonnet-5').catalogProvider, 'openrouter');
    const vendor = entry('litellm', 'openai/gpt-5.5');
    assert.equal(vendor.catalogProvider, 'openai');
    assert.equal(vendor.matchedId, 'gpt-5.5');
    assert.equal(entry('portkey', 'anthropic/claude-opus-4-8').catalogProvider, 'anthropic');
    assert.equal(entry('gemini', 'models/gemini-3.5-flash').matchedId, 'gemini-3.5-flash');
    assert.equal(entry('deepinfra', 'deepseek-ai/DeepSeek-V3.2').catalogProvider, 'deepseek');
    assert.equal(entry('huggingface', 'MiniMaxAI/MiniMax-M2:novita').catalogProvider, 'huggingface_novita');
  });

  it("prefers the serving provider's own price to the vendor's", () => {
    assert.equal(entry('groq', 'openai/gpt-oss-120b').catalogProvider, 'groq');
    assert.equal(entry('groq', 'openai/gpt-oss-120b').prices?.inputPricePerMTok, 0.15);
    assert.equal(entry('azure', 'gpt-5.6-terra').catalogProvider, 'azure');
  });

  it('says unknown for a model it does not know, never a neighbour', () => {
    assert.deepEqual(lookupModel('openai', 'my-finetune-v3'), { known: false, datasetDate: CATALOG_DATE });
    assert.equal(lookupModel('anthropic', 'claude-haiku-5-5').known, false);
  });

  it('reports the deprecated flag of the dataset', () => {
    assert.equal(entry('moonshot', 'kimi-k2-thinking').deprecated, true);
    assert.equal(entry('moonshot', 'kimi-k3').deprecated, false);
  });
});

describe('defaultModelMetadata over the catalog', () => {
  it('fills prices, cache rates, tiers and window from the catalog, the output limit from the rules', () => {
    const metadata = defaultModelMetadata({ kind: 'anthropic', model: 'claude-sonnet-4-5-20250929' });
    assert.equal(metadata.provider, 'anthropic');
    assert.equal(metadata.contextWindow, 200_000);
    assert.equal(metadata.maxOutputTokens, 64_000);
    assert.equal(metadata.inputPricePerMTok, 3);
    assert.equal(metadata.outputPricePerMTok, 15);
    assert.equal(metadata.cacheReadPricePerMTok, 0.3);
    assert.equal(metadata.cacheWritePricePerMTok, 3.75);
    assert.equal(metadata.priceTiers?.length, 1);
    assert.equal(metadata.supportsTools, true);
    assert.equal(metadata.priceUnknown, undefined);
  });

  it('lets the settings win: prices, window, limits and tools', () => {
    const metadata = defaultModelMetadata(
      { kind: 'openai', model: 'gpt-5.5' },
      {
        overrides: {
          inputPricePerMTok: 1,
          outputPricePerMTok: 2,
          contextWindow: 50_000,
          rpm: 50,
          weight: undefined,
        },
      },
    );
    assert.equal(metadata.inputPricePerMTok, 1);
    assert.equal(metadata.outputPricePerMTok, 2);
    assert.equal(
      metadata.cacheReadPricePerMTok,
      undefined,
      'a hand-set price replaces the catalog price whole',
    );
    assert.equal(metadata.contextWindow, 50_000);
    assert.equal(metadata.rpm, 50);
    assert.ok(!('weight' in metadata));
    const priced = defaultModelMetadata(
      { kind: 'openai', model: 'gpt-5.5' },
      { priceOverrides: { 'gpt-5.5': { inputPerMTok: 9, outputPerMTok: 10 } } },
    );
    assert.equal(priced.inputPricePerMTok, 9);
    assert.equal(
      defaultModelMetadata({ kind: 'openai', model: 'o1-mini' }, { overrides: { supportsTools: true } })
        .supportsTools,
      true,
    );
  });

  it('ignores a malformed price override with a warning', () => {
    const logger = new MemoryLogger();
    const metadata = defaultModelMetadata(
      { kind: 'openai', model: 'gpt-5.5' },
      { priceOverrides: { 'gpt-5.5': { inputPerMTok: -1, outputPerMTok: 2 } }, logger },
    );
    assert.equal(metadata.inputPricePerMTok, 5);
    assert.equal(logger.warnings.length, 1);
  });

  it('local presets and models marked free cost $0, silently and not as "unknown"', () => {
    const logger = new MemoryLogger();
    const local = defaultModelMetadata(
      { kind: 'openaiCompatible', preset: 'ollama', model: 'qwen3' },
      { logger },
    );
    assert.equal(local.inputPricePerMTok, 0);
    assert.equal(local.priceUnknown, undefined);
    assert.equal(local.provider, 'ollama');
    const free = defaultModelMetadata(
      { kind: 'openaiCompatible', baseUrl: 'http://gpu.lan/v1', model: 'team-model' },
      { free: true, logger },
    );
    assert.equal(free.priceUnknown, undefined);
    assert.equal(free.outputPricePerMTok, 0);
    assert.deepEqual(logger.warnings, []);
  });

  it('marks any other unpriced model "price unknown" (paid), with one warning naming the dataset date', () => {
    const logger = new MemoryLogger();
    const metadata = defaultModelMetadata({ kind: 'anthropic', model: 'claude-haiku-5-5' }, { logger });
    assert.equal(metadata.priceUnknown, true);
    assert.equal(metadata.inputPricePerMTok, 0);
    assert.equal(metadata.maxOutputTokens, 64_000, 'the family rules still know its limits');
    const priceWarnings = logger.warnings.filter((w) => w.includes('No price known'));
    assert.equal(priceWarnings.length, 1);
    assert.match(priceWarnings[0], new RegExp(`claude-haiku-5-5.*${CATALOG_DATE}.*paid`));
  });

  it('never guesses a small window: the model list figure, else a generous default with a warning', () => {
    const listed = defaultModelMetadata(
      { kind: 'openaiCompatible', baseUrl: 'http://h/v1', model: 'my-finetune-v3' },
      { listedContextWindow: 32_768 },
    );
    assert.equal(listed.contextWindow, 32_768);
    const logger = new MemoryLogger();
    const unknown = defaultModelMetadata(
      { kind: 'openaiCompatible', baseUrl: 'http://h/v1', model: 'my-finetune-v3' },
      { logger },
    );
    assert.equal(unknown.contextWindow, DEFAULT_CONTEXT_WINDOW);
    assert.ok(DEFAULT_CONTEXT_WINDOW >= 128_000);
    assert.ok(logger.warnings.some((w) => /Context window of "my-finetune-v3" is unknown/.test(w)));
    assert.equal(unknown.maxOutputTokens, 8_192);
    assert.ok(!('supportsTools' in unknown), 'unknown family: the core treats it as capable');
  });

  it('with catalog "ifLoaded" never loads the dataset, and says nothing until it can', () => {
    // The dataset is loaded by now (earlier tests); the option then behaves like the default.
    const metadata = defaultModelMetadata({ kind: 'openai', model: 'gpt-5.5' }, { catalog: 'ifLoaded' });
    assert.equal(metadata.inputPricePerMTok, 5);
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
