import * as assert from 'node:assert/strict';
import {
  type ChatMessage,
  type ProviderRequest,
  type ProviderResponse,
  type StreamChunk,
  type ToolCall,
  type ToolDefinition,
} from '../../../src/core';
import { demoToolArguments } from '../../../src/demo/faultTools';
import { useFaultUpstream } from '../../support/faultServer';
import { caught, PROVIDER_KINDS, providerFor } from '../../support/providerFixtures';

const weather: ToolDefinition = {
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: {
    type: 'object',
    properties: {
      city: { type: 'string' },
      days: { type: 'integer', minimum: 1 },
      units: { type: 'string', enum: ['celsius', 'fahrenheit'] },
      alerts: { type: 'boolean' },
    },
    required: ['city'],
  },
};
const clock: ToolDefinition = {
  name: 'get_time',
  description: 'The time in a time zone',
  parameters: { type: 'object', properties: { zone: { type: 'string' } } },
};

/** Quotes, non-ASCII and an emoji: the streamed arguments text splits through escapes and surrogate pairs. */
const QUESTION = 'Weather in "Zürich" ☂️ 🌧 for the next days?';
const EXPECTED_ARGUMENTS = { city: QUESTION, days: 1, units: 'celsius', alerts: true };

function ask(
  tools: readonly ToolDefinition[] = [weather],
  messages: readonly ChatMessage[] = [{ role: 'user', content: QUESTION }],
): ProviderRequest {
  return { model: 'primary', messages, tools, toolChoice: 'auto' };
}

