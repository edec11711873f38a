import * as assert from 'node:assert/strict';
import type { ChatMessage, GenerateResult, ToolDefinition } from '../../../src/core';
import type { ProviderConfig } from '../../../src/providers';
import { useFaultUpstream } from '../../support/faultServer';
import { adjustSteps, catalogManager, configFor } from '../../support/providerFixtures';
import { openAiError, responses, type Json } from '../demo/wire';

const weather: ToolDefinition = {
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};
const QUESTION = 'What is the weather in Oslo?';
const RESULT = '{"temp": -3}';

/** The follow-up a caller sends: the answer's turn as it came (calls and thinking), then the result. */
function followUp(answer: GenerateResult): ChatMessage[] {
  const [call] = answer.toolCalls!;
  return [
    { role: 'user', content: QUESTION },
    { role: 'assistant', content: answer.text, toolCalls: answer.toolCalls, thinking: answer.thinking },
    { role: 'tool', toolCallId: call.id, content: RESULT },
  ];
}

const thinkingClaude = (upstream: Parameters<typeof configFor>[1], model: string) =>
  configFor('anthropic', upstream, model, { thinking: { budgetTokens: 2048 } } as Partial<ProviderConfig>);

describe('chain with thinking and reasoning across vendors: real providers, real HTTP', () => {
  const upstream = useFaultUpstream();

  for (const streaming of [false, true]) {
    const onToken = streaming ? () => undefined : undefined;

    it(`fails over from the Responses API to a thinking Claude mid tool conversation: thinking goes off for that turn, and says why${streaming ? ' (streamed)' : ''}`, async () => {
      const { manager } = catalogManager([
        ['first', configFor('responses', upstream(), 'tools-outage-1')],
        ['second', thinkingClaude(upstream(), 'tools~second')],
      ]);
      const asked = await manager.generate({ prompt: QUESTION, tools: [weather], onToken });
      assert.equal(asked.model, 'first');
      const answered = await manager.generate({ messages: followUp(asked), tools: [weather], onToken });
      assert.equal(answered.model, 'second');
      assert.equal(answered.text, `Demo answer from tools~second: get_weather returned ${RESULT}.`);
      assert.deepEqual(adjustSteps(answered), [
        'thinking off for this request: the tool calls it answers came from a turn without Claude thinking (another model)',
      ]);
      const served = upstream().stats().recent.at(-1)!;
      assert.equal(served.status, 200);
      assert.equal(served.params?.thinking, undefined);
      await manager.dispose();
    });

    it(`fails over from a thinking Claude to the Responses API mid tool conversation: the Claude thinking stays behind${streaming ? ' (streamed)' : ''}`, async () => {
      const { manager } = catalogManager([
        ['first', thinkingClaude(upstream(), 'tools-outage-1')],
        ['second', configFor('responses', upstream(), 'tools~second')],
      ]);
      const asked = await manager.generate({ prompt: QUESTION, tools: [weather], onToken });
      assert.equal(asked.thinking?.[0]?.format, 'anthropic');
      const answered = await manager.generate({ messages: followUp(asked), tools: [weather], onToken });
      assert.equal(answered.model, 'second');
      assert.equal(answered.text, `Demo answer from tools~second: get_weather returned ${RESULT}.`);
      const items = upstream().stats().recent.at(-1)!.toolExchange!.messages as Json[];
      assert.deepEqual(
        items.map((item) => item.type ?? item.role),
        ['user', 'function_call', 'function_call_output'],
      );
      await manager.dispose();
    });

    it(`the Responses API with store false: encrypted reasoning goes back with the tool calls and is accepted${streaming ? ' (streamed)' : ''}`, async () => {
      const config = configFor('responses', upstream(), 'tools', {
        reasoningEffort: 'low',
      } as Partial<ProviderConfig>);
      const { manager } = catalogManager([['reasoner', config]]);
      const asked = await manager.generate({ prompt: QUESTION, tools: [weather], onToken });
      const sent = upstream().stats().recent.at(-1)!;
      assert.equal(sent.params?.store, false);
      assert.deepEqual((sent.body as Json).include, ['reasoning.encrypted_content']);
      const [reasoning] = asked.thinking!;
      assert.equal(reasoning.format, 'openai-responses');
      assert.match(reasoning.id!, /^rs_/);
      assert.ok(reasoning.data, 'the reasoning came back encrypted');

      // Without its encrypted content, a reasoning item names nothing the vendor kept.
      const bare = await openAiError(
        await responses(upstream(), {
          model: 'tools',
          store: false,
          input: [
            { role: 'user', content: QUESTION },
            { type: 'reasoning', id: reasoning.id, summary: [] },
          ],
        }),
      );
      assert.equal(bare.status, 404);
      assert.match(bare.error.message as string, /Items are not persisted when `store` is set to false/);

      const answered = await manager.generate({ messages: followUp(asked), tools: [weather], onToken });
      assert.equal(answered.text, `Demo answer from tools: get_weather returned ${RESULT}.`);
      const items = upstream().stats().recent.at(-1)!.toolExchange!.messages as Json[];
      assert.deepEqual(items[1], {
        type: 'reasoning',
        id: reasoning.id,
        summary: [],
        encrypted_content: reasoning.data,
      });
      await manager.dispose();
    });
  }

  it('"store": true lets the vendor keep responses, and reasoning items go back by id alone', async () => {
    const config = configFor('responses', upstream(), 'tools', {
      reasoningEffort: 'low',
      store: true,
    } as Partial<ProviderConfig>);
    const { manager } = catalogManager([['reasoner', config]]);
    const asked = await manager.generate({ prompt: QUESTION, tools: [weather] });
    const sent = upstream().stats().recent.at(-1)!;
    assert.equal(sent.params?.store, true);
    assert.equal((sent.body as Json).include, undefined);
    const answered = await manager.generate({ messages: followUp(asked), tools: [weather] });
    assert.match(answered.text, /get_weather returned/);
    const items = upstream().stats().recent.at(-1)!.toolExchange!.messages as Json[];
    assert.deepEqual(items[1], { type: 'reasoning', id: asked.thinking![0].id, summary: [] });
    await manager.dispose();
  });
});
