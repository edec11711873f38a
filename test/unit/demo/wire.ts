/**
 * Plain-HTTP helpers for the fault upstream's wire tests: requests with each vendor's headers, the
 * events of an SSE body, and the error of a refused request.
 */

import type { FaultUpstream } from '../../support/faultServer';

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const OPENAI_HEADERS = {
  'content-type': 'application/json',
  authorization: 'Bearer sk-test-key-123456',
};
export const ANTHROPIC_HEADERS = {
  'content-type': 'application/json',
  'x-api-key': 'sk-ant-test-123456',
  'anthropic-version': '2023-06-01',
};

export function post(
  upstream: FaultUpstream,
  path: string,
  body: unknown,
  headers: Record<string, string> = path.endsWith('/messages') ? ANTHROPIC_HEADERS : OPENAI_HEADERS,
): Promise<Response> {
  return fetch(`${upstream.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
}

export const chat = (upstream: FaultUpstream, body: Json) => post(upstream, '/v1/chat/completions', body);
export const responses = (upstream: FaultUpstream, body: Json) => post(upstream, '/v1/responses', body);
export const messages = (upstream: FaultUpstream, body: Json) => post(upstream, '/v1/messages', body);

/** The status and JSON body of a response. */
export async function read(response: Response): Promise<{ status: number; body: Json }> {
  return { status: response.status, body: (await response.json()) as Json };
}

/** The events of an SSE body: `event:` names (when given) and parsed `data:` payloads. */
export async function events(response: Response): Promise<Array<{ event?: string; data: Json }>> {
  const text = await response.text();
  const parsed: Array<{ event?: string; data: Json }> = [];
  for (const block of text.split('\n\n')) {
    const event = /^event: (.+)$/m.exec(block)?.[1];
    const data = /^data: (.+)$/m.exec(block)?.[1];
    if (data === undefined || data === '[DONE]') continue;
    parsed.push({ ...(event ? { event } : {}), data: JSON.parse(data) as Json });
  }
  return parsed;
}

/** Asserts nothing; returns the OpenAI-shaped error of a refused request. */
export async function openAiError(response: Response): Promise<{ status: number; error: Json }> {
  const { status, body } = await read(response);
  return { status, error: body.error as Json };
}

/** The Anthropic-shaped error of a refused request. */
export async function anthropicError(
  response: Response,
): Promise<{ status: number; type: string; error: Json }> {
  const { status, body } = await read(response);
  return { status, type: body.type as string, error: body.error as Json };
}

/** A text of about `tokens` tokens (four characters each), different for each `seed`. */
export function longText(tokens: number, seed = 'context'): string {
  const unit = `${seed} line of a long file. `;
  return unit.repeat(Math.ceil((tokens * 4) / unit.length)).slice(0, tokens * 4);
}
