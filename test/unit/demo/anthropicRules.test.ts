import * as assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { startFaultUpstream, useFaultUpstream } from '../../support/faultServer';
import { anthropicError, events, longText, messages, post, read, type Json } from './wire';

const ask = [{ role: 'user', content: 'Why is the sky blue?' }];
const weather = {
  name: 'get_weather',
  input_schema: { type: 'object', properties: { city: { type: 'string' } } },
};

async function refusal(response: Response): Promise<string> {
  const { status, type, error } = await anthropicError(response);
  assert.equal(status, 400);
  assert.equal(type, 'error');
  assert.equal(error.type, 'invalid_request_error');
  return error.message as string;
}

describe('fault upstream as Anthropic Messages: refusals', () => {
  const upstream = useFaultUpstream();

  it('max_tokens is required, and never above the model’s output limit', async () => {
    assert.equal(
      await refusal(await messages(upstream(), { model: 'ok', messages: ask })),
      'max_tokens: Field required',
    );
    assert.equal(
      await refusal(
        await messages(upstream(), { model: 'claude-haiku-4-5-20251001', max_tokens: 70000, messages: ask }),
      ),
      'max_tokens: 70000 > 64000, which is the maximum allowed number of output tokens for claude-haiku-4-5-20251001',
    );
    const fine = await messages(upstream(), { model: 'claude-opus-4-8', max_tokens: 128000, messages: ask });
    assert.equal(fine.status, 200);
    assert.equal(
      (await messages(upstream(), { model: 'ok', max_tokens: 150000, messages: ask })).status,
      200,
    );
  });

  it('refuses a system role among the messages', async () => {
    const message = await refusal(
      await messages(upstream(), {
        model: 'ok',
        max_tokens: 100,
        messages: [{ role: 'system', content: 'Be brief.' }, ...ask],
      }),
    );
    assert.equal(
      message,
      'messages: Unexpected role "system". The Messages API accepts a top-level `system` parameter, not "system" as an input message role.',
    );
    assert.equal(upstream().stats().recent[0].params?.systemPlacement, 'message');
    await messages(upstream(), { model: 'ok', max_tokens: 100, system: 'Be brief.', messages: ask });
    assert.equal(upstream().stats().recent[1].params?.systemPlacement, 'topLevel');
  });

  it('refuses temperature and top_p together on Sonnet/Haiku 4.5+ and Opus 4.1+, and sampling on Opus 4.7+', async () => {
    assert.equal(
      await refusal(
        await messages(upstream(), {
          model: 'claude-haiku-4-5',
          max_tokens: 100,
          temperature: 0.5,
          top_p: 0.9,
          messages: ask,
        }),
      ),
      '`temperature` and `top_p` cannot both be specified for this model. Please use only one.',
    );
    assert.equal(
      (
        await messages(upstream(), {
          model: 'claude-haiku-4-5',
          max_tokens: 100,
          temperature: 0.5,
          messages: ask,
        })
      ).status,
      200,
    );
    assert.equal(
      await refusal(
        await messages(upstream(), {
          model: 'claude-opus-4-8',
          max_tokens: 100,
          temperature: 0.5,
          messages: ask,
        }),
      ),
      '`temperature` is deprecated for this model.',
    );
    assert.equal(
      (
        await messages(upstream(), {
          model: 'ok',
          max_tokens: 100,
          temperature: 0.5,
          top_p: 0.9,
          messages: ask,
        })
      ).status,
      200,
    );
  });

  it('refuses more than 4 cache_control breakpoints, counting the top-level one', async () => {
    const block = (text: string) => ({ type: 'text', text, cache_control: { type: 'ephemeral' } });
    const message = await refusal(
      await messages(upstream(), {
        model: 'ok',
        max_tokens: 100,
        cache_control: { type: 'ephemeral' },
        system: [block('a'), block('b')],
        messages: [{ role: 'user', content: [block('c'), block('d')] }],
      }),
    );
    assert.equal(message, 'A maximum of 4 blocks with cache_control may be provided. Found 5.');
    assert.equal(upstream().stats().recent[0].params?.cacheControlBlocks, 5);
  });

  it('answers 404 not_found_error for retired models, by the wall clock', async () => {
    const { status, error } = await anthropicError(
      await messages(upstream(), { model: 'claude-3-5-sonnet-20241022', max_tokens: 100, messages: ask }),
    );
    assert.equal(status, 404);
    assert.deepEqual(error, { type: 'not_found_error', message: 'model: claude-3-5-sonnet-20241022' });
    const before = await startFaultUpstream({ now: () => Date.parse('2026-11-29T12:00:00Z') });
    const after = await startFaultUpstream({ now: () => Date.parse('2026-12-01T12:00:00Z') });
    try {
      const body = { model: 'claude-sonnet-4-5', max_tokens: 100, messages: ask };
      assert.equal(
        (await messages(before, body)).status,
        200,
        'claude-sonnet-4-5 answers until November 30, 2026',
      );
      assert.equal((await messages(after, body)).status, 404, 'and is gone after');
    } finally {
      await Promise.all([before.close(), after.close()]);
    }
  });

  it('requires the anthropic-version header', async () => {
    const response = await post(
      upstream(),
      '/v1/messages',
      { model: 'ok', max_tokens: 10, messages: ask },
      {
        'content-type': 'application/json',
        'x-api-key': 'sk-ant-test-123456',
      },
    );
    assert.equal(await refusal(response), 'anthropic-version: header is required');
  });
});

