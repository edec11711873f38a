/**
 * The OpenAI Responses API's wire format as the fault upstream writes it: the `response` object
 * (`object: 'response'`, `status`, `output` items: a `reasoning` item for reasoning models, a
 * `message` with `output_text` (or `refusal`) parts, `function_call` items with their `call_id`),
 * and its SSE stream, every event numbered by `sequence_number` in the API's order:
 * `response.created`, `response.in_progress`, then per output item `response.output_item.added`,
 * its parts and deltas (`response.content_part.added`, `response.output_text.delta` …
 * `response.output_text.done`, `response.content_part.done`, or
 * `response.function_call_arguments.delta` … `.done`), `response.output_item.done`, and last
 * `response.completed` (`response.incomplete` when `max_output_tokens` cut the answer). A response
 * that fails once started ends with `response.failed`.
 */

import type { UpstreamAnswer, WireUsage } from './faultAnswer';
import type { ParsedRequest } from './faultRequests';
import { randomId, splitIntoChunks } from './faultResponses';
import { splitArguments } from './faultTools';
import type { Frame, WireStream } from './wireOpenAiChat';

type JsonObject = Record<string, unknown>;

const REFUSAL_TEXT = "I'm sorry, but I can't help with that request.";

export function responsesUsage(usage: WireUsage): JsonObject {
  return {
    input_tokens: usage.promptTokens,
    input_tokens_details: { cached_tokens: usage.cacheRead },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens },
    total_tokens: usage.promptTokens + usage.outputTokens,
  };
}

/**
 * The output items of an answer, complete. With `encryptedReasoning` (the request's `include` names
 * `reasoning.encrypted_content`), the reasoning item carries the opaque content a client passes
 * back to continue without `store`.
 */
export function outputItems(answer: UpstreamAnswer, encryptedReasoning = false): JsonObject[] {
  const items: JsonObject[] = [];
  if (answer.reasoned) {
    const id = randomId('rs_');
    items.push({
      id,
      type: 'reasoning',
      summary: answer.reasoningSummary ? [{ type: 'summary_text', text: answer.reasoningSummary }] : [],
      ...(encryptedReasoning ? { encrypted_content: `gAAAAA${Buffer.from(id).toString('base64')}` } : {}),
    });
  }
  const { reply, finish } = answer;
  if (finish === 'refusal') {
    items.push(messageItem('completed', [{ type: 'refusal', refusal: REFUSAL_TEXT }]));
  } else if (reply.text) {
    items.push(messageItem('completed', [outputText(reply.text)]));
  }
  for (const call of reply.toolCalls) {
    items.push({
      id: randomId('fc_'),
      type: 'function_call',
      status: 'completed',
      arguments: call.argumentsJson,
      call_id: call.id,
      name: call.name,
    });
  }
  return items;
}

function messageItem(status: string, content: JsonObject[]): JsonObject {
  return { id: randomId('msg_'), type: 'message', status, role: 'assistant', content };
}

function outputText(text: string): JsonObject {
  return { type: 'output_text', text, annotations: [], logprobs: [] };
}

/** What a response says about itself, echoing the request, at a given status. */
export function responseShell(
  id: string,
  request: ParsedRequest,
  json: JsonObject,
  status: string,
  createdAt: number,
): JsonObject {
  const reasoning =
    typeof json.reasoning === 'object' && json.reasoning !== null ? (json.reasoning as JsonObject) : {};
  return {
    id,
    object: 'response',
    created_at: createdAt,
    status,
    background: false,
    error: null,
    incomplete_details: null,
    instructions: json.instructions ?? null,
    max_output_tokens: json.max_output_tokens ?? null,
    max_tool_calls: null,
    model: request.model,
    output: [],
    parallel_tool_calls: json.parallel_tool_calls ?? true,
    previous_response_id: json.previous_response_id ?? null,
    reasoning: { effort: request.reasoningEffort ?? null, summary: reasoning.summary ?? null },
    service_tier: 'default',
    store: json.store ?? true,
    temperature: json.temperature ?? 1,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: json.tool_choice ?? 'auto',
    tools: Array.isArray(json.tools) ? json.tools : [],
    top_p: json.top_p ?? 1,
    truncation: 'disabled',
    usage: null,
    user: null,
    metadata: json.metadata ?? {},
  };
}

