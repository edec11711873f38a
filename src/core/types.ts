/**
 * The core's vocabulary: messages, requests, answers, the provider interface the adapters in
 * src/providers implement, and the ports (clock, store, logger) the host supplies.
 */

import type { LlmErrorKind, SkipReason } from './errors';

export type ChatRole = 'user' | 'assistant' | 'tool';

/**
 * One turn of a conversation. An assistant turn may carry the tool calls it made; a `tool` turn
 * carries the result of one call (`toolCallId`), which providers translate to their own format
 * (OpenAI `tool` messages, Anthropic `tool_result` blocks), so a conversation can move between
 * vendors mid-way with its tool history intact.
 */
export interface ChatMessage {
  readonly role: ChatRole;
  /** Text of the turn; for a `tool` turn, the tool's result (JSON or text). */
  readonly content: string;
  /** Assistant turns: the tools the model asked to call. */
  readonly toolCalls?: readonly ToolCall[];
  /** Tool turns: the call this result answers. */
  readonly toolCallId?: string;
  /** Tool turns: the tool failed and `content` says how. */
  readonly isError?: boolean;
}

/** A tool the model may call: a name, what it does, and a JSON schema for its arguments. */
export interface ToolDefinition {
  readonly name: string;
  readonly description?: string;
  /** JSON schema of the arguments object. */
  readonly parameters: Readonly<Record<string, unknown>>;
}

/** `auto`: the model decides; `required`: it must call some tool; `none`: no tool; or one named tool. */
export type ToolChoice = 'auto' | 'none' | 'required' | { readonly name: string };

/** A model's request to call a tool, with its arguments already parsed from JSON. */
export interface ToolCall {
  /** The provider's id for the call; a tool result refers to it. */
  readonly id: string;
  readonly name: string;
  readonly arguments: Readonly<Record<string, unknown>>;
}

export interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/** What the manager hands a provider: already normalised, one model, one attempt. */
export interface ProviderRequest {
  /** The registry name of the model (for error messages and logs). */
  readonly model: string;
  readonly messages: readonly ChatMessage[];
  readonly system?: string;
  readonly temperature?: number;
  readonly maxTokens?: number;
  /** Tools the model may call (only sent to models whose metadata allows tools). */
  readonly tools?: readonly ToolDefinition[];
  readonly toolChoice?: ToolChoice;
}

export interface ProviderResponse {
  /** The answer's text; may be empty when the answer is only tool calls. */
  readonly text: string;
  readonly toolCalls?: readonly ToolCall[];
  readonly usage: TokenUsage;
  /** Why the model stopped (`stop`, `length`, …) when the provider says. */
  readonly finishReason?: string;
}

/** One piece of a streamed answer. */
export type StreamChunk =
  | { readonly type: 'text'; readonly text: string }
  /** A complete tool call (providers assemble the pieces of streamed arguments first). */
  | { readonly type: 'toolCall'; readonly call: ToolCall }
  | { readonly type: 'usage'; readonly usage: TokenUsage }
  | { readonly type: 'finish'; readonly finishReason: string };

/**
 * One model's wire adapter. Implementations throw {@link LlmError}s (see errors.ts) and must stop
 * network work as soon as `signal` aborts.
 */
export interface LlmProvider {
  generate(request: ProviderRequest, signal: AbortSignal): Promise<ProviderResponse>;
  stream(request: ProviderRequest, signal: AbortSignal): AsyncIterable<StreamChunk>;
  /** A cheap real call proving the model answers (model list or a one-token request). */
  healthCheck?(signal: AbortSignal): Promise<void>;
}

export interface ModelMetadata {
  /** Provider name for display and grouping (`openai`, `anthropic`, `azure`, `ollama`, …). */
  readonly provider: string;
  /** Context window in tokens; prompts estimated larger than this skip the model. */
  readonly contextWindow: number;
  readonly maxOutputTokens: number;
  /** US dollars per million input tokens; 0 means free. */
  readonly inputPricePerMTok: number;
  /** US dollars per million output tokens; 0 means free. */
  readonly outputPricePerMTok: number;
  /** Requests per minute this model may receive from us (token bucket); unset means unlimited. */
  readonly rpm?: number;
  /** Share of load inside a fallback group (default 1). */
  readonly weight?: number;
  /** Order among models when no fallback chain is set, and inside a group: lower goes first. */
  readonly priority?: number;
  readonly displayName?: string;
  /** Whether the model can call tools; false skips it for requests that carry tools (default true). */
  readonly supportsTools?: boolean;
}

