import * as assert from 'node:assert/strict';
import { LlmError } from '../../../src/core';
import { scrubSecrets, translateError } from '../../../src/providers';

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
const ctx = { provider: 'openai', model: 'primary', secrets: ['sk-live-abcdefghijklmnop'], now: () => NOW };

/** An error shaped like the SDKs' APIError: status, Headers, and the parsed body. */
function apiError(
  status: number | undefined,
  body: unknown,
  headers: Record<string, string> = {},
  name = 'APIError',
): Error {
  const error = new Error(`${status ?? ''} failure`) as Error & Record<string, unknown>;
  Object.defineProperty(error, 'name', { value: name });
  error.status = status;
  error.headers = new Headers(headers);
  error.error = body;
  return error;
}

describe('translateError', () => {
  it('reads all three Retry-After forms on a 429', () => {
    const body = { message: 'slow down', type: 'requests', code: 'rate_limit_exceeded' };
    assert.equal(translateError(apiError(429, body, { 'retry-after': '12' }), ctx).retryAfterMs, 12_000);
    assert.equal(
      translateError(apiError(429, body, { 'retry-after-ms': '250', 'retry-after': '12' }), ctx).retryAfterMs,
      250,
    );
    assert.equal(
      translateError(apiError(429, body, { 'x-ms-retry-after-ms': '900' }), ctx).retryAfterMs,
      900,
    );
    const date = new Date(NOW + 45_000).toUTCString();
    const limited = translateError(apiError(429, body, { 'retry-after': date }), ctx);
    assert.equal(limited.kind, 'rateLimit');
    assert.equal(limited.retryAfterMs, 45_000);
    assert.equal(translateError(apiError(429, body), ctx).retryAfterMs, undefined);
  });

  it("tells OpenAI's insufficient_quota from a rate limit, and Anthropic's rate_limit_error from quota", () => {
    assert.equal(
      translateError(
        apiError(429, {
          message: 'You exceeded your current quota',
          type: 'insufficient_quota',
          code: 'insufficient_quota',
        }),
        ctx,
      ).kind,
      'quota',
    );
    const anthropic = {
      type: 'error',
      error: {
        type: 'rate_limit_error',
        message: 'Number of request tokens has exceeded your per-minute rate limit',
      },
    };
    assert.equal(
      translateError(apiError(429, anthropic, { 'retry-after': '3' }), { ...ctx, provider: 'anthropic' })
        .kind,
      'rateLimit',
    );
    assert.equal(
      translateError(
        apiError(402, { type: 'error', error: { type: 'billing_error', message: 'billing' } }),
        ctx,
      ).kind,
      'quota',
    );
  });

  it("recognises both vendors' context-length wordings", () => {
    const wordings = [
      { code: 'context_length_exceeded', message: "This model's maximum context length is 8192 tokens." },
      {
        type: 'error',
        error: {
          type: 'invalid_request_error',
          message: 'prompt is too long: 215304 tokens > 200000 maximum',
        },
      },
      {
        type: 'error',
        error: {
          type: 'invalid_request_error',
          message:
            'input length and `max_tokens` exceed context limit: 197000 + 8192 > 200000, decrease input length or `max_tokens` and try again',
        },
      },
    ];
    for (const body of wordings) assert.equal(translateError(apiError(400, body), ctx).kind, 'contextLength');
    assert.equal(
      translateError(apiError(400, { message: 'Unsupported parameter: temperature' }), ctx).kind,
      'badRequest',
    );
  });

  it('maps mid-stream SSE errors (no status) by their vendor type', () => {
    const sse = (type: string) => apiError(undefined, { type: 'error', error: { type, message: type } });
    assert.equal(translateError(sse('overloaded_error'), ctx).kind, 'server');
    assert.equal(translateError(sse('rate_limit_error'), ctx).kind, 'rateLimit');
    assert.equal(translateError(sse('authentication_error'), ctx).kind, 'auth');
    assert.equal(translateError(sse('invalid_request_error'), ctx).kind, 'badRequest');
  });

  it('treats anything after an abort as a cancellation', () => {
    const controller = new AbortController();
    controller.abort();
    assert.equal(
      translateError(new Error('whatever'), { ...ctx, signal: controller.signal }).kind,
      'cancelled',
    );
    assert.equal(
      translateError(apiError(undefined, undefined, {}, 'APIUserAbortError'), ctx).kind,
      'cancelled',
    );
  });

  it('maps timeouts, refused connections and unreadable bodies', () => {
    const timeout = new Error('Request timed out.');
    Object.defineProperty(timeout, 'name', { value: 'APIConnectionTimeoutError' });
    assert.equal(translateError(timeout, ctx).kind, 'timeout');
    const refused = new Error('Connection error.', {
      cause: new TypeError('fetch failed', {
        cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
      }),
    });
    const network = translateError(refused, ctx);
    assert.equal(network.kind, 'network');
    assert.match(network.message, /ECONNREFUSED/);
    assert.equal(translateError(new SyntaxError('Unexpected end of JSON input'), ctx).kind, 'badResponse');
  });

  it('keeps an LlmError as it is', () => {
    const original = new LlmError('auth', 'x', { missingKey: true });
    assert.equal(translateError(original, ctx), original);
  });

  it('never keeps the key, even when the provider echoes it', () => {
    const error = translateError(
      apiError(401, { message: 'Incorrect API key provided: sk-live-abcdefghijklmnop.' }),
      ctx,
    );
    assert.equal(error.kind, 'auth');
    assert.ok(!error.message.includes('sk-live-abcdefghijklmnop'));
    assert.match(error.message, /API key rejected/);
  });
});

describe('scrubSecrets', () => {
  it('removes exact secrets and key-shaped tokens, masked echoes included', () => {
    const text =
      'key sk-live-abcdefghijklmnop, masked sk-li*********mnop, header Authorization: Bearer abc.def, x-api-key: sk-ant-api03-zzzzzzzz and plain-secret-value-123';
    const scrubbed = scrubSecrets(text, ['plain-secret-value-123']);
    for (const leak of [
      'abcdefghijklmnop',
      '*********mnop',
      'abc.def',
      'zzzzzzzz',
      'plain-secret-value-123',
    ]) {
      assert.ok(!scrubbed.includes(leak), `${leak} left in: ${scrubbed}`);
    }
    assert.match(scrubbed, /Bearer \[redacted\]/);
  });

  it('leaves ordinary text alone', () => {
    assert.equal(
      scrubSecrets('The model `gpt-4o` does not exist.', ['abc']),
      'The model `gpt-4o` does not exist.',
    );
  });
});
