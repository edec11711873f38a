import * as assert from 'node:assert/strict';
import {
  isLlmError,
  LlmManager,
  type ChatMessage,
  type GenerateResult,
  type ToolDefinition,
  type TraceStep,
} from '../../../src/core';
import { MemoryLogger } from '../../support/fakeClock';
import { RecordingClock, useFaultUpstream } from '../../support/faultServer';
import { metadataFor, providerFor, type ProviderKindUnderTest } from '../../support/providerFixtures';

const weather: ToolDefinition = {
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};
const QUESTION = 'What is the weather in Oslo?';
const RESULT = '{"temp": -3, "sky": "snow"}';

function summary(steps: readonly TraceStep[]): string[] {
  return steps.map((s) => {
    switch (s.type) {
      case 'attempt':
        return `${s.model}:${s.outcome}${s.errorKind ? `:${s.errorKind}` : ''}`;
      case 'skip':
        return `skip:${s.model}:${s.reason}`;
      default:
        return s.type;
    }
  });
}

/** The follow-up a caller sends after running the tool the answer asked for. */
function withResult(answer: GenerateResult): ChatMessage[] {
  const [call] = answer.toolCalls!;
  return [
    { role: 'user', content: QUESTION },
    { role: 'assistant', content: answer.text, toolCalls: answer.toolCalls },
    { role: 'tool', toolCallId: call.id, content: RESULT },
  ];
}

/**
 * Tools through the manager over the real providers and real HTTP: the fault upstream answers
 * with tool calls, checks the tool history it is sent as the services do, and records it.
 */
