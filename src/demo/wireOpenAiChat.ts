/**
 * OpenAI's chat completions wire format (also Azure's and every OpenAI-compatible service's) as
 * the fault upstream writes it: the `chat.completion` JSON body, and the `chat.completion.chunk`
 * SSE stream whose tool calls arrive as a named first piece and then arguments text by index, and
 * whose usage comes, only when `stream_options.include_usage` is set, in a last chunk with no
 * choices. Usage reports `prompt_tokens_details.cached_tokens` and
 * `completion_tokens_details.reasoning_tokens` as the API does.
 */

import type { UpstreamAnswer, FinishReason, WireUsage } from './faultAnswer';
import { randomId, splitIntoChunks } from './faultResponses';
import { splitArguments } from './faultTools';

/** One SSE event; `content` marks the events that carry answer text or arguments. */
export interface Frame {
  readonly text: string;
  /** True for frames that carry answer text or arguments (counted for `cut-*` and paced by the chunk delay). */
  readonly content: boolean;
}

/** An SSE stream as a vendor writes it, and what it writes when it fails or breaks on purpose. */
export interface WireStream {
  readonly frames: readonly Frame[];
  /** The vendor's in-stream error after `sent` frames (`streamerror-*`). */
  failure(sent: number): string;
  /** An event whose JSON is cut short (`garbage`). */
  readonly garbage: string;
}

const FINISH: Readonly<Record<FinishReason, string>> = {
  stop: 'stop',
  length: 'length',
  refusal: 'content_filter',
  toolCalls: 'tool_calls',
};

/** Chat completions usage, details included (the API reports them for every model). */
export function chatUsage(usage: WireUsage): Record<string, unknown> {
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.promptTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cacheRead, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: usage.reasoningTokens,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

export function chatCompletion(model: string, answer: UpstreamAnswer): unknown {
  const { reply, finish } = answer;
  const toolCalls = reply.toolCalls.map((call) => ({
    id: call.id,
    type: 'function',
    function: { name: call.name, arguments: call.argumentsJson },
  }));
  return {
    id: randomId('chatcmpl-'),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: reply.text || null,
          refusal: finish === 'refusal' ? "I'm sorry, but I can't help with that request." : null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: FINISH[finish],
      },
    ],
    usage: chatUsage(answer.usage),
    system_fingerprint: 'fp_demo',
  };
}

/** A chat completion cut short (`garbage`). */
export const CHAT_GARBAGE_BODY =
  '{"id":"chatcmpl-garbage","object":"chat.completion","choices":[{"index":0,"message":{"role":"assist';

export function chatStream(model: string, answer: UpstreamAnswer, includeUsage: boolean): WireStream {
  const { reply, finish } = answer;
  const id = randomId('chatcmpl-');
  const created = Math.floor(Date.now() / 1000);
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}): string =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_demo', choices, ...(includeUsage ? { usage: null } : {}), ...extra })}\n\n`;
  const delta = (value: unknown): string =>
    chunk([{ index: 0, delta: value, logprobs: null, finish_reason: null }]);
  const frames: Frame[] = [
    {
      text: delta({
        role: 'assistant',
        content: reply.toolCalls.length > 0 && !reply.text ? null : '',
        refusal: null,
      }),
      content: false,
    },
  ];
  for (const piece of splitIntoChunks(reply.text))
    frames.push({ text: delta({ content: piece }), content: true });
  // As OpenAI streams calls: the first piece names the call, later ones carry its arguments text by index.
  for (const [index, call] of reply.toolCalls.entries()) {
    frames.push({
      text: delta({
        tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }],
      }),
      content: false,
    });
    for (const piece of splitArguments(call.argumentsJson))
      frames.push({
        text: delta({ tool_calls: [{ index, function: { arguments: piece } }] }),
        content: true,
      });
  }
  frames.push({
    text: chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: FINISH[finish] }]),
    content: false,
  });
  if (includeUsage) frames.push({ text: chunk([], { usage: chatUsage(answer.usage) }), content: false });
  frames.push({ text: 'data: [DONE]\n\n', content: false });
  return {
    frames,
    // A server error mid-stream arrives as an error object in a data event (the SDK throws it).
    failure: () =>
      `data: ${JSON.stringify({ error: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: null } })}\n\n`,
    garbage: 'data: {"id":"chatcmpl-garbage","choices":[{"index":0,"delta":{"cont\n\n',
  };
}
