/**
 * The core's vocabulary: messages, requests, answers, the provider interface the adapters in
 * src/providers implement, and the ports (clock, store, logger) the host supplies.
 */

import type { CircuitStateName, LlmErrorKind, QualityTier, SkipReason } from './kinds';

export type { CircuitStateName, QualityTier } from './kinds';

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
  /**
   * Assistant turns: the reasoning the model did before this turn, exactly as its provider returned
   * it ({@link GenerateResult.thinking}). Pass it back with the turn's tool calls: a vendor with
   * extended thinking refuses a tool result whose assistant turn lost its thinking. Providers of
   * another wire format ignore it, so a failover to another vendor simply drops it.
   */
  readonly thinking?: readonly ThinkingBlock[];
}

/**
 * Reasoning a model produced before its answer, kept opaque so that a conversation can hand it back
 * unchanged on the next turn (Anthropic's signed `thinking` blocks, the encrypted reasoning items of
 * OpenAI's Responses API). It is never answer text. Only the wire format named in `format` reads
 * it back; every other provider leaves it out of its request.
 */
export interface ThinkingBlock {
  /** The wire format that produced the block and alone reads it back (`anthropic`, `openai-responses`). */
  readonly format: string;
  /** The thinking (or its summary) as the vendor showed it; empty when the vendor withheld it. */
  readonly text: string;
  /**
   * What the vendor needs back to trust the block, unchanged: Anthropic's `signature` (or the
   * encrypted `data` of a redacted block), OpenAI's `encrypted_content`.
   */
  readonly data?: string;
  /** Anthropic `redacted_thinking`: the text is withheld and `data` carries it encrypted. */
  readonly redacted?: boolean;
  /** The vendor's id for the block, when it has one (OpenAI reasoning items). */
  readonly id?: string;
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

/**
 * Tokens a request used, as the provider reported them. `inputTokens` counts every input token,
 * cached or not; the cache figures say which part of it was read from or written to the
 * provider's prompt cache (priced at their own rates). `outputTokens` counts every output token,
 * reasoning and thinking included; `reasoningTokens` says which part was reasoning.
 */
export interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Part of `inputTokens` read from the prompt cache (OpenAI `cached_tokens`, Anthropic `cache_read_input_tokens`). */
  readonly cacheReadTokens?: number;
  /** Part of `inputTokens` written to the prompt cache (Anthropic `cache_creation_input_tokens`). */
  readonly cacheWriteTokens?: number;
  /** Part of `outputTokens` spent reasoning or thinking (billed as output). */
  readonly reasoningTokens?: number;
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
  /** The model's reasoning before the answer, to pass back with its tool calls (never answer text). */
  readonly thinking?: readonly ThinkingBlock[];
  /**
   * What the service itself billed for this request, in US dollars, when it says (a team gateway
   * such as the LiteLLM proxy sends `x-litellm-response-cost`). Spend then records this figure
   * instead of usage × catalog price: the gateway knows the team's negotiated prices, and one
   * request is counted once, never both ways.
   */
  readonly reportedCostUsd?: number;
}

/** One piece of a streamed answer. */
export type StreamChunk =
  | { readonly type: 'text'; readonly text: string }
  /** A complete tool call (providers assemble the pieces of streamed arguments first). */
  | { readonly type: 'toolCall'; readonly call: ToolCall }
  | { readonly type: 'usage'; readonly usage: TokenUsage }
  | { readonly type: 'finish'; readonly finishReason: string }
  /** A complete block of the model's reasoning (never shown as answer text). */
  | { readonly type: 'thinking'; readonly block: ThinkingBlock }
  /**
   * What the service billed for this request ({@link ProviderResponse.reportedCostUsd}). A gateway
   * sends it in the response headers, so it may come before the first piece of text.
   */
  | { readonly type: 'cost'; readonly usd: number };

/**
 * One model's wire adapter. Implementations throw {@link LlmError}s (see errors.ts) and must stop
 * network work as soon as `signal` aborts.
 */
