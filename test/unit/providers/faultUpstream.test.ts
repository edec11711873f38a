import * as assert from 'node:assert/strict';
import { parseFaultBehaviour, startFaultUpstream, useFaultUpstream } from '../../support/faultServer';

describe('fault upstream: naming scheme', () => {
  it('reads each documented name', () => {
    assert.deepEqual(parseFaultBehaviour('ok'), { kind: 'ok' });
    assert.deepEqual(parseFaultBehaviour('gpt-4o-mini'), { kind: 'ok' }, 'unknown names answer normally');
    assert.deepEqual(parseFaultBehaviour('slow-250'), { kind: 'slow', delayMs: 250 });
    assert.deepEqual(parseFaultBehaviour('drip-30'), { kind: 'drip', chunkDelayMs: 30 });
    assert.deepEqual(parseFaultBehaviour('error-503'), { kind: 'error', status: 503 });
    assert.deepEqual(parseFaultBehaviour('error-200'), { kind: 'ok' }, 'only 4xx/5xx are errors');
    assert.deepEqual(parseFaultBehaviour('flaky-2~suiteA'), { kind: 'flaky', failures: 2 });
    assert.deepEqual(parseFaultBehaviour('ratelimit-5'), {
      kind: 'rateLimit',
      retryAfter: { form: 'seconds', value: 5 },
    });
    assert.deepEqual(parseFaultBehaviour('ratelimitms-900'), {
      kind: 'rateLimit',
      retryAfter: { form: 'ms', value: 900 },
    });
    assert.deepEqual(parseFaultBehaviour('ratelimitdate-60'), {
      kind: 'rateLimit',
      retryAfter: { form: 'date', value: 60 },
    });
    assert.deepEqual(parseFaultBehaviour('ratelimitonce-2'), { kind: 'rateLimitOnce', retryAfterSeconds: 2 });
    assert.deepEqual(parseFaultBehaviour('leaky-auth'), { kind: 'auth', echoKey: true });
    assert.deepEqual(parseFaultBehaviour('cut-4'), { kind: 'cut', afterChunks: 4 });
    assert.deepEqual(parseFaultBehaviour('stall-1'), { kind: 'stall', afterChunks: 1 });
    assert.deepEqual(parseFaultBehaviour('bursty'), { kind: 'bursty', failSeconds: 15, okSeconds: 15 });
    assert.deepEqual(parseFaultBehaviour('bursty-10-20'), { kind: 'bursty', failSeconds: 10, okSeconds: 20 });
    assert.deepEqual(
      parseFaultBehaviour('slow-99999999'),
      { kind: 'slow', delayMs: 600_000 },
      'waits are capped',
    );
    assert.deepEqual(parseFaultBehaviour('tools~chat'), { kind: 'tools', calls: 1 });
    assert.deepEqual(parseFaultBehaviour('tools-multi'), { kind: 'tools', calls: 2 });
    assert.deepEqual(parseFaultBehaviour('tools-outage-2'), {
      kind: 'tools',
      calls: 1,
      answersBeforeOutage: 2,
    });
    assert.deepEqual(parseFaultBehaviour('badtools'), { kind: 'badTools', flaw: 'malformedJson' });
    assert.deepEqual(parseFaultBehaviour('badtools-notobject'), { kind: 'badTools', flaw: 'notObject' });
  });
});