describe('fault upstream as Anthropic Messages: extended thinking', () => {
  const upstream = useFaultUpstream();
  const thinking = (budget_tokens: number) => ({ type: 'enabled', budget_tokens });

  it('refuses a budget below 1024, a budget not below max_tokens, and sampling changes with thinking', async () => {
    const cases: Array<[Json, RegExp]> = [
      [
        { max_tokens: 4000, thinking: thinking(512) },
        /^thinking\.enabled\.budget_tokens: Input should be greater than or equal to 1024$/,
      ],
      [
        { max_tokens: 2000, thinking: thinking(2000) },
        /^`max_tokens` must be greater than `thinking\.budget_tokens`\. Please consult/,
      ],
      [
        { max_tokens: 4000, thinking: thinking(2000), temperature: 0.2 },
        /^`temperature` may only be set to 1 when thinking is enabled\./,
      ],
      [
        { max_tokens: 4000, thinking: thinking(2000), top_k: 5 },
        /^`top_k` must be unset when thinking is enabled\./,
      ],
      [
        { max_tokens: 4000, thinking: thinking(2000), top_p: 0.5 },
        /^`top_p` must be greater than or equal to 0\.95/,
      ],
      [
        { max_tokens: 4000, thinking: thinking(2000), tools: [weather], tool_choice: { type: 'any' } },
        /^Thinking may not be enabled when tool_choice forces tool use\.$/,
      ],
    ];
    for (const [extra, wording] of cases) {
      assert.match(
        await refusal(await messages(upstream(), { model: 'claude-haiku-4-5', messages: ask, ...extra })),
        wording,
      );
    }
    const fine = await messages(upstream(), {
      model: 'claude-haiku-4-5',
      messages: ask,
      max_tokens: 4000,
      thinking: thinking(2000),
      temperature: 1,
    });
    assert.equal(fine.status, 200);
  });

  it('takes adaptive thinking where the family supports it, and enabled only where it still does', async () => {
    const adaptive = { type: 'adaptive' };
    assert.equal(
      (
        await messages(upstream(), {
          model: 'claude-opus-4-8',
          max_tokens: 4000,
          thinking: adaptive,
          messages: ask,
        })
      ).status,
      200,
    );
    assert.equal(
      (
        await messages(upstream(), {
          model: 'claude-sonnet-4-6',
          max_tokens: 4000,
          thinking: thinking(2000),
          messages: ask,
        })
      ).status,
      200,
    );
    assert.equal(
      await refusal(
        await messages(upstream(), {
          model: 'claude-haiku-4-5',
          max_tokens: 4000,
          thinking: adaptive,
          messages: ask,
        }),
      ),
      'adaptive thinking is not supported on this model',
    );
    assert.match(
      await refusal(
        await messages(upstream(), {
          model: 'claude-sonnet-5-5',
          max_tokens: 4000,
          thinking: thinking(2000),
          messages: ask,
        }),
      ),
      /^"thinking\.type\.enabled" is not supported for this model\. Use "thinking\.type\.adaptive"/,
    );
  });

  it('answers a signed thinking block before the text, and counts its tokens as output', async () => {
    const plain = await read(await messages(upstream(), { model: 'ok', max_tokens: 4000, messages: ask }));
    const { body } = await read(
      await messages(upstream(), { model: 'ok', max_tokens: 4000, thinking: thinking(2000), messages: ask }),
    );
    assert.deepEqual(
      body.content.map((block: Json) => block.type),
      ['thinking', 'text'],
    );
    assert.match(body.content[0].thinking, /^The user asks/);
    assert.ok(body.content[0].signature.length > 20);
    const thinkingTokens = body.usage.output_tokens_details.thinking_tokens as number;
    assert.ok(thinkingTokens > 0);
    assert.equal(body.usage.output_tokens, plain.body.usage.output_tokens + thinkingTokens);
    assert.equal(upstream().stats().recent[1].usage?.reasoningTokens, thinkingTokens);
  });

  it('streams thinking as thinking_delta pieces and a signature_delta before the text block', async () => {
    const all = await events(
      await messages(upstream(), {
        model: 'claude-opus-4-8',
        max_tokens: 4000,
        thinking: { type: 'adaptive' },
        stream: true,
        messages: ask,
      }),
    );
    const starts = all
      .filter((e) => e.data.type === 'content_block_start')
      .map((e) => e.data.content_block.type);
    assert.deepEqual(starts, ['thinking', 'text']);
    const deltas = all
      .filter((e) => e.data.type === 'content_block_delta' && e.data.index === 0)
      .map((e) => e.data.delta.type);
    assert.ok(deltas.length > 2);
    assert.equal(deltas[deltas.length - 1], 'signature_delta');
    assert.ok(deltas.slice(0, -1).every((type) => type === 'thinking_delta'));
  });

  it('the real SDK assembles thinking and signature; a tool loop must pass the thinking back, signed', async () => {
    const client = new Anthropic({ apiKey: 'sk-ant-test-123456', baseURL: upstream().url, maxRetries: 0 });
    const base = {
      model: 'tools',
      max_tokens: 4000,
      thinking: { type: 'enabled' as const, budget_tokens: 2000 },
      tools: [weather as Anthropic.Tool],
    };
    const first = await client.messages
      .stream({ ...base, messages: [{ role: 'user', content: 'Oslo?' }] })
      .finalMessage();
    const [thought, use] = first.content;
    assert.equal(thought.type, 'thinking');
    assert.equal(use.type, 'tool_use');
    const result = (id: string): Anthropic.MessageParam => ({
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: id, content: 'sunny' }],
    });
    const id = (use as Anthropic.ToolUseBlock).id;
    const followUp = await client.messages.create({
      ...base,
      messages: [
        { role: 'user', content: 'Oslo?' },
        { role: 'assistant', content: first.content },
        result(id),
      ],
    });
    assert.equal(followUp.content[followUp.content.length - 1].type, 'text');

    const withoutThinking = messages(upstream(), {
      ...base,
      messages: [{ role: 'user', content: 'Oslo?' }, { role: 'assistant', content: [use] }, result(id)],
    });
    assert.match(
      await refusal(await withoutThinking),
      /^messages\.1\.content\.0\.type: Expected `thinking` or `redacted_thinking`, but found `tool_use`\. When `thinking` is enabled, a final `assistant` message must start with a thinking block/,
    );
    const forged = messages(upstream(), {
      ...base,
      messages: [
        { role: 'user', content: 'Oslo?' },
        { role: 'assistant', content: [{ ...thought, thinking: 'I changed my mind.' }, use] },
        result(id),
      ],
    });
    assert.equal(
      await refusal(await forged),
      'messages.1.content.0: Invalid `signature` in `thinking` block',
    );
  });
});

