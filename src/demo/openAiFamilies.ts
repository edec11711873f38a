/**
 * What the fault upstream, playing OpenAI, knows about a model id: whether it reasons, whether only
 * the Responses API serves it, and which reasoning efforts it takes. The upstream plays the vendor,
 * so it holds the vendor's own rules (the extension itself reads model facts from its catalog).
 *
 * Sources, read 2026-12-01:
 * - The `ReasoningEffort` documentation of the `openai` SDK (7.59.0, `resources/shared.d.ts`) and of
 *   the API reference: `gpt-5.1` takes `none`; models before it default to `medium` and take no
 *   `none`; `gpt-5-pro` takes only `high`; `xhigh` exists after `gpt-5.1-codex-max`.
 * - The effort matrix posted on community.openai.com ("Request for Compatibility Matrix: Reasoning
 *   Effort & Sampling Parameters across GPT-5 Series"): `minimal` only for gpt-5/-mini/-nano,
 *   codex models from `low`, o-series `low`/`medium`/`high`, `gpt-5.2-pro` from `medium`.
 * - OpenAI's "GPT-5.2 parameter compatibility" note (quoted in AI-Planning/l2p): `temperature`,
 *   `top_p` and `logprobs` only with reasoning effort `none`; any other effort, or gpt-5/-mini/-nano,
 *   is an error.
 * - Responses-only ids: the `AllModels` (not `ChatModel`) list of the SDK and users' reports of the
 *   404 on chat completions (aaif-goose/goose#2564 for codex-mini-latest and o3-pro).
 */

/** Every value the API's `reasoning_effort` / `reasoning.effort` accepts for some model. */
export const REASONING_EFFORTS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'] as const;
export type ReasoningEffortValue = (typeof REASONING_EFFORTS)[number];

export interface OpenAiFamily {
  /** False for fault names and ids OpenAI does not know: every model-specific rule is lenient then. */
  readonly known: boolean;
  /** o-series and gpt-5 and later (except `*-chat*`): no sampling parameters, `max_completion_tokens`. */
  readonly reasoning: boolean;
  /** Served by `/v1/responses` only: chat completions answer 404. */
  readonly responsesOnly: boolean;
  /**
   * How chat completions word that 404: older responses-only models say they are "only supported
   * in v1/responses"; gpt-5.2 and later say they are "not a chat model" (chatwise-releases#1256).
   */
  readonly notOnChatWording: 'onlyResponses' | 'notChatModel';
  /** The efforts the family accepts; empty when it takes no reasoning effort at all. */
  readonly efforts: readonly ReasoningEffortValue[];
  /** The effort a request without one gets (reasoning models only). */
  readonly defaultEffort?: ReasoningEffortValue;
  /** gpt-5.1 and later: `temperature`, `top_p` and `logprobs` are accepted with effort `none` only. */
  readonly samplingWithEffortNone: boolean;
}

const LOW_TO_HIGH: readonly ReasoningEffortValue[] = ['low', 'medium', 'high'];
const LOW_TO_XHIGH: readonly ReasoningEffortValue[] = ['low', 'medium', 'high', 'xhigh'];

const UNKNOWN: OpenAiFamily = {
  known: false,
  reasoning: false,
  responsesOnly: false,
  notOnChatWording: 'onlyResponses',
  efforts: REASONING_EFFORTS,
  samplingWithEffortNone: false,
};

const NOT_REASONING: OpenAiFamily = { ...UNKNOWN, known: true, efforts: [] };

/**
 * The model id as OpenAI would read it: lower case, without the fault scheme's `~tag` and without a
 * router prefix (`openai/gpt-5` on an OpenAI-compatible gateway names `gpt-5`).
 */
export function normalizeModelId(model: string): string {
  const untagged = model.split('~')[0].trim().toLowerCase();
  return untagged.slice(untagged.lastIndexOf('/') + 1);
}

