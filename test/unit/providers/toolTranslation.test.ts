import * as assert from 'node:assert/strict';
import { isLlmError, type ChatMessage, type ToolCall, type ToolDefinition } from '../../../src/core';
import {
  AnthropicToolUseAssembler,
  fromAnthropicToolUse,
  fromOpenAiToolCalls,
  OpenAiToolCallAssembler,
  parseToolArguments,
  toAnthropicMessages,
  toAnthropicToolChoice,
  toAnthropicTools,
  toOpenAiMessages,
  toOpenAiToolChoice,
  toOpenAiTools,
  type AnswerSource,
} from '../../../src/providers/toolTranslation';

const weather: ToolDefinition = {
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};
const clock: ToolDefinition = { name: 'get_time', parameters: { type: 'object', properties: {} } };
const oslo: ToolCall = { id: 'call_1', name: 'get_weather', arguments: { city: 'Oslo' } };
const bergen: ToolCall = {
  id: 'call_2',
  name: 'get_weather',
  arguments: { city: 'Bergen', detail: { hourly: true } },
};
const source: AnswerSource = { provider: 'openai', model: 'primary' };

/** A conversation with two parallel calls, their results (one failed), and a follow-up question. */
const conversation: ChatMessage[] = [
  { role: 'user', content: 'Weather in Oslo and Bergen?' },
  { role: 'assistant', content: 'Checking both.', toolCalls: [oslo, bergen] },
  { role: 'tool', toolCallId: 'call_1', content: '{"temp": -3}' },
  { role: 'tool', toolCallId: 'call_2', content: 'station offline', isError: true },
  { role: 'assistant', content: 'Oslo is at -3 °C; Bergen did not answer.' },
  { role: 'user', content: 'And tomorrow?' },
];

function badResponse(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    assert.ok(isLlmError(error), `expected an LlmError, got ${String(error)}`);
    assert.equal(error.kind, 'badResponse');
    assert.equal(error.provider, source.provider);
    assert.equal(error.model, source.model);
    return error.message;
  }
  assert.fail('expected a badResponse');
}

describe('tool translation: requests to OpenAI', () => {
  it('sends the system prompt first, calls as `tool_calls` with JSON text arguments, and results as `tool` messages', () => {
    assert.deepEqual(toOpenAiMessages({ system: 'Be brief.', messages: conversation }), [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Weather in Oslo and Bergen?' },
      {
        role: 'assistant',
        content: 'Checking both.',
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
          {
            id: 'call_2',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Bergen","detail":{"hourly":true}}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '{"temp": -3}' },
      // OpenAI has no error flag on tool messages: the text says so.
      { role: 'tool', tool_call_id: 'call_2', content: 'Error: station offline' },
      { role: 'assistant', content: 'Oslo is at -3 °C; Bergen did not answer.' },
      { role: 'user', content: 'And tomorrow?' },
    ]);
  });

  it('sends an assistant turn of calls only with null content', () => {
    const [message] = toOpenAiMessages({ messages: [{ role: 'assistant', content: '', toolCalls: [oslo] }] });
    assert.equal(message.role === 'assistant' && message.content, null);
  });

  it('offers tools as functions and maps each tool choice', () => {
    assert.deepEqual(toOpenAiTools([weather, clock]), [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Current weather for a city',
          parameters: weather.parameters,
        },
      },
      { type: 'function', function: { name: 'get_time', parameters: clock.parameters } },
    ]);
    assert.equal(toOpenAiToolChoice('auto'), 'auto');
    assert.equal(toOpenAiToolChoice('none'), 'none');
    assert.equal(toOpenAiToolChoice('required'), 'required');
    assert.deepEqual(toOpenAiToolChoice({ name: 'get_time' }), {
      type: 'function',
      function: { name: 'get_time' },
    });
  });
});

