/**
 * One request's exchange once it has passed the vendor's checks: the fault behaviour its model
 * name selects decides whether it fails (and how), waits, or answers; the answer then goes out as
 * the vendor's JSON or SSE, cut, stalled, broken or failed mid-stream when the behaviour says so.
 */

import type * as http from 'node:http';
import { composeAnswer, toTokenUsage, type UpstreamAnswer } from './faultAnswer';
import type { FaultBehaviour } from './faultBehaviour';
import type { ParsedRequest } from './faultRequests';
import { randomId, type ErrorAnswer } from './faultResponses';
import { errorFor, responsesContextError, statusError } from './faultErrors';
import type { FaultRequestRecord } from './faultUpstreamTypes';
import type { PromptCache } from './promptCache';
import { ANTHROPIC_GARBAGE_BODY, anthropicMessage, anthropicStream } from './wireAnthropic';
import { CHAT_GARBAGE_BODY, chatCompletion, chatStream, type WireStream } from './wireOpenAiChat';
import {
  outputItems,
  RESPONSES_GARBAGE_BODY,
  responseObject,
  responseShell,
  responsesStream,
} from './wireResponses';

type JsonObject = Record<string, unknown>;

/** What an exchange needs from the server that runs it. */
export interface ExchangeHost {
  readonly now: () => number;
  readonly startedAt: number;
  /** Pause between streamed chunks for every model. */
  readonly chunkDelayMs: number;
  readonly cache: PromptCache;
  /** What the answers call a model asked for by `model` (see `FaultUpstreamOptions.answerNames`). */
  answerName(model: string): string;
  /** Per full model name: failures so far (`flaky-*`, `ratelimitonce-*`) or answers so far (`tools-outage-*`). */
  readonly countsByModel: Map<string, number>;
  sendError(res: http.ServerResponse, record: FaultRequestRecord, error: ErrorAnswer): void;
  sendRaw(
    res: http.ServerResponse,
    record: FaultRequestRecord,
    status: number,
    contentType: string,
    body: string,
  ): void;
  /** Counts a status for a response whose head is written outside `sendRaw` (streams, cut bodies). */
  countStatus(record: FaultRequestRecord, status: number): void;
  /**
   * Keeps a stored Responses answer (when `store` is not false): its calls, for
   * `previous_response_id`, and its output item ids, which later input may name.
   */
  rememberResponse(id: string, calls: ReadonlyMap<string, string>, itemIds: readonly string[]): void;
}

/** One request's exchange. */
export interface Exchange {
  readonly req: http.IncomingMessage;
  readonly res: http.ServerResponse;
  readonly record: FaultRequestRecord;
  readonly request: ParsedRequest;
  readonly json: JsonObject;
  readonly behaviour: FaultBehaviour;
  /** The key the client presented (only `leaky-auth` repeats it; nothing logs it). */
  readonly presentedKey: string;
  readonly signal: AbortSignal;
}

/** Runs the exchange to its end (or parks it, for `hang`). */
export async function runExchange(host: ExchangeHost, exchange: Exchange): Promise<void> {
  if (!(await passesBehaviour(host, exchange))) return;
  const { request, behaviour, record, json } = exchange;
  const answer = composeAnswer(request, behaviour, host.cache, host.answerName(request.model));
  record.usage = toTokenUsage(answer.usage);
  const reply: Reply = { answer, responseId: randomId('resp_'), output: [] };
  if (request.api === 'responses') {
    const include = Array.isArray(json.include) ? json.include : [];
    reply.output = outputItems(answer, include.includes('reasoning.encrypted_content'));
    if (json.store !== false) {
      const calls = new Map(answer.reply.toolCalls.map((call) => [call.id, call.name]));
      host.rememberResponse(
        reply.responseId,
        calls,
        reply.output.map((item) => String(item.id)),
      );
    }
  }
  if (request.stream) {
    await stream(host, exchange, wireStream(exchange, reply));
    return;
  }
  deliverJson(host, exchange, JSON.stringify(wireBody(exchange, reply)));
}

/** The answer, and for the Responses API its id and output items (made once: stored ids must match). */
interface Reply {
  readonly answer: UpstreamAnswer;
  readonly responseId: string;
  output: Array<Record<string, unknown>>;
}

/** Applies the behaviour's failures and waits; false when the exchange ended there. */
async function passesBehaviour(host: ExchangeHost, exchange: Exchange): Promise<boolean> {
  const { req, res, record, request, behaviour, signal } = exchange;
  const { vendor, model } = request;
  const fail = (error: ErrorAnswer) => {
    host.sendError(res, record, error);
    return false;
  };
  switch (behaviour.kind) {
    case 'hang':
      // Parked until the client gives up; `close()` ends it too.
      return false;
    case 'reset':
      record.outcome = 'reset';
      req.socket.destroy();
      return false;
    case 'slow':
      return pause(behaviour.delayMs, signal);
    case 'flaky': {
      const failed = host.countsByModel.get(model) ?? 0;
      if (failed >= behaviour.failures) return true;
      host.countsByModel.set(model, failed + 1);
      return fail(statusError(500, { vendor, model }));
    }
    case 'rateLimitOnce': {
      if (host.countsByModel.has(model)) return true;
      host.countsByModel.set(model, 1);
      const limited = {
        kind: 'rateLimit',
        retryAfter: { form: 'seconds', value: behaviour.retryAfterSeconds },
      } as const;
      return fail(
        errorFor(limited, {
          vendor,
          model,
          presentedKey: '',
          now: host.now(),
          apiVersion: request.apiVersion,
        })!,
      );
    }
    case 'tools': {
      if (behaviour.answersBeforeOutage === undefined) return true;
      const answered = host.countsByModel.get(model) ?? 0;
      if (answered >= behaviour.answersBeforeOutage) return fail(statusError(500, { vendor, model }));
      host.countsByModel.set(model, answered + 1);
      return true;
    }
    case 'bursty': {
      const cycle = (behaviour.failSeconds + behaviour.okSeconds) * 1000;
      const phase = (host.now() - host.startedAt) % cycle;
      return phase < behaviour.failSeconds * 1000 ? fail(statusError(503, { vendor, model })) : true;
    }
    case 'streamError':
      // Without a stream, the failure is a plain server error.
      return request.stream ? true : fail(statusError(500, { vendor, model }));
    case 'context':
      // A streamed Responses request learns it is too long from an `error` event after the response
      // started (dyad-sh/dyad#1672, anomalyco/opencode#6071); every other request gets a 400.
      if (request.api !== 'responses' || !request.stream) break;
      streamResponsesError(host, exchange);
      return false;
  }
  const error = errorFor(behaviour, {
    vendor,
    model,
    presentedKey: exchange.presentedKey,
    now: host.now(),
    apiVersion: request.apiVersion,
    api: request.api,
  });
  return error ? fail(error) : true;
}

