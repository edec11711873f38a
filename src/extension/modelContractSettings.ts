/**
 * The per-model settings that say how a vendor's API is spoken to: `api` (chat completions or the
 * Responses API), `reasoningEffort`, `store` (OpenAI kinds), `thinking` (Anthropic), and
 * `parameters` overrides of the family rules. Read here, apart from the rest of a model's entry, so
 * every rule comes from the providers' one place (parameterRules, providerConfig). A bad value is
 * reported naming the setting and left out; the model keeps working. No `vscode` import.
 */

import { REASONING_EFFORTS, type ReasoningEffort } from '../providers/catalog/familyRules';
import { reasoningEffortProblem, thinkingProblem } from '../providers/parameterRules';
import {
  OPENAI_APIS,
  parameterProblems,
  thinkingProblems,
  type OpenAiApi,
  type ParameterOverrides,
  type ThinkingSetting,
} from '../providers/providerConfig';

/** The vendor-contract settings of one model, validated. */
export interface ModelContractSettings {
  readonly api?: OpenAiApi;
  readonly reasoningEffort?: ReasoningEffort;
  readonly store?: boolean;
  readonly thinking?: ThinkingSetting;
  readonly parameters?: ParameterOverrides;
}

/** Which kind of provider the entry names (as settings.ts spells it). */
type Kind = 'openai' | 'anthropic' | 'azure' | 'openaiCompatible' | 'vscode-lm';

const OPENAI_ONLY = ['api', 'reasoningEffort', 'store'] as const;

/**
 * Reads the contract settings of a model entry of `kind` for the vendor model `model`; each problem
 * goes to `warn` as a sentence that begins with the setting's name.
 */
export function parseModelContract(
  entry: Readonly<Record<string, unknown>>,
  kind: Kind,
  model: string,
  warn: (message: string) => void,
): ModelContractSettings {
  const openAi = kind === 'openai' || kind === 'azure' || kind === 'openaiCompatible';
  const result: {
    api?: OpenAiApi;
    reasoningEffort?: ReasoningEffort;
    store?: boolean;
    thinking?: ThinkingSetting;
    parameters?: ParameterOverrides;
  } = {};

  for (const key of OPENAI_ONLY) {
    if (entry[key] !== undefined && !openAi)
      warn(`"${key}" applies to OpenAI, Azure and OpenAI-compatible models only; it is ignored.`);
  }
  if (openAi) {
    const api = entry.api;
    if (api !== undefined) {
      if ((OPENAI_APIS as readonly unknown[]).includes(api)) result.api = api as OpenAiApi;
      else warn(`"api" must be "chat" or "responses" (got ${JSON.stringify(api)}); it is ignored.`);
    }
    const effort = entry.reasoningEffort;
    if (effort !== undefined) {
      if (!(REASONING_EFFORTS as readonly unknown[]).includes(effort)) {
        warn(
          `"reasoningEffort" must be one of ${REASONING_EFFORTS.join(', ')} (got ${JSON.stringify(effort)}); it is ignored.`,
        );
      } else {
        result.reasoningEffort = effort as ReasoningEffort;
        const problem = reasoningEffortProblem(model, result.reasoningEffort);
        // Kept, so the trace of each request says it was left out, and why.
        if (problem) warn(`"reasoningEffort" "${String(effort)}" is not sent: ${problem}.`);
      }
    }
    if (entry.store !== undefined) {
      if (typeof entry.store === 'boolean') result.store = entry.store;
      else warn(`"store" must be true or false (got ${JSON.stringify(entry.store)}); using false.`);
    }
  }

  if (entry.thinking !== undefined) {
    if (kind !== 'anthropic') {
      warn('"thinking" applies to Anthropic models only; it is ignored.');
    } else {
      const problems = thinkingProblems(entry.thinking);
      if (problems.length > 0) {
        warn(ignored(problems[0]));
      } else {
        result.thinking = entry.thinking as ThinkingSetting;
        const problem = thinkingProblem(model, result.thinking);
        if (problem) warn(`"thinking" is not sent: ${problem}.`);
      }
    }
  }

  if (entry.parameters !== undefined) {
    if (kind === 'vscode-lm') warn('"parameters" does not apply to vscode-lm models; it is ignored.');
    else result.parameters = cleanParameters(entry.parameters, kind === 'anthropic', warn);
  }
  return result;
}

/** The known, well-typed overrides; every other one is reported and left out. */
function cleanParameters(
  raw: unknown,
  anthropic: boolean,
  warn: (message: string) => void,
): ParameterOverrides | undefined {
  const problems = parameterProblems(raw, anthropic);
  for (const problem of problems) warn(ignored(problem));
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const kept = Object.fromEntries(
    Object.entries(raw).filter(
      ([name, value]) => parameterProblems({ [name]: value }, anthropic).length === 0,
    ),
  );
  return Object.keys(kept).length > 0 ? (kept as ParameterOverrides) : undefined;
}

/** A provider config problem ("parameters.x must be …") as a settings message: the setting quoted, and what happens. */
function ignored(problem: string): string {
  return problem.replace(/^(\S+)/, '"$1"').replace(/\.$/, '; it is ignored.');
}
