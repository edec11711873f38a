/**
 * The fault upstream's naming scheme: the model name a client asks for selects how the upstream
 * behaves. Kept apart from the server so the scheme can be read (and unit-tested) on its own.
 *
 * | model name              | behaviour                                                                 |
 * | ----------------------- | ------------------------------------------------------------------------- |
 * | `ok` (or any other name)| answers (JSON or SSE) with realistic usage                                |
 * | `slow-<ms>`             | waits `<ms>` before answering (before the first byte when streaming)       |
 * | `drip-<ms>`             | answers, streaming one chunk every `<ms>` (visible streaming)              |
 * | `error-<status>`        | answers HTTP `<status>` (400–599) with the vendor's error body             |
 * | `flaky-<n>`             | fails `<n>` times with 500, then answers (counter per full model name)     |
 * | `ratelimit`             | 429 without Retry-After                                                    |
 * | `ratelimit-<s>`         | 429 with `Retry-After: <s>` (seconds)                                      |
 * | `ratelimitms-<ms>`      | 429 with `retry-after-ms: <ms>` (OpenAI and Azure send this form)         |
 * | `ratelimitdate-<s>`     | 429 with `Retry-After` as an HTTP date `<s>` seconds ahead                 |
 * | `ratelimitonce-<s>`     | 429 with `Retry-After: <s>` on the first call (per model name), then answers |
 * | `quota`                 | OpenAI 429 `insufficient_quota`; Anthropic 400 "credit balance is too low" |
 * | `billing`               | Anthropic 402 `billing_error` (OpenAI: same as `quota`)                    |
 * | `auth`                  | 401 with the vendor's wording (OpenAI echoes a masked key, as it does)     |
 * | `leaky-auth`            | 401 whose message echoes the full key, like a badly behaved proxy          |
 * | `forbidden`             | 403                                                                        |
 * | `notfound`              | 404 "model does not exist"                                                 |
 * | `context`               | 400 with each vendor's real context-length wording                        |
 * | `content-policy`        | 400 content policy / content filter                                        |
 * | `refusal`               | 200 whose answer is a refusal (`content_filter` / `refusal`) with no text  |
 * | `overloaded`            | Anthropic 529 `overloaded_error`; OpenAI 503 "engine is overloaded"        |
 * | `hang`                  | accepts the request and never answers                                      |
 * | `reset`                 | destroys the connection without answering                                  |
 * | `garbage`               | 200 with a malformed body (JSON cut short; SSE with a broken event)        |
 * | `empty`                 | 200 with an empty body                                                     |
 * | `cut-<n>`               | streams `<n>` chunks, then drops the connection (JSON: half a body)        |
 * | `stall-<n>`             | streams `<n>` chunks, then goes silent with the connection open            |
 * | `streamerror-<n>`       | streams `<n>` chunks, then the vendor's in-stream error (OpenAI chat `data: {"error":…}`, Responses `response.failed`, Anthropic `event: error` overloaded); JSON: 500 |
 * | `bursty-<f>-<o>`        | fails with 503 for `<f>` s, then answers for `<o>` s, repeating (`bursty` = 15/15) |
 * | `tools`                 | calls the first tool offered (or the one named) with arguments from its schema; after tool results, quotes them |
 * | `tools-multi`           | like `tools`, with a sentence of text and two calls (the first two tools, or one tool twice) |
 * | `tools-outage-<n>`      | like `tools` for `<n>` requests (per model name), then 500 on every request |
 * | `badtools`              | a tool call whose arguments are JSON cut short (Anthropic: an `input` that is no object) |
 * | `badtools-notobject`    | a tool call whose arguments are valid JSON but not an object (`["…"]`)    |
 *
 * Every behaviour works on every API the upstream speaks: OpenAI chat completions, the OpenAI
 * Responses API, Azure's deployment route and Anthropic Messages.
 *
 * The tool behaviours answer ordinary text when the request offers no tools or its tool choice is
 * `none`. Their calls stream as the services stream them: OpenAI `delta.tool_calls` whose arguments
 * text arrives in several pieces by `index`, Responses `function_call` items whose arguments arrive
 * as `response.function_call_arguments.delta` pieces, Anthropic `tool_use` blocks whose input
 * arrives as `input_json_delta` pieces.
 *
 * Strictness comes first, whatever the model name: every request is checked as the vendor checks
 * it (vendorChecks.ts) and refused with the vendor's status, envelope and wording before its
 * behaviour runs: tools and tool history (a tool result that answers no call, a call left without
 * its result), the parameters every model refuses (`max_tokens` missing on Anthropic, a `system`
 * message, thinking budgets, more than 4 `cache_control` blocks, chat parameters on the Responses
 * API), and, for a real model name, its family's rules (reasoning models refuse `temperature` and
 * `max_tokens`, Responses-only models answer 404 on chat completions, retired Claude models 404).
 * Fault names belong to no family, so they only meet the rules that hold for every model. So a
 * translation mistake fails loudly, and `params`, `body` and `toolExchange` in the request records
 * show what arrived.
 *
 * Anything after a `~` is a free tag that only keeps counters apart: `flaky-2~chainTest` fails
 * twice independently of `flaky-2`. Unknown names answer normally, so real model names work too
 * (`gpt-5-mini~a` is `gpt-5-mini` with its own counters).
 */

