import * as assert from 'node:assert/strict';
import OpenAI from 'openai';
import { useFaultUpstream } from '../../support/faultServer';
import { events, longText, openAiError, read, responses, type Json } from './wire';

const weather = {
  type: 'function',
  name: 'get_weather',
  parameters: { type: 'object', properties: { city: { type: 'string' } } },
  strict: false,
};

describe('fault upstream as the OpenAI Responses API: answers', () => {
  const upstream = useFaultUpstream();

  it('answers a string input with a response object: a message with output_text, and usage', async () => {
    const { status, body } = await read(
      await responses(upstream(), {
        model: 'ok',
        input: 'Why is the sky blue?',
        instructions: 'Be brief.',
        store: false,
      }),
    );
    assert.equal(status, 200);
    assert.equal(body.object, 'response');
    assert.equal(body.status, 'completed');
    assert.equal(body.instructions, 'Be brief.');
    assert.equal(body.store, false);
    assert.deepEqual(
      body.output.map((item: Json) => item.type),
      ['message'],
    );
    const [part] = body.output[0].content;
    assert.equal(part.type, 'output_text');
    assert.match(part.text, /^Demo answer from ok: you asked "Why is the sky blue\?"/);
    assert.deepEqual(Object.keys(body.usage).sort(), [
      'input_tokens',
      'input_tokens_details',
      'output_tokens',
      'output_tokens_details',
      'total_tokens',
    ]);
    assert.deepEqual(body.usage.input_tokens_details, { cached_tokens: 0 });
    assert.deepEqual(body.usage.output_tokens_details, { reasoning_tokens: 0 });
  });

  it('a reasoning model answers a reasoning item first, with a summary when asked, and reasoning tokens', async () => {
    const { body } = await read(
      await responses(upstream(), {
        model: 'gpt-5.5',
        input: [{ role: 'user', content: [{ type: 'input_text', text: 'Plan a trip.' }] }],
        reasoning: { effort: 'high', summary: 'auto' },
        max_output_tokens: 4000,
      }),
    );
    assert.deepEqual(
      body.output.map((item: Json) => item.type),
      ['reasoning', 'message'],
    );
    assert.equal(body.output[0].summary[0].type, 'summary_text');
    assert.equal(body.usage.output_tokens_details.reasoning_tokens, 256);
    assert.deepEqual(body.reasoning, { effort: 'high', summary: 'auto' });
    assert.equal(upstream().stats().recent[0].params?.reasoningEffort, 'high');
    assert.equal(upstream().stats().recent[0].params?.maxOutputTokens, 4000);
  });

  it('a cap that cuts the answer makes the response incomplete, with the reason', async () => {
    const { body } = await read(
      await responses(upstream(), { model: 'ok', input: 'Tell me everything.', max_output_tokens: 16 }),
    );
    assert.equal(body.status, 'incomplete');
    assert.deepEqual(body.incomplete_details, { reason: 'max_output_tokens' });
  });

  it('calls a function tool with a function_call item, and the round trip quotes the output', async () => {
    const first = await read(
      await responses(upstream(), {
        model: 'tools',
        input: 'Weather in Oslo?',
        tools: [weather],
        store: false,
      }),
    );
    const [call] = first.body.output;
    assert.equal(call.type, 'function_call');
    assert.equal(call.name, 'get_weather');
    assert.match(call.call_id, /^call_/);
    assert.equal(call.arguments, '{"city":"Weather in Oslo?"}');
    const second = await read(
      await responses(upstream(), {
        model: 'tools',
        tools: [weather],
        store: false,
        input: [
          { role: 'user', content: 'Weather in Oslo?' },
          { type: 'function_call', call_id: call.call_id, name: 'get_weather', arguments: call.arguments },
          { type: 'function_call_output', call_id: call.call_id, output: '{"temp":4}' },
        ],
      }),
    );
    assert.match(second.body.output[0].content[0].text, /get_weather returned \{"temp":4\}/);
    assert.deepEqual(upstream().stats().recent[1].toolExchange?.offered, ['get_weather']);
  });

  it('continues a stored response by previous_response_id; store false keeps nothing to continue', async () => {
    const stored = await read(
      await responses(upstream(), { model: 'tools', input: 'Oslo?', tools: [weather] }),
    );
    const call = stored.body.output[0];
    const next = await responses(upstream(), {
      model: 'tools',
      tools: [weather],
      previous_response_id: stored.body.id,
      input: [{ type: 'function_call_output', call_id: call.call_id, output: 'sunny' }],
    });
    assert.equal(next.status, 200);
    const unstored = await read(await responses(upstream(), { model: 'ok', input: 'hi', store: false }));
    const { status, error } = await openAiError(
      await responses(upstream(), { model: 'ok', input: 'and?', previous_response_id: unstored.body.id }),
    );
    assert.equal(status, 400);
    assert.equal(error.message, `Previous response with id '${unstored.body.id}' not found.`);
    assert.equal(error.code, 'previous_response_not_found');
  });

  it('reports a long prefix seen before as cached input tokens', async () => {
    const input = [
      { role: 'developer', content: longText(2000) },
      { role: 'user', content: 'q1' },
    ];
    const first = await read(await responses(upstream(), { model: 'gpt-5.4', input, store: false }));
    assert.equal(first.body.usage.input_tokens_details.cached_tokens, 0);
    const second = await read(
      await responses(upstream(), {
        model: 'gpt-5.4',
        input: [...input, { role: 'user', content: 'q2' }],
        store: false,
      }),
    );
    assert.ok(second.body.usage.input_tokens_details.cached_tokens >= 1024);
  });
});

