/**
 * Translates whatever the SDKs throw into the core's {@link LlmError} kinds, at the edge, so the
 * fallback chain decides from the kind alone. Works on both SDKs' error shapes by duck typing, so
 * it never needs an SDK module loaded, and scrubs every message it keeps of API keys.
 */

import { isLlmError, LlmError, parseRetryAfter, type LlmErrorKind } from '../core';
import { PRESETS } from './presets';

export interface ErrorContext {
  /** The provider label used in messages (`openai`, `azure`, `anthropic`, `ollama`, …). */
  readonly provider: string;
  /** The registry name of the model. */
  readonly model: string;
  /** Values that must never appear in a message (the API key, secret header values). */
  readonly secrets: readonly string[];
  /** Wall clock for Retry-After dates. */
  readonly now: () => number;
  /** The attempt's signal: once it aborted, whatever the SDK throws is a cancellation. */
  readonly signal?: AbortSignal;
}

/** Longest provider message kept in an error (bodies can be large HTML pages from proxies). */
const MAX_DETAIL_CHARS = 300;

/**
 * How vendors' keys begin: `sk-` (OpenAI and most OpenAI-style services: OpenRouter's `sk-or-`,
 * Anthropic's `sk-ant-`, Moonshot's, LiteLLM's virtual keys), restricted `rk-` and publishable
 * `pk-` keys; then each preset's documented prefix (`xai-`, `hf_`, `pplx-`, `fw_`, `csk-`, `gsk_`,
 * `AIza`…), which must be followed by a longer run so ordinary words are left alone.
 */
const CLASSIC_PREFIXES = ['sk-', 'rk-', 'pk-'];
const PRESET_PREFIXES = [
  ...new Set(Object.values(PRESETS).flatMap((preset) => preset.keyPrefix ?? [])),
].filter((prefix) => !CLASSIC_PREFIXES.some((classic) => prefix.startsWith(classic)));

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const alternatives = (prefixes: readonly string[]) => prefixes.map(escapeRegExp).join('|');

/** Shapes of key-like tokens that are redacted even when they are not the configured key. */
const KEY_PATTERNS: readonly RegExp[] = [
  // A masked echo such as OpenAI's `sk-ab****wxyz` counts too.
  new RegExp(`(?<![A-Za-z0-9_])(?:${alternatives(CLASSIC_PREFIXES)})[A-Za-z0-9_\\-*]{6,}`, 'g'),
  new RegExp(`(?<![A-Za-z0-9_])(?:${alternatives(PRESET_PREFIXES)})[A-Za-z0-9_\\-*]{12,}`, 'g'),
  /(\bBearer\s+)[^\s"',;]+/gi,
  /(\b(?:x-api-key|api-key|api_key|apikey)["']?\s*[:=]\s*["']?)[^\s"',;]+/gi,
];

/** Anything the patterns could match contains one of these (a cheap test before the full set). */
const MAYBE_KEY = new RegExp(
  `${alternatives([...CLASSIC_PREFIXES, ...PRESET_PREFIXES])}|bearer|api[-_]?key`,
  'i',
);

/**
 * Removes secrets from text: every exact secret value, then anything shaped like a key (a masked
 * echo such as OpenAI's `sk-ab****wxyz` included).
 */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    // Very short values would redact ordinary words; real keys are far longer.
    if (secret && secret.length >= 6 && result.includes(secret))
      result = result.split(secret).join('[redacted]');
  }
  // Most messages hold nothing key-shaped: one cheap test spares the full set of patterns.
  if (!MAYBE_KEY.test(result)) return result;
  for (const pattern of KEY_PATTERNS) {
    result = result.replace(pattern, (match, prefix: unknown) =>
      typeof prefix === 'string' && match.startsWith(prefix) ? `${prefix}[redacted]` : '[redacted]',
    );
  }
  return result;
}

interface ErrorFacts {
  readonly status?: number;
  readonly type?: string;
  readonly code?: string;
  readonly message: string;
  readonly headers?: { get(name: string): string | null };
  readonly className: string;
  readonly causeCode?: string;
}

