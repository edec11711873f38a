import * as assert from 'node:assert/strict';
import OpenAI from 'openai';
import { useFaultUpstream } from '../../support/faultServer';
import { chat, events, longText, openAiError, post, read, type Json } from './wire';

const ask = [{ role: 'user' as const, content: 'Why is the sky blue?' }];

describe('fault upstream as OpenAI chat completions: reasoning models', () => {
  const upstream = useFaultUpstream();

  for (const model of ['gpt-5-mini', 'gpt-5.5', 'o3', 'o4-mini-2025-04-16', 'gpt-5.1-2025-11-13']) {
    it(`${model}: temperature 0.2 is an unsupported_value in OpenAI's words, streamed or not`, async () => {
      for (const stream of [false, true]) {
        const { status, error } = await openAiError(
          await chat(upstream(), { model, messages: ask, temperature: 0.2, stream }),
        );
        assert.equal(status, 400);
        assert.deepEqual(error, {
          message:
            "Unsupported value: 'temperature' does not support 0.2 with this model. Only the default (1) value is supported.",
          type: 'invalid_request_error',
          param: 'temperature',
          code: 'unsupported_value',
        });
      }
    });
  }

  it('accepts temperature 1, the only value a reasoning model supports, and top_p 1', async () => {
    const response = await chat(upstream(), { model: 'gpt-5-mini', messages: ask, temperature: 1, top_p: 1 });
    assert.equal(response.status, 200);
  });

  it('refuses top_p other than 1 the same way', async () => {
    const { error } = await openAiError(await chat(upstream(), { model: 'o3', messages: ask, top_p: 0.9 }));
    assert.equal(error.param, 'top_p');
    assert.equal(error.code, 'unsupported_value');
    assert.match(error.message, /^Unsupported value: 'top_p' does not support 0\.9 with this model/);
  });

  it('refuses max_tokens and points to max_completion_tokens; max_completion_tokens answers', async () => {
    const { status, error } = await openAiError(
      await chat(upstream(), { model: 'gpt-5', messages: ask, max_tokens: 100 }),
    );
    assert.equal(status, 400);
    assert.deepEqual(error, {
      message:
        "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
      type: 'invalid_request_error',
      param: 'max_tokens',
      code: 'unsupported_parameter',
    });
    assert.equal(
      (await chat(upstream(), { model: 'gpt-5', messages: ask, max_completion_tokens: 500 })).status,
      200,
    );
  });

  it('refuses presence_penalty, frequency_penalty, logprobs and logit_bias as unsupported parameters', async () => {
    const cases: Array<[string, Json]> = [
      ['presence_penalty', { presence_penalty: 0.5 }],
      ['frequency_penalty', { frequency_penalty: 0 }],
      ['logprobs', { logprobs: true }],
      ['logit_bias', { logit_bias: { '50256': -100 } }],
    ];
    for (const [param, extra] of cases) {
      const { status, error } = await openAiError(
        await chat(upstream(), { model: 'gpt-5-nano', messages: ask, ...extra }),
      );
      assert.equal(status, 400, param);
      assert.equal(error.message, `Unsupported parameter: '${param}' is not supported with this model.`);
      assert.equal(error.param, param);
      assert.equal(error.code, 'unsupported_parameter');
    }
  });

  it('checks reasoning_effort against the family: minimal only on gpt-5, none only from gpt-5.1, xhigh from gpt-5.2', async () => {
    const refused: Array<[string, string, string]> = [
      ['o3', 'minimal', "'low', 'medium', and 'high'"],
      ['gpt-5-mini', 'none', "'minimal', 'low', 'medium', and 'high'"],
      ['gpt-5.1', 'minimal', "'none', 'low', 'medium', and 'high'"],
      ['gpt-5.1', 'xhigh', "'none', 'low', 'medium', and 'high'"],
    ];
    for (const [model, effort, supported] of refused) {
      const { status, error } = await openAiError(
        await chat(upstream(), { model, messages: ask, reasoning_effort: effort }),
      );
      assert.equal(status, 400, `${model} ${effort}`);
      assert.equal(
        error.message,
        `Unsupported value: 'reasoning_effort' does not support '${effort}' with this model. Supported values are: ${supported}.`,
      );
      assert.equal(error.code, 'unsupported_value');
      assert.equal(error.param, 'reasoning_effort');
    }
    const accepted: Array<[string, string]> = [
      ['gpt-5-mini', 'minimal'],
      ['gpt-5.1', 'none'],
      ['gpt-5.2', 'xhigh'],
      ['gpt-5.5', 'low'],
      ['o4-mini', 'high'],
    ];
    for (const [model, effort] of accepted) {
      const response = await chat(upstream(), { model, messages: ask, reasoning_effort: effort });
      assert.equal(response.status, 200, `${model} ${effort}`);
    }
    const { error } = await openAiError(
      await chat(upstream(), { model: 'ok', messages: ask, reasoning_effort: 'extreme' }),
    );
    assert.equal(error.code, 'invalid_value', 'a value no model takes is invalid everywhere');
  });

  it('gpt-5.1 and later take temperature with reasoning effort none, and only then', async () => {
    const withNone = await chat(upstream(), {
      model: 'gpt-5.2',
      messages: ask,
      temperature: 0.2,
      reasoning_effort: 'none',
    });
    assert.equal(withNone.status, 200);
    const withLow = await chat(upstream(), {
      model: 'gpt-5.2',
      messages: ask,
      temperature: 0.2,
      reasoning_effort: 'low',
    });
    assert.equal(withLow.status, 400);
  });

  it('refuses reasoning_effort on a model that does not reason', async () => {
    const { error } = await openAiError(
      await chat(upstream(), { model: 'gpt-4o', messages: ask, reasoning_effort: 'low' }),
    );
    assert.equal(
      error.message,
      "Unsupported parameter: 'reasoning_effort' is not supported with this model.",
    );
  });

  it('leaves chat snapshots, older models and fault names free to use temperature and max_tokens', async () => {
    for (const model of ['gpt-5-chat-latest', 'gpt-4o-mini', 'gpt-4.1', 'ok', 'flaky-0']) {
      const response = await chat(upstream(), { model, messages: ask, temperature: 0.2, max_tokens: 50 });
      assert.equal(response.status, 200, model);
    }
  });

  it('answers 404 for Responses-only models, in the wording of their generation', async () => {
    for (const model of [
      'gpt-5-pro',
      'o3-pro',
      'o1-pro',
      'gpt-5-codex',
      'codex-mini-latest',
      'gpt-5.1-codex',
    ]) {
      const { status, error } = await openAiError(await chat(upstream(), { model, messages: ask }));
      assert.equal(status, 404, model);
      assert.deepEqual(error, {
        message: 'This model is only supported in v1/responses and not in v1/chat/completions.',
        type: 'invalid_request_error',
        param: 'model',
        code: null,
      });
    }
    const { status, error } = await openAiError(
      await chat(upstream(), { model: 'gpt-5.3-codex', messages: ask }),
    );
    assert.equal(status, 404);
    assert.match(
      error.message,
      /^This is not a chat model and thus not supported in the v1\/chat\/completions endpoint/,
    );
  });

  it("applies the same rules on Azure's deployment route when the deployment names a known model", async () => {
    const azure = (deployment: string, body: Json) =>
      post(
        upstream(),
        `/openai/deployments/${deployment}/chat/completions?api-version=2025-04-01-preview`,
        body,
        {
          'content-type': 'application/json',
          'api-key': 'azure-key-123456',
        },
      );
    const { status, error } = await openAiError(
      await azure('gpt-5-mini', { messages: ask, temperature: 0.2 }),
    );
    assert.equal(status, 400);
    assert.equal(error.code, 'unsupported_value');
    assert.equal(
      (await azure('prod-chat', { messages: ask, temperature: 0.2 })).status,
      200,
      'an unknown deployment name',
    );
  });

  it("refuses stream_options without stream, in OpenAI's words", async () => {
    const { error } = await openAiError(
      await chat(upstream(), { model: 'ok', messages: ask, stream_options: { include_usage: true } }),
    );
    assert.equal(error.message, "The 'stream_options' parameter is only allowed when 'stream' is enabled.");
  });

  it('records the parameters that reached the API', async () => {
    await chat(upstream(), {
      model: 'gpt-5.5',
      messages: ask,
      reasoning_effort: 'high',
      max_completion_tokens: 900,
    });
    const [record] = upstream().stats().recent;
    assert.deepEqual(record.params, {
      api: 'chat',
      temperature: undefined,
      topP: undefined,
      maxTokens: undefined,
      maxCompletionTokens: 900,
      reasoningEffort: 'high',
      cacheControlBlocks: 0,
      systemPlacement: 'none',
      includeUsage: undefined,
    });
    assert.equal((record.body as Json).reasoning_effort, 'high', 'the body is kept as received');
  });
});