/** A step of the fallback chain: one model, or a group that shares load by weight. */
export type ChainStep = string | readonly string[];

export interface GenerateRequest {
  /** The conversation. Either `messages` or `prompt` is required. */
  readonly messages?: readonly ChatMessage[];
  /** Shorthand for a single user message. */
  readonly prompt?: string;
  readonly system?: string;
  /**
   * Sampling temperature. The answer is cached only when this is set and at most the cache's
   * `maxTemperature`: an unset temperature means the provider's default, which is not deterministic.
   */
  readonly temperature?: number;
  readonly maxTokens?: number;
  /** Set to false to bypass the response cache for this request. */
  readonly useCache?: boolean;
  readonly signal?: AbortSignal;
  /** Streams the answer: called with each piece of text as it arrives. */
  readonly onToken?: (text: string) => void;
  /** Routes this request through these steps instead of the active model and fallback chain. */
  readonly chain?: readonly ChainStep[];
  /** Tools the model may call; models without tool support are skipped. Answers with tool calls are never cached. */
  readonly tools?: readonly ToolDefinition[];
  readonly toolChoice?: ToolChoice;
  /** How demanding the task is (default `standard`); a tier may have its own chain. */
  readonly tier?: 'economy' | 'standard' | 'high';
}

export interface GenerateResult {
  readonly text: string;
  /** Tools the model asked to call; run them and send their results back in a follow-up request. */
  readonly toolCalls?: readonly ToolCall[];
  /** The registry name of the model that answered (or whose answer was cached). */
  readonly model: string;
  readonly usage: TokenUsage;
  /** What this request cost; 0 for a cache hit or a free model. */
  readonly costUsd: number;
  readonly cached: boolean;
  readonly latencyMs: number;
  readonly trace: RequestTrace;
}

/** Every step the manager took for one request, in order. */
export interface RequestTrace {
  readonly id: string;
  readonly startedAt: number;
  readonly steps: readonly TraceStep[];
}

export type TraceStep =
  | { readonly type: 'cache'; readonly at: number; readonly hit: boolean }
  | {
      readonly type: 'skip';
      readonly at: number;
      readonly model: string;
      readonly reason: SkipReason;
      readonly detail: string;
    }
  | {
      readonly type: 'attempt';
      readonly at: number;
      readonly model: string;
      /** 1 for the first attempt on this model. */
      readonly attempt: number;
      readonly latencyMs: number;
      readonly outcome: 'success' | 'error';
      readonly errorKind?: LlmErrorKind;
      readonly message?: string;
    }
  | {
      readonly type: 'backoff';
      readonly at: number;
      readonly model: string;
      readonly delayMs: number;
      readonly reason: 'exponential' | 'retryAfter' | 'rateLimit';
    }
  | {
      readonly type: 'circuit';
      readonly at: number;
      readonly model: string;
      readonly from: CircuitStateName;
      readonly to: CircuitStateName;
    }
  | { readonly type: 'answered'; readonly at: number; readonly model: string; readonly costUsd: number }
  | {
      readonly type: 'route';
      readonly at: number;
      /** The tier the request asked for. */
      readonly tier: 'economy' | 'standard' | 'high';
      /** Whose chain it took. */
      readonly chain: 'economy' | 'standard' | 'high';
      /** Why, when it is not the tier's own chain (budget pressure). */
      readonly reason?: string;
    };

export type CircuitStateName = 'closed' | 'open' | 'halfOpen' | 'isolated';

// ---- Ports the host supplies -------------------------------------------------------------

export interface TimerHandle {
  dispose(): void;
}

/** Time, injected so that tests control it and never sleep. */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
}

/** An asynchronous key-value store (the extension backs it with `globalState`). */
export interface KeyValueStore {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
}

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}
