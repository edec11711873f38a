/**
 * What no price dataset says about a model: its output limit and how its API must be spoken to
 * (reasoning contract, Responses-only, thinking, sampling restrictions, tools, images) and when it
 * reaches end of life. One small table by model family, each rule with its source; every caller
 * asks {@link capabilitiesOf}. Families not listed get permissive defaults and `known: false`.
 */

/** OpenAI's `reasoning_effort` vocabulary (the `openai` SDK's `ReasoningEffort`, without null). */
export const REASONING_EFFORTS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'] as const;
export type ReasoningEffort = (typeof REASONING_EFFORTS)[number];

/**
 * How a model takes Anthropic's extended thinking: `budget` (`{ type: 'enabled', budget_tokens }`
 * only), `budgetOrAdaptive` (either; the SDK recommends adaptive), `adaptive` (only
 * `{ type: 'adaptive' }`: the API refuses a budget), or `none`.
 */
export const THINKING_MODES = ['none', 'budget', 'budgetOrAdaptive', 'adaptive'] as const;
export type ThinkingMode = (typeof THINKING_MODES)[number];

export interface ModelCapabilities {
  /** Whether a rule of the table knows this family (false: the permissive defaults below). */
  readonly known: boolean;
  /** The rule that matched, e.g. `gpt-5.2+`, `claude-4.6+`; `unknown` otherwise. */
  readonly family: string;
  /** The most output tokens the model produces in one answer (its documented limit). */
  readonly maxOutputTokens: number;
  /**
   * OpenAI's reasoning contract: no `temperature`/`top_p` other than 1, no penalties, `logprobs`
   * or `logit_bias`, and the output cap sent as `max_completion_tokens`.
   */
  readonly reasoning: boolean;
  /** `reasoning_effort` values the model accepts; empty when it takes none. */
  readonly reasoningEfforts: readonly ReasoningEffort[];
  /** Served only by OpenAI's Responses API (`/v1/responses`), not by chat completions. */
  readonly responsesOnly: boolean;
  readonly supportsTools: boolean;
  readonly imageInput: boolean;
  readonly thinking: ThinkingMode;
  /**
   * Whether the model takes a sampling `temperature` other than the default: not OpenAI's reasoning
   * models, nor the Claude generations that removed sampling parameters (Opus 4.7 and later).
   */
  readonly supportsTemperature: boolean;
  /** Anthropic refuses a request that sets both `temperature` and `top_p`. */
  readonly refusesTemperatureWithTopP: boolean;
  /**
   * Anthropic: the shortest prompt prefix the model caches, in tokens (a `cache_control` breakpoint
   * on a shorter prefix is ignored, not refused).
   */
  readonly minCacheableTokens: number;
  /** ISO date from which the vendor refuses the model (its retirement), when announced. */
  readonly endOfLife?: string;
  /** Where the rule comes from (vendor documentation page). */
  readonly source: string;
}

type Rule = { readonly family: string; readonly match: RegExp; readonly source: string } & Partial<
  Omit<ModelCapabilities, 'known' | 'family' | 'source'>
>;

/**
 * An unknown family: output limit equal to the manager's default cap (so the cap sent is the
 * default, neither raised nor lowered), tools and images assumed (a 400 moves the chain on), no
 * parameter restriction.
 */
const UNKNOWN: Omit<ModelCapabilities, 'known' | 'family' | 'source'> = {
  maxOutputTokens: 8_192,
  reasoning: false,
  reasoningEfforts: [],
  responsesOnly: false,
  supportsTools: true,
  imageInput: true,
  thinking: 'none',
  supportsTemperature: true,
  refusesTemperatureWithTopP: false,
  minCacheableTokens: 1_024,
};

const OPENAI_MODELS = 'platform.openai.com/docs/models (each model page: limits, endpoints, features)';
const OPENAI_REASONING = 'platform.openai.com/docs/guides/reasoning (parameters, reasoning_effort per model)';
const ANTHROPIC_MODELS = 'docs.claude.com/en/docs/about-claude/models/overview (max output, thinking)';
const ANTHROPIC_SAMPLING =
  'docs.claude.com/en/docs/about-claude/models/migrating-to-claude-4 (temperature and top_p: one only)';
const ANTHROPIC_DEPRECATIONS = 'docs.claude.com/en/docs/about-claude/model-deprecations';
const ANTHROPIC_THINKING =
  'platform.claude.com/docs/en/build-with-claude/adaptive-thinking (adaptive from the 4.6 generation; only adaptive from Opus 4.7 and Claude 5)';
