import * as assert from 'node:assert/strict';
import { isLlmError } from '../../../src/core';
import { CATALOG_DATE, listModels, type DiscoveredModel, type ProviderConfig } from '../../../src/providers';
import {
  MemorySecrets,
  PLANTED_KEY,
  startFaultUpstream,
  type FaultUpstream,
} from '../../support/faultServer';

const DEC_1 = Date.parse('2026-12-01T12:00:00Z');
const deps = {
  secrets: new MemorySecrets({ openai: PLANTED_KEY, anthropic: PLANTED_KEY, liteLlm: PLANTED_KEY }),
  now: () => DEC_1,
};
const signal = () => new AbortController().signal;
const byId = (models: readonly DiscoveredModel[], id: string) => models.find((m) => m.id === id);

describe('discovery: the models a provider really serves, joined with the catalog', () => {
  let upstream: FaultUpstream;
  const anthropicIds = Array.from({ length: 130 }, (_, i) => `demo-model-${String(i).padStart(3, '0')}`);

  before(async () => {
    upstream = await startFaultUpstream({
      listedModels: [
        'gpt-5.5',
        'gpt-5.6-terra',
        'text-embedding-3-small',
        'tts-1',
        'my-finetune-v3',
        'claude-opus-4-8',
        'claude-3-5-sonnet-20241022',
        ...anthropicIds,
      ],
    });
  });
  after(() => upstream.close());

  it('OpenAI: lists /v1/models with the stored key, priced from the catalog, chat models only', async () => {
    const models = await listModels(
      { kind: 'openai', model: 'gpt-5.5', baseUrl: `${upstream.url}/v1` },
      deps,
      signal(),
    );
    const gpt = byId(models, 'gpt-5.5')!;
    assert.equal(gpt.prices?.inputPricePerMTok, 5);
    assert.equal(gpt.catalogId, 'gpt-5.5');
    assert.equal(gpt.contextWindow, 1_000_000);
    assert.equal(gpt.priceUnknown, false);
    assert.equal(gpt.datasetDate, CATALOG_DATE);
    assert.equal(gpt.source, 'provider');
    const unknown = byId(models, 'my-finetune-v3')!;
    assert.equal(unknown.priceUnknown, true);
    assert.equal(unknown.prices, undefined);
    assert.equal(byId(models, 'text-embedding-3-small'), undefined, 'not a chat model');
    assert.equal(byId(models, 'tts-1'), undefined, 'not a chat model');
    const record = upstream.stats().recent.at(-1)!;
    assert.equal(record.path, '/v1/models');
    assert.equal(record.hadKey, true);
  });

  it('drops models past their end of life, or keeps them marked when asked', async () => {
    const config: ProviderConfig = {
      kind: 'openaiCompatible',
      preset: 'liteLlm',
      model: 'x',
      baseUrl: `${upstream.url}/v1`,
    };
    const listed = await listModels(config, deps, signal());
    assert.equal(byId(listed, 'claude-3-5-sonnet-20241022'), undefined);
    const opus = byId(listed, 'claude-opus-4-8')!;
    assert.equal(opus.pastEndOfLife, false);
    assert.equal(opus.prices?.outputPricePerMTok, 25, 'a gateway lists vendor ids: the vendor price');
    const all = await listModels(config, deps, signal(), { includeEndOfLife: true });
    const retired = byId(all, 'claude-3-5-sonnet-20241022')!;
    assert.equal(retired.pastEndOfLife, true);
    assert.equal(retired.deprecated, true);
    assert.equal(retired.endOfLife, '2025-10-22');
  });

  it('Anthropic: pages through /v1/models with its SDK, newest first', async () => {
    const models = await listModels(
      { kind: 'anthropic', model: 'claude-opus-4-8', baseUrl: upstream.url },
      deps,
      signal(),
    );
    for (const id of anthropicIds) assert.ok(byId(models, id), `${id} listed`);
    const opus = byId(models, 'claude-opus-4-8')!;
    assert.equal(opus.prices?.inputPricePerMTok, 5);
    assert.ok(opus.displayName);
    for (let i = 1; i < models.length; i++) {
      assert.ok((models[i - 1].createdAt ?? 0) >= (models[i].createdAt ?? 0), 'newest first');
    }
    assert.ok(upstream.stats().recent.some((r) => r.path === '/v1/models' && r.hadKey));
  });

  it('a missing key fails like a request would, before any network call', async () => {
    const before = upstream.stats().total;
    const error = await listModels(
      { kind: 'openai', model: 'gpt-5.5', baseUrl: `${upstream.url}/v1` },
      { secrets: new MemorySecrets({}) },
      signal(),
    ).then(
      () => assert.fail('expected missingKey'),
      (e: unknown) => e,
    );
    assert.ok(isLlmError(error));
    assert.equal(error.kind, 'auth');
    assert.equal(error.missingKey, true);
    assert.equal(upstream.stats().total, before);
  });

  it('Azure has no model list: a clear badRequest', async () => {
    const error = await listModels(
      { kind: 'azure', model: 'gpt-5.6-terra', endpoint: upstream.url, deployment: 'terra' },
      deps,
      signal(),
    ).then(
      () => assert.fail('expected badRequest'),
      (e: unknown) => e,
    );
    assert.ok(isLlmError(error));
    assert.equal(error.kind, 'badRequest');
    assert.match(error.message, /deployment/);
  });

  it("Perplexity publishes no list: the catalog's Perplexity models, without a request", async () => {
    const before = upstream.stats().total;
    const models = await listModels(
      { kind: 'openaiCompatible', preset: 'perplexity', model: 'sonar-pro', baseUrl: upstream.url },
      { secrets: new MemorySecrets({}) },
      signal(),
    );
    assert.equal(upstream.stats().total, before);
    const sonar = byId(models, 'sonar-pro')!;
    assert.equal(sonar.source, 'catalog');
    assert.equal(sonar.prices?.inputPricePerMTok, 3);
  });

  it('Ollama: reads /api/tags at the server root, free, newest first', async function () {
    const local = await startFaultUpstream({ requireAuth: false });
    try {
      const probe = await fetch(`${local.url}/api/tags`);
      // The upstream answers /api/tags from the branch that adds Ollama's list; pending until then.
      if (probe.status === 404) this.skip();
      const models = await listModels(
        { kind: 'openaiCompatible', preset: 'ollama', model: 'qwen3', baseUrl: `${local.url}/v1` },
        { secrets: new MemorySecrets({}) },
        signal(),
      );
      assert.ok(models.length > 0);
      for (const model of models) {
        assert.equal(model.free, true);
        assert.equal(model.priceUnknown, false);
      }
      assert.ok(local.stats().recent.some((r) => r.path === '/api/tags'));
      for (let i = 1; i < models.length; i++) assert.ok(models[i - 1].createdAt! >= models[i].createdAt!);
    } finally {
      await local.close();
    }
  });
});
