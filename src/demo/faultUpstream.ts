/**
 * A real HTTP server on loopback that speaks OpenAI's, Azure OpenAI's and Anthropic's chat wire
 * formats (JSON and SSE) and misbehaves on purpose: the requested model name selects what it does
 * (see faultBehaviour.ts for the naming scheme). Provider and chain tests run the real SDKs against
 * it, the benchmarks measure against it, and the extension's "Try Without Keys" demo and
 * `npm run demo` use it as a keyless stand-in for real services.
 *
 * Plain Node `http` and nothing else, so it bundles into the extension. It checks that an API key
 * header is present but never logs it, and it only listens where it is told (127.0.0.1 by default).
 */

import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { parseFaultBehaviour, type FaultBehaviour } from './faultBehaviour';
import {
  checkToolRequest,
  readToolFacts,
  splitArguments,
  textOf,
  toolReply,
  type DemoReply,
  type ToolFacts,
} from './faultTools';
import {
  demoAnswer,
  demoUsage,
  errorFor,
  randomId,
  splitIntoChunks,
  statusError,
  truncateToTokens,
  type DemoUsage,
  type ErrorAnswer,
  type Vendor,
} from './faultResponses';

export { parseFaultBehaviour, type FaultBehaviour } from './faultBehaviour';
export { demoAnswer, demoUsage, type DemoUsage, type Vendor } from './faultResponses';

/** Where the upstream reports what it did; never given a header value. */
export interface FaultUpstreamLogger {
  info(message: string): void;
}

export interface FaultUpstreamOptions {
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  /** Defaults to 127.0.0.1: the upstream is meant for this machine only. */
  readonly host?: string;
  readonly logger?: FaultUpstreamLogger;
  /** Pause between streamed chunks for every model (the demo uses ~30 ms so streaming is visible). */
  readonly chunkDelayMs?: number;
  /** Answer 401 when a request carries no API key header (default true). */
  readonly requireAuth?: boolean;
  /** Wall clock for `bursty-*` phases and Retry-After dates (tests may pin it). */
  readonly now?: () => number;
  /** Model ids listed by `GET /v1/models`. */
  readonly listedModels?: readonly string[];
}

/** What happened to one request, as the upstream saw it. */
export interface FaultRequestRecord {
  readonly method: string;
  readonly path: string;
  readonly vendor?: Vendor;
  readonly model?: string;
  readonly stream: boolean;
  /** Whether an API key header was present (its value is never kept). */
  readonly hadKey: boolean;
  /** Names (not values) of the request's headers, lower-case. */
  readonly headerNames: readonly string[];
  /** The request's query string without the leading `?` (Azure's api-version lives here). */
  readonly query: string;
  status?: number;
  /** `completed`, or how it ended early: the client went away, or the upstream cut it on purpose. */
  outcome: 'inFlight' | 'completed' | 'clientClosed' | 'cut' | 'reset' | 'stalled';
  /** Text chunks (and pieces of tool-call arguments) written to a stream before it ended. */
  chunksSent: number;
  usage?: DemoUsage;
  /**
   * For requests that offer tools or carry tool history: the tool names offered and the messages
   * exactly as received, so tests can check how a provider translated a conversation. Kept on the
   * last 20 such requests only: agents send large bodies.
   */
  toolExchange?: { readonly offered: readonly string[]; readonly messages: readonly unknown[] };
}

export interface FaultUpstreamStats {
  /** Chat and model-list calls received (the `/_stats` and `/_reset` endpoints are not counted). */
  readonly total: number;
  readonly byModel: Readonly<Record<string, number>>;
  readonly byPath: Readonly<Record<string, number>>;
  readonly byStatus: Readonly<Record<string, number>>;
  readonly streams: number;
  /** Requests whose client closed the connection before the answer was complete. */
  readonly clientClosed: number;
  readonly inFlight: number;
  /** The last requests, oldest first (bounded). */
  readonly recent: readonly FaultRequestRecord[];
}