/** Turns anything thrown by an SDK call into an {@link LlmError} with a scrubbed message. */
export function translateError(error: unknown, ctx: ErrorContext): LlmError {
  if (isLlmError(error)) return error;
  const base = { provider: ctx.provider, model: ctx.model };
  const facts = readFacts(error);
  const detail = clip(scrubSecrets(facts.message, ctx.secrets));

  if (ctx.signal?.aborted || isAbort(facts)) {
    return new LlmError('cancelled', 'The request was cancelled.', base);
  }
  if (facts.status === undefined) {
    if (facts.type !== undefined || facts.code !== undefined) return fromVendorType(facts, detail, ctx);
    return fromTransport(facts, detail, ctx);
  }

  const status = facts.status;
  const where = `${ctx.provider} (HTTP ${status})`;
  const make = (kind: LlmErrorKind, summary: string, extra: { retryAfterMs?: number } = {}) =>
    new LlmError(kind, `${summary}: ${detail}`, { ...base, status, ...extra });

  if (isQuota(facts)) return make('quota', `Out of quota or credit at ${where}`);
  if (status === 429) {
    return make('rateLimit', `Rate limited by ${where}`, { retryAfterMs: retryAfterOf(facts, ctx) });
  }
  if (status === 401) return make('auth', `API key rejected by ${where}`);
  if (status === 403) return make('auth', `API key rejected by ${where}: it lacks permission`);
  if (status === 408) return make('timeout', `Request timed out at ${where}`);
  if (status >= 500 || status === 409) {
    // 529 is Anthropic's "overloaded"; some gateways pass Retry-After on 503 too.
    const summary = status === 529 ? `${ctx.provider} is overloaded (HTTP 529)` : `Server error at ${where}`;
    return make('server', summary, { retryAfterMs: retryAfterOf(facts, ctx) });
  }
  if (isContextLength(facts))
    return make('contextLength', `The prompt is too long for ${ctx.model} at ${where}`);
  if (isContentPolicy(facts)) return make('contentPolicy', `Content refused by ${where}`);
  return make('badRequest', `Request rejected as invalid by ${where}`);
}

/** Errors without an HTTP status that still carry the vendor's type: SSE `error` events mid-stream. */
function fromVendorType(facts: ErrorFacts, detail: string, ctx: ErrorContext): LlmError {
  const base = { provider: ctx.provider, model: ctx.model };
  const where = `${ctx.provider} (in the stream)`;
  const type = `${facts.type ?? ''} ${facts.code ?? ''}`;
  const make = (kind: LlmErrorKind, summary: string) => new LlmError(kind, `${summary}: ${detail}`, base);
  if (isQuota(facts)) return make('quota', `Out of quota or credit at ${where}`);
  if (/rate_limit/.test(type)) return make('rateLimit', `Rate limited by ${where}`);
  if (/overloaded|api_error|server_error|internal/.test(type))
    return make('server', `Server error at ${where}`);
  if (/authentication|permission|invalid_api_key/.test(type))
    return make('auth', `API key rejected by ${where}`);
  if (/timeout/.test(type)) return make('timeout', `Timed out at ${where}`);
  if (isContextLength(facts))
    return make('contextLength', `The prompt is too long for ${ctx.model} at ${where}`);
  if (isContentPolicy(facts)) return make('contentPolicy', `Content refused by ${where}`);
  if (/invalid_request|not_found/.test(type))
    return make('badRequest', `Request rejected as invalid by ${where}`);
  return make('server', `Error reported by ${where}`);
}

/** No HTTP answer at all: timeouts, refused or reset connections, bodies that are not JSON. */
function fromTransport(facts: ErrorFacts, detail: string, ctx: ErrorContext): LlmError {
  const base = { provider: ctx.provider, model: ctx.model };
  const name = facts.className;
  if (
    /Timeout/i.test(name) ||
    facts.causeCode === 'UND_ERR_HEADERS_TIMEOUT' ||
    facts.causeCode === 'UND_ERR_BODY_TIMEOUT' ||
    facts.causeCode === 'ETIMEDOUT'
  ) {
    return new LlmError('timeout', `No answer from ${ctx.provider} in time: ${detail}`, base);
  }
  if (name === 'SyntaxError') {
    return new LlmError(
      'badResponse',
      `${ctx.provider} sent an answer that is not valid JSON: ${detail}`,
      base,
    );
  }
  const networkCodes =
    /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|EPIPE|EHOSTUNREACH|ENETUNREACH|UND_ERR_SOCKET|UND_ERR_CLOSED|UND_ERR_CONNECT_TIMEOUT)$/;
  if (
    /Connection/i.test(name) ||
    (facts.causeCode !== undefined && networkCodes.test(facts.causeCode)) ||
    /terminated|socket|network|fetch failed|other side closed/i.test(facts.message)
  ) {
    const how = facts.causeCode ? ` (${facts.causeCode})` : '';
    return new LlmError('network', `Could not reach ${ctx.provider}${how}: ${detail}`, base);
  }
  return new LlmError('badResponse', `Unexpected failure talking to ${ctx.provider}: ${detail}`, base);
}