const ANTHROPIC_CACHING =
  'platform.claude.com/docs/en/build-with-claude/prompt-caching (minimum cacheable prompt length per model)';
const ANTHROPIC_NO_SAMPLING =
  'temperature, top_p and top_k removed from Opus 4.7 on ("`temperature` is deprecated for this model")';

const reasoningModel = { reasoning: true, imageInput: true, supportsTemperature: false } as const;
const claude4 = { refusesTemperatureWithTopP: true, thinking: 'budget' } as const;
/** Opus 4.7 and later, the Claude 5 generation: adaptive thinking only, no sampling parameters. */
const claudeAdaptiveOnly = { ...claude4, thinking: 'adaptive', supportsTemperature: false } as const;

/** First match wins: specific rules before their family. Ids are matched lower-case, prefixes removed. */
const RULES: readonly Rule[] = [
  // OpenAI: chat aliases of the reasoning generations answer like chat models.
  {
    family: 'gpt-5-chat',
    match: /^gpt-5(?:[.-]\d+)?-chat|^gpt-chat-latest/,
    maxOutputTokens: 16_384,
    source: OPENAI_MODELS,
  },
  {
    family: 'chatgpt-4o',
    match: /^chatgpt-4o/,
    maxOutputTokens: 16_384,
    supportsTools: false,
    source: `${OPENAI_MODELS} (chatgpt-4o-latest: no function calling)`,
  },
  {
    family: 'openai-codex',
    match: /codex/,
    ...reasoningModel,
    responsesOnly: true,
    maxOutputTokens: 128_000,
    reasoningEfforts: ['low', 'medium', 'high'],
    source: `${OPENAI_MODELS} (codex models: Responses API only)`,
  },
  {
    family: 'gpt-5-pro',
    match: /^gpt-5(?:\.\d+)?-pro/,
    ...reasoningModel,
    responsesOnly: true,
    maxOutputTokens: 272_000,
    reasoningEfforts: ['high'],
    source: `${OPENAI_MODELS} (gpt-5-pro: Responses API only, reasoning effort high only)`,
  },
  {
    family: 'o-pro',
    match: /^o[13]-pro/,
    ...reasoningModel,
    responsesOnly: true,
    maxOutputTokens: 100_000,
    reasoningEfforts: ['low', 'medium', 'high'],
    source: `${OPENAI_MODELS} (o1-pro, o3-pro: Responses API only)`,
  },
  {
    family: 'deep-research',
    match: /deep-research/,
    ...reasoningModel,
    responsesOnly: true,
    maxOutputTokens: 100_000,
    reasoningEfforts: ['medium'],
    source: `${OPENAI_MODELS} (deep research: Responses API only)`,
  },
  {
    family: 'gpt-5',
    match: /^gpt-5(?:-mini|-nano)?(?:-\d{4}-\d{2}-\d{2})?$/,
    ...reasoningModel,
    maxOutputTokens: 128_000,
    reasoningEfforts: ['minimal', 'low', 'medium', 'high'],
    source: OPENAI_REASONING,
  },
  {
    family: 'gpt-5.1',
    match: /^gpt-5[.-]1(?:-|$)/,
    ...reasoningModel,
    maxOutputTokens: 128_000,
    reasoningEfforts: ['none', 'low', 'medium', 'high'],
    source: `${OPENAI_REASONING} (GPT-5.1 replaced minimal with none)`,
  },
  {
    family: 'gpt-5.2+',
    match: /^gpt-(?:5[.-](?:[2-9]|\d{2,})|[6-9])(?:[.-]|$)/,
    ...reasoningModel,
    maxOutputTokens: 128_000,
    reasoningEfforts: ['none', 'low', 'medium', 'high', 'xhigh'],
    source: `${OPENAI_REASONING} (xhigh from GPT-5.2; later generations inherit until documented otherwise)`,
  },
  {
    family: 'o1-mini',
    match: /^o1-(?:mini|preview)/,
    ...reasoningModel,
    maxOutputTokens: 32_768,
    supportsTools: false,
    imageInput: false,
    source: `${OPENAI_MODELS} (o1-mini, o1-preview: no tools, no reasoning_effort)`,
  },
  {
    family: 'o-series',
    match: /^o[1-9](?:-mini)?(?:-|$)/,
    ...reasoningModel,
    maxOutputTokens: 100_000,
    reasoningEfforts: ['low', 'medium', 'high'],
    source: OPENAI_REASONING,
  },
  { family: 'gpt-4.1', match: /^gpt-4\.1/, maxOutputTokens: 32_768, source: OPENAI_MODELS },
  { family: 'gpt-4o', match: /^gpt-4o/, maxOutputTokens: 16_384, source: OPENAI_MODELS },
  {
    family: 'gpt-4-turbo',
    match: /^gpt-4-(?:turbo|\d{4}-preview|vision)/,
    maxOutputTokens: 4_096,
    source: OPENAI_MODELS,
  },
  {
    family: 'gpt-4',
    match: /^gpt-4(?:-|$)/,
    maxOutputTokens: 8_192,
    imageInput: false,
    source: OPENAI_MODELS,
  },
  {
    family: 'gpt-3.5-instruct',
    match: /^gpt-3\.5-turbo-instruct|^(?:davinci|babbage)-002/,
    maxOutputTokens: 4_096,
    supportsTools: false,
    imageInput: false,
    source: `${OPENAI_MODELS} (completions-only models)`,
  },
  {
    family: 'gpt-3.5',
    match: /^gpt-3\.5/,
    maxOutputTokens: 4_096,
    imageInput: false,
    source: OPENAI_MODELS,
  },
  {
    family: 'gpt-oss',
    match: /^gpt-oss/,
    maxOutputTokens: 32_768,
    reasoningEfforts: ['low', 'medium', 'high'],
    imageInput: false,
    source: 'openai.com/index/introducing-gpt-oss (open weights; reasoning effort low/medium/high)',
  },

  // Anthropic. The SDK's DEPRECATED_MODELS map (@anthropic-ai/sdk internal/data/deprecated-models)
  // is the source of the 2026 retirements; a unit test fails when it names one missing here.
  {
    family: 'claude-mythos-preview',
    match: /^claude-mythos-preview/,
    ...claudeAdaptiveOnly,
    maxOutputTokens: 128_000,
    minCacheableTokens: 512,
    endOfLife: '2026-06-30',
    source: `@anthropic-ai/sdk DEPRECATED_MODELS; ${ANTHROPIC_DEPRECATIONS}`,
  },
  {
    family: 'claude-opus-4-7+',
    match: /^claude-(?:opus|fable|mythos)-(?:4-[7-9]|[5-9])/,
    ...claudeAdaptiveOnly,
    maxOutputTokens: 128_000,
    // Opus 4.7 caches from 2 048 tokens, Opus 4.8 from 1 024, Opus 5 from 512: the family's safe end.
    minCacheableTokens: 2_048,
    source: `${ANTHROPIC_MODELS}; ${ANTHROPIC_THINKING}; ${ANTHROPIC_NO_SAMPLING}; ${ANTHROPIC_CACHING}`,
  },
  {
    family: 'claude-sonnet-5+',
    match: /^claude-sonnet-[5-9]/,
    ...claudeAdaptiveOnly,
    maxOutputTokens: 128_000,
    source: `${ANTHROPIC_MODELS}; ${ANTHROPIC_THINKING}; ${ANTHROPIC_NO_SAMPLING}; ${ANTHROPIC_CACHING}`,
  },
  {
    family: 'claude-haiku-5+',
    match: /^claude-haiku-[5-9]/,
    ...claudeAdaptiveOnly,
    maxOutputTokens: 64_000,
    minCacheableTokens: 2_048,
    source: `${ANTHROPIC_MODELS}; ${ANTHROPIC_THINKING}; ${ANTHROPIC_NO_SAMPLING}; ${ANTHROPIC_CACHING}`,
  },
  {
    family: 'claude-4.6',
    match: /^claude-(?:opus-4-6|(?:sonnet|haiku)-4-[6-9])/,
    ...claude4,
    thinking: 'budgetOrAdaptive',
    maxOutputTokens: 128_000,
    // Sonnet 4.6 caches from 2 048 tokens, Opus 4.6 from 4 096.
    minCacheableTokens: 4_096,
    source: `${ANTHROPIC_MODELS}; ${ANTHROPIC_THINKING} (the SDK warns on budget thinking for Opus 4.6); ${ANTHROPIC_CACHING}`,
  },
  {
    family: 'claude-sonnet-4-5',
    match: /^claude-sonnet-4-5/,
    ...claude4,
    maxOutputTokens: 64_000,
    endOfLife: '2026-11-30',
    source: `${ANTHROPIC_MODELS}; ${ANTHROPIC_SAMPLING}; EOL: @anthropic-ai/sdk 1.12 DEPRECATED_MODELS`,
  },
  {
    family: 'claude-opus-4-5',
    match: /^claude-opus-4-5/,
    ...claude4,
    maxOutputTokens: 64_000,
    minCacheableTokens: 4_096,
    endOfLife: '2027-01-22',
    source: `${ANTHROPIC_MODELS}; ${ANTHROPIC_SAMPLING}; ${ANTHROPIC_CACHING}; EOL: @anthropic-ai/sdk DEPRECATED_MODELS`,
  },
  {
    family: 'claude-haiku-4-5',
    match: /^claude-haiku-4-5/,
    ...claude4,
    maxOutputTokens: 64_000,
    minCacheableTokens: 4_096,
    source: `${ANTHROPIC_MODELS}; ${ANTHROPIC_SAMPLING}; ${ANTHROPIC_CACHING}`,
  },
  {
    family: 'claude-opus-4-1',
    match: /^claude-opus-4-1/,
    ...claude4,
    maxOutputTokens: 32_000,
    source: `${ANTHROPIC_MODELS}; ${ANTHROPIC_SAMPLING}`,
  },
  {
    family: 'claude-4',
    match: /^claude-(?:opus|sonnet)-4(?:-0|-\d{8}|@|$)|^claude-4-(?:opus|sonnet)/,
    thinking: 'budget',
    maxOutputTokens: 32_000,
    endOfLife: '2026-06-15',
    source: `${ANTHROPIC_MODELS}; retired 2026-06-15 per the Anthropic release notes`,
  },
  {
    family: 'claude-3-7-sonnet',
    match: /^claude-3-7-sonnet/,
    thinking: 'budget',
    maxOutputTokens: 64_000,
    endOfLife: '2026-02-19',
    source: ANTHROPIC_DEPRECATIONS,
  },
  {
    family: 'claude-3-5',
    match: /^claude-3-5-(?:sonnet|haiku)/,
    minCacheableTokens: 2_048,
    maxOutputTokens: 8_192,
    endOfLife: '2025-10-22',
    source: ANTHROPIC_DEPRECATIONS,
  },
  {
    family: 'claude-3',
    match: /^claude-3-(?:opus|sonnet|haiku)/,
    minCacheableTokens: 2_048,
    maxOutputTokens: 4_096,
    endOfLife: '2026-04-20',
    source: `${ANTHROPIC_DEPRECATIONS} (Haiku 3 retired last, on 2026-04-20)`,
  },
  {
    family: 'claude-2',
    match: /^claude-(?:2|instant|v1)/,
    maxOutputTokens: 4_096,
    supportsTools: false,
    imageInput: false,
    endOfLife: '2025-07-21',
    source: ANTHROPIC_DEPRECATIONS,
  },

  // Others reached through OpenAI-compatible endpoints.
  {
    family: 'gemini-2.5+',
    match: /^gemini-(?:2\.5|[3-9])/,
    maxOutputTokens: 65_536,
    source: 'ai.google.dev/gemini-api/docs/models (output token limit 65,536)',
  },
  {
    family: 'deepseek-reasoner',
    match: /^deepseek-reasoner/,
    maxOutputTokens: 65_536,
    source: 'api-docs.deepseek.com/quick_start/pricing (reasoner: 64K max output)',
  },
  {
    family: 'deepseek-chat',
    match: /^deepseek-chat/,
    maxOutputTokens: 8_192,
    source: 'api-docs.deepseek.com/quick_start/pricing (chat: 8K max output)',
  },
];