export interface FaultUpstream {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly port: number;
  stats(): FaultUpstreamStats;
  /** Clears the counters and the `flaky-*` / `ratelimitonce-*` / `tools-outage-*` counts. */
  resetStats(): void;
  /** Resolves once no request is in flight (after a cancellation, proves the connection closed). */
  whenIdle(): Promise<void>;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 5 * 1024 * 1024;
const RECENT_LIMIT = 500;
/** How many recent requests keep their tool exchange (a chat agent offers dozens of tools per request). */
const TOOL_EXCHANGE_LIMIT = 20;
const DEMO_MODELS = [
  'ok',
  'drip-40',
  'flaky-2',
  'error-500',
  'ratelimit-2',
  'overloaded',
  'bursty',
  'cut-5',
  'hang',
];

/** Starts the upstream; resolves once it listens. */
export async function startFaultUpstream(options: FaultUpstreamOptions = {}): Promise<FaultUpstream> {
  const upstream = new FaultUpstreamServer(options);
  await upstream.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return upstream;
}

interface ParsedRequest {
  readonly vendor: Vendor;
  readonly model: string;
  readonly stream: boolean;
  readonly includeUsage: boolean;
  readonly promptText: string;
  readonly lastUserText: string;
  readonly messageCount: number;
  readonly maxTokens?: number;
  readonly apiVersion?: string;
  readonly tools: ToolFacts;
}

class FaultUpstreamServer implements FaultUpstream {
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly logger?: FaultUpstreamLogger;
  private readonly chunkDelayMs: number;
  private readonly requireAuth: boolean;
  private readonly now: () => number;
  private readonly startedAt: number;
  private readonly listedModels: readonly string[];
  /** Per full model name: failures so far (`flaky-*`, `ratelimitonce-*`) or answers so far (`tools-outage-*`). */
  private readonly countsByModel = new Map<string, number>();
  private readonly idleWaiters: Array<() => void> = [];
  private readonly live = new Set<AbortController>();
  private counters = emptyCounters();
  private recent: FaultRequestRecord[] = [];
  /** The records that hold a tool exchange, oldest first. */
  private withToolExchange: FaultRequestRecord[] = [];
  private inFlight = 0;
  private address: AddressInfo | undefined;
  private closed = false;

  constructor(options: FaultUpstreamOptions) {
    this.logger = options.logger;
    this.chunkDelayMs = Math.max(0, options.chunkDelayMs ?? 0);
    this.requireAuth = options.requireAuth ?? true;
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
    this.listedModels = options.listedModels ?? DEMO_MODELS;
    this.server = http.createServer((req, res) => this.handle(req, res));
    // Keep-alive as real services do, so clients reuse connections; idle sockets close soon.
    this.server.keepAliveTimeout = 5_000;
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    // A malformed request line must not crash the process that hosts the demo.
    this.server.on('clientError', (_error, socket) => socket.destroy());
  }

