/**
 * The refusals the Anthropic Messages API answers for a request's parameters, in the API's own
 * words: `max_tokens` missing or above the model's limit, a `system` role among the messages,
 * retired models, too many `cache_control` breakpoints, sampling parameters the model does not
 * take, and the rules of extended thinking (budget, sampling, forced tools, thinking blocks passed
 * back before `tool_use`, signatures). Model-specific rules come from claudeFamilies.ts; ids the
 * upstream does not know get only the rules that hold for every model. Each message cites where
 * its wording comes from.
 */

import { claudeFamily, isRetired, UNKNOWN_MODEL_MAX_OUTPUT, type ClaudeFamily } from './claudeFamilies';
import { verifyThinking } from './anthropicThinking';
import { type ErrorAnswer } from './faultResponses';
import { errorFor, invalidRequestError } from './faultErrors';
import type { ParsedRequest } from './faultRequests';

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const refuse = (message: string) => invalidRequestError('anthropic', message);

/** Anthropic allows this many `cache_control` breakpoints per request. */
export const MAX_CACHE_BREAKPOINTS = 4;
/** The smallest `thinking.budget_tokens`. */
export const MIN_THINKING_BUDGET = 1024;

const THINKING_DOCS =
  'Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking';
const THINKING_CONSIDERATIONS = `${THINKING_DOCS}#important-considerations-when-using-extended-thinking`;

/** The first refusal of a Messages request, or undefined when the API would answer it. */
export function checkMessagesRequest(
  json: JsonObject,
  request: ParsedRequest,
  now: number,
): ErrorAnswer | undefined {
  return (
    checkShape(json) ??
    checkModel(request, now) ??
    checkLimits(request) ??
    checkSampling(request) ??
    checkThinking(json, request) ??
    checkThinkingBlocks(json, request)
  );
}

/** Whether the request thinks (enabled or adaptive), which changes what the answer holds. */
export function thinkingIsOn(request: ParsedRequest): boolean {
  return request.thinking?.type === 'enabled' || request.thinking?.type === 'adaptive';
}

function checkShape(json: JsonObject): ErrorAnswer | undefined {
  // Wording as the API answers (tickernelz/opencode-mem#50).
  if (json.max_tokens === undefined) return refuse('max_tokens: Field required');
  const messages = Array.isArray(json.messages) ? json.messages : [];
  for (const [i, message] of messages.entries()) {
    const role = isObject(message) ? message.role : undefined;
    if (role === 'system') {
      // Wording as the API answers (ianarawjo/ChainForge#271).
      return refuse(
        'messages: Unexpected role "system". The Messages API accepts a top-level `system` parameter, not "system" as an input message role.',
      );
    }
    if (role !== 'user' && role !== 'assistant')
      return refuse(`messages.${i}.role: Input should be 'user' or 'assistant'`);
  }
  return undefined;
}

function checkModel(request: ParsedRequest, now: number): ErrorAnswer | undefined {
  const family = claudeFamily(request.model);
  // A retired model is "not found", as the API answers (vicharanashala/vibe#1259).
  if (family && isRetired(family, now))
    return errorFor(
      { kind: 'notFound' },
      { vendor: 'anthropic', model: request.model, presentedKey: '', now },
    );
  return undefined;
}

function checkLimits(request: ParsedRequest): ErrorAnswer | undefined {
  const family = claudeFamily(request.model);
  const limit = family?.maxOutputTokens ?? UNKNOWN_MODEL_MAX_OUTPUT;
  const maxTokens = request.params.maxTokens ?? 0;
  if (maxTokens > limit) {
    // Wording as the API answers (ChatGPTNextWeb/NextChat#4964, anthropics/claude-code#11302).
    return refuse(
      `max_tokens: ${maxTokens} > ${limit}, which is the maximum allowed number of output tokens for ${request.model}`,
    );
  }
  const breakpoints = request.params.cacheControlBlocks;
  // Wording as the API answers (tghamm/Anthropic.SDK#50).
  if (breakpoints > MAX_CACHE_BREAKPOINTS)
    return refuse(
      `A maximum of ${MAX_CACHE_BREAKPOINTS} blocks with cache_control may be provided. Found ${breakpoints}.`,
    );
  return undefined;
}

function checkSampling(request: ParsedRequest): ErrorAnswer | undefined {
  const family = claudeFamily(request.model);
  const { temperature, topP, topK } = request.params;
  if (family?.sampling === 'removed') {
    // Wording as the API answers for Opus 4.7 and later (rocketride-org/rocketride-server#1194,
    // Comfy-Org/ComfyUI#13923); non-default values only.
    const sent: Array<[string, boolean]> = [
      ['temperature', temperature !== undefined && temperature !== 1],
      ['top_p', topP !== undefined && topP !== 1],
      ['top_k', topK !== undefined],
    ];
    const deprecated = sent.find(([, present]) => present);
    if (deprecated) return refuse(`\`${deprecated[0]}\` is deprecated for this model.`);
  }
  if (family?.sampling === 'oneOfTemperatureTopP' && temperature !== undefined && topP !== undefined) {
    // Wording as the API answers (langfuse/langfuse#9882, Vali-98/ChatterUI#564).
    return refuse('`temperature` and `top_p` cannot both be specified for this model. Please use only one.');
  }
  return undefined;
}