describe('tool translation: requests to Anthropic', () => {
  it('sends calls as `tool_use` blocks after the text, and merges consecutive results into one user turn', () => {
    assert.deepEqual(toAnthropicMessages(conversation), [
      { role: 'user', content: 'Weather in Oslo and Bergen?' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking both.' },
          { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Oslo' } },
          {
            type: 'tool_use',
            id: 'call_2',
            name: 'get_weather',
            input: { city: 'Bergen', detail: { hourly: true } },
          },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'call_1', content: '{"temp": -3}' },
          { type: 'tool_result', tool_use_id: 'call_2', content: 'station offline', is_error: true },
        ],
      },
      { role: 'assistant', content: 'Oslo is at -3 °C; Bergen did not answer.' },
      { role: 'user', content: 'And tomorrow?' },
    ]);
  });

  it('leaves out an empty text block when the turn is calls only, and never merges results into a text turn', () => {
    const messages = toAnthropicMessages([
      { role: 'user', content: 'Time?' },
      { role: 'assistant', content: '', toolCalls: [{ id: 't1', name: 'get_time', arguments: {} }] },
      { role: 'tool', toolCallId: 't1', content: '12:00' },
    ]);
    assert.deepEqual(messages[1], {
      role: 'assistant',
      content: [{ type: 'tool_use', id: 't1', name: 'get_time', input: {} }],
    });
    assert.deepEqual(messages[2], {
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: 't1', content: '12:00' }],
    });
    assert.equal(messages.length, 3);
  });

  it('offers tools with an object input schema and maps each tool choice', () => {
    assert.deepEqual(toAnthropicTools([weather, clock]), [
      { name: 'get_weather', description: 'Current weather for a city', input_schema: weather.parameters },
      { name: 'get_time', input_schema: { type: 'object', properties: {} } },
    ]);
    assert.deepEqual(toAnthropicToolChoice('auto'), { type: 'auto' });
    assert.deepEqual(toAnthropicToolChoice('none'), { type: 'none' });
    assert.deepEqual(toAnthropicToolChoice('required'), { type: 'any' });
    assert.deepEqual(toAnthropicToolChoice({ name: 'get_time' }), { type: 'tool', name: 'get_time' });
  });
});

describe('tool translation: answers from OpenAI', () => {
  it('reads `tool_calls` back into the calls that were sent (both directions agree)', () => {
    const [, , assistant] = toOpenAiMessages({ system: 's', messages: conversation });
    const sent = assistant.role === 'assistant' ? assistant.tool_calls : undefined;
    assert.deepEqual(fromOpenAiToolCalls(sent, source), [oslo, bergen]);
    assert.deepEqual(fromOpenAiToolCalls(undefined, source), []);
    assert.deepEqual(fromOpenAiToolCalls(null, source), []);
  });

  it('reads empty arguments text as no arguments, and takes an object some compatible servers send', () => {
    assert.deepEqual(parseToolArguments('', 'get_time', source), {});
    assert.deepEqual(parseToolArguments('  ', 'get_time', source), {});
    assert.deepEqual(parseToolArguments({ city: 'Oslo' }, 'get_weather', source), { city: 'Oslo' });
  });

  it('makes up an id when a compatible server sends none', () => {
    const [call] = fromOpenAiToolCalls(
      [{ type: 'function', function: { name: 'get_time', arguments: '{}' } }],
      source,
    );
    assert.match(call.id, /^call_[0-9a-f]{24}$/);
  });

  it('turns malformed or non-object arguments, and calls without a function, into a badResponse', () => {
    const call = (args: unknown) => [
      { id: 'c', type: 'function', function: { name: 'get_weather', arguments: args } },
    ];
    assert.match(
      badResponse(() => fromOpenAiToolCalls(call('{"city": "Os'), source)),
      /arguments of "get_weather" are not valid JSON/,
    );
    assert.match(
      badResponse(() => fromOpenAiToolCalls(call('["Oslo"]'), source)),
      /not a JSON object/,
    );
    assert.match(
      badResponse(() => fromOpenAiToolCalls(call('"Oslo"'), source)),
      /not a JSON object/,
    );
    assert.match(
      badResponse(() => fromOpenAiToolCalls(call('null'), source)),
      /not a JSON object/,
    );
    assert.match(
      badResponse(() => fromOpenAiToolCalls(call(42), source)),
      /not a JSON object/,
    );
    badResponse(() =>
      fromOpenAiToolCalls([{ id: 'c', type: 'custom', custom: { name: 'x', input: '' } }], source),
    );
    badResponse(() =>
      fromOpenAiToolCalls([{ id: 'c', type: 'function', function: { arguments: '{}' } }], source),
    );
    badResponse(() => fromOpenAiToolCalls({ not: 'a list' }, source));
  });

  it('assembles streamed calls per index, even when their pieces interleave', () => {
    const assembler = new OpenAiToolCallAssembler();
    assert.equal(assembler.isEmpty, true);
    assembler.add([
      { index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } },
    ]);
    assembler.add([{ index: 0, function: { arguments: '{"ci' } }]);
    assembler.add([
      { index: 1, id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":' } },
    ]);
    assembler.add([
      { index: 0, function: { arguments: 'ty":"Os' } },
      { index: 1, function: { arguments: '"Bergen","detail":{"hourly"' } },
    ]);
    assembler.add([{ index: 1, function: { arguments: ':true}}' } }]);
    assembler.add([{ index: 0, function: { arguments: 'lo"}' } }]);
    assembler.add(undefined);
    assert.equal(assembler.isEmpty, false);
    assert.deepEqual(assembler.take(source), [oslo, bergen]);
    assert.equal(assembler.isEmpty, true);
    assert.deepEqual(assembler.take(source), []);
  });

  it('does not double a name a server repeats in every piece, and splits index-less calls by id', () => {
    const repeated = new OpenAiToolCallAssembler();
    repeated.add([{ index: 0, id: 'call_1', function: { name: 'get_weather', arguments: '{"city":' } }]);
    repeated.add([{ index: 0, function: { name: 'get_weather', arguments: '"Oslo"}' } }]);
    assert.deepEqual(repeated.take(source), [oslo]);

    const whole = new OpenAiToolCallAssembler();
    whole.add([{ id: 'call_1', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }]);
    whole.add([
      {
        id: 'call_2',
        function: { name: 'get_weather', arguments: { city: 'Bergen', detail: { hourly: true } } },
      },
    ]);
    assert.deepEqual(whole.take(source), [oslo, bergen]);
  });

  it('reports streamed arguments that do not parse as a badResponse when the call completes', () => {
    const assembler = new OpenAiToolCallAssembler();
    assembler.add([{ index: 0, id: 'call_1', function: { name: 'get_weather', arguments: '{"city": "Os' } }]);
    assert.match(
      badResponse(() => assembler.take(source)),
      /not valid JSON/,
    );
    const nameless = new OpenAiToolCallAssembler();
    nameless.add([{ index: 0, id: 'call_1', function: { arguments: '{}' } }]);
    assert.match(
      badResponse(() => nameless.take(source)),
      /names no function/,
    );
  });
});