export interface LlmProvider {
  generate(request: ProviderRequest, signal: AbortSignal): Promise<ProviderResponse>;
  stream(request: ProviderRequest, signal: AbortSignal): AsyncIterable<StreamChunk>;
  /** A cheap real call proving the model answers (model list or a one-token request). */
  healthCheck?(signal: AbortSignal): Promise<void>;
  /**
   * What this provider will change in the request for its model, in words (e.g. "temperature
   * 0.2 dropped: gpt-5-mini accepts only the default"); the manager puts each in the trace.
   */
  adjustmentsFor?(request: ProviderRequest): readonly string[];
}

export interface ModelMetadata {
  /** Provider name for display and grouping (`openai`, `anthropic`, `azure`, `ollama`, …). */
  readonly provider: string;
  /** Context window in tokens; prompts estimated larger than this skip the model. */
  readonly contextWindow: number;
  /** The most output tokens the model can produce in one answer (its documented limit). */
  readonly maxOutputTokens: number;
  /**
   * The output cap requests to this model ask for when they set none (never above
   * {@link maxOutputTokens}); unset means the manager's default cap. The worst-case cost uses
   * exactly the cap that is sent.
   */
  readonly outputCap?: number;
  /** US dollars per million input tokens; 0 means free (unless {@link priceUnknown}). */
  readonly inputPricePerMTok: number;
  /** US dollars per million output tokens; 0 means free (unless {@link priceUnknown}). */
  readonly outputPricePerMTok: number;
  /** US dollars per million input tokens read from the prompt cache; unset means the input price. */
  readonly cacheReadPricePerMTok?: number;
  /** US dollars per million input tokens written to the prompt cache; unset means the input price. */
  readonly cacheWritePricePerMTok?: number;
  /**
   * Higher prices for long prompts (e.g. above 200 000 input tokens): the last tier whose
   * threshold the request's input tokens exceed replaces the base prices.
   */
  readonly priceTiers?: readonly PriceTier[];
  /**
   * Nobody knows this model's price (not in the catalog, no override, not local or marked free).
   * It is not free: the hard stop treats it as paid and its requests are recorded with an unknown
   * cost, never as $0.
   */
  readonly priceUnknown?: boolean;
  /** Where the prices come from, for display: `catalog 2026-09-23`, `your settings`, `free (local)`. */
  readonly priceSource?: string;
  /** Whether the vendor deprecated or retires the model, and when (ISO date), for display. */
  readonly lifecycle?: { readonly deprecated: boolean; readonly endOfLife?: string };
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

/** Prices that apply when a request's input exceeds `aboveInputTokens`. */
export interface PriceTier {
  readonly aboveInputTokens: number;
  readonly inputPricePerMTok: number;
  readonly outputPricePerMTok: number;
  readonly cacheReadPricePerMTok?: number;
  readonly cacheWritePricePerMTok?: number;
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
  readonly tier?: QualityTier;
}

export interface GenerateResult {
  readonly text: string;
  /** Tools the model asked to call; run them and send their results back in a follow-up request. */
  readonly toolCalls?: readonly ToolCall[];
  /**
   * The answering model's reasoning, opaque: put it on the assistant turn of the follow-up
   * (`{ role: 'assistant', content: text, toolCalls, thinking }`) so that a model with extended
   * thinking can continue the tool conversation.
   */
  readonly thinking?: readonly ThinkingBlock[];
  /** The registry name of the model that answered (or whose answer was cached). */
  readonly model: string;
  readonly usage: TokenUsage;
  /** What this request cost; 0 for a cache hit or a free model (and when the price is unknown). */
  readonly costUsd: number;
  /** The answering model's price is unknown, so `costUsd` is not a real figure. */
  readonly priceUnknown?: boolean;
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
  | {
      readonly type: 'answered';
      readonly at: number;
      readonly model: string;
      readonly costUsd: number;
      /** The model's price is unknown: `costUsd` is 0 but not a real figure. */
      readonly priceUnknown?: boolean;
      /** Input tokens read from the provider's prompt cache, when it reported some. */
      readonly cacheReadTokens?: number;
    }
  /** A provider changed what it sends for this model (a temperature the model refuses, dropped). */
  | { readonly type: 'adjust'; readonly at: number; readonly model: string; readonly detail: string }
  | {
      readonly type: 'route';
      readonly at: number;
      /** The tier the request asked for. */
      readonly tier: QualityTier;
      /** Whose chain it took. */
      readonly chain: QualityTier;
      /** Why, when it is not the tier's own chain (budget pressure). */
      readonly reason?: string;
    };

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