async function drain(stream: AsyncIterable<StreamChunk>): Promise<StreamChunk[]> {
  const chunks: StreamChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

/** What a stream amounts to, put together the way the manager does. */
function summarise(chunks: readonly StreamChunk[]): {
  text: string;
  calls: ToolCall[];
  finish?: string;
  lastUsage?: unknown;
} {
  const usages = chunks.filter((c) => c.type === 'usage');
  return {
    text: chunks.map((c) => (c.type === 'text' ? c.text : '')).join(''),
    calls: chunks.flatMap((c) => (c.type === 'toolCall' ? [c.call] : [])),
    finish: chunks.flatMap((c) => (c.type === 'finish' ? [c.finishReason] : []))[0],
    lastUsage:
      usages[usages.length - 1]?.type === 'usage'
        ? (usages[usages.length - 1] as { usage: unknown }).usage
        : undefined,
  };
}

for (const kind of PROVIDER_KINDS) {
  const anthropic = kind === 'anthropic';
  const toolFinish = anthropic ? 'tool_use' : 'tool_calls';
  const idPattern = anthropic ? /^toolu_01/ : /^call_/;

  describe(`${kind} provider: tool calls over real HTTP`, () => {
    const upstream = useFaultUpstream();
    const signal = () => new AbortController().signal;

    it('answers with a tool call and no text; the arguments arrive parsed, with the finish reason and usage', async () => {
      const answer: ProviderResponse = await providerFor(kind, upstream(), 'tools').generate(ask(), signal());
      assert.equal(answer.text, '');
      assert.equal(answer.toolCalls?.length, 1);
      const [call] = answer.toolCalls!;
      assert.equal(call.name, 'get_weather');
      assert.match(call.id, idPattern);
      assert.deepEqual(call.arguments, EXPECTED_ARGUMENTS);
      assert.deepEqual(
        call.arguments,
        demoToolArguments(weather.parameters, QUESTION),
        'the upstream made them up from the schema',
      );
      assert.equal(answer.finishReason, toolFinish);
      const served = upstream().stats().recent[0];
      assert.deepEqual(answer.usage, served.usage);
      assert.deepEqual(served.toolExchange?.offered, ['get_weather']);
    });

    it('streams a tool call whose arguments arrive in many pieces and reassembles them exactly', async () => {
      const chunks = await drain(providerFor(kind, upstream(), 'tools').stream(ask(), signal()));
      const streamed = summarise(chunks);
      const served = upstream().stats().recent[0];
      assert.ok(served.chunksSent >= 10, `the arguments came in ${served.chunksSent} pieces`);
      assert.equal(streamed.text, '');
      assert.equal(streamed.calls.length, 1, 'one chunk per complete call');
      assert.deepEqual(streamed.calls[0].arguments, EXPECTED_ARGUMENTS);
      assert.match(streamed.calls[0].id, idPattern);
      assert.equal(streamed.finish, toolFinish);
      assert.deepEqual(streamed.lastUsage, served.usage, 'usage is still captured');
      const callAt = chunks.findIndex((c) => c.type === 'toolCall');
      const finishAt = chunks.findIndex((c) => c.type === 'finish');
      assert.ok(callAt < finishAt, 'the call is complete before the answer finishes');
    });

    it("answers with text and two calls in one answer, streamed or not, keeping each call's own arguments", async () => {
      const provider = providerFor(kind, upstream(), 'tools-multi');
      const whole = await provider.generate(ask([weather, clock]), signal());
      const streamed = summarise(await drain(provider.stream(ask([weather, clock]), signal())));
      for (const answer of [{ text: whole.text, calls: whole.toolCalls ?? [] }, streamed]) {
        assert.equal(answer.text, 'Let me call get_weather and get_time.');
        assert.deepEqual(
          answer.calls.map((c) => [c.name, c.arguments]),
          [
            ['get_weather', EXPECTED_ARGUMENTS],
            ['get_time', { zone: QUESTION }],
          ],
        );
        assert.notEqual(answer.calls[0].id, answer.calls[1].id);
      }
      // One tool offered: it is called twice, asking different things.
      const twice = await provider.generate(ask([weather]), signal());
      assert.deepEqual(
        twice.toolCalls?.map((c) => c.arguments),
        [EXPECTED_ARGUMENTS, { ...EXPECTED_ARGUMENTS, city: `${QUESTION} #2`, days: 2 }],
      );
    });

    it('round trip: the follow-up carrying the call and its result gets a text answer quoting the result', async () => {
      const provider = providerFor(kind, upstream(), 'tools');
      const [call] = (await provider.generate(ask(), signal())).toolCalls!;
      const history: ChatMessage[] = [
        { role: 'user', content: QUESTION },
        { role: 'assistant', content: '', toolCalls: [call] },
        { role: 'tool', toolCallId: call.id, content: '{"temp": -3, "sky": "rain"}' },
      ];
      const whole = await provider.generate(ask([weather], history), signal());
      assert.equal(whole.text, 'Demo answer from tools: get_weather returned {"temp": -3, "sky": "rain"}.');
      assert.equal(whole.toolCalls, undefined);
      assert.equal(whole.finishReason, anthropic ? 'end_turn' : 'stop');
      const streamed = summarise(await drain(provider.stream(ask([weather], history), signal())));
      assert.equal(streamed.text, whole.text);
      assert.deepEqual(streamed.calls, []);

      // The upstream saw the history in the vendor's own format.
      const sent = upstream().stats().recent[1].toolExchange!.messages;
      if (anthropic) {
        assert.deepEqual(sent.slice(1), [
          {
            role: 'assistant',
            content: [{ type: 'tool_use', id: call.id, name: 'get_weather', input: EXPECTED_ARGUMENTS }],
          },
          {
            role: 'user',
            content: [{ type: 'tool_result', tool_use_id: call.id, content: '{"temp": -3, "sky": "rain"}' }],
          },
        ]);
      } else if (kind === 'responses') {
        // Responses input items: the call as a `function_call` item by its `call_id`, then its output.
        assert.deepEqual(sent.slice(1), [
          {
            type: 'function_call',
            call_id: call.id,
            name: 'get_weather',
            arguments: JSON.stringify(EXPECTED_ARGUMENTS),
          },
          { type: 'function_call_output', call_id: call.id, output: '{"temp": -3, "sky": "rain"}' },
        ]);
      } else {
        assert.deepEqual(sent.slice(1), [
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: call.id,
                type: 'function',
                function: { name: 'get_weather', arguments: JSON.stringify(EXPECTED_ARGUMENTS) },
              },
            ],
          },
          { role: 'tool', tool_call_id: call.id, content: '{"temp": -3, "sky": "rain"}' },
        ]);
      }
    });

    it('sends two results of parallel calls so the service accepts them (Anthropic: one user turn)', async () => {
      const provider = providerFor(kind, upstream(), 'tools-multi');
      const answer = await provider.generate(ask([weather, clock]), signal());
      const [first, second] = answer.toolCalls!;
      const history: ChatMessage[] = [
        { role: 'user', content: QUESTION },
        { role: 'assistant', content: answer.text, toolCalls: answer.toolCalls },
        { role: 'tool', toolCallId: first.id, content: '-3 °C' },
        { role: 'tool', toolCallId: second.id, content: 'unknown zone', isError: true },
      ];
      const followUp = await provider.generate(ask([weather, clock], history), signal());
      const errorText = anthropic
        ? 'get_time failed with unknown zone'
        : 'get_time returned Error: unknown zone';
      assert.equal(followUp.text, `Demo answer from tools-multi: get_weather returned -3 °C; ${errorText}.`);
    });

    it('a request with tools still meets the ordinary behaviours: text from "ok", a server error from "error-500"', async () => {
      const ok = await providerFor(kind, upstream(), 'ok').generate(ask(), signal());
      assert.match(ok.text, /^Demo answer from ok/);
      assert.equal(ok.toolCalls, undefined);
      const streamed = summarise(await drain(providerFor(kind, upstream(), 'ok').stream(ask(), signal())));
      assert.equal(streamed.text, ok.text);
      assert.equal(
        (await caught(providerFor(kind, upstream(), 'error-500').generate(ask(), signal()))).kind,
        'server',
      );
      assert.equal(
        (await caught(drain(providerFor(kind, upstream(), 'error-500').stream(ask(), signal())))).kind,
        'server',
      );
    });

    it('answers text when the tool choice is "none" or no tools are offered', async () => {
      const provider = providerFor(kind, upstream(), 'tools');
      const none = await provider.generate({ ...ask(), toolChoice: 'none' }, signal());
      assert.match(none.text, /^Demo answer from tools/);
      assert.equal(none.toolCalls, undefined);
      const plain = await provider.generate(
        { model: 'primary', messages: [{ role: 'user', content: 'hi' }] },
        signal(),
      );
      assert.equal(plain.toolCalls, undefined);
    });

    it('calls the tool the tool choice names', async () => {
      const answer = await providerFor(kind, upstream(), 'tools').generate(
        { ...ask([weather, clock]), toolChoice: { name: 'get_time' } },
        signal(),
      );
      assert.deepEqual(
        answer.toolCalls?.map((c) => c.name),
        ['get_time'],
      );
    });

    for (const [model, problem] of [
      ['badtools', anthropic ? /not a JSON object/ : /not valid JSON/],
      ['badtools-notobject', /not a JSON object/],
    ] as const) {
      it(`"${model}": malformed arguments are a badResponse, streamed or not, never a crash`, async () => {
        const provider = providerFor(kind, upstream(), model);
        const whole = await caught(provider.generate(ask(), signal()));
        assert.equal(whole.kind, 'badResponse');
        assert.match(whole.message, problem);
        assert.equal(whole.model, 'primary');
        const streamed = await caught(drain(provider.stream(ask(), signal())));
        assert.equal(streamed.kind, 'badResponse');
        assert.match(streamed.message, model === 'badtools' ? /not valid JSON/ : /not a JSON object/);
      });
    }
  });
}