  get url(): string {
    const address = this.address;
    if (!address) throw new Error('The fault upstream is not listening.');
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}`;
  }

  get port(): number {
    return this.address?.port ?? 0;
  }

  listen(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        this.address = this.server.address() as AddressInfo;
        this.logger?.info(`Fault upstream listening on ${this.url}`);
        resolve();
      });
    });
  }

  stats(): FaultUpstreamStats {
    const c = this.counters;
    return {
      total: c.total,
      byModel: { ...c.byModel },
      byPath: { ...c.byPath },
      byStatus: { ...c.byStatus },
      streams: c.streams,
      clientClosed: c.clientClosed,
      inFlight: this.inFlight,
      recent: this.recent.map((record) => ({ ...record })),
    };
  }

  resetStats(): void {
    this.counters = emptyCounters();
    this.recent = [];
    this.withToolExchange = [];
    this.countsByModel.clear();
  }

  whenIdle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const controller of this.live) controller.abort();
    const closing = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closing;
  }

  // ---- Requests ----------------------------------------------------------------------------

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://upstream.invalid');
    const path = url.pathname;
    if (path === '/_stats' && req.method === 'GET') {
      sendJson(res, 200, {}, this.stats());
      return;
    }
    if (path === '/_reset' && req.method === 'POST') {
      this.resetStats();
      sendJson(res, 200, {}, { ok: true });
      return;
    }

    const record: FaultRequestRecord = {
      method: req.method ?? 'GET',
      path,
      stream: false,
      hadKey: hasKey(req),
      headerNames: Object.keys(req.headers).sort(),
      query: url.search.replace(/^\?/, ''),
      outcome: 'inFlight',
      chunksSent: 0,
    };
    const controller = new AbortController();
    this.begin(record, controller);
    res.on('close', () => this.end(record, res, controller));

    readBody(req)
      .then((body) => this.route(req, res, url, body, record, controller.signal))
      .catch((error: unknown) => {
        if (!res.headersSent && !res.destroyed) {
          const tooLarge = error instanceof BodyTooLargeError;
          this.send(
            res,
            record,
            tooLarge ? 413 : 400,
            {},
            {
              error: {
                message: tooLarge ? 'Request body too large.' : 'Could not read the request body.',
                type: 'invalid_request_error',
                param: null,
                code: null,
              },
            },
          );
        } else {
          res.destroy();
        }
      });
  }

  private async route(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    body: string,
    record: FaultRequestRecord,
    signal: AbortSignal,
  ): Promise<void> {
    const path = url.pathname;
    const anthropicClient =
      req.headers['anthropic-version'] !== undefined || req.headers['x-api-key'] !== undefined;

    if (req.method === 'GET' && /\/models(\/[^/]+)?$/.test(path)) {
      this.count(path, undefined);
      const id = /\/models\/([^/]+)$/.exec(path)?.[1];
      this.answerModels(
        res,
        record,
        anthropicClient ? 'anthropic' : 'openai',
        id === undefined ? undefined : decodeURIComponent(id),
      );
      return;
    }

    const azure = /\/openai\/deployments\/([^/]+)\/chat\/completions$/.exec(path);
    let vendor: Vendor | undefined;
    if (req.method === 'POST' && azure) vendor = 'azure';
    else if (req.method === 'POST' && path.endsWith('/chat/completions')) vendor = 'openai';
    else if (req.method === 'POST' && path.endsWith('/messages')) vendor = 'anthropic';
    if (!vendor) {
      this.count(path, undefined);
      this.send(
        res,
        record,
        404,
        {},
        {
          error: { message: `Unknown path ${path}.`, type: 'invalid_request_error', param: null, code: null },
        },
      );
      return;
    }

    let json: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(body);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw new Error('not an object');
      json = parsed as Record<string, unknown>;
    } catch {
      this.count(path, undefined);
      this.sendError(res, record, {
        status: 400,
        headers: {},
        body:
          vendor === 'anthropic'
            ? {
                type: 'error',
                error: { type: 'invalid_request_error', message: 'The request body is not valid JSON.' },
              }
            : {
                error: {
                  message: 'We could not parse the JSON body of your request.',
                  type: 'invalid_request_error',
                  param: null,
                  code: null,
                },
              },
      });
      return;
    }

    const request = parseChatRequest(
      vendor,
      json,
      azure ? decodeURIComponent(azure[1]) : undefined,
      url.searchParams.get('api-version') ?? undefined,
    );
    Object.assign(record, { vendor, model: request.model, stream: request.stream });
    this.count(path, request.model);
    if (request.stream) this.counters.streams++;

    if (vendor === 'azure' && !request.apiVersion) {
      this.sendError(res, record, {
        status: 404,
        headers: {},
        body: { error: { code: '404', message: 'Resource not found' } },
      });
      return;
    }
    if (this.requireAuth && !record.hadKey) {
      this.sendError(res, record, missingKeyError(vendor));
      return;
    }
    if (!request.model) {
      this.sendError(res, record, statusError(400, { vendor, model: '' }));
      return;
    }
    if (request.tools.offered.length > 0 || request.tools.hasHistory)
      this.keepToolExchange(record, request, json);
    const malformedTools = checkToolRequest(vendor, json);
    if (malformedTools) {
      this.sendError(res, record, malformedTools);
      return;
    }

    const behaviour = parseFaultBehaviour(request.model);
    await this.behave(req, res, record, request, behaviour, signal);
  }

  private async behave(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    record: FaultRequestRecord,
    request: ParsedRequest,
    behaviour: FaultBehaviour,
    signal: AbortSignal,
  ): Promise<void> {
    const { vendor, model } = request;
    switch (behaviour.kind) {
      case 'hang':
        // Parked until the client gives up; `close()` ends it too.
        return;
      case 'reset':
        record.outcome = 'reset';
        req.socket.destroy();
        return;
      case 'slow':
        if (!(await pause(behaviour.delayMs, signal))) return;
        break;
      case 'flaky': {
        const failed = this.countsByModel.get(model) ?? 0;
        if (failed < behaviour.failures) {
          this.countsByModel.set(model, failed + 1);
          this.sendError(res, record, statusError(500, { vendor, model }));
          return;
        }
        break;
      }
      case 'rateLimitOnce': {
        if (!this.countsByModel.has(model)) {
          this.countsByModel.set(model, 1);
          const limited = {
            kind: 'rateLimit',
            retryAfter: { form: 'seconds', value: behaviour.retryAfterSeconds },
          } as const;
          this.sendError(
            res,
            record,
            errorFor(limited, {
              vendor,
              model,
              presentedKey: '',
              now: this.now(),
              apiVersion: request.apiVersion,
            })!,
          );
          return;
        }
        break;
      }
      case 'tools': {
        if (behaviour.answersBeforeOutage === undefined) break;
        const answered = this.countsByModel.get(model) ?? 0;
        if (answered >= behaviour.answersBeforeOutage) {
          this.sendError(res, record, statusError(500, { vendor, model }));
          return;
        }
        this.countsByModel.set(model, answered + 1);
        break;
      }
      case 'bursty': {
        const cycle = (behaviour.failSeconds + behaviour.okSeconds) * 1000;
        const phase = (this.now() - this.startedAt) % cycle;
        if (phase < behaviour.failSeconds * 1000) {
          this.sendError(res, record, statusError(503, { vendor, model }));
          return;
        }
        break;
      }
      default: {
        const error = errorFor(behaviour, {
          vendor,
          model,
          presentedKey: presentedKey(req),
          now: this.now(),
          apiVersion: request.apiVersion,
        });
        if (error) {
          this.sendError(res, record, error);
          return;
        }
      }
    }

    let reply = toolReply(behaviour, vendor, request.tools, model, request.lastUserText);
    let finish: FinishReason;
    if (reply) {
      finish = reply.toolCalls.length > 0 ? 'toolCalls' : 'stop';
    } else {
      const { text, truncated } = truncateToTokens(
        demoAnswer(model, request.lastUserText),
        request.maxTokens,
      );
      const refusal = behaviour.kind === 'refusal';
      reply = { text: refusal ? '' : text, toolCalls: [] };
      finish = refusal ? 'refusal' : truncated ? 'length' : 'stop';
    }
    const usage = demoUsage(
      request.promptText.length,
      request.messageCount,
      reply.text + reply.toolCalls.map((call) => call.argumentsJson).join(''),
    );
    record.usage = usage;

    if (request.stream) {
      const chunkDelayMs = behaviour.kind === 'drip' ? behaviour.chunkDelayMs : this.chunkDelayMs;
      await this.stream(res, record, request, behaviour, reply, usage, finish, chunkDelayMs, signal);
      return;
    }
    if (behaviour.kind === 'garbage') {
      this.sendRaw(
        res,
        record,
        200,
        'application/json',
        vendor === 'anthropic'
          ? '{"id":"msg_garbage","type":"message","content":[{"type":"te'
          : '{"id":"chatcmpl-garbage","object":"chat.completion","choices":[{"index":0,"message":{"role":"assist',
      );
      return;
    }
    if (behaviour.kind === 'empty') {
      this.sendRaw(res, record, 200, 'application/json', '');
      return;
    }
    const payload = JSON.stringify(
      vendor === 'anthropic'
        ? anthropicMessage(model, reply, usage, finish)
        : openAiCompletion(model, reply, usage, finish),
    );
    if (behaviour.kind === 'cut') {
      // Half a body, then the connection drops: a reset in the middle of the answer.
      record.status = 200;
      record.outcome = 'cut';
      this.counters.byStatus[200] = (this.counters.byStatus[200] ?? 0) + 1;
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(payload)),
      });
      res.write(payload.slice(0, Math.floor(payload.length / 2)));
      setTimeout(() => req.socket.destroy(), 5).unref();
      return;
    }
    this.sendRaw(res, record, 200, 'application/json', payload);
  }

  private async stream(
    res: http.ServerResponse,
    record: FaultRequestRecord,
    request: ParsedRequest,
    behaviour: FaultBehaviour,
    reply: DemoReply,
    usage: DemoUsage,
    finish: FinishReason,
    chunkDelayMs: number,
    signal: AbortSignal,
  ): Promise<void> {
    record.status = 200;
    this.counters.byStatus[200] = (this.counters.byStatus[200] ?? 0) + 1;
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
    const frames =
      request.vendor === 'anthropic'
        ? anthropicFrames(request.model, reply, usage, finish)
        : openAiFrames(request.model, reply, usage, finish, request.includeUsage);
    const stopAfter =
      behaviour.kind === 'cut' || behaviour.kind === 'stall' ? behaviour.afterChunks : undefined;
    let garbageSent = false;
    for (const frame of frames) {
      if (signal.aborted || res.destroyed) return;
      if (frame.content && stopAfter !== undefined && record.chunksSent >= stopAfter) {
        if (behaviour.kind === 'cut') {
          record.outcome = 'cut';
          // Let the chunks already written leave before the connection drops.
          setTimeout(() => res.socket?.destroy(), 5).unref();
        } else {
          record.outcome = 'stalled';
        }
        return;
      }
      if (frame.content && record.chunksSent > 0 && chunkDelayMs > 0 && !(await pause(chunkDelayMs, signal)))
        return;
      res.write(frame.text);
      if (frame.content) {
        record.chunksSent++;
        if (behaviour.kind === 'garbage' && !garbageSent) {
          garbageSent = true;
          res.write(
            request.vendor === 'anthropic'
              ? 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"ty\n\n'
              : 'data: {"id":"chatcmpl-garbage","choices":[{"index":0,"delta":{"cont\n\n',
          );
        }
      }
    }
    res.end();
  }

  private answerModels(
    res: http.ServerResponse,
    record: FaultRequestRecord,
    vendor: 'openai' | 'anthropic',
    id: string | undefined,
  ): void {
    if (this.requireAuth && !record.hadKey) {
      this.sendError(res, record, missingKeyError(vendor));
      return;
    }
    const describe = (model: string) =>
      vendor === 'anthropic'
        ? { type: 'model', id: model, display_name: `Demo ${model}`, created_at: '2026-01-01T00:00:00Z' }
        : { id: model, object: 'model', created: 1_767_225_600, owned_by: 'llm-manager-demo' };
    if (id !== undefined) {
      const behaviour = parseFaultBehaviour(id);
      if (behaviour.kind === 'auth' || behaviour.kind === 'notFound' || behaviour.kind === 'forbidden') {
        this.sendError(
          res,
          record,
          errorFor(behaviour, { vendor, model: id, presentedKey: '', now: this.now() })!,
        );
        return;
      }
      this.send(res, record, 200, {}, describe(id));
      return;
    }
    const data = this.listedModels.map(describe);
    const body =
      vendor === 'anthropic'
        ? { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null }
        : { object: 'list', data };
    this.send(res, record, 200, {}, body);
  }

  // ---- Bookkeeping -----------------------------------------------------------------------------

  private begin(record: FaultRequestRecord, controller: AbortController): void {
    this.inFlight++;
    this.live.add(controller);
    this.recent.push(record);
    if (this.recent.length > RECENT_LIMIT) this.recent.splice(0, this.recent.length - RECENT_LIMIT);
  }

  private end(record: FaultRequestRecord, res: http.ServerResponse, controller: AbortController): void {
    controller.abort();
    this.live.delete(controller);
    if (record.outcome === 'inFlight' || record.outcome === 'stalled') {
      if (res.writableFinished) {
        record.outcome = 'completed';
      } else {
        record.outcome = 'clientClosed';
        this.counters.clientClosed++;
      }
    }
    const status = record.status === undefined ? 'none' : String(record.status);
    this.logger?.info(
      `${record.method} ${record.path}${record.model ? ` model=${record.model}` : ''}${record.stream ? ' (stream)' : ''} → ${status} ${record.outcome}`,
    );
    this.inFlight--;
    if (this.inFlight === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private keepToolExchange(
    record: FaultRequestRecord,
    request: ParsedRequest,
    json: Record<string, unknown>,
  ): void {
    record.toolExchange = {
      offered: request.tools.offered.map((tool) => tool.name),
      messages: Array.isArray(json.messages) ? json.messages : [],
    };
    this.withToolExchange.push(record);
    for (const old of this.withToolExchange.splice(
      0,
      Math.max(0, this.withToolExchange.length - TOOL_EXCHANGE_LIMIT),
    ))
      delete old.toolExchange;
  }

  private count(path: string, model: string | undefined): void {
    const c = this.counters;
    c.total++;
    c.byPath[path] = (c.byPath[path] ?? 0) + 1;
    if (model) c.byModel[model] = (c.byModel[model] ?? 0) + 1;
  }

  private sendError(res: http.ServerResponse, record: FaultRequestRecord, error: ErrorAnswer): void {
    this.send(res, record, error.status, error.headers, error.body);
  }

  private send(
    res: http.ServerResponse,
    record: FaultRequestRecord,
    status: number,
    headers: Readonly<Record<string, string>>,
    body: unknown,
  ): void {
    const requestId = randomId('req_');
    this.sendRaw(res, record, status, 'application/json', JSON.stringify(body), {
      ...headers,
      'x-request-id': requestId,
      'request-id': requestId,
    });
  }

  private sendRaw(
    res: http.ServerResponse,
    record: FaultRequestRecord,
    status: number,
    contentType: string,
    body: string,
    headers: Readonly<Record<string, string>> = {},
  ): void {
    if (res.headersSent || res.destroyed) return;
    record.status = status;
    this.counters.byStatus[status] = (this.counters.byStatus[status] ?? 0) + 1;
    res.writeHead(status, {
      ...headers,
      'content-type': contentType,
      'content-length': String(Buffer.byteLength(body)),
    });
    res.end(body);
  }
}

type FinishReason = 'stop' | 'length' | 'refusal' | 'toolCalls';

function emptyCounters() {
  return {
    total: 0,
    byModel: {} as Record<string, number>,
    byPath: {} as Record<string, number>,
    byStatus: {} as Record<string, number>,
    streams: 0,
    clientClosed: 0,
  };
}

class BodyTooLargeError extends Error {}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (part: Buffer) => {
      size += part.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLargeError());
        req.destroy();
        return;
      }
      parts.push(part);
    });
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

/** Waits on the real clock; false when the request went away meanwhile. */
function pause(ms: number, signal: AbortSignal): Promise<boolean> {
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

function hasKey(req: http.IncomingMessage): boolean {
  return presentedKey(req).length > 0;
}

/** The key a request presents in any of the vendors' headers. Used for presence checks only. */
function presentedKey(req: http.IncomingMessage): string {
  const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim();
  const candidates = [req.headers['x-api-key'], req.headers['api-key'], bearer];
  for (const candidate of candidates) {
    const value = Array.isArray(candidate) ? candidate[0] : candidate;
    if (value && value.trim()) return value.trim();
  }
  return '';
}

function missingKeyError(vendor: Vendor): ErrorAnswer {
  if (vendor === 'anthropic') {
    return {
      status: 401,
      headers: {},
      body: {
        type: 'error',
        error: { type: 'authentication_error', message: 'x-api-key header is required' },
      },
    };
  }
  if (vendor === 'azure') {
    return {
      status: 401,
      headers: {},
      body: {
        error: {
          code: '401',
          message:
            'Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API.',
        },
      },
    };
  }
  return {
    status: 401,
    headers: {},
    body: {
      error: {
        message:
          "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    },
  };
}

function parseChatRequest(
  vendor: Vendor,
  json: Record<string, unknown>,
  deployment: string | undefined,
  apiVersion: string | undefined,
): ParsedRequest {
  const messages = Array.isArray(json.messages) ? json.messages : [];
  const texts: string[] = [];
  let lastUserText = '';
  for (const message of messages) {
    if (typeof message !== 'object' || message === null) continue;
    const { role, content } = message as { role?: unknown; content?: unknown };
    const text = contentText(content);
    texts.push(text);
    // A user turn of tool results only (Anthropic) is not what the user asked.
    if (role === 'user' && text) lastUserText = text;
  }
  const system = contentText(json.system);
  if (system) texts.push(system);
  const streamOptions = json.stream_options as { include_usage?: unknown } | undefined;
  const maxTokens = [json.max_tokens, json.max_completion_tokens].find(
    (v): v is number => typeof v === 'number' && v > 0,
  );
  return {
    vendor,
    model: deployment ?? (typeof json.model === 'string' ? json.model : ''),
    stream: json.stream === true,
    includeUsage: vendor === 'anthropic' || streamOptions?.include_usage === true,
    promptText: texts.join('\n'),
    lastUserText: lastUserText || texts[texts.length - 1] || '',
    messageCount: messages.length,
    maxTokens,
    apiVersion,
    tools: readToolFacts(vendor, json),
  };
}

/** Text of a message's content: a string, or its text blocks (and the text of Anthropic tool results). */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part: unknown) => {
        if (typeof part !== 'object' || part === null) return '';
        const { text, type, content: nested } = part as { text?: unknown; type?: unknown; content?: unknown };
        if (typeof text === 'string') return text;
        return type === 'tool_result' ? textOf(nested) : '';
      })
      .join('');
  }
  return '';
}

function sendJson(
  res: http.ServerResponse,
  status: number,
  headers: Readonly<Record<string, string>>,
  body: unknown,
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

// ---- Wire formats ------------------------------------------------------------------------------

const OPENAI_FINISH: Readonly<Record<FinishReason, string>> = {
  stop: 'stop',
  length: 'length',
  refusal: 'content_filter',
  toolCalls: 'tool_calls',
};
const ANTHROPIC_STOP: Readonly<Record<FinishReason, string>> = {
  stop: 'end_turn',
  length: 'max_tokens',
  refusal: 'refusal',
  toolCalls: 'tool_use',
};

function openAiCompletion(model: string, reply: DemoReply, usage: DemoUsage, finish: FinishReason): unknown {
  const refusal = finish === 'refusal';
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
          refusal: refusal ? "I'm sorry, but I can't help with that request." : null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: OPENAI_FINISH[finish],
      },
    ],
    usage: {
      prompt_tokens: usage.inputTokens,
      completion_tokens: usage.outputTokens,
      total_tokens: usage.inputTokens + usage.outputTokens,
    },
    system_fingerprint: 'fp_demo',
  };
}

function anthropicMessage(model: string, reply: DemoReply, usage: DemoUsage, finish: FinishReason): unknown {
  return {
    id: randomId('msg_'),
    type: 'message',
    role: 'assistant',
    model,
    content: [
      ...(reply.text ? [{ type: 'text', text: reply.text }] : []),
      ...reply.toolCalls.map((call) => ({
        type: 'tool_use',
        id: call.id,
        name: call.name,
        input: call.input,
      })),
    ],
    stop_reason: ANTHROPIC_STOP[finish],
    stop_sequence: null,
    usage: {
      input_tokens: usage.inputTokens,
      output_tokens: usage.outputTokens,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    },
  };
}

interface Frame {
  readonly text: string;
  /** True for frames that carry answer text or arguments (counted for `cut-*` and paced by the chunk delay). */
  readonly content: boolean;
}

function openAiFrames(
  model: string,
  reply: DemoReply,
  usage: DemoUsage,
  finish: FinishReason,
  includeUsage: boolean,
): Frame[] {
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
    text: chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: OPENAI_FINISH[finish] }]),
    content: false,
  });
  if (includeUsage) {
    frames.push({
      text: chunk([], {
        usage: {
          prompt_tokens: usage.inputTokens,
          completion_tokens: usage.outputTokens,
          total_tokens: usage.inputTokens + usage.outputTokens,
        },
      }),
      content: false,
    });
  }
  frames.push({ text: 'data: [DONE]\n\n', content: false });
  return frames;
}

function anthropicFrames(model: string, reply: DemoReply, usage: DemoUsage, finish: FinishReason): Frame[] {
  const event = (name: string, data: unknown): string => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
  const frames: Frame[] = [
    {
      text: event('message_start', {
        type: 'message_start',
        message: {
          id: randomId('msg_'),
          type: 'message',
          role: 'assistant',
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: {
            input_tokens: usage.inputTokens,
            output_tokens: 1,
            cache_creation_input_tokens: 0,
            cache_read_input_tokens: 0,
          },
        },
      }),
      content: false,
    },
  ];
  let index = 0;
  if (reply.text) {
    frames.push({
      text: event('content_block_start', {
        type: 'content_block_start',
        index,
        content_block: { type: 'text', text: '' },
      }),
      content: false,
    });
    frames.push({ text: event('ping', { type: 'ping' }), content: false });
    for (const piece of splitIntoChunks(reply.text)) {
      frames.push({
        text: event('content_block_delta', {
          type: 'content_block_delta',
          index,
          delta: { type: 'text_delta', text: piece },
        }),
        content: true,
      });
    }
    frames.push({ text: event('content_block_stop', { type: 'content_block_stop', index }), content: false });
    index++;
  }
  // As Anthropic streams a call: the block opens with an empty input, which arrives as pieces of JSON text.
  for (const call of reply.toolCalls) {
    frames.push({
      text: event('content_block_start', {
        type: 'content_block_start',
        index,
        content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} },
      }),
      content: false,
    });
    for (const piece of ['', ...splitArguments(call.argumentsJson)]) {
      frames.push({
        text: event('content_block_delta', {
          type: 'content_block_delta',
          index,
          delta: { type: 'input_json_delta', partial_json: piece },
        }),
        content: piece.length > 0,
      });
    }
    frames.push({ text: event('content_block_stop', { type: 'content_block_stop', index }), content: false });
    index++;
  }
  frames.push({
    text: event('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: ANTHROPIC_STOP[finish], stop_sequence: null },
      usage: { output_tokens: usage.outputTokens },
    }),
    content: false,
  });
  frames.push({ text: event('message_stop', { type: 'message_stop' }), content: false });
  return frames;
}