describe('fault upstream as the OpenAI Responses API: streams', () => {
  const upstream = useFaultUpstream();

  it('streams the real event sequence, numbered, for text', async () => {
    const all = await events(
      await responses(upstream(), { model: 'ok', input: 'Why?', stream: true, store: false }),
    );
    const types = all.map((e) => e.data.type as string);
    assert.deepEqual(
      types.filter((type) => type !== 'response.output_text.delta'),
      [
        'response.created',
        'response.in_progress',
        'response.output_item.added',
        'response.content_part.added',
        'response.output_text.done',
        'response.content_part.done',
        'response.output_item.done',
        'response.completed',
      ],
    );
    assert.ok(types.filter((type) => type === 'response.output_text.delta').length > 3);
    assert.deepEqual(
      all.map((e) => e.data.sequence_number),
      all.map((_, i) => i),
    );
    assert.ok(
      all.every((e) => e.event === e.data.type),
      'each event is named as its type',
    );
    const done = all[all.length - 1].data.response;
    const text = all
      .filter((e) => e.data.type === 'response.output_text.delta')
      .map((e) => e.data.delta)
      .join('');
    assert.equal(done.output[0].content[0].text, text);
    assert.ok(done.usage.input_tokens > 0);
  });

  it('streams function call arguments as deltas, then done with the whole arguments', async () => {
    const all = await events(
      await responses(upstream(), {
        model: 'tools',
        input: 'Oslo?',
        tools: [weather],
        stream: true,
        store: false,
      }),
    );
    const added = all.find((e) => e.data.type === 'response.output_item.added')!.data.item;
    assert.equal(added.type, 'function_call');
    assert.equal(added.arguments, '');
    const deltas = all.filter((e) => e.data.type === 'response.function_call_arguments.delta');
    assert.ok(deltas.length > 1);
    const done = all.find((e) => e.data.type === 'response.function_call_arguments.done')!.data;
    assert.equal(deltas.map((e) => e.data.delta).join(''), done.arguments);
    assert.equal(done.arguments, '{"city":"Oslo?"}');
  });

  it('the real SDK stream helper assembles the answer, reasoning item included', async () => {
    const client = new OpenAI({
      apiKey: 'sk-test-key-123456',
      baseURL: `${upstream().url}/v1`,
      maxRetries: 0,
    });
    const stream = client.responses.stream({
      model: 'gpt-5-mini',
      input: 'Why?',
      reasoning: { effort: 'low' },
      store: false,
    });
    const final = await stream.finalResponse();
    assert.equal(final.output[0].type, 'reasoning');
    assert.match(final.output_text, /^Demo answer from gpt-5-mini/);
    assert.equal(final.usage?.output_tokens_details.reasoning_tokens, 64);
    const created = await client.responses.create({
      model: 'tools',
      input: 'Oslo?',
      tools: [weather as never],
      store: false,
    });
    assert.equal(created.output[0].type, 'function_call');
  });

  it('fault models: error-500 and ratelimit-2 are HTTP errors, cut-3 drops the stream, stall-2 goes quiet', async () => {
    assert.equal((await responses(upstream(), { model: 'error-500', input: 'x' })).status, 500);
    const limited = await responses(upstream(), { model: 'ratelimit-2', input: 'x' });
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '2');
    await assert.rejects(
      (async () => events(await responses(upstream(), { model: 'cut-3', input: 'x', stream: true })))(),
    );
    const controller = new AbortController();
    const stalled = await fetch(`${upstream().url}/v1/responses`, {
      method: 'POST',
      signal: controller.signal,
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test-key-123456' },
      body: JSON.stringify({ model: 'stall-2', input: 'x', stream: true }),
    });
    const reader = stalled.body!.getReader();
    let text = '';
    while ((text.match(/response\.output_text\.delta/g) ?? []).length < 4)
      text += new TextDecoder().decode((await reader.read()).value);
    assert.equal(upstream().stats().recent.at(-1)?.outcome, 'stalled');
    controller.abort();
    await upstream().whenIdle();
  });

  it('streamerror-2 ends a started response with response.failed; garbage breaks an event', async () => {
    const all = await events(
      await responses(upstream(), { model: 'streamerror-2', input: 'x', stream: true }),
    );
    const last = all[all.length - 1].data;
    assert.equal(last.type, 'response.failed');
    assert.equal(last.response.status, 'failed');
    assert.equal(last.response.error.code, 'server_error');
    assert.equal(last.sequence_number, all.length - 1);
    const garbage = await responses(upstream(), { model: 'garbage', input: 'x', stream: true });
    await assert.rejects(events(garbage), SyntaxError);
  });

  it("context: a streamed request gets the API's error event after the response started; JSON gets a 400", async () => {
    const all = await events(await responses(upstream(), { model: 'context', input: 'x', stream: true }));
    assert.deepEqual(
      all.map((e) => e.data.type),
      ['response.created', 'response.in_progress', 'error'],
    );
    assert.deepEqual(all[2].data.error, {
      message: 'Your input exceeds the context window of this model. Please adjust your input and try again.',
      type: 'invalid_request_error',
      param: 'input',
      code: 'context_length_exceeded',
    });
    const { status, error } = await openAiError(
      await responses(upstream(), { model: 'context', input: 'x' }),
    );
    assert.equal(status, 400);
    assert.equal(error.code, 'context_length_exceeded');
  });
});