export type FaultBehaviour =
  | { readonly kind: 'ok' }
  | { readonly kind: 'slow'; readonly delayMs: number }
  | { readonly kind: 'drip'; readonly chunkDelayMs: number }
  | { readonly kind: 'error'; readonly status: number }
  | { readonly kind: 'flaky'; readonly failures: number }
  | {
      readonly kind: 'rateLimit';
      readonly retryAfter?: { readonly form: 'seconds' | 'ms' | 'date'; readonly value: number };
    }
  | { readonly kind: 'rateLimitOnce'; readonly retryAfterSeconds: number }
  | { readonly kind: 'quota' }
  | { readonly kind: 'billing' }
  | { readonly kind: 'auth'; readonly echoKey: boolean }
  | { readonly kind: 'forbidden' }
  | { readonly kind: 'notFound' }
  | { readonly kind: 'context' }
  | { readonly kind: 'contentPolicy' }
  | { readonly kind: 'refusal' }
  | { readonly kind: 'overloaded' }
  | { readonly kind: 'hang' }
  | { readonly kind: 'reset' }
  | { readonly kind: 'garbage' }
  | { readonly kind: 'empty' }
  | { readonly kind: 'cut'; readonly afterChunks: number }
  | { readonly kind: 'stall'; readonly afterChunks: number }
  | { readonly kind: 'streamError'; readonly afterChunks: number }
  | { readonly kind: 'bursty'; readonly failSeconds: number; readonly okSeconds: number }
  | { readonly kind: 'tools'; readonly calls: 1 | 2; readonly answersBeforeOutage?: number }
  | { readonly kind: 'badTools'; readonly flaw: 'malformedJson' | 'notObject' };

/** The longest wait any behaviour may ask for, so a typo cannot park a request for hours. */
const MAX_DELAY_MS = 10 * 60_000;

/** Reads the behaviour a model name selects (see the table above). */
export function parseFaultBehaviour(model: string): FaultBehaviour {
  const name = model.split('~')[0].trim().toLowerCase();
  const numberAfter = (prefix: string): number | undefined => {
    if (!name.startsWith(prefix)) return undefined;
    const value = Number(name.slice(prefix.length));
    return Number.isFinite(value) && value >= 0 ? value : undefined;
  };
  const bounded = (ms: number) => Math.min(MAX_DELAY_MS, Math.round(ms));

  switch (name) {
    case 'ratelimit':
      return { kind: 'rateLimit' };
    case 'quota':
      return { kind: 'quota' };
    case 'billing':
      return { kind: 'billing' };
    case 'auth':
      return { kind: 'auth', echoKey: false };
    case 'leaky-auth':
      return { kind: 'auth', echoKey: true };
    case 'forbidden':
      return { kind: 'forbidden' };
    case 'notfound':
      return { kind: 'notFound' };
    case 'context':
      return { kind: 'context' };
    case 'content-policy':
      return { kind: 'contentPolicy' };
    case 'refusal':
      return { kind: 'refusal' };
    case 'overloaded':
      return { kind: 'overloaded' };
    case 'hang':
      return { kind: 'hang' };
    case 'reset':
      return { kind: 'reset' };
    case 'garbage':
      return { kind: 'garbage' };
    case 'empty':
      return { kind: 'empty' };
    case 'bursty':
      return { kind: 'bursty', failSeconds: 15, okSeconds: 15 };
    case 'tools':
      return { kind: 'tools', calls: 1 };
    case 'tools-multi':
      return { kind: 'tools', calls: 2 };
    case 'badtools':
      return { kind: 'badTools', flaw: 'malformedJson' };
    case 'badtools-notobject':
      return { kind: 'badTools', flaw: 'notObject' };
  }

  const slow = numberAfter('slow-');
  if (slow !== undefined) return { kind: 'slow', delayMs: bounded(slow) };
  const drip = numberAfter('drip-');
  if (drip !== undefined) return { kind: 'drip', chunkDelayMs: bounded(drip) };
  const status = numberAfter('error-');
  if (status !== undefined && Number.isInteger(status) && status >= 400 && status <= 599)
    return { kind: 'error', status };
  const flaky = numberAfter('flaky-');
  if (flaky !== undefined && Number.isInteger(flaky)) return { kind: 'flaky', failures: flaky };
  const seconds = numberAfter('ratelimit-');
  if (seconds !== undefined) return { kind: 'rateLimit', retryAfter: { form: 'seconds', value: seconds } };
  const ms = numberAfter('ratelimitms-');
  if (ms !== undefined) return { kind: 'rateLimit', retryAfter: { form: 'ms', value: Math.round(ms) } };
  const dateSeconds = numberAfter('ratelimitdate-');
  if (dateSeconds !== undefined)
    return { kind: 'rateLimit', retryAfter: { form: 'date', value: dateSeconds } };
  const once = numberAfter('ratelimitonce-');
  if (once !== undefined) return { kind: 'rateLimitOnce', retryAfterSeconds: once };
  const cut = numberAfter('cut-');
  if (cut !== undefined && Number.isInteger(cut)) return { kind: 'cut', afterChunks: cut };
  const stall = numberAfter('stall-');
  if (stall !== undefined && Number.isInteger(stall)) return { kind: 'stall', afterChunks: stall };
  const streamError = numberAfter('streamerror-');
  if (streamError !== undefined && Number.isInteger(streamError))
    return { kind: 'streamError', afterChunks: streamError };
  const outage = numberAfter('tools-outage-');
  if (outage !== undefined && Number.isInteger(outage))
    return { kind: 'tools', calls: 1, answersBeforeOutage: outage };
  const bursty = /^bursty-(\d+)-(\d+)$/.exec(name);
  if (bursty) {
    const failSeconds = Number(bursty[1]);
    const okSeconds = Number(bursty[2]);
    if (failSeconds + okSeconds > 0) return { kind: 'bursty', failSeconds, okSeconds };
  }
  return { kind: 'ok' };
}
