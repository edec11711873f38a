/**
 * A STAND-IN for the LiteLLM proxy, not the proxy. LiteLLM is a Python server and PyPI is out of
 * reach from our machines, so the tests run this small loopback server instead, built from the
 * proxy's real answers (the shapes and their sources are in liteLlmShapes.ts). It forwards chat
 * completions to the fault upstream, so every upstream fault still happens behind it.
 *
 * What it does as the proxy does: the OpenAI-compatible routes (`/chat/completions`,
 * `/v1/chat/completions`, `/models`, `/v1/models`); virtual keys in `Authorization: Bearer` (or
 * `x-litellm-api-key`), refused with the proxy's `auth_error`; a key's spend and budget, checked
 * before the model is called and refused with `budget_exceeded`; the spend reset at
 * `budget_reset_at`; the `x-litellm-*` headers, with `x-litellm-response-cost` on non-streamed
 * answers (what it adds to the key's spend) and none on streams (whose spend is added once the
 * stream ends); a provider's errors re-wrapped in the proxy's envelope, its headers renamed
 * `llm_provider-*`; `GET /key/info` with `spend`, `max_budget`, `budget_duration`,
 * `budget_reset_at`. What it leaves out: the router's own retries and fallbacks (a team's
 * `config.yaml` for our chain sets `num_retries: 0`), caching, guardrails, the database.
 */

import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  authError,
  budgetExceeded,
  connectionError,
  NOT_FOUND,
  relayedProviderError,
  type LiteLlmErrorAnswer,
} from './liteLlmShapes';

/** One virtual key, as `/key/generate` would have made it. */
export interface StandInKey {
  spend: number;
  maxBudget?: number;
  /** `30d`, `1mo`, `24h`: the period after which spend resets. */
  budgetDuration?: string;
  /** Epoch ms of the next reset (with `budgetDuration`). */
  budgetResetAt?: number;
  keyAlias?: string;
  teamId?: string;
}

export interface LiteLlmStandInOptions {
  /** The fault upstream's URL (without `/v1`): every model is an OpenAI model there. */
  readonly upstreamUrl: string;
  /** The provider key the proxy holds for the upstream (never a virtual key). */
  readonly upstreamKey: string;
  /** Virtual keys by their value. */
  readonly keys: Record<string, StandInKey>;
  /** US dollars per token the proxy's cost map has for every model (input, output). */
  readonly pricePerToken?: { readonly input: number; readonly output: number };
  /** The status of a budget refusal: 429 (current releases, the default) or 400 (older ones). */
  readonly budgetStatus?: 429 | 400;
  /** Models `/models` lists. */
  readonly models?: readonly string[];
  /** The proxy's clock, for budget resets. */
  readonly now?: () => number;
}

/** What the stand-in saw of one request (never a key). */
export interface StandInRecord {
  readonly method: string;
  readonly path: string;
  readonly model?: string;
  readonly stream: boolean;
  status?: number;
  /** The cost it reported in `x-litellm-response-cost`, if it did. */
  reportedCost?: number;
}

export interface LiteLlmStandIn {
  /** Base URL for OpenAI-style clients: `http://127.0.0.1:PORT/v1`. */
  readonly baseUrl: string;
  /** The proxy's root, where `/key/info` lives. */
  readonly rootUrl: string;
  readonly keys: Record<string, StandInKey>;
  readonly requests: readonly StandInRecord[];
  close(): Promise<void>;
}

export const STAND_IN_VERSION = '1.80.0';

