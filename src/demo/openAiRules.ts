/**
 * The refusals OpenAI (and Azure OpenAI, whose deployments name the same models) answers for
 * request parameters, in the API's own words, for chat completions and the Responses API. The
 * rules depend on the model family (openAiFamilies.ts); ids OpenAI does not know get only the
 * rules that hold for every model. Each message cites where its wording comes from.
 */

import { type ErrorAnswer, type Vendor } from './faultResponses';
import { invalidRequestError } from './faultErrors';
import {
  openAiFamily,
  REASONING_EFFORTS,
  type OpenAiFamily,
  type ReasoningEffortValue,
} from './openAiFamilies';
import { describeType, quotedList } from './responsesInput';

type JsonObject = Record<string, unknown>;

const isSet = (value: unknown) => value !== undefined && value !== null;

/** The first refusal of a chat completions request, or undefined when OpenAI would answer it. */
export function checkChatParameters(
  vendor: Vendor,
  json: JsonObject,
  model: string,
): ErrorAnswer | undefined {
  const family = openAiFamily(model);
  if (family.responsesOnly) return notOnChatCompletions(family);
  if (isSet(json.stream_options) && json.stream !== true) {
    // Wording as the API answers (BerriAI/litellm#5803).
    return invalidRequestError(
      vendor,
      "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
      'stream_options',
    );
  }
  const effort = checkEffort(vendor, family, json.reasoning_effort, 'reasoning_effort');
  if (effort.error) return effort.error;
  if (!family.reasoning) return undefined;

  if (isSet(json.max_tokens)) {
    // Wording as the API answers for o1, o3-mini and the gpt-5 family (griptape-ai/ComfyUI-Griptape#312,
    // microsoft/vscode-copilot-release#8065).
    return invalidRequestError(
      vendor,
      "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
      'max_tokens',
      'unsupported_parameter',
    );
  }
  const samplingAllowed = family.samplingWithEffortNone && effort.value === 'none';
  if (!samplingAllowed) {
    for (const param of ['temperature', 'top_p'] as const) {
      const value = json[param];
      if (isSet(value) && value !== 1) {
        // Wording as the API answers (cline/cline#341, BeehiveInnovations/pal-mcp-server#78,
        // owndev/Open-WebUI-Functions#98).
        return invalidRequestError(
          vendor,
          `Unsupported value: '${param}' does not support ${String(value)} with this model. Only the default (1) value is supported.`,
          param,
          'unsupported_value',
        );
      }
    }
  }
  const unsupported = ['presence_penalty', 'frequency_penalty', 'logit_bias', 'logprobs'].find((param) => {
    const value = json[param];
    if (param === 'logprobs') return value === true && !samplingAllowed;
    if (param === 'logit_bias')
      return typeof value === 'object' && value !== null && Object.keys(value).length > 0;
    return isSet(value);
  });
  if (unsupported) {
    // Wording as the API answers for gpt-5-mini (nextai-translator/nextai-translator#1781).
    return invalidRequestError(
      vendor,
      `Unsupported parameter: '${unsupported}' is not supported with this model.`,
      unsupported,
      'unsupported_parameter',
    );
  }
  return undefined;
}

/** Chat-completions parameters the Responses API renamed, and their new names. */
const MOVED_IN_RESPONSES: Readonly<Record<string, string>> = {
  messages: 'input',
  max_tokens: 'max_output_tokens',
  max_completion_tokens: 'max_output_tokens',
  reasoning_effort: 'reasoning.effort',
  response_format: 'text.format',
};

/** Responses: the smallest `max_output_tokens` the API takes. */
export const MIN_MAX_OUTPUT_TOKENS = 16;