describe('fault upstream as the OpenAI Responses API: refusals', () => {
  const upstream = useFaultUpstream();

  it('refuses chat-completions parameters with the words that name their new place', async () => {
    const moved: Array<[Json, string, string]> = [
      [{ messages: [{ role: 'user', content: 'hi' }] }, 'messages', 'input'],
      [{ input: 'hi', max_tokens: 100 }, 'max_tokens', 'max_output_tokens'],
      [{ input: 'hi', max_completion_tokens: 100 }, 'max_completion_tokens', 'max_output_tokens'],
      [{ input: 'hi', reasoning_effort: 'low' }, 'reasoning_effort', 'reasoning.effort'],
    ];
    for (const [body, param, moved_to] of moved) {
      const { status, error } = await openAiError(await responses(upstream(), { model: 'ok', ...body }));
      assert.equal(status, 400);
      assert.equal(
        error.message,
        `Unsupported parameter: '${param}'. In the Responses API, this parameter has moved to '${moved_to}'. Try again with the new parameter. See the API documentation for more information: https://platform.openai.com/docs/api-reference/responses/create.`,
      );
      assert.equal(error.code, 'unsupported_parameter');
    }
  });

  it('refuses temperature on reasoning models, checks reasoning.effort, and the smallest max_output_tokens', async () => {
    const hot = await openAiError(
      await responses(upstream(), { model: 'gpt-5-codex', input: 'hi', temperature: 0.2 }),
    );
    assert.deepEqual(hot.error, {
      message: "Unsupported parameter: 'temperature' is not supported with this model.",
      type: 'invalid_request_error',
      param: 'temperature',
      code: null,
    });
    const effort = await openAiError(
      await responses(upstream(), { model: 'gpt-5-pro', input: 'hi', reasoning: { effort: 'low' } }),
    );
    assert.equal(effort.error.param, 'reasoning.effort');
    assert.match(effort.error.message, /Supported values are: 'high'\.$/);
    const small = await openAiError(
      await responses(upstream(), { model: 'ok', input: 'hi', max_output_tokens: 10 }),
    );
    assert.equal(small.error.code, 'integer_below_min_value');
    assert.equal(
      (await responses(upstream(), { model: 'gpt-4.1', input: 'hi', temperature: 0.2 })).status,
      200,
    );
  });

  it('refuses a function_call_output that answers no call, a call without output, and chat-shaped tools', async () => {
    const orphan = await openAiError(
      await responses(upstream(), {
        model: 'ok',
        input: [{ type: 'function_call_output', call_id: 'call_nowhere', output: 'r' }],
      }),
    );
    assert.deepEqual(orphan.error, {
      message: 'No tool call found for function call output with call_id call_nowhere.',
      type: 'invalid_request_error',
      param: 'input',
      code: null,
    });
    const unanswered = await openAiError(
      await responses(upstream(), {
        model: 'ok',
        input: [
          { role: 'user', content: 'q' },
          { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{}' },
          { role: 'user', content: 'and?' },
        ],
      }),
    );
    assert.equal(unanswered.error.message, 'No tool output found for function call call_1.');
    const chatShaped = await openAiError(
      await responses(upstream(), {
        model: 'ok',
        input: 'hi',
        tools: [{ type: 'function', function: { name: 'get_weather', parameters: {} } }],
      }),
    );
    assert.equal(chatShaped.error.message, "Missing required parameter: 'tools[0].name'.");
  });

  it('refuses input parts in an assistant turn and output parts in a user turn', async () => {
    const assistant = await openAiError(
      await responses(upstream(), {
        model: 'ok',
        input: [
          { role: 'user', content: 'q' },
          { role: 'assistant', content: [{ type: 'input_text', text: 'a' }] },
          { role: 'user', content: 'q2' },
        ],
      }),
    );
    assert.equal(
      assistant.error.message,
      "Invalid value: 'input_text'. Supported values are: 'output_text' and 'refusal'.",
    );
    assert.equal(assistant.error.param, 'input[1].content[0]');
    const user = await openAiError(
      await responses(upstream(), {
        model: 'ok',
        input: [{ role: 'user', content: [{ type: 'output_text', text: 'q' }] }],
      }),
    );
    assert.equal(user.error.code, 'invalid_value');
  });

  it('with store false, an input item naming an id answers 404, unless a reasoning item brings its encrypted content', async () => {
    const first = await read(
      await responses(upstream(), {
        model: 'gpt-5-mini',
        input: 'Plan.',
        store: false,
        include: ['reasoning.encrypted_content'],
      }),
    );
    const [reasoning, message] = first.body.output;
    assert.match(reasoning.encrypted_content, /^gAAAAA/);
    const replayed = await openAiError(
      await responses(upstream(), {
        model: 'gpt-5-mini',
        store: false,
        input: [{ role: 'user', content: 'Plan.' }, message, { role: 'user', content: 'And?' }],
      }),
    );
    assert.equal(replayed.status, 404);
    assert.equal(
      replayed.error.message,
      `Item with id '${message.id}' not found. Items are not persisted when \`store\` is set to false. Try again with \`store\` set to true, or remove this item from your input.`,
    );
    const { id: _id, ...withoutId } = message;
    const resent = await responses(upstream(), {
      model: 'gpt-5-mini',
      store: false,
      input: [{ role: 'user', content: 'Plan.' }, reasoning, withoutId, { role: 'user', content: 'And?' }],
    });
    assert.equal(resent.status, 200, 'ids removed, reasoning carried by its encrypted content');
    const storedFirst = await read(await responses(upstream(), { model: 'ok', input: 'Hi.' }));
    const fromStore = await responses(upstream(), {
      model: 'ok',
      input: [
        { role: 'user', content: 'Hi.' },
        storedFirst.body.output[0],
        { role: 'user', content: 'More.' },
      ],
    });
    assert.equal(fromStore.status, 200, 'a stored item may be named by its id');
  });
});
