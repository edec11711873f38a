import * as assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { DEFAULT_LISTED_MODELS, startFaultUpstream, useFaultUpstream } from '../../support/faultServer';
import { ANTHROPIC_HEADERS, OPENAI_HEADERS, read, type Json } from './wire';

const get = (url: string, headers: Record<string, string>) => fetch(url, { headers });

describe('fault upstream: model lists', () => {
  const upstream = useFaultUpstream();

  it("lists OpenAI models in OpenAI's shape, current ids and fault models by default", async () => {
    const { status, body } = await read(await get(`${upstream().url}/v1/models`, OPENAI_HEADERS));
    assert.equal(status, 200);
    assert.equal(body.object, 'list');
    const ids = body.data.map((model: Json) => model.id);
    assert.ok(ids.includes('gpt-5.5') && ids.includes('gpt-5.6-sol') && ids.includes('ok'), ids.join());
    assert.deepEqual(Object.keys(body.data[0]).sort(), ['created', 'id', 'object', 'owned_by']);
    assert.equal(body.data[0].owned_by, 'openai');
    const client = new OpenAI({
      apiKey: 'sk-test-key-123456',
      baseURL: `${upstream().url}/v1`,
      maxRetries: 0,
    });
    const listed = [];
    for await (const model of client.models.list()) listed.push(model.id);
    assert.deepEqual(listed, DEFAULT_LISTED_MODELS.openai);
  });

  it("lists Anthropic models newest first in Anthropic's shape, without retired ones", async () => {
    const { body } = await read(await get(`${upstream().url}/v1/models`, ANTHROPIC_HEADERS));
    const ids = body.data.map((model: Json) => model.id);
    assert.deepEqual(ids.slice(0, 4), [
      'claude-haiku-5-5',
      'claude-sonnet-5-5',
      'claude-opus-5-5',
      'claude-opus-4-8',
    ]);
    const opus45 = body.data.find((model: Json) => model.id === 'claude-opus-4-5');
    assert.equal(opus45.lifecycle, 'deprecated');
    assert.equal(opus45.retires_at, '2027-01-22T17:00:00Z');
    const sonnet = body.data[1];
    assert.deepEqual(
      { type: sonnet.type, display_name: sonnet.display_name, max_tokens: sonnet.max_tokens },
      { type: 'model', display_name: 'Claude Sonnet 5.5', max_tokens: 128000 },
    );
    assert.match(sonnet.created_at, /^2026-11-23T/);
    assert.equal(body.has_more, false);
    assert.equal(body.first_id, ids[0]);
    assert.equal(body.last_id, ids[ids.length - 1]);
  });

  it('pages the Anthropic list by limit, after_id and before_id, and the SDK walks every page', async () => {
    const page = async (query: string) =>
      (await read(await get(`${upstream().url}/v1/models?${query}`, ANTHROPIC_HEADERS))).body;
    const first = await page('limit=3');
    assert.equal(first.data.length, 3);
    assert.equal(first.has_more, true);
    const second = await page(`limit=3&after_id=${first.last_id}`);
    assert.equal(second.first_id, (await page('limit=4')).data[3].id);
    const back = await page(`limit=2&before_id=${second.first_id}`);
    assert.deepEqual(
      back.data.map((model: Json) => model.id),
      first.data.slice(1).map((model: Json) => model.id),
    );
    const { status } = await read(await get(`${upstream().url}/v1/models?limit=0`, ANTHROPIC_HEADERS));
    assert.equal(status, 400);

    const retired = await startFaultUpstream({ listedModels: ['claude-opus-4-8', 'claude-3-opus-20240229'] });
    try {
      const only = async (query: string) =>
        (await read(await get(`${retired.url}/v1/models${query}`, ANTHROPIC_HEADERS))).body.data.map(
          (model: Json) => model.id,
        );
      assert.deepEqual(await only(''), ['claude-opus-4-8'], 'retired models are left out by default');
      assert.deepEqual(await only('?lifecycle[]=retired'), ['claude-3-opus-20240229']);
      assert.deepEqual(await only('?lifecycle[]=active&lifecycle[]=retired'), [
        'claude-opus-4-8',
        'claude-3-opus-20240229',
      ]);
    } finally {
      await retired.close();
    }

    const client = new Anthropic({ apiKey: 'sk-ant-test-123456', baseURL: upstream().url, maxRetries: 0 });
    const all = [];
    for await (const model of client.models.list({ limit: 2 })) all.push(model.id);
    assert.equal(all.length, DEFAULT_LISTED_MODELS.anthropic.length);
  });

  it("lists Ollama's local models on /api/tags in Ollama's shape", async () => {
    const { status, body } = await read(await fetch(`${upstream().url}/api/tags`));
    assert.equal(status, 200, 'Ollama lists without a key');
    const [first] = body.models;
    assert.equal(first.name, 'llama3.2:latest');
    assert.equal(first.model, 'llama3.2:latest');
    assert.match(first.modified_at, /^\d{4}-\d{2}-\d{2}T/);
    assert.equal(typeof first.size, 'number');
    assert.match(first.digest, /^[0-9a-f]{64}$/);
    assert.deepEqual(Object.keys(first.details).sort(), [
      'families',
      'family',
      'format',
      'parameter_size',
      'parent_model',
      'quantization_level',
    ]);
  });

  it('shows the models listedModels names: one array for every list, or one per list', async () => {
    const one = await startFaultUpstream({ listedModels: ['ok', 'gpt-5.5'] });
    const each = await startFaultUpstream({ listedModels: { anthropic: ['claude-opus-4-8'] } });
    try {
      const openAi = (await read(await get(`${one.url}/v1/models`, OPENAI_HEADERS))).body;
      assert.deepEqual(
        openAi.data.map((model: Json) => model.id),
        ['ok', 'gpt-5.5'],
      );
      const tags = (await read(await get(`${one.url}/api/tags`, OPENAI_HEADERS))).body;
      assert.deepEqual(
        tags.models.map((model: Json) => model.name),
        ['ok', 'gpt-5.5'],
      );
      const claude = (await read(await get(`${each.url}/v1/models`, ANTHROPIC_HEADERS))).body;
      assert.deepEqual(
        claude.data.map((model: Json) => model.id),
        ['claude-opus-4-8'],
      );
      const defaults = (await read(await get(`${each.url}/v1/models`, OPENAI_HEADERS))).body;
      assert.equal(
        defaults.data.length,
        DEFAULT_LISTED_MODELS.openai.length,
        'lists not named keep their default',
      );
    } finally {
      await Promise.all([one.close(), each.close()]);
    }
  });

  it("requires a key for the vendors' lists, and answers a single model or its fault", async () => {
    assert.equal((await fetch(`${upstream().url}/v1/models`)).status, 401);
    const model = await read(await get(`${upstream().url}/v1/models/claude-opus-4-8`, ANTHROPIC_HEADERS));
    assert.equal(model.body.display_name, 'Claude Opus 4.8');
    assert.equal((await get(`${upstream().url}/v1/models/notfound`, OPENAI_HEADERS)).status, 404);
  });
});