/**
 * The id a rule sees: lower-case, without router or vendor prefixes (`openrouter/anthropic/…`,
 * Bedrock's `us.anthropic.`), a tag (`:latest`) or the dotted versions OpenRouter writes for
 * Claude (`claude-sonnet-4.5` → `claude-sonnet-4-5`).
 */
export function ruleIdOf(modelId: string): string {
  const last = modelId.trim().toLowerCase().split('/').pop() ?? '';
  return last
    .replace(/^(?:[a-z]{2}\.)?(?:anthropic|openai)\./, '')
    .replace(/:.*$/, '')
    .replace(/^(claude-[a-z]+-\d+)\.(\d)/, '$1-$2');
}

/** What the rule table says about a model; permissive defaults with `known: false` for unknown families. */
export function capabilitiesOf(modelId: string): ModelCapabilities {
  const id = ruleIdOf(modelId);
  const rule = RULES.find((candidate) => candidate.match.test(id));
  if (!rule) return { ...UNKNOWN, known: false, family: 'unknown', source: 'defaults' };
  const { match: _match, ...facts } = rule;
  return { ...UNKNOWN, ...facts, known: true };
}

/** Whether the model is past its end of life on `now` (ms since the epoch): the vendor refuses it. */
export function isPastEndOfLife(modelId: string, now: number): boolean {
  const endOfLife = capabilitiesOf(modelId).endOfLife;
  return endOfLife !== undefined && now >= Date.parse(`${endOfLife}T00:00:00Z`);
}
