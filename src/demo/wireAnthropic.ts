/**
 * Anthropic's Messages wire format as the fault upstream writes it: the `message` JSON body and
 * its SSE stream (`message_start`, `content_block_start` / `_delta` / `_stop`, `message_delta`,
 * `message_stop`). With thinking on, a `thinking` block (its text as `thinking_delta` pieces, then
 * a `signature_delta`) comes before the text; tool calls are `tool_use` blocks whose input arrives
 * as `input_json_delta` pieces. Usage reports `input_tokens` without the cached part, as
 * Anthropic does, with `cache_creation_input_tokens` (split by TTL) and `cache_read_input_tokens`;
 * thinking tokens count in `output_tokens`.
 */

import type { FinishReason, UpstreamAnswer, WireUsage } from './faultAnswer';
import { randomId, splitIntoChunks } from './faultResponses';
import { splitArguments } from './faultTools';
import type { Frame, WireStream } from './wireOpenAiChat';

const STOP: Readonly<Record<FinishReason, string>> = {
  stop: 'end_turn',
  length: 'max_tokens',
  refusal: 'refusal',
  toolCalls: 'tool_use',
};

/** Anthropic's `usage`: `input_tokens` is what was neither read from nor written to the cache. */
export function anthropicUsage(usage: WireUsage): Record<string, unknown> {
  const written = usage.cacheWrite5m + usage.cacheWrite1h;
  return {
    input_tokens: usage.promptTokens - usage.cacheRead - written,
    cache_creation_input_tokens: written,
    cache_read_input_tokens: usage.cacheRead,
    cache_creation: {
      ephemeral_5m_input_tokens: usage.cacheWrite5m,
      ephemeral_1h_input_tokens: usage.cacheWrite1h,
    },
    output_tokens: usage.outputTokens,
    output_tokens_details: usage.reasoningTokens > 0 ? { thinking_tokens: usage.reasoningTokens } : null,
    server_tool_use: null,
    service_tier: 'standard',
  };
}

function contentBlocks(answer: UpstreamAnswer): unknown[] {
  const { reply, thinking } = answer;
  return [
    ...(thinking ? [{ type: 'thinking', thinking: thinking.text, signature: thinking.signature }] : []),
    ...(reply.text ? [{ type: 'text', text: reply.text }] : []),
    ...reply.toolCalls.map((call) => ({ type: 'tool_use', id: call.id, name: call.name, input: call.input })),
  ];
}

export function anthropicMessage(model: string, answer: UpstreamAnswer): unknown {
  return {
    id: randomId('msg_'),
    type: 'message',
    role: 'assistant',
    model,
    content: contentBlocks(answer),
    stop_reason: STOP[answer.finish],
    stop_sequence: null,
    usage: anthropicUsage(answer.usage),
  };
}

/** A message cut short (`garbage`). */
export const ANTHROPIC_GARBAGE_BODY = '{"id":"msg_garbage","type":"message","content":[{"type":"te';

export function anthropicStream(model: string, answer: UpstreamAnswer): WireStream {
  const { reply, thinking } = answer;
  const event = (name: string, data: Record<string, unknown>): string =>
    `event: ${name}\ndata: ${JSON.stringify({ type: name, ...data })}\n\n`;
  const usage = anthropicUsage(answer.usage);
  const frames: Frame[] = [
    {
      text: event('message_start', {
        message: {
          id: randomId('msg_'),
          type: 'message',
          role: 'assistant',
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { ...usage, output_tokens: 1, output_tokens_details: null },
        },
      }),
      content: false,
    },
  ];
  let index = 0;
  const block = (
    start: Record<string, unknown>,
    deltas: Array<{ delta: Record<string, unknown>; content: boolean }>,
  ) => {
    frames.push({ text: event('content_block_start', { index, content_block: start }), content: false });
    if (index === 0) frames.push({ text: event('ping', {}), content: false });
    for (const { delta, content } of deltas)
      frames.push({ text: event('content_block_delta', { index, delta }), content });
    frames.push({ text: event('content_block_stop', { index }), content: false });
    index++;
  };
  if (thinking) {
    block({ type: 'thinking', thinking: '', signature: '' }, [
      ...splitIntoChunks(thinking.text).map((piece) => ({
        delta: { type: 'thinking_delta', thinking: piece },
        content: true,
      })),
      // The signature arrives last, just before the block stops.
      { delta: { type: 'signature_delta', signature: thinking.signature }, content: false },
    ]);
  }
  if (reply.text) {
    block(
      { type: 'text', text: '' },
      splitIntoChunks(reply.text).map((piece) => ({
        delta: { type: 'text_delta', text: piece },
        content: true,
      })),
    );
  }
  // As Anthropic streams a call: the block opens with an empty input, which arrives as pieces of JSON text.
  for (const call of reply.toolCalls) {
    block(
      { type: 'tool_use', id: call.id, name: call.name, input: {} },
      ['', ...splitArguments(call.argumentsJson)].map((piece) => ({
        delta: { type: 'input_json_delta', partial_json: piece },
        content: piece.length > 0,
      })),
    );
  }
  frames.push({
    text: event('message_delta', {
      delta: { stop_reason: STOP[answer.finish], stop_sequence: null },
      usage: {
        input_tokens: usage.input_tokens,
        cache_creation_input_tokens: usage.cache_creation_input_tokens,
        cache_read_input_tokens: usage.cache_read_input_tokens,
        output_tokens: usage.output_tokens,
        output_tokens_details: usage.output_tokens_details,
      },
    }),
    content: false,
  });
  frames.push({ text: event('message_stop', {}), content: false });
  return {
    frames,
    // An error mid-stream is an `error` event, as the streaming docs show (overloaded is the usual one).
    failure: () => event('error', { error: { type: 'overloaded_error', message: 'Overloaded' } }),
    garbage: 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"ty\n\n',
  };
}