describe('fault upstream: tool calls on the wire', () => {
  const upstream = useFaultUpstream();
  const tool = {
    name: 'get_weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
  };

  async function post(vendor: 'openai' | 'anthropic', body: Record<string, unknown>): Promise<Response> {
    const openAi = vendor === 'openai';
    return fetch(`${upstream().url}${openAi ? '/v1/chat/completions' : '/v1/messages'}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(openAi
          ? { authorization: 'Bearer sk-test-key-123456' }
          : { 'x-api-key': 'k-123456', 'anthropic-version': '2023-06-01' }),
      },
      body: JSON.stringify(openAi ? body : { max_tokens: 100, ...body }),
    });
  }

  /** The `data:` payloads of an SSE body. */
  async function events(response: Response): Promise<Array<Record<string, unknown>>> {
    const text = await response.text();
    return [...text.matchAll(/^data: (.+)$/gm)]
      .map((m) => m[1])
      .filter((d) => d !== '[DONE]')
      .map((d) => JSON.parse(d) as Record<string, unknown>);
  }

  it('streams an OpenAI call as a named first piece and then its arguments text in several pieces by index', async () => {
    const response = await post('openai', {
      model: 'tools',
      stream: true,
      tools: [{ type: 'function', function: tool }],
      messages: [{ role: 'user', content: 'Oslo?' }],
    });
    type Delta = {
      tool_calls?: Array<{ index: number; id?: string; function: { name?: string; arguments: string } }>;
    };
    const deltas = (await events(response)).flatMap((e) =>
      (e.choices as Array<{ delta: Delta; finish_reason: string | null }>).map((c) => c),
    );
    const pieces = deltas.flatMap((c) => c.delta.tool_calls ?? []);
    assert.equal(pieces[0].function.name, 'get_weather');
    assert.match(pieces[0].id!, /^call_/);
    assert.equal(pieces[0].function.arguments, '');
    assert.ok(pieces.length > 3, 'the arguments came in pieces');
    assert.ok(
      pieces.slice(1).every((p) => p.index === 0 && p.id === undefined && p.function.name === undefined),
    );
    assert.equal(pieces.map((p) => p.function.arguments).join(''), '{"city":"Oslo?"}');
    assert.equal(deltas[deltas.length - 1].finish_reason, 'tool_calls');
  });

  it('streams an Anthropic call as a tool_use block whose input arrives as input_json_delta pieces', async () => {
    const response = await post('anthropic', {
      model: 'tools',
      stream: true,
      tools: [{ name: tool.name, input_schema: tool.parameters }],
      messages: [{ role: 'user', content: 'Oslo?' }],
    });
    const all = await events(response);
    const start = all.find((e) => e.type === 'content_block_start') as {
      index: number;
      content_block: Record<string, unknown>;
    };
    assert.equal(start.content_block.type, 'tool_use');
    assert.equal(start.content_block.name, 'get_weather');
    const partial = all
      .filter((e) => e.type === 'content_block_delta')
      .map((e) => e.delta as { type: string; partial_json: string });
    assert.ok(partial.every((d) => d.type === 'input_json_delta') && partial.length > 3);
    assert.equal(partial.map((d) => d.partial_json).join(''), '{"city":"Oslo?"}');
    const stop = all.find((e) => e.type === 'message_delta') as { delta: { stop_reason: string } };
    assert.equal(stop.delta.stop_reason, 'tool_use');
  });

  it("answers 400 in OpenAI's words for a tool message without a call before it, a call without its result, and arguments that are not text", async () => {
    const call = { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{}' } };
    const cases: Array<[unknown[], RegExp]> = [
      [
        [
          { role: 'user', content: 'q' },
          { role: 'tool', tool_call_id: 'call_1', content: 'r' },
        ],
        /messages with role 'tool' must be a response to a preceeding message with 'tool_calls'/,
      ],
      [
        [
          { role: 'user', content: 'q' },
          { role: 'assistant', content: null, tool_calls: [call] },
          { role: 'user', content: 'and?' },
        ],
        /did not have response messages: call_1/,
      ],
      [
        [
          { role: 'user', content: 'q' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ ...call, function: { name: 'get_weather', arguments: {} } }],
          },
          { role: 'tool', tool_call_id: 'call_1', content: 'r' },
        ],
        /expected a string, but got an object instead/,
      ],
    ];
    for (const [messages, wording] of cases) {
      const response = await post('openai', { model: 'ok', messages });
      assert.equal(response.status, 400);
      assert.match(((await response.json()) as { error: { message: string } }).error.message, wording);
    }
    const fine = await post('openai', {
      model: 'ok',
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: null, tool_calls: [call] },
        { role: 'tool', tool_call_id: 'call_1', content: 'r' },
      ],
    });
    assert.equal(fine.status, 200);
  });

  it("answers 400 in Anthropic's words for a tool_use without a tool_result right after, and for a schema that is not an object", async () => {
    const use = { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} };
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [
        {
          messages: [
            { role: 'user', content: 'q' },
            { role: 'assistant', content: [use] },
            { role: 'user', content: 'and?' },
          ],
        },
        /`tool_use` ids were found without `tool_result` blocks immediately after: toolu_1/,
      ],
      [
        {
          messages: [
            { role: 'user', content: 'q' },
            { role: 'assistant', content: [{ ...use, input: '{}' }] },
            { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'r' }] },
          ],
        },
        /Input should be a valid dictionary/,
      ],
      [
        {
          tools: [{ name: 'get_weather', input_schema: { properties: {} } }],
          messages: [{ role: 'user', content: 'q' }],
        },
        /input_schema.type: Input should be 'object'/,
      ],
    ];
    for (const [body, wording] of cases) {
      const response = await post('anthropic', { model: 'ok', ...body });
      assert.equal(response.status, 400);
      assert.match(((await response.json()) as { error: { message: string } }).error.message, wording);
    }
    assert.ok(
      upstream()
        .stats()
        .recent.every((r) => r.toolExchange !== undefined),
      'each request with tool history was recorded',
    );
  });
});

describe('fault upstream: server', () => {
  const upstream = useFaultUpstream();

  async function chat(
    model: string,
    init: { key?: boolean; path?: string; stream?: boolean } = {},
  ): Promise<Response> {
    return fetch(`${upstream().url}${init.path ?? '/v1/chat/completions'}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(init.key === false ? {} : { authorization: 'Bearer sk-test-key-123456' }),
      },
      body: JSON.stringify({
        model,
        stream: init.stream ?? false,
        messages: [{ role: 'user', content: 'hello' }],
      }),
    });
  }

  it('requires an API key header', async () => {
    const response = await chat('ok', { key: false });
    assert.equal(response.status, 401);
    assert.match(
      ((await response.json()) as { error: { message: string } }).error.message,
      /didn't provide an API key/,
    );
  });

  it('fails flaky-n n times per model name, and resetStats starts the count again', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await chat('flaky-2')).status);
    statuses.push((await chat('flaky-2~other')).status);
    upstream().resetStats();
    statuses.push((await chat('flaky-2')).status);
    assert.deepEqual(statuses, [500, 500, 200, 500, 500]);
  });

  it('counts calls per model, path and status, and serves them on /_stats', async () => {
    await chat('ok');
    await chat('error-502');
    await chat('ok', { path: '/openai/deployments/ok/chat/completions?api-version=2024-10-21' });
    const stats = (await (await fetch(`${upstream().url}/_stats`)).json()) as {
      total: number;
      byModel: Record<string, number>;
      byStatus: Record<string, number>;
      byPath: Record<string, number>;
    };
    assert.equal(stats.total, 3);
    assert.deepEqual(stats.byModel, { ok: 2, 'error-502': 1 });
    assert.deepEqual(stats.byStatus, { 200: 2, 502: 1 });
    assert.equal(stats.byPath['/openai/deployments/ok/chat/completions'], 1);
  });

  it('an Azure path without api-version is "Resource not found", as on Azure', async () => {
    assert.equal((await chat('ok', { path: '/openai/deployments/ok/chat/completions' })).status, 404);
  });

  it('stall-n sends n chunks and then holds the connection open', async () => {
    const controller = new AbortController();
    const response = await fetch(`${upstream().url}/v1/chat/completions`, {
      method: 'POST',
      signal: controller.signal,
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test-key-123456' },
      body: JSON.stringify({ model: 'stall-2', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    const reader = response.body!.getReader();
    let text = '';
    while ((text.match(/"content":"[^"]/g) ?? []).length < 2)
      text += new TextDecoder().decode((await reader.read()).value);
    assert.equal(upstream().stats().recent[0].outcome, 'stalled');
    controller.abort();
    await upstream().whenIdle();
    assert.equal(upstream().stats().recent[0].outcome, 'clientClosed');
  });

  it('bursty fails and recovers in phases of the wall clock', async () => {
    let now = 0;
    const bursty = await startFaultUpstream({ now: () => now });
    try {
      const statusAt = async (at: number) => {
        now = at;
        const response = await fetch(`${bursty.url}/v1/messages`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-api-key': 'k-123456',
            'anthropic-version': '2023-06-01',
          },
          body: JSON.stringify({
            model: 'bursty-10-20',
            max_tokens: 10,
            messages: [{ role: 'user', content: 'hi' }],
          }),
        });
        await response.arrayBuffer();
        return response.status;
      };
      assert.deepEqual(
        [
          await statusAt(0),
          await statusAt(9_999),
          await statusAt(10_000),
          await statusAt(29_999),
          await statusAt(30_000),
        ],
        [503, 503, 200, 200, 503],
      );
    } finally {
      await bursty.close();
    }
  });

  it('never logs the key', async () => {
    const lines: string[] = [];
    const logged = await startFaultUpstream({ logger: { info: (line) => lines.push(line) } });
    try {
      await fetch(`${logged.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer sk-never-log-me-0000' },
        body: JSON.stringify({ model: 'leaky-auth', messages: [{ role: 'user', content: 'hi' }] }),
      }).then((r) => r.arrayBuffer());
    } finally {
      await logged.close();
    }
    assert.ok(lines.length >= 2);
    assert.ok(lines.every((line) => !line.includes('sk-never-log-me')));
  });
});