describe('fault upstream as Anthropic Messages: prompt caching', () => {
  let now = Date.parse('2026-12-01T12:00:00Z');
  const upstream = useFaultUpstream({ now: () => now });
  const cached = (text: string, ttl?: '1h') => ({
    type: 'text',
    text,
    cache_control: ttl ? { type: 'ephemeral', ttl } : { type: 'ephemeral' },
  });

  async function usage(body: Json): Promise<Json> {
    const { status, body: answer } = await read(await messages(upstream(), { max_tokens: 100, ...body }));
    assert.equal(status, 200, JSON.stringify(answer));
    return answer.usage as Json;
  }

  it('writes a long breakpoint on first sight and reads it on the next; input_tokens excludes both', async () => {
    const system = [cached(longText(1500))];
    const first = await usage({
      model: 'claude-sonnet-4-6',
      system: [cached(longText(2500))],
      messages: ask,
    });
    assert.ok(first.cache_creation_input_tokens >= 2048);
    assert.equal(first.cache_read_input_tokens, 0);
    assert.deepEqual(first.cache_creation, {
      ephemeral_5m_input_tokens: first.cache_creation_input_tokens,
      ephemeral_1h_input_tokens: 0,
    });
    const again = await usage({
      model: 'claude-sonnet-4-6',
      system: [cached(longText(2500))],
      messages: [{ role: 'user', content: 'And at sunset?' }],
    });
    assert.equal(again.cache_read_input_tokens, first.cache_creation_input_tokens);
    assert.equal(again.cache_creation_input_tokens, 0);
    const record = upstream().stats().recent[1].usage!;
    assert.equal(
      record.inputTokens,
      again.input_tokens + again.cache_read_input_tokens,
      'the record counts every prompt token',
    );
    assert.equal(record.cacheReadTokens, again.cache_read_input_tokens);
    const short = await usage({ model: 'claude-sonnet-4-6', system, messages: ask });
    assert.equal(
      short.cache_creation_input_tokens,
      0,
      'a prefix below the model’s minimum (2048 for Sonnet 4.6) is not cached',
    );
  });

  it('forgets a 5-minute entry after five minutes unread, keeps a 1-hour one, and a read refreshes the TTL', async () => {
    const model = 'claude-opus-4-8';
    const five = { model, system: [cached(longText(1200, 'five'))], messages: ask };
    const hour = { model, system: [cached(longText(1200, 'hour'), '1h')], messages: ask };
    assert.ok((await usage(five)).cache_creation_input_tokens > 0);
    assert.ok((await usage(hour)).cache_creation.ephemeral_1h_input_tokens > 0);
    now += 4 * 60_000;
    assert.ok((await usage(five)).cache_read_input_tokens > 0, 'read at 4 minutes, which refreshes it');
    now += 4 * 60_000;
    assert.ok((await usage(five)).cache_read_input_tokens > 0, 'still there 4 minutes after the read');
    now += 6 * 60_000;
    assert.equal((await usage(five)).cache_read_input_tokens, 0, 'gone 6 minutes after its last use');
    assert.ok((await usage(hour)).cache_read_input_tokens > 0, 'the 1-hour entry is still there');
  });

  it('a follow-up whose breakpoint moved forward reads the earlier prefix (automatic caching)', async () => {
    const history = [
      { role: 'user', content: longText(1500, 'file') },
      { role: 'assistant', content: 'It is a parser.' },
    ];
    const first = await usage({
      model: 'claude-opus-4-8',
      cache_control: { type: 'ephemeral' },
      messages: history,
    });
    const second = await usage({
      model: 'claude-opus-4-8',
      cache_control: { type: 'ephemeral' },
      messages: [...history, { role: 'user', content: 'What does it return?' }],
    });
    assert.equal(second.cache_read_input_tokens, first.cache_creation_input_tokens);
    assert.ok(second.cache_creation_input_tokens > 0, 'the new turn is written behind it');
  });
});