/** The finished response: `completed`, or `incomplete` when the output cap cut it. */
export function responseObject(
  id: string,
  request: ParsedRequest,
  json: JsonObject,
  answer: UpstreamAnswer,
  output: JsonObject[],
): JsonObject {
  const createdAt = Math.floor(Date.now() / 1000);
  const cut = answer.finish === 'length';
  return {
    ...responseShell(id, request, json, cut ? 'incomplete' : 'completed', createdAt),
    completed_at: cut ? null : createdAt,
    incomplete_details: cut ? { reason: 'max_output_tokens' } : null,
    output,
    usage: responsesUsage(answer.usage),
  };
}

/** A response cut short (`garbage`). */
export const RESPONSES_GARBAGE_BODY =
  '{"id":"resp_garbage","object":"response","status":"completed","output":[{"ty';

export function responsesStream(
  id: string,
  request: ParsedRequest,
  json: JsonObject,
  answer: UpstreamAnswer,
  output: JsonObject[],
): WireStream {
  const createdAt = Math.floor(Date.now() / 1000);
  const frames: Frame[] = [];
  const emit = (type: string, data: JsonObject, content = false) => {
    frames.push({
      text: `event: ${type}\ndata: ${JSON.stringify({ type, ...data, sequence_number: frames.length })}\n\n`,
      content,
    });
  };
  const shell = responseShell(id, request, json, 'in_progress', createdAt);
  emit('response.created', { response: shell });
  emit('response.in_progress', { response: shell });
  output.forEach((item, outputIndex) => {
    const itemId = item.id as string;
    const ids = { item_id: itemId, output_index: outputIndex };
    if (item.type === 'reasoning') {
      emit('response.output_item.added', { output_index: outputIndex, item: { ...item, summary: [] } });
      const summary = item.summary as Array<{ type: string; text: string }>;
      summary.forEach((part, summaryIndex) => {
        const at = { ...ids, summary_index: summaryIndex };
        emit('response.reasoning_summary_part.added', { ...at, part: { type: 'summary_text', text: '' } });
        for (const piece of splitIntoChunks(part.text))
          emit('response.reasoning_summary_text.delta', { ...at, delta: piece }, true);
        emit('response.reasoning_summary_text.done', { ...at, text: part.text });
        emit('response.reasoning_summary_part.done', { ...at, part });
      });
    } else if (item.type === 'message') {
      emit('response.output_item.added', {
        output_index: outputIndex,
        item: { ...item, status: 'in_progress', content: [] },
      });
      const [part] = item.content as JsonObject[];
      const at = { ...ids, content_index: 0 };
      if (part.type === 'refusal') {
        emit('response.content_part.added', { ...at, part: { type: 'refusal', refusal: '' } });
        for (const piece of splitIntoChunks(REFUSAL_TEXT))
          emit('response.refusal.delta', { ...at, delta: piece }, true);
        emit('response.refusal.done', { ...at, refusal: REFUSAL_TEXT });
      } else {
        const text = part.text as string;
        emit('response.content_part.added', { ...at, part: outputText('') });
        for (const piece of splitIntoChunks(text))
          emit('response.output_text.delta', { ...at, delta: piece, logprobs: [] }, true);
        emit('response.output_text.done', { ...at, text, logprobs: [] });
      }
      emit('response.content_part.done', { ...at, part });
    } else {
      emit('response.output_item.added', {
        output_index: outputIndex,
        item: { ...item, status: 'in_progress', arguments: '' },
      });
      const args = item.arguments as string;
      for (const piece of splitArguments(args))
        emit('response.function_call_arguments.delta', { ...ids, delta: piece }, true);
      emit('response.function_call_arguments.done', { ...ids, name: item.name, arguments: args });
    }
    emit('response.output_item.done', { output_index: outputIndex, item });
  });
  const done = responseObject(id, request, json, answer, output);
  emit(done.status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response: done });
  return {
    frames,
    failure: (sent) => {
      const type = 'response.failed';
      const response = {
        ...shell,
        status: 'failed',
        error: {
          code: 'server_error',
          message:
            'An error occurred while processing your request. You can retry your request, or contact us through our help center at help.openai.com if the error persists.',
        },
      };
      return `event: ${type}\ndata: ${JSON.stringify({ type, response, sequence_number: sent })}\n\n`;
    },
    garbage:
      'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","item_id":"msg_\n\n',
  };
}