describe('chain with tools: real providers, real HTTP', () => {
  const upstream = useFaultUpstream();
  let manager: LlmManager;

  function setUp(
    models: ReadonlyArray<readonly [name: string, kind: ProviderKindUnderTest, faultModel: string]>,
    options: { enableCaching?: boolean } = {},
  ): void {
    manager = new LlmManager({
      clock: new RecordingClock(),
      logger: new MemoryLogger(),
      random: () => 0,
      enableCaching: options.enableCaching ?? false,
      maxRetries: 0,
      breaker: { failureThreshold: 5, recoveryTimeoutMs: 60_000 },
      stream: { firstChunkTimeoutMs: 10_000, idleTimeoutMs: 5_000 },
    });
    for (const [name, kind, faultModel] of models)
      manager.registerModel(
        name,
        providerFor(kind, upstream(), faultModel),
        metadataFor(kind, upstream(), faultModel),
      );
    manager.setFallbackChain(models.map(([name]) => name));
  }

  afterEach(async () => {
    await manager?.dispose();
  });

  const directions = [
    { primary: 'openai', fallback: 'anthropic' },
    { primary: 'anthropic', fallback: 'openai' },
    { primary: 'responses', fallback: 'anthropic' },
    { primary: 'anthropic', fallback: 'responses' },
  ] as const;

  for (const { primary, fallback } of directions) {
    for (const streaming of [false, true]) {
      it(`fails over from ${primary} to ${fallback} in the middle of a tool-using conversation, tool history intact${streaming ? ' (streamed)' : ''}`, async () => {
        setUp([
          ['first', primary, 'tools-outage-1'],
          ['second', fallback, 'tools~second'],
        ]);
        const shown: string[] = [];
        const onToken = streaming ? (text: string) => shown.push(text) : undefined;

        // Turn 1: the primary asks for the tool.
        const asked = await manager.generate({ prompt: QUESTION, tools: [weather], onToken });
        assert.equal(asked.model, 'first');
        assert.equal(asked.text, '');
        assert.deepEqual(
          asked.toolCalls?.map((c) => [c.name, c.arguments]),
          [['get_weather', { city: QUESTION }]],
        );
        const call = asked.toolCalls![0];
        assert.match(call.id, primary === 'anthropic' ? /^toolu_01/ : /^call_/);

        // Turn 2 carries the call and its result; the primary is down now, the fallback answers.
        const answered = await manager.generate({ messages: withResult(asked), tools: [weather], onToken });
        assert.equal(answered.model, 'second');
        assert.equal(answered.text, `Demo answer from tools~second: get_weather returned ${RESULT}.`);
        assert.deepEqual(summary(answered.trace.steps), ['first:error:server', 'second:success', 'answered']);
        if (streaming) assert.equal(shown.join(''), answered.text, 'only the fallback streamed text');

        // The fallback received the primary's call and its result in its own format (and its
        // upstream checked them as the service would: a mismatch would have been a 400).
        const served = upstream()
          .stats()
          .recent.find((r) => r.model === 'tools~second')!;
        assert.equal(served.status, 200);
        assert.deepEqual(served.toolExchange?.offered, ['get_weather']);
        const expected =
          fallback === 'responses'
            ? [
                { role: 'user', content: QUESTION },
                // The call's id travels as the Responses `call_id`, both ways.
                {
                  type: 'function_call',
                  call_id: call.id,
                  name: 'get_weather',
                  arguments: JSON.stringify({ city: QUESTION }),
                },
                { type: 'function_call_output', call_id: call.id, output: RESULT },
              ]
            : fallback === 'anthropic'
              ? [
                  { role: 'user', content: QUESTION },
                  {
                    role: 'assistant',
                    content: [
                      { type: 'tool_use', id: call.id, name: 'get_weather', input: { city: QUESTION } },
                    ],
                  },
                  { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: RESULT }] },
                ]
              : [
                  { role: 'user', content: QUESTION },
                  {
                    role: 'assistant',
                    content: null,
                    tool_calls: [
                      {
                        id: call.id,
                        type: 'function',
                        function: { name: 'get_weather', arguments: JSON.stringify({ city: QUESTION }) },
                      },
                    ],
                  },
                  { role: 'tool', tool_call_id: call.id, content: RESULT },
                ];
        assert.deepEqual(served.toolExchange?.messages, expected);
        assert.deepEqual(upstream().stats().byModel, { 'tools-outage-1': 2, 'tools~second': 1 });
      });
    }
  }

  it('the upstream rejects a tool history a translation got wrong, as the services do', async () => {
    setUp([['claude', 'anthropic', 'tools']]);
    // A result whose call is not in the turn before: Anthropic answers 400, a badRequest.
    const error = await manager
      .generate({
        messages: [
          { role: 'user', content: QUESTION },
          { role: 'tool', toolCallId: 'toolu_nowhere', content: RESULT },
        ],
        tools: [weather],
      })
      .then(
        () => assert.fail('expected a failure'),
        (failure: unknown) => failure,
      );
    assert.ok(isLlmError(error));
    const attempt = error.trace?.steps.find((s) => s.type === 'attempt');
    assert.ok(attempt?.type === 'attempt' && attempt.errorKind === 'badRequest');
    assert.match(
      attempt.message ?? '',
      /unexpected `tool_use_id` found in `tool_result` blocks: toolu_nowhere/,
    );
    assert.equal(upstream().stats().byStatus[400], 1);
  });

  it('skips a model without tool support, with that reason in the trace, and uses it again without tools', async () => {
    // o1-mini is known not to call tools (see MODEL_TOOL_SUPPORT); the upstream would answer it.
    setUp([
      ['mini', 'openai', 'o1-mini'],
      ['claude', 'anthropic', 'tools'],
    ]);
    assert.equal(manager.getModelInfo('mini')?.metadata.supportsTools, false);
    const result = await manager.generate({ prompt: QUESTION, tools: [weather] });
    assert.equal(result.model, 'claude');
    assert.deepEqual(summary(result.trace.steps), ['skip:mini:noToolSupport', 'claude:success', 'answered']);
    const skip = result.trace.steps[0];
    assert.ok(skip.type === 'skip' && /does not support tools/.test(skip.detail));
    assert.equal(upstream().stats().byModel['o1-mini'], undefined, 'no call to the skipped model');

    const plain = await manager.generate({ prompt: 'Hello?' });
    assert.equal(plain.model, 'mini');
  });

  for (const streaming of [false, true]) {
    for (const fault of ['badtools', 'badtools-notobject']) {
      it(`"${fault}": malformed tool-call arguments are a badResponse and the chain moves on${streaming ? ' (streamed)' : ''}`, async () => {
        setUp([
          ['gpt', 'openai', fault],
          ['claude', 'anthropic', 'tools'],
        ]);
        const result = await manager.generate({
          prompt: QUESTION,
          tools: [weather],
          onToken: streaming ? () => undefined : undefined,
        });
        assert.equal(result.model, 'claude');
        assert.deepEqual(
          result.toolCalls?.map((c) => c.arguments),
          [{ city: QUESTION }],
        );
        assert.deepEqual(summary(result.trace.steps), [
          'gpt:error:badResponse',
          'claude:success',
          'answered',
        ]);
        const attempt = result.trace.steps[0];
        assert.ok(
          attempt.type === 'attempt' && /tool call that could not be read/.test(attempt.message ?? ''),
        );
        assert.equal(
          manager.getModelInfo('gpt')!.circuit.consecutiveFailures,
          1,
          'counted against the model like any unreadable answer',
        );
      });
    }
  }

  it('never caches a tool-call answer, while the text answer that follows is cached', async () => {
    setUp([['gpt', 'openai', 'tools']], { enableCaching: true });
    const request = { prompt: QUESTION, tools: [weather], temperature: 0 };
    const first = await manager.generate(request);
    const second = await manager.generate(request);
    assert.equal(first.toolCalls?.length, 1);
    assert.equal(second.cached, false);
    assert.notEqual(second.toolCalls![0].id, first.toolCalls![0].id, 'a fresh call from the model');
    assert.equal(upstream().stats().byModel.tools, 2);

    const followUp = { messages: withResult(first), tools: [weather], temperature: 0 };
    const answer = await manager.generate(followUp);
    const again = await manager.generate(followUp);
    assert.equal(again.cached, true);
    assert.equal(again.text, answer.text);
    assert.equal(upstream().stats().byModel.tools, 3);
  });
});