function checkThinking(json: JsonObject, request: ParsedRequest): ErrorAnswer | undefined {
  const thinking = request.thinking;
  if (!thinking) return undefined;
  const family = claudeFamily(request.model);
  const { type, budgetTokens } = thinking;
  if (type !== 'enabled' && type !== 'adaptive' && type !== 'disabled') {
    // The API's tagged-union wording (as Amazon Bedrock relays it, strands-agents/harness-sdk#1856).
    return refuse(
      `thinking: Input tag '${type}' found using 'type' does not match any of the expected tags: 'adaptive', 'disabled', 'enabled'`,
    );
  }
  if (type === 'disabled') return undefined;
  const refusal = type === 'enabled' ? checkBudget(family, budgetTokens, request) : checkAdaptive(family);
  if (refusal) return refusal;

  const { temperature, topP, topK } = request.params;
  // Wording as the API answers (MartialBE/one-hub#529, workglow-dev/libs#746).
  if (temperature !== undefined && temperature !== 1)
    return refuse(
      `\`temperature\` may only be set to 1 when thinking is enabled. ${THINKING_CONSIDERATIONS}`,
    );
  // Wording as the API answers (quarkiverse/quarkus-langchain4j#1812).
  if (topK !== undefined)
    return refuse(`\`top_k\` must be unset when thinking is enabled. ${THINKING_CONSIDERATIONS}`);
  // The docs allow top_p from 0.95 to 1 with thinking (SEMOSS/Semoss#1655); no real wording was found
  // for this refusal, so it follows the `top_k` message.
  if (topP !== undefined && topP < 0.95) {
    return refuse(
      `\`top_p\` must be greater than or equal to 0.95 or unset when thinking is enabled. ${THINKING_CONSIDERATIONS}`,
    );
  }
  const choice = isObject(json.tool_choice) ? json.tool_choice.type : undefined;
  // Wording as the API answers (workglow-dev/libs#746).
  if (choice === 'any' || choice === 'tool')
    return refuse('Thinking may not be enabled when tool_choice forces tool use.');
  return undefined;
}

function checkBudget(
  family: ClaudeFamily | undefined,
  budgetTokens: number | undefined,
  request: ParsedRequest,
): ErrorAnswer | undefined {
  if (family?.thinking === 'adaptive') {
    // Wording as the API answers (handochan/aelix-ai#258).
    return refuse(
      '"thinking.type.enabled" is not supported for this model. Use "thinking.type.adaptive" and "output_config.effort" to control thinking behavior.',
    );
  }
  if (budgetTokens === undefined) return refuse('thinking.enabled.budget_tokens: Field required');
  // Wording as the API answers (danny-avila/LibreChat#8346, workglow-dev/libs#746).
  if (budgetTokens < MIN_THINKING_BUDGET)
    return refuse(
      `thinking.enabled.budget_tokens: Input should be greater than or equal to ${MIN_THINKING_BUDGET}`,
    );
  // Wording as the API answers (ProfSynapse/nexus#17).
  if (budgetTokens >= (request.params.maxTokens ?? 0)) {
    return refuse(
      `\`max_tokens\` must be greater than \`thinking.budget_tokens\`. ${THINKING_DOCS}#max-tokens-and-context-window-size`,
    );
  }
  return undefined;
}

function checkAdaptive(family: ClaudeFamily | undefined): ErrorAnswer | undefined {
  // Wording as the API answers (docker/docker-agent#3362).
  if (family?.thinking === 'budget' || family?.thinking === 'none')
    return refuse('adaptive thinking is not supported on this model');
  return undefined;
}

/**
 * Thinking blocks passed back: every one must carry the signature the API gave it, and with
 * thinking on, the assistant turn whose `tool_use` the conversation answers must start with its
 * thinking, as the API requires.
 */
function checkThinkingBlocks(json: JsonObject, request: ParsedRequest): ErrorAnswer | undefined {
  const messages = Array.isArray(json.messages) ? json.messages.filter(isObject) : [];
  for (const [i, message] of messages.entries()) {
    const blocks = Array.isArray(message.content) ? message.content.filter(isObject) : [];
    for (const [j, block] of blocks.entries()) {
      if (block.type !== 'thinking') continue;
      // Wording as the API answers (anthropics/claude-code#26542; lbjlaq/Antigravity-Manager#498).
      if (typeof block.signature !== 'string')
        return refuse(`messages.${i}.content.${j}.thinking.signature: Field required`);
      if (!verifyThinking(String(block.thinking ?? ''), block.signature))
        return refuse(`messages.${i}.content.${j}: Invalid \`signature\` in \`thinking\` block`);
    }
  }
  if (!thinkingIsOn(request) || messages.length < 2) return undefined;
  const last = messages[messages.length - 1];
  const turn = messages[messages.length - 2];
  const answersTools =
    last.role === 'user' &&
    Array.isArray(last.content) &&
    last.content.some((block) => isObject(block) && block.type === 'tool_result');
  const turnBlocks =
    turn.role === 'assistant' && Array.isArray(turn.content) ? turn.content.filter(isObject) : [];
  if (!answersTools || !turnBlocks.some((block) => block.type === 'tool_use')) return undefined;
  const first = String(turnBlocks[0].type);
  if (first === 'thinking' || first === 'redacted_thinking') return undefined;
  // Wording as the API answers (deepset-ai/haystack-core-integrations#2146, anomalyco/opencode#3077).
  return refuse(
    `messages.${messages.length - 2}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${first}\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block (preceeding the lastmost set of \`tool_use\` and \`tool_result\` blocks). We recommend you include thinking blocks from previous turns. To avoid this requirement, disable \`thinking\`. ${THINKING_DOCS}`,
  );
}
