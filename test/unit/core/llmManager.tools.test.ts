import * as assert from 'node:assert/strict';
import type { ChatMessage, ToolDefinition } from '../../../src/core';
import { harness, rejection } from '../../support/scriptedProvider';

const weather: ToolDefinition = {
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};
const call = { id: 'call_1', name: 'get_weather', arguments: { city: 'Oslo' } };

describe('LlmManager with tools', () => {
  it('returns the tool calls a model asks for, with empty text', async () => {
    const { manager, providers } = harness({ a: { script: [{ toolCalls: [call] }] } });
    const result = await manager.generate({
      prompt: 'Weather in Oslo?',
      tools: [weather],
      toolChoice: 'auto',
    });
    assert.deepEqual(result.toolCalls, [call]);
    assert.equal(result.text, '');
    assert.deepEqual(providers.a.requests[0].tools, [weather]);
    assert.equal(providers.a.requests[0].toolChoice, 'auto');
  });

  it('streams tool calls too', async () => {
    const { manager } = harness({ a: { script: [{ toolCalls: [call] }] } });
    const result = await manager.generate({ prompt: 'Weather?', tools: [weather], onToken: () => undefined });
    assert.deepEqual(result.toolCalls, [call]);
  });

  it('skips a model without tool support, saying so in the trace', async () => {
    const { manager, providers } = harness({
      plain: { metadata: { supportsTools: false } },
      capable: { script: [{ toolCalls: [call] }] },
    });
    const result = await manager.generate({ prompt: 'Weather?', tools: [weather] });
    assert.equal(result.model, 'capable');
    assert.equal(providers.plain.calls, 0);
    const skip = result.trace.steps.find((s) => s.type === 'skip');
    assert.equal(skip?.type === 'skip' && skip.reason, 'noToolSupport');
    // Without tools the same model answers as usual.
    assert.equal((await manager.generate({ prompt: 'Hi' })).model, 'plain');
  });

  it('never caches an answer with tool calls', async () => {
    const { manager, providers } = harness({ a: { script: [{ toolCalls: [call] }] } });
    await manager.generate({ prompt: 'Weather?', tools: [weather], temperature: 0 });
    await manager.generate({ prompt: 'Weather?', tools: [weather], temperature: 0 });
    assert.equal(providers.a.calls, 2);
  });

  it('treats a call of a tool that was not offered, or malformed arguments, as a bad response and moves on', async () => {
    const { manager } = harness(
      {
        wrongName: { script: [{ toolCalls: [{ id: 'x', name: 'rm_rf', arguments: {} }] }] },
        badArgs: {
          script: [
            {
              toolCalls: [
                { id: 'y', name: 'get_weather', arguments: 'not json' as unknown as Record<string, unknown> },
              ],
            },
          ],
        },
        good: { script: [{ toolCalls: [call] }] },
      },
      { maxRetries: 0 },
    );
    const result = await manager.generate({ prompt: 'Weather?', tools: [weather] });
    assert.equal(result.model, 'good');
    const errors = result.trace.steps
      .filter((s) => s.type === 'attempt' && s.outcome === 'error')
      .map((s) => s.type === 'attempt' && s.errorKind);
    assert.deepEqual(errors, ['badResponse', 'badResponse']);
  });

  it('carries a conversation with tool history to the next model when the first fails', async () => {
    const { manager, providers } = harness(
      { a: { script: [{ error: 'server' }] }, b: {} },
      { maxRetries: 0 },
    );
    const history: ChatMessage[] = [
      { role: 'user', content: 'Weather in Oslo?' },
      { role: 'assistant', content: '', toolCalls: [call] },
      { role: 'tool', toolCallId: 'call_1', content: '{"temp": -3}' },
    ];
    const result = await manager.generate({ messages: history, tools: [weather] });
    assert.equal(result.model, 'b');
    assert.deepEqual(providers.b.requests[0].messages, history);
  });

  it('rejects malformed tool requests before sending', async () => {
    const { manager, providers } = harness({ a: {} });
    assert.match(
      (await rejection(manager.generate({ prompt: 'x', tools: [{ name: 'bad name!', parameters: {} }] })))
        .message,
      /Tool names use letters/,
    );
    assert.match(
      (await rejection(manager.generate({ prompt: 'x', tools: [weather], toolChoice: { name: 'other' } })))
        .message,
      /not among the request's tools/,
    );
    assert.match(
      (await rejection(manager.generate({ messages: [{ role: 'tool', content: 'r' }] }))).message,
      /needs the `toolCallId`/,
    );
    assert.equal(providers.a.calls, 0);
  });
});