export async function startLiteLlmStandIn(options: LiteLlmStandInOptions): Promise<LiteLlmStandIn> {
  const requests: StandInRecord[] = [];
  const sockets = new Set<Socket>();
  const now = options.now ?? Date.now;
  const price = options.pricePerToken ?? { input: 2.5e-6, output: 1e-5 };

  const server = http.createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { detail: String(error) });
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const path = url.pathname;
    const record: StandInRecord = { method: req.method ?? 'GET', path, stream: false };
    requests.push(record);
    res.once('finish', () => (record.status = res.statusCode));
    if (req.method === 'GET' && path === '/health/liveliness') return send(res, 200, "I'm alive!");

    const presented = keyOf(req);
    const key = presented ? options.keys[presented] : undefined;
    if (!presented || !key) return sendError(res, authError(presented));
    resetIfDue(key);

    if (req.method === 'GET' && (path === '/models' || path === '/v1/models')) {
      const data = (options.models ?? []).map((id) => ({
        id,
        object: 'model',
        created: 1677610602,
        owned_by: 'openai',
      }));
      return send(res, 200, { data, object: 'list' });
    }
    if (req.method === 'GET' && path === '/key/info') {
      // The proxy answers for the key in the header unless `?key=` names another.
      return send(res, 200, { key: url.searchParams.get('key') ?? presented, info: keyInfo(key) });
    }
    if (req.method === 'POST' && (path === '/chat/completions' || path === '/v1/chat/completions')) {
      const body = JSON.parse(await readBody(req)) as Record<string, unknown>;
      const model = typeof body.model === 'string' ? body.model : undefined;
      Object.assign(record, { model, stream: body.stream === true });
      // Budgets are checked in auth, before any model is called.
      if (key.maxBudget !== undefined && key.spend >= key.maxBudget) {
        return sendError(res, budgetExceeded(key.spend, key.maxBudget, options.budgetStatus ?? 429));
      }
      return relay(body, model, key, record, res);
    }
    return send(res, 404, NOT_FOUND);
  }

  async function relay(
    body: Record<string, unknown>,
    model: string | undefined,
    key: StandInKey,
    record: StandInRecord,
    res: http.ServerResponse,
  ): Promise<void> {
    let answer: Response;
    try {
      answer = await fetch(`${options.upstreamUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${options.upstreamKey}` },
        body: JSON.stringify(body),
      });
    } catch {
      return sendError(res, connectionError(), key);
    }
    if (answer.status >= 400) {
      const text = await answer.text();
      return sendError(res, relayedProviderError(answer.status, parse(text), answer.headers), key);
    }
    if (record.stream) return relayStream(answer, key, res);
    const completion = (await answer.json()) as Record<string, unknown>;
    // The proxy answers with the model name the client asked for, not the provider's.
    completion.model = model;
    const cost = costOf(completion.usage);
    key.spend += cost;
    record.reportedCost = cost;
    send(res, 200, completion, { ...customHeaders(key), 'x-litellm-response-cost': String(cost) });
  }

  async function relayStream(answer: Response, key: StandInKey, res: http.ServerResponse): Promise<void> {
    res.writeHead(200, { 'content-type': 'text/event-stream', ...customHeaders(key) });
    res.flushHeaders();
    const reader = answer.body!.getReader();
    const decoder = new TextDecoder();
    let seen = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      seen += decoder.decode(value, { stream: true });
      res.write(value);
    }
    res.end();
    // The proxy's spend tracking runs once the stream is complete, from its usage chunk.
    for (const line of seen.split('\n')) {
      if (!line.startsWith('data: {')) continue;
      const chunk = parse(line.slice('data: '.length)) as { usage?: unknown } | undefined;
      if (chunk?.usage) key.spend += costOf(chunk.usage);
    }
  }

  function costOf(usage: unknown): number {
    const u = usage as { prompt_tokens?: number; completion_tokens?: number } | undefined;
    return (u?.prompt_tokens ?? 0) * price.input + (u?.completion_tokens ?? 0) * price.output;
  }

  function resetIfDue(key: StandInKey): void {
    // The proxy's reset job sets spend to 0 once budget_reset_at has passed.
    if (key.budgetResetAt === undefined || now() < key.budgetResetAt) return;
    key.spend = 0;
    key.budgetResetAt = key.budgetDuration ? now() + durationMs(key.budgetDuration) : undefined;
  }

  function customHeaders(key: StandInKey): Record<string, string> {
    return {
      'x-litellm-call-id': crypto.randomUUID(),
      'x-litellm-version': STAND_IN_VERSION,
      'x-litellm-key-spend': String(key.spend),
      ...(key.maxBudget !== undefined ? { 'x-litellm-key-max-budget': String(key.maxBudget) } : {}),
    };
  }

  function sendError(res: http.ServerResponse, answer: LiteLlmErrorAnswer, key?: StandInKey): void {
    send(res, answer.status, answer.body, { ...answer.headers, ...(key ? customHeaders(key) : {}) });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const rootUrl = `http://127.0.0.1:${port}`;
  return {
    baseUrl: `${rootUrl}/v1`,
    rootUrl,
    keys: options.keys,
    requests,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** `/key/info`'s `info`, as Prisma's row of LiteLLM_VerificationToken dumps it (token removed). */
function keyInfo(key: StandInKey): Record<string, unknown> {
  return {
    key_name: 'sk-...',
    key_alias: key.keyAlias ?? null,
    spend: key.spend,
    max_budget: key.maxBudget ?? null,
    expires: null,
    models: [],
    aliases: {},
    config: {},
    user_id: null,
    team_id: key.teamId ?? null,
    max_parallel_requests: null,
    metadata: {},
    tpm_limit: null,
    rpm_limit: null,
    budget_duration: key.budgetDuration ?? null,
    budget_reset_at: key.budgetResetAt !== undefined ? new Date(key.budgetResetAt).toISOString() : null,
    allowed_cache_controls: [],
    permissions: {},
    model_spend: {},
    model_max_budget: {},
    soft_budget_cooldown: false,
    blocked: null,
    litellm_budget_table: null,
  };
}

/** The proxy's `duration_in_seconds`: `30s`, `30m`, `30h`, `30d`, `1mo`. */
function durationMs(duration: string): number {
  const match = /^(\d+)(s|m|h|d|mo)$/.exec(duration);
  if (!match) throw new Error(`Unsupported budget_duration "${duration}"`);
  const unit = { s: 1, m: 60, h: 3600, d: 86_400, mo: 30 * 86_400 }[match[2] as 's' | 'm' | 'h' | 'd' | 'mo'];
  return Number(match[1]) * unit * 1000;
}

function keyOf(req: http.IncomingMessage): string | undefined {
  const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim();
  const header = req.headers['x-litellm-api-key'];
  return bearer || (typeof header === 'string' ? header.trim() : undefined) || undefined;
}

function send(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': typeof body === 'string' ? 'text/plain' : 'application/json',
    ...headers,
  });
  res.end(text);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