/** The Responses API's in-stream refusal: the response starts, then an `error` event ends it. */
function streamResponsesError(host: ExchangeHost, exchange: Exchange): void {
  const { res, record, request, json } = exchange;
  const refusal = responsesContextError().body as { error: Record<string, unknown> };
  const started = responseShell(
    randomId('resp_'),
    request,
    json,
    'in_progress',
    Math.floor(Date.now() / 1000),
  );
  const events = [
    { type: 'response.created', response: started },
    { type: 'response.in_progress', response: started },
    { type: 'error', error: refusal.error },
  ];
  host.countStatus(record, 200);
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  res.end(
    events
      .map(
        (event, index) =>
          `event: ${event.type}\ndata: ${JSON.stringify({ ...event, sequence_number: index })}\n\n`,
      )
      .join(''),
  );
}

function wireBody(exchange: Exchange, { answer, responseId, output }: Reply): unknown {
  const { request, json } = exchange;
  switch (request.api) {
    case 'messages':
      return anthropicMessage(request.model, answer);
    case 'responses':
      return responseObject(responseId, request, json, answer, output);
    case 'chat':
      return chatCompletion(request.model, answer);
  }
}

function wireStream(exchange: Exchange, { answer, responseId, output }: Reply): WireStream {
  const { request, json } = exchange;
  switch (request.api) {
    case 'messages':
      return anthropicStream(request.model, answer);
    case 'responses':
      return responsesStream(responseId, request, json, answer, output);
    case 'chat':
      return chatStream(request.model, answer, request.includeUsage);
  }
}

const GARBAGE_BODY = {
  chat: CHAT_GARBAGE_BODY,
  responses: RESPONSES_GARBAGE_BODY,
  messages: ANTHROPIC_GARBAGE_BODY,
};

function deliverJson(host: ExchangeHost, exchange: Exchange, payload: string): void {
  const { req, res, record, request, behaviour } = exchange;
  if (behaviour.kind === 'garbage') {
    host.sendRaw(res, record, 200, 'application/json', GARBAGE_BODY[request.api]);
    return;
  }
  if (behaviour.kind === 'empty') {
    host.sendRaw(res, record, 200, 'application/json', '');
    return;
  }
  if (behaviour.kind === 'cut') {
    // Half a body, then the connection drops: a reset in the middle of the answer.
    record.outcome = 'cut';
    host.countStatus(record, 200);
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(payload)),
    });
    res.write(payload.slice(0, Math.floor(payload.length / 2)));
    setTimeout(() => req.socket.destroy(), 5).unref();
    return;
  }
  host.sendRaw(res, record, 200, 'application/json', payload);
}

async function stream(host: ExchangeHost, exchange: Exchange, wire: WireStream): Promise<void> {
  const { res, record, behaviour, signal } = exchange;
  host.countStatus(record, 200);
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  if (behaviour.kind === 'empty') {
    res.end();
    record.outcome = 'completed';
    return;
  }
  const chunkDelayMs = behaviour.kind === 'drip' ? behaviour.chunkDelayMs : host.chunkDelayMs;
  const stopAfter =
    behaviour.kind === 'cut' || behaviour.kind === 'stall' || behaviour.kind === 'streamError'
      ? behaviour.afterChunks
      : undefined;
  let garbageSent = false;
  for (const [sent, frame] of wire.frames.entries()) {
    if (signal.aborted || res.destroyed) return;
    if (frame.content && stopAfter !== undefined && record.chunksSent >= stopAfter) {
      if (behaviour.kind === 'stall') {
        record.outcome = 'stalled';
        return;
      }
      if (behaviour.kind === 'streamError') {
        res.end(wire.failure(sent));
        return;
      }
      record.outcome = 'cut';
      // Let the chunks already written leave before the connection drops.
      setTimeout(() => res.socket?.destroy(), 5).unref();
      return;
    }
    if (frame.content && record.chunksSent > 0 && chunkDelayMs > 0 && !(await pause(chunkDelayMs, signal)))
      return;
    res.write(frame.text);
    if (!frame.content) continue;
    record.chunksSent++;
    if (behaviour.kind === 'garbage' && !garbageSent) {
      garbageSent = true;
      res.write(wire.garbage);
    }
  }
  res.end();
}

/** Waits on the real clock; false when the request went away meanwhile. */
export function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    timer.unref();
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