describe('fault upstream as OpenAI chat completions: usage', () => {
  const upstream = useFaultUpstream();

  it('reports reasoning tokens inside completion_tokens for reasoning models, and none for others', async () => {
    const reasoned = await read(
      await chat(upstream(), { model: 'gpt-5-mini', messages: ask, reasoning_effort: 'high' }),
    );
    const usage = reasoned.body.usage as Json;
    assert.equal(usage.completion_tokens_details.reasoning_tokens, 256);
    assert.ok(usage.completion_tokens > 256);
    assert.equal(upstream().stats().recent[0].usage?.reasoningTokens, 256);
    const plain = await read(await chat(upstream(), { model: 'ok', messages: ask }));
    assert.equal((plain.body.usage as Json).completion_tokens_details.reasoning_tokens, 0);
    assert.equal(upstream().stats().recent[1].usage?.reasoningTokens, undefined);
  });

  it('a cap the reasoning uses up leaves no text and finish_reason length', async () => {
    const { body } = await read(
      await chat(upstream(), {
        model: 'o3',
        messages: ask,
        reasoning_effort: 'high',
        max_completion_tokens: 200,
      }),
    );
    assert.equal(body.choices[0].message.content, null);
    assert.equal(body.choices[0].finish_reason, 'length');
  });

  it('caches a long prefix automatically: cached_tokens only on the second sight, in 128-token steps', async () => {
    const system = { role: 'system', content: longText(3000) };
    const first = await read(await chat(upstream(), { model: 'gpt-5.5', messages: [system, ...ask] }));
    assert.equal(first.body.usage.prompt_tokens_details.cached_tokens, 0, 'never on the first sight');
    const second = await read(
      await chat(upstream(), {
        model: 'gpt-5.5',
        messages: [
          system,
          ...ask,
          { role: 'assistant', content: 'Rayleigh.' },
          { role: 'user', content: 'More?' },
        ],
      }),
    );
    const cached = second.body.usage.prompt_tokens_details.cached_tokens as number;
    assert.ok(cached >= 1024 && cached <= second.body.usage.prompt_tokens, `cached ${cached}`);
    assert.equal((cached - 1024) % 128, 0);
    assert.equal(upstream().stats().recent[1].usage?.cacheReadTokens, cached);
    const other = await read(await chat(upstream(), { model: 'gpt-5.4', messages: [system, ...ask] }));
    assert.equal(other.body.usage.prompt_tokens_details.cached_tokens, 0, 'the cache is per model');
  });

  it('never caches a prompt shorter than 1024 tokens', async () => {
    for (let i = 0; i < 2; i++) {
      const { body } = await read(
        await chat(upstream(), { model: 'ok', messages: [{ role: 'user', content: longText(900) }] }),
      );
      assert.equal(body.usage.prompt_tokens_details.cached_tokens, 0);
    }
  });

  it('streams usage only when stream_options.include_usage is set, in a last chunk with no choices', async () => {
    const without = await events(await chat(upstream(), { model: 'ok', messages: ask, stream: true }));
    assert.ok(without.every((e) => e.data.usage === undefined));
    const withUsage = await events(
      await chat(upstream(), {
        model: 'gpt-5-mini',
        messages: ask,
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    const last = withUsage[withUsage.length - 1].data;
    assert.deepEqual(last.choices, []);
    assert.equal(last.usage.completion_tokens_details.reasoning_tokens, 128);
    assert.ok(withUsage.slice(0, -1).every((e) => e.data.usage === null));
  });

  it('the real SDK reads the details (JSON and streamed) and refuses what the API refuses', async () => {
    const client = new OpenAI({
      apiKey: 'sk-test-key-123456',
      baseURL: `${upstream().url}/v1`,
      maxRetries: 0,
    });
    const completion = await client.chat.completions.create({
      model: 'o4-mini',
      messages: [{ role: 'user', content: 'hi' }],
    });
    assert.equal(completion.usage?.completion_tokens_details?.reasoning_tokens, 128);
    const stream = await client.chat.completions.create({
      model: 'o4-mini',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) usage = chunk.usage ?? usage;
    assert.equal(usage?.prompt_tokens_details?.cached_tokens, 0);
    await assert.rejects(
      client.chat.completions.create({
        model: 'o4-mini',
        messages: [{ role: 'user', content: 'hi' }],
        temperature: 0.2,
      }),
      (error: unknown) => error instanceof OpenAI.BadRequestError && error.code === 'unsupported_value',
    );
  });

  it('in-stream failure: streamerror-n sends n chunks, then an error object the SDK throws', async () => {
    const client = new OpenAI({
      apiKey: 'sk-test-key-123456',
      baseURL: `${upstream().url}/v1`,
      maxRetries: 0,
    });
    const pieces: string[] = [];
    await assert.rejects(
      (async () => {
        const stream = await client.chat.completions.create({
          model: 'streamerror-2',
          messages: ask,
          stream: true,
        });
        for await (const chunk of stream) pieces.push(chunk.choices[0]?.delta.content ?? '');
      })(),
      (error: unknown) => error instanceof OpenAI.APIError && /server had an error/.test(error.message),
    );
    assert.equal(pieces.filter(Boolean).length, 2);
    assert.equal(
      (await chat(upstream(), { model: 'streamerror-2', messages: ask })).status,
      500,
      'JSON: a 500',
    );
  });
});
