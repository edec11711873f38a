/**
 * A real HTTP server on loopback that plays OpenAI (chat completions and the Responses API), Azure
 * OpenAI and Anthropic Messages, JSON and SSE, and their model lists (plus Ollama's), and
 * misbehaves on purpose: the requested model name selects what it does (see faultBehaviour.ts).
 * It is strict like the real services: every request is checked as the vendor checks it
 * (vendorChecks.ts) and refused with the vendor's status, envelope and wording, and usage reports
 * cached, reasoning and thinking tokens as the vendor does (faultAnswer.ts, promptCache.ts).
 * Provider and chain tests run the real SDKs against it, the benchmarks measure against it, and
 * the extension's "Try Without Keys" demo and `npm run demo` use it as a keyless stand-in.
 *
 * Plain Node `http` and nothing else, so it bundles into the extension. It checks that an API key
 * header is present but never logs it, and it only listens where it is told (127.0.0.1 by default).
 */

import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { parseFaultBehaviour } from './faultBehaviour';
import { runExchange, type ExchangeHost } from './faultExchange';
import { FaultLedger } from './faultLedger';
import {
  BodyTooLargeError,
  missingKeyError,
  notJsonError,
  parseJsonObject,
  presentedKey,
  readBody,
  sendJson,
} from './faultHttp';
import { parseRequest, type WireApi } from './faultRequests';
import type {
  FaultRequestRecord,
  FaultUpstream,
  FaultUpstreamLogger,
  FaultUpstreamOptions,
  FaultUpstreamStats,
} from './faultUpstreamTypes';
import { randomId, type ErrorAnswer, type Vendor } from './faultResponses';
import { errorFor, invalidRequestError, statusError } from './faultErrors';
import { modelListAnswer, resolveListedModels, type ListedModels } from './modelLists';
import { PromptCache } from './promptCache';
import { vendorRefusal } from './vendorChecks';

export { parseFaultBehaviour, type FaultBehaviour } from './faultBehaviour';
export type {
  FaultRequestRecord,
  FaultUpstream,
  FaultUpstreamLogger,
  FaultUpstreamOptions,
  FaultUpstreamStats,
} from './faultUpstreamTypes';
export { demoAnswer, type Vendor } from './faultResponses';
export type { RequestParams, WireApi } from './faultRequests';
export { DEFAULT_LISTED_MODELS, type ListedModels } from './modelLists';

/** How many stored Responses answers `previous_response_id` can name. */
const STORED_RESPONSES_LIMIT = 200;

/** Starts the upstream; resolves once it listens. */
export async function startFaultUpstream(options: FaultUpstreamOptions = {}): Promise<FaultUpstream> {
  const upstream = new FaultUpstreamServer(options);
  await upstream.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return upstream;
}

/** The API a POST path speaks, with the vendor and Azure's deployment. */
function apiRoute(path: string): { api: WireApi; vendor: Vendor; deployment?: string } | undefined {
  const azure = /\/openai\/deployments\/([^/]+)\/chat\/completions$/.exec(path);
  if (azure) return { api: 'chat', vendor: 'azure', deployment: decodeURIComponent(azure[1]) };
  if (path.endsWith('/chat/completions')) return { api: 'chat', vendor: 'openai' };
  if (path.endsWith('/responses')) return { api: 'responses', vendor: 'openai' };
  if (path.endsWith('/messages')) return { api: 'messages', vendor: 'anthropic' };
  return undefined;
}

class FaultUpstreamServer implements FaultUpstream, ExchangeHost {
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly logger?: FaultUpstreamLogger;
  readonly chunkDelayMs: number;
  private readonly requireAuth: boolean;
  readonly now: () => number;
  readonly startedAt: number;
  private readonly listedModels: Required<ListedModels>;
  private readonly answerNames: Readonly<Record<string, string>>;
  readonly countsByModel = new Map<string, number>();
  readonly cache: PromptCache;
  /** Stored Responses answers: their function calls by `call_id`, oldest first. */
  private readonly storedResponses = new Map<string, ReadonlyMap<string, string>>();
  /** Ids of the output items of stored Responses answers, oldest first. */
  private readonly storedItems = new Set<string>();
  private readonly live = new Set<AbortController>();
  private readonly ledger = new FaultLedger();
  private address: AddressInfo | undefined;
  private closed = false;

