/**
 * What the fault upstream, playing Anthropic, knows about Claude model families: output limits,
 * which thinking modes they take, how they treat sampling parameters, the smallest prefix they
 * cache, and when they retire. The upstream plays the vendor, so it holds a small copy of the
 * vendor's own table; the extension itself reads model facts from its catalog.
 *
 * Sources, read 2026-12-01 (figures change; the Models API's `max_tokens` is the vendor's authority):
 * - Output limits: Anthropic's models overview as quoted by Effect-TS/effect (ai-anthropic
 *   4.0.0-beta.106: 128 000 for Opus 4.6/4.7/4.8 and Sonnet 4.6, 64 000 for the 4.5 models) and by
 *   the API's own refusals ("max_tokens: 4096 … for claude-3-opus-20240229"). The Claude 5
 *   generation is taken as 128 000 (64 000 for Haiku), like the families it replaces.
 * - Thinking: platform.claude.com "Adaptive thinking" (via Amazon Bedrock's copy): adaptive on Opus
 *   4.6 and Sonnet 4.6 and later; adaptive only ("thinking.type.enabled" refused) from Opus 4.7 and on
 *   the Claude 5 models (handochan/aelix-ai#258); older models take `enabled` with a budget only.
 * - Sampling: `temperature` and `top_p` together refused on Sonnet/Haiku 4.5+ and Opus 4.1+
 *   (langfuse/langfuse#9882, skydiscover-ai/skydiscover#15); sampling parameters removed from Opus
 *   4.7 on ("`temperature` is deprecated for this model.", rocketride-org/rocketride-server#1194,
 *   MiXaiLL76/auto_ai_router#181 for the Claude 5 models).
 * - Minimum cacheable prefix: Anthropic's prompt-caching page as quoted by docs.orq.ai and
 *   dev.to/creeta (4 096 for Opus 4.5/4.6 and Haiku 4.5, 2 048 for Sonnet 4.6, Opus 4.7 and Haiku 3.x,
 *   1 024 for Sonnet 4.5, Opus 4.8 and Sonnet 5, 512 for Opus 5); Haiku 5.5 taken as 2 048.
 * - Retirement: platform.claude.com "Model deprecations" (status table quoted in talex-touch/tuff#1935
 *   and dimagi/open-chat-studio#3169) and the `@anthropic-ai/sdk` deprecation list (1.12.0:
 *   claude-sonnet-4-5 end-of-life November 30, 2026; 1.15.0: claude-opus-4-5 January 22, 2027).
 * - Release dates (`created_at` in the model list): the deprecation table's "not sooner than" dates,
 *   which fall a year after release; the 5.5 models were released in November 2026.
 */

/** How a family takes `thinking`. */
export type ThinkingSupport = 'none' | 'budget' | 'budgetOrAdaptive' | 'adaptive';
/** How a family takes `temperature`, `top_p` and `top_k`. */
export type SamplingRule = 'free' | 'oneOfTemperatureTopP' | 'removed';

export interface ClaudeFamily {
  /** The family's id: the model id without a date suffix (`claude-sonnet-4-5`). */
  readonly id: string;
  readonly displayName: string;
  readonly maxOutputTokens: number;
  readonly contextWindow: number;
  readonly thinking: ThinkingSupport;
  readonly sampling: SamplingRule;
  readonly minCacheableTokens: number;
  /** ISO date of release. */
  readonly releasedOn: string;
  /** ISO date from which the API answers 404 for the family, when announced. */
  readonly retiresOn?: string;
}

const K = 1000;