/** The first refusal of a Responses API request's parameters, or undefined. */
export function checkResponsesParameters(json: JsonObject, model: string): ErrorAnswer | undefined {
  for (const [old, moved] of Object.entries(MOVED_IN_RESPONSES)) {
    if (!(old in json)) continue;
    // Wording as the API answers (aaif-goose/goose#2564, for `messages`).
    return invalidRequestError(
      'openai',
      `Unsupported parameter: '${old}'. In the Responses API, this parameter has moved to '${moved}'. Try again with the new parameter. See the API documentation for more information: https://platform.openai.com/docs/api-reference/responses/create.`,
      old,
      'unsupported_parameter',
    );
  }
  if (isSet(json.store) && typeof json.store !== 'boolean') {
    // The API's invalid_type wording, as for tool-call arguments.
    return invalidRequestError(
      'openai',
      `Invalid type for 'store': expected a boolean, but got ${describeType(json.store)} instead.`,
      'store',
      'invalid_type',
    );
  }
  const maxOutput = json.max_output_tokens;
  if (typeof maxOutput === 'number' && maxOutput < MIN_MAX_OUTPUT_TOKENS) {
    // Wording as the API answers (vectorize-io/hindsight#58, via Azure).
    return invalidRequestError(
      'openai',
      `Invalid 'max_output_tokens': integer below minimum value. Expected a value >= ${MIN_MAX_OUTPUT_TOKENS}, but got ${maxOutput} instead.`,
      'max_output_tokens',
      'integer_below_min_value',
    );
  }
  const family = openAiFamily(model);
  const reasoning =
    typeof json.reasoning === 'object' && json.reasoning !== null ? (json.reasoning as JsonObject) : {};
  const effort = checkEffort('openai', family, reasoning.effort, 'reasoning.effort');
  if (effort.error) return effort.error;
  const summary = reasoning.summary;
  if (isSet(summary) && !['auto', 'concise', 'detailed'].includes(String(summary))) {
    // The API's invalid_value wording; the values are the SDK's `Reasoning.summary`.
    return invalidRequestError(
      'openai',
      `Invalid value: '${String(summary)}'. Supported values are: 'auto', 'concise', and 'detailed'.`,
      'reasoning.summary',
      'invalid_value',
    );
  }
  if (family.reasoning && !(family.samplingWithEffortNone && effort.value === 'none')) {
    for (const param of ['temperature', 'top_p'] as const) {
      // The Responses API words it as an unsupported parameter, with no code
      // (OpenHands/software-agent-sdk#1837 for gpt-5.2 and gpt-5.2-codex).
      if (isSet(json[param]) && json[param] !== 1)
        return invalidRequestError(
          'openai',
          `Unsupported parameter: '${param}' is not supported with this model.`,
          param,
        );
    }
  }
  return undefined;
}

/**
 * Checks a reasoning effort against the family. Returns the effort the request runs at (the
 * family's default when it names none) or the refusal.
 */
function checkEffort(
  vendor: Vendor,
  family: OpenAiFamily,
  raw: unknown,
  param: string,
): { value?: ReasoningEffortValue; error?: ErrorAnswer } {
  if (!isSet(raw)) return { value: family.defaultEffort };
  const value = String(raw);
  if (!(REASONING_EFFORTS as readonly string[]).includes(value)) {
    // The API's invalid_value wording, with every value the SDK's `ReasoningEffort` lists.
    return {
      error: invalidRequestError(
        vendor,
        `Invalid value: '${value}'. Supported values are: ${quotedList(REASONING_EFFORTS)}.`,
        param,
        'invalid_value',
      ),
    };
  }
  if (family.efforts.length === 0) {
    // The unsupported_parameter wording the API uses for every parameter a model does not take.
    return {
      error: invalidRequestError(
        vendor,
        `Unsupported parameter: '${param}' is not supported with this model.`,
        param,
        'unsupported_parameter',
      ),
    };
  }
  if (!(family.efforts as readonly string[]).includes(value)) {
    // Wording as the API answers (Kilo-Org/cloud#3807: "Unsupported value: 'reasoning_effort' does
    // not support 'none' with this model. Supported values are: 'minimal', 'low', 'medium', and 'high'.").
    return {
      error: invalidRequestError(
        vendor,
        `Unsupported value: '${param}' does not support '${value}' with this model. Supported values are: ${quotedList(family.efforts)}.`,
        param,
        'unsupported_value',
      ),
    };
  }
  return { value: value as ReasoningEffortValue };
}

/** The effort a chat or Responses request runs at on `model` (after the checks passed). */
export function effectiveEffort(
  model: string,
  requested: ReasoningEffortValue | undefined,
): ReasoningEffortValue | undefined {
  const family = openAiFamily(model);
  if (!family.reasoning) return undefined;
  return requested ?? family.defaultEffort;
}

/** The 404 chat completions answer for a model only the Responses API serves. */
function notOnChatCompletions(family: OpenAiFamily): ErrorAnswer {
  // Wording as the API answers: older models (codex-mini-latest, o3-pro; aaif-goose/goose#2564) and
  // gpt-5.2 and later (gpt-5.3-codex; egoist/chatwise-releases#1256) word it differently.
  const message =
    family.notOnChatWording === 'notChatModel'
      ? 'This is not a chat model and thus not supported in the v1/chat/completions endpoint. Did you mean to use v1/completions?'
      : 'This model is only supported in v1/responses and not in v1/chat/completions.';
  return { ...invalidRequestError('openai', message, 'model'), status: 404 };
}