function readFacts(error: unknown): ErrorFacts {
  if (typeof error !== 'object' || error === null) {
    return { message: String(error), className: typeof error };
  }
  const record = error as Record<string, unknown>;
  const status = typeof record.status === 'number' ? record.status : undefined;
  const headers = isHeaders(record.headers) ? record.headers : undefined;
  // OpenAI keeps the body's `error` object in `.error`; Anthropic keeps the whole body there.
  const body = asRecord(record.error);
  const nested = asRecord(body?.error) ?? body;
  const type = firstString(record.type, nested?.type);
  const code = firstString(record.code, nested?.code, asRecord(nested?.details)?.error_code);
  const vendorMessage = firstString(record.apiMessage, nested?.message);
  const ownMessage = error instanceof Error ? error.message : String(error);
  const className =
    (error instanceof Error && error.constructor?.name) || firstString(record.name) || 'Error';
  return {
    status,
    type,
    code,
    message: vendorMessage ?? ownMessage,
    headers,
    className: className === 'Error' && typeof record.name === 'string' ? record.name : className,
    causeCode: causeCodeOf(error),
  };
}

/** The low-level code (`ECONNREFUSED`, `UND_ERR_SOCKET`…) somewhere in the cause chain. */
function causeCodeOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const record = current as { code?: unknown; cause?: unknown; errors?: unknown };
    if (typeof record.code === 'string' && /^[A-Z_]+$/.test(record.code)) return record.code;
    if (Array.isArray(record.errors) && record.errors.length > 0) {
      const inner = causeCodeOf(record.errors[0]);
      if (inner) return inner;
    }
    current = record.cause;
  }
  return undefined;
}

function isAbort(facts: ErrorFacts): boolean {
  return (
    facts.className === 'APIUserAbortError' ||
    facts.className === 'AbortError' ||
    (facts.status === undefined && /^Request was aborted\.?$/.test(facts.message))
  );
}

function isQuota(facts: ErrorFacts): boolean {
  const tags = `${facts.type ?? ''} ${facts.code ?? ''}`;
  if (/insufficient_quota|billing_error|billing_hard_limit/.test(tags) || facts.status === 402) return true;
  return /credit balance is too low|exceeded your current quota|insufficient (?:credits|balance)/i.test(
    facts.message,
  );
}

function isContextLength(facts: ErrorFacts): boolean {
  if (
    /context_length_exceeded|string_above_max_length|request_too_large/.test(
      `${facts.type ?? ''} ${facts.code ?? ''}`,
    ) ||
    facts.status === 413
  )
    return true;
  return /maximum context length|context length|context window|prompt is too long|too many (?:input )?tokens|exceeds? (?:the )?context limit|input length and `?max_tokens`? exceed|reduce the length of the messages/i.test(
    facts.message,
  );
}

function isContentPolicy(facts: ErrorFacts): boolean {
  if (
    /content_policy_violation|content_filter|responsible_?ai/i.test(`${facts.type ?? ''} ${facts.code ?? ''}`)
  )
    return true;
  return /safety system|content management policy|content filtering policy|content policy|flagged as potentially violating/i.test(
    facts.message,
  );
}

function retryAfterOf(facts: ErrorFacts, ctx: ErrorContext): number | undefined {
  const headers = facts.headers;
  if (!headers) return undefined;
  return parseRetryAfter(
    {
      retryAfterMs: headers.get('retry-after-ms') ?? headers.get('x-ms-retry-after-ms'),
      retryAfter: headers.get('retry-after'),
    },
    ctx.now(),
  );
}

function isHeaders(value: unknown): value is { get(name: string): string | null } {
  return (
    typeof value === 'object' && value !== null && typeof (value as { get?: unknown }).get === 'function'
  );
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function firstString(...values: unknown[]): string | undefined {
  for (const value of values) if (typeof value === 'string' && value.length > 0) return value;
  return undefined;
}

function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_DETAIL_CHARS ? `${flat.slice(0, MAX_DETAIL_CHARS - 1)}…` : flat || 'no details';
}