  constructor(options: FaultUpstreamOptions) {
    this.logger = options.logger;
    this.chunkDelayMs = Math.max(0, options.chunkDelayMs ?? 0);
    this.requireAuth = options.requireAuth ?? true;
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
    this.cache = new PromptCache(this.now);
    this.listedModels = resolveListedModels(options.listedModels);
    this.answerNames = options.answerNames ?? {};
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

  answerName(model: string): string {
    return Object.hasOwn(this.answerNames, model) ? this.answerNames[model] : model;
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
    return this.ledger.stats();
  }

  resetStats(): void {
    this.ledger.reset();
    this.countsByModel.clear();
    this.cache.clear();
    this.storedResponses.clear();
    this.storedItems.clear();
  }

  whenIdle(): Promise<void> {
    return this.ledger.whenIdle();
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
    if (url.pathname === '/_stats' && req.method === 'GET') {
      sendJson(res, 200, {}, this.stats());
      return;
    }
    if (url.pathname === '/_reset' && req.method === 'POST') {
      this.resetStats();
      sendJson(res, 200, {}, { ok: true });
      return;
    }
    const record: FaultRequestRecord = {
      method: req.method ?? 'GET',
      path: url.pathname,
      stream: false,
      hadKey: presentedKey(req).length > 0,
      headerNames: Object.keys(req.headers).sort(),
      query: url.search.replace(/^\?/, ''),
      outcome: 'inFlight',
      chunksSent: 0,
    };
    const controller = new AbortController();
    this.live.add(controller);
    this.ledger.begin(record);
    res.on('close', () => this.end(record, res, controller));

    readBody(req).then(
      (body) =>
        this.route(req, res, url, body, record, controller.signal).catch((error: unknown) => {
          // A fault of the upstream's own code: a 500 the log names, never a made-up 400 that
          // reads like the client's fault.
          this.logger?.info(`Fault upstream failed on ${url.pathname}: ${String(error)}`);
          if (res.headersSent || res.destroyed) res.destroy();
          else
            this.sendError(
              res,
              record,
              statusError(500, { vendor: apiRoute(url.pathname)?.vendor ?? 'openai', model: '' }),
            );
        }),
      (error: unknown) => {
        if (res.headersSent || res.destroyed) {
          res.destroy();
          return;
        }
        const tooLarge = error instanceof BodyTooLargeError;
        const message = tooLarge ? 'Request body too large.' : 'Could not read the request body.';
        this.sendError(res, record, {
          ...invalidRequestError('openai', message),
          status: tooLarge ? 413 : 400,
        });
      },
    );
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
    if (req.method === 'GET' && (/\/models(\/[^/]+)?$/.test(path) || path === '/api/tags')) {
      this.ledger.count(path, undefined);
      this.answerModels(req, res, url, record);
      return;
    }
    const route = req.method === 'POST' ? apiRoute(path) : undefined;
    if (!route) {
      this.ledger.count(path, undefined);
      this.sendError(res, record, { ...invalidRequestError('openai', `Unknown path ${path}.`), status: 404 });
      return;
    }
    const { api, vendor } = route;
    const json = parseJsonObject(body);
    if (!json) {
      this.ledger.count(path, undefined);
      this.sendError(res, record, notJsonError(vendor));
      return;
    }
    const previous = typeof json.previous_response_id === 'string' ? json.previous_response_id : undefined;
    const earlierCalls =
      previous === undefined ? new Map<string, string>() : this.storedResponses.get(previous);
    const apiVersion = url.searchParams.get('api-version') ?? undefined;
    const request = parseRequest({ ...route, apiVersion, earlierCalls }, json);
    Object.assign(record, {
      vendor,
      api,
      model: request.model,
      stream: request.stream,
      params: request.params,
    });
    this.ledger.attach(record, 'body', json);
    this.ledger.count(path, request.model, request.stream);

    if (vendor === 'azure' && !apiVersion) {
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
    if (vendor === 'anthropic' && req.headers['anthropic-version'] === undefined) {
      // As the API answers a request without the header.
      this.sendError(res, record, invalidRequestError('anthropic', 'anthropic-version: header is required'));
      return;
    }
    const behaviour = parseFaultBehaviour(request.model);
    const key = presentedKey(req);
    // A bad key is refused before the body is read, as the services do.
    if (behaviour.kind === 'auth') {
      this.sendError(
        res,
        record,
        errorFor(behaviour, { vendor, model: request.model, presentedKey: key, now: this.now() })!,
      );
      return;
    }
    if (request.tools.offered.length > 0 || request.tools.hasHistory) {
      const messages = api === 'responses' ? (Array.isArray(json.input) ? json.input : []) : json.messages;
      this.ledger.attach(record, 'toolExchange', {
        offered: request.tools.offered.map((tool) => tool.name),
        messages: Array.isArray(messages) ? messages : [],
      });
    }
    const refusal = vendorRefusal(json, request, {
      now: this.now(),
      earlierCalls,
      storedItems: this.storedItems,
    });
    if (refusal) {
      this.sendError(res, record, refusal);
      return;
    }
    await runExchange(this, { req, res, record, request, json, behaviour, presentedKey: key, signal });
  }

  private answerModels(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    record: FaultRequestRecord,
  ): void {
    const vendor: 'openai' | 'anthropic' =
      req.headers['anthropic-version'] !== undefined || req.headers['x-api-key'] !== undefined
        ? 'anthropic'
        : 'openai';
    // Ollama serves its local list without a key; the vendors' lists want one.
    if (this.requireAuth && !record.hadKey && url.pathname !== '/api/tags') {
      this.sendError(res, record, missingKeyError(vendor));
      return;
    }
    const answer = modelListAnswer(this.listedModels, vendor, url, this.now());
    this.send(res, record, answer.status, answer.headers, answer.body);
  }

  // ---- Bookkeeping -----------------------------------------------------------------------------

  private end(record: FaultRequestRecord, res: http.ServerResponse, controller: AbortController): void {
    controller.abort();
    this.live.delete(controller);
    this.ledger.end(record, res.writableFinished);
    const status = record.status === undefined ? 'none' : String(record.status);
    this.logger?.info(
      `${record.method} ${record.path}${record.model ? ` model=${record.model}` : ''}${record.stream ? ' (stream)' : ''} → ${status} ${record.outcome}`,
    );
  }

  rememberResponse(id: string, calls: ReadonlyMap<string, string>, itemIds: readonly string[]): void {
    this.storedResponses.set(id, calls);
    for (const old of this.storedResponses.keys()) {
      if (this.storedResponses.size <= STORED_RESPONSES_LIMIT) break;
      this.storedResponses.delete(old);
    }
    for (const itemId of itemIds) this.storedItems.add(itemId);
    for (const old of this.storedItems) {
      if (this.storedItems.size <= STORED_RESPONSES_LIMIT * 4) break;
      this.storedItems.delete(old);
    }
  }

  countStatus(record: FaultRequestRecord, status: number): void {
    this.ledger.countStatus(record, status);
  }

  sendError(res: http.ServerResponse, record: FaultRequestRecord, error: ErrorAnswer): void {
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

  sendRaw(
    res: http.ServerResponse,
    record: FaultRequestRecord,
    status: number,
    contentType: string,
    body: string,
    headers: Readonly<Record<string, string>> = {},
  ): void {
    if (res.headersSent || res.destroyed) return;
    this.countStatus(record, status);
    res.writeHead(status, {
      ...headers,
      'content-type': contentType,
      'content-length': String(Buffer.byteLength(body)),
    });
    res.end(body);
  }
}
