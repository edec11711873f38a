/**
 * The fault upstream's public shape: its options, what it records about each request, and its
 * counters. Tests read the records to check what a provider sent and what the upstream answered.
 */

import type { TokenUsage } from '../core';
import type { RequestParams, WireApi } from './faultRequests';
import type { Vendor } from './faultResponses';
import type { ListedModels } from './modelLists';

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
  /** Wall clock for `bursty-*` phases, Retry-After dates, prompt-cache TTLs and model retirement (tests may pin it). */
  readonly now?: () => number;
  /**
   * Models the list endpoints show (OpenAI-compatible and Anthropic `GET /v1/models`, Ollama
   * `GET /api/tags`): one array for every list, or one per list. Defaults to current vendor ids
   * plus the fault models (`DEFAULT_LISTED_MODELS`).
   */
  readonly listedModels?: readonly string[] | ListedModels;
  /**
   * What an answer calls the model, by the model name a request asks for: "Try Without Keys"
   * asks for `drip-25~demo` and its answers say `demo-claude`, the name its user sees. A name not
   * listed is said as asked.
   */
  readonly answerNames?: Readonly<Record<string, string>>;
}

/** What happened to one request, as the upstream saw it. */
export interface FaultRequestRecord {
  readonly method: string;
  readonly path: string;
  readonly vendor?: Vendor;
  /** Which API the request spoke. */
  readonly api?: WireApi;
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
  /** The usage the upstream reported, in the manager's terms (see `toTokenUsage`). */
  usage?: TokenUsage;
  /** The parameters the vendors' rules look at, as received (every parsed API request). */
  params?: RequestParams;
  /**
   * The request body exactly as received, so tests can check how a provider built it. Kept on the
   * last 20 requests only: agents send large bodies.
   */
  body?: unknown;
  /**
   * For requests that offer tools or carry tool history: the tool names offered and the messages
   * (Responses: the input items) exactly as received, so tests can check how a provider translated
   * a conversation. Kept on the last 20 such requests only.
   */
  toolExchange?: { readonly offered: readonly string[]; readonly messages: readonly unknown[] };
}

export interface FaultUpstreamStats {
  /** API and model-list calls received (the `/_stats` and `/_reset` endpoints are not counted). */
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
  /**
   * Clears the counters, the `flaky-*` / `ratelimitonce-*` / `tools-outage-*` counts, the prompt
   * cache and the stored Responses answers, so each test starts from a cold vendor.
   */
  resetStats(): void;
  /** Resolves once no request is in flight (after a cancellation, proves the connection closed). */
  whenIdle(): Promise<void>;
  close(): Promise<void>;
}