describe('tool translation: answers from Anthropic', () => {
  it('reads `tool_use` blocks back into the calls that were sent (both directions agree)', () => {
    const [, assistant] = toAnthropicMessages(conversation);
    assert.ok(Array.isArray(assistant.content));
    assert.deepEqual(fromAnthropicToolUse(assistant.content, source), [oslo, bergen]);
    assert.deepEqual(fromAnthropicToolUse([{ type: 'text', text: 'no calls' }], source), []);
  });

  it('turns an input that is not an object, or a block without id, into a badResponse', () => {
    assert.match(
      badResponse(() =>
        fromAnthropicToolUse([{ type: 'tool_use', id: 't', name: 'get_weather', input: '{"city":' }], source),
      ),
      /input of "get_weather" is not a JSON object/,
    );
    assert.match(
      badResponse(() =>
        fromAnthropicToolUse([{ type: 'tool_use', id: 't', name: 'get_weather', input: ['Oslo'] }], source),
      ),
      /not a JSON object/,
    );
    badResponse(() => fromAnthropicToolUse([{ type: 'tool_use', name: 'get_weather', input: {} }], source));
  });

  it('assembles streamed input from its JSON pieces; a block without pieces has an empty input', () => {
    const assembler = new AnthropicToolUseAssembler();
    assembler.start(0, { type: 'text', text: '' }, source);
    assembler.start(1, { type: 'tool_use', id: 'call_1', name: 'get_weather', input: {} }, source);
    assert.equal(assembler.hasOpenCalls, true);
    for (const piece of ['', '{"ci', 'ty": "O', 'slo"}']) assembler.append(1, piece);
    assert.equal(assembler.finish(0, source), undefined, 'a text block is not a call');
    assert.deepEqual(assembler.finish(1, source), oslo);
    assembler.start(2, { type: 'tool_use', id: 't2', name: 'get_time', input: {} }, source);
    assert.deepEqual(assembler.finish(2, source), { id: 't2', name: 'get_time', arguments: {} });
    assert.equal(assembler.hasOpenCalls, false);
  });

  it('reports streamed input that does not parse, or is not an object, as a badResponse', () => {
    const assembler = new AnthropicToolUseAssembler();
    assembler.start(0, { type: 'tool_use', id: 't', name: 'get_weather', input: {} }, source);
    assembler.append(0, '{"city": "Os');
    assert.match(
      badResponse(() => assembler.finish(0, source)),
      /not valid JSON/,
    );
    assembler.start(1, { type: 'tool_use', id: 't', name: 'get_weather', input: {} }, source);
    assembler.append(1, '["Oslo"]');
    assert.match(
      badResponse(() => assembler.finish(1, source)),
      /not a JSON object/,
    );
    badResponse(() => assembler.start(2, { type: 'tool_use', name: 'get_weather', input: {} }, source));
  });
});
