/**
 * What a team gateway says beside the answer: its response headers (LiteLLM's cost) and the body
 * of an error answer (a gateway's own envelope: LiteLLM's `budget_exceeded`, Portkey's
 * `{"status": "failure"}`), which the SDK's error keeps only in part. A gateway member runs each
 * call inside {@link withExchange}; the clients' one `fetch` (clientOptions.ts) hands every answer
 * to {@link recordExchange}, which notes it only inside such a call, so one request's answer is
 * never taken for another's, however many run at once.
 */

import { AsyncLocalStorage } from 'node:async_hooks';

/** One call's HTTP answer, as far as a gateway member needs it. */
export interface GatewayExchange {
  status?: number;
  headers?: Headers;
  /** The body of an error answer (status 400 and above): parsed JSON, else the text. */
  errorBody?: unknown;
}

/** Longest error body kept (a proxy's HTML error page can be large; envelopes are small). */
const MAX_ERROR_BODY_CHARS = 64 * 1024;

const current = new AsyncLocalStorage<GatewayExchange>();

/** Runs `work` (one provider call) so that the answer it receives is noted in `exchange`. */
export function withExchange<T>(exchange: GatewayExchange, work: () => T): T {
  return current.run(exchange, work);
}

/**
 * Notes `answer` in the call's exchange, if the call runs inside {@link withExchange}; otherwise
 * it passes through untouched. An error answer's body is read here and handed on as a fresh
 * response with the same status and headers, so the SDK still reads it whole.
 */
export function recordExchange(answer: Promise<Response>): Promise<Response> {
  const exchange = current.getStore();
  // Outside a gateway member's call the answer is handed on as it is: no extra promise on the
  // path of every other request.
  return exchange ? noteExchange(exchange, answer) : answer;
}

async function noteExchange(exchange: GatewayExchange, answer: Promise<Response>): Promise<Response> {
  const response = await answer;
  exchange.status = response.status;
  exchange.headers = response.headers;
  if (response.status < 400) return response;
  const text = await response.text();
  exchange.errorBody = parseBody(text.slice(0, MAX_ERROR_BODY_CHARS));
  return new Response(text, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