// One row per family, as the vendor's own table reads (kept on one line each for reading).
// prettier-ignore
const CLAUDE_FAMILIES: readonly ClaudeFamily[] = [
  family('claude-haiku-5-5', 'Claude Haiku 5.5', 64 * K, 'adaptive', 'removed', 2048, '2026-11-23'),
  family('claude-sonnet-5-5', 'Claude Sonnet 5.5', 128 * K, 'adaptive', 'removed', 1024, '2026-11-23'),
  family('claude-opus-5-5', 'Claude Opus 5.5', 128 * K, 'adaptive', 'removed', 512, '2026-11-23'),
  family('claude-opus-5', 'Claude Opus 5', 128 * K, 'adaptive', 'removed', 512, '2026-07-24'),
  family('claude-sonnet-5', 'Claude Sonnet 5', 128 * K, 'adaptive', 'removed', 1024, '2026-06-30'),
  family('claude-opus-4-8', 'Claude Opus 4.8', 128 * K, 'adaptive', 'removed', 1024, '2026-05-28'),
  family('claude-opus-4-7', 'Claude Opus 4.7', 128 * K, 'adaptive', 'removed', 2048, '2026-04-16'),
  // A research preview, retired on 2026-06-30 (the SDK's DEPRECATED_MODELS); release date approximate.
  family('claude-mythos-preview', 'Claude Mythos Preview', 128 * K, 'adaptive', 'removed', 512, '2026-04-07', '2026-06-30'),
  family('claude-sonnet-4-6', 'Claude Sonnet 4.6', 128 * K, 'budgetOrAdaptive', 'oneOfTemperatureTopP', 2048, '2026-02-17'),
  family('claude-opus-4-6', 'Claude Opus 4.6', 128 * K, 'budgetOrAdaptive', 'oneOfTemperatureTopP', 4096, '2026-02-05'),
  family('claude-opus-4-5', 'Claude Opus 4.5', 64 * K, 'budget', 'oneOfTemperatureTopP', 4096, '2025-11-24', '2027-01-22'),
  family('claude-haiku-4-5', 'Claude Haiku 4.5', 64 * K, 'budget', 'oneOfTemperatureTopP', 4096, '2025-10-15'),
  family('claude-sonnet-4-5', 'Claude Sonnet 4.5', 64 * K, 'budget', 'oneOfTemperatureTopP', 1024, '2025-09-29', '2026-11-30'),
  family('claude-opus-4-1', 'Claude Opus 4.1', 32 * K, 'budget', 'oneOfTemperatureTopP', 1024, '2025-08-05', '2026-08-05'),
  family('claude-opus-4', 'Claude Opus 4', 32 * K, 'budget', 'free', 1024, '2025-05-22', '2026-06-15'),
  family('claude-sonnet-4', 'Claude Sonnet 4', 64 * K, 'budget', 'free', 1024, '2025-05-22', '2026-06-15'),
  family('claude-3-7-sonnet', 'Claude Sonnet 3.7', 64 * K, 'budget', 'free', 1024, '2025-02-24', '2026-02-19'),
  family('claude-3-5-haiku', 'Claude Haiku 3.5', 8192, 'none', 'free', 2048, '2024-10-22', '2026-02-19'),
  family('claude-3-5-sonnet', 'Claude Sonnet 3.5', 8192, 'none', 'free', 1024, '2024-06-20', '2025-10-22'),
  family('claude-3-opus', 'Claude Opus 3', 4096, 'none', 'free', 1024, '2024-02-29', '2026-01-05'),
  family('claude-3-haiku', 'Claude Haiku 3', 4096, 'none', 'free', 2048, '2024-03-07', '2026-04-20'),
];

function family(
  id: string,
  displayName: string,
  maxOutputTokens: number,
  thinking: ThinkingSupport,
  sampling: SamplingRule,
  minCacheableTokens: number,
  releasedOn: string,
  retiresOn?: string,
): ClaudeFamily {
  const contextWindow = id.startsWith('claude-3') || id.includes('haiku') ? 200 * K : 1000 * K;
  return {
    id,
    displayName,
    maxOutputTokens,
    contextWindow,
    thinking,
    sampling,
    minCacheableTokens,
    releasedOn,
    retiresOn,
  };
}

/** The output cap for ids the upstream does not know (fault names): generous, never in the way. */
export const UNKNOWN_MODEL_MAX_OUTPUT = 200 * K;
/** The smallest cacheable prefix for ids the upstream does not know. */
export const UNKNOWN_MODEL_MIN_CACHEABLE = 1024;

/**
 * The family of a Claude model id: dated ids (`claude-opus-4-1-20250805`), `-latest` and `-0`
 * aliases (`claude-sonnet-4-0`) name their family. Undefined for ids Anthropic does not know.
 */
export function claudeFamily(model: string): ClaudeFamily | undefined {
  const id = model
    .split('~')[0]
    .trim()
    .toLowerCase()
    .replace(/-(\d{8}|latest)$/, '')
    .replace(/-0$/, '');
  return CLAUDE_FAMILIES.find((entry) => entry.id === id);
}

/** Whether `family` has reached end-of-life at `now` (epoch ms). */
export function isRetired(family: ClaudeFamily, now: number): boolean {
  return family.retiresOn !== undefined && now >= Date.parse(`${family.retiresOn}T17:00:00Z`);
}

/** Every family the upstream knows, newest first (the Models API lists in this order). */
export function claudeFamilies(): readonly ClaudeFamily[] {
  return CLAUDE_FAMILIES;
}