/** The rules OpenAI applies to `model` (see the sources above). */
export function openAiFamily(model: string): OpenAiFamily {
  const id = normalizeModelId(model);
  if (/^(gpt-4|gpt-3\.5|chatgpt-)/.test(id)) return NOT_REASONING;
  if (id.startsWith('codex-mini')) return reasoningFamily(LOW_TO_HIGH, { responsesOnly: true });

  if (/^o\d+(?:-|$)/.test(id)) {
    // o1-mini and o1-preview predate reasoning_effort: the parameter itself is refused.
    if (/^o1-(mini|preview)/.test(id)) return reasoningFamily([]);
    if (id.includes('deep-research')) return reasoningFamily(['medium'], { responsesOnly: true });
    return reasoningFamily(LOW_TO_HIGH, { responsesOnly: /-pro(?:-|$)/.test(id) });
  }

  const gpt = /^gpt-(\d+)(?:\.(\d+))?(.*)$/.exec(id);
  if (!gpt || Number(gpt[1]) < 5) return UNKNOWN;
  const version = Number(gpt[1]) * 10 + Number(gpt[2] ?? 0);
  const rest = gpt[3];
  // The chat snapshots (`gpt-5-chat-latest`, `gpt-5.1-chat-latest`) are not reasoning models.
  if (rest.includes('-chat')) return { ...NOT_REASONING, efforts: version >= 51 ? ['medium'] : [] };
  const pro = /-pro(?:-\d{4}-\d{2}-\d{2})?$/.test(rest);
  const codex = rest.includes('codex');
  const responsesOnly = pro || codex;
  const notOnChatWording = version >= 52 ? 'notChatModel' : 'onlyResponses';
  const sampling = version >= 51 && !responsesOnly;
  if (version === 50) {
    const efforts: readonly ReasoningEffortValue[] = pro
      ? ['high']
      : codex
        ? LOW_TO_HIGH
        : ['minimal', 'low', 'medium', 'high'];
    return reasoningFamily(efforts, { responsesOnly, defaultEffort: pro ? 'high' : 'medium' });
  }
  if (version === 51) {
    const efforts = rest.includes('codex-max')
      ? LOW_TO_XHIGH
      : codex
        ? LOW_TO_HIGH
        : (['none', 'low', 'medium', 'high'] as const);
    return reasoningFamily(efforts, { responsesOnly, samplingWithEffortNone: sampling });
  }
  const efforts: readonly ReasoningEffortValue[] = pro
    ? ['medium', 'high', 'xhigh']
    : codex
      ? LOW_TO_XHIGH
      : ['none', 'low', 'medium', 'high', 'xhigh'];
  return reasoningFamily(efforts, {
    responsesOnly,
    notOnChatWording,
    defaultEffort: pro ? 'high' : 'medium',
    samplingWithEffortNone: sampling,
  });
}

function reasoningFamily(
  efforts: readonly ReasoningEffortValue[],
  extra: Partial<Omit<OpenAiFamily, 'known' | 'reasoning' | 'efforts'>> = {},
): OpenAiFamily {
  // A request without an effort reasons at the family's default. The upstream never treats a
  // missing effort as `none`, even where OpenAI documents `none` as gpt-5.1's default: users report
  // temperature refused on gpt-5.4 to gpt-5.6 without naming an effort (johny-b/llmcomp#69,
  // decolua/9router#536), so sampling parameters pass only with an explicit `none`.
  return {
    ...UNKNOWN,
    known: true,
    reasoning: true,
    efforts,
    defaultEffort: efforts.includes('medium') ? 'medium' : efforts[0],
    ...extra,
  };
}

/** The reasoning tokens an answer at `effort` spends (deterministic, so tests can predict usage). */
export function reasoningTokensFor(effort: ReasoningEffortValue | undefined): number {
  const byEffort: Readonly<Record<ReasoningEffortValue, number>> = {
    none: 0,
    minimal: 16,
    low: 64,
    medium: 128,
    high: 256,
    xhigh: 512,
    max: 1024,
  };
  return effort === undefined ? 0 : byEffort[effort];
}
