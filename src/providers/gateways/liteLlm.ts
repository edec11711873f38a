/**
 * The LiteLLM proxy as a chain member, by its documented API (BerriAI/litellm, litellm/proxy):
 * - every answer carries `x-litellm-response-cost`, what the proxy billed the virtual key for the
 *   request (US dollars, as text; empty or absent when it has no figure, as on a streamed answer);
 * - a key, user or team over its budget is refused before any model is called, with the error
 *   envelope `{"error": {"message": "ExceededBudget: User=… over budget. Spend=…, Budget=…" |
 *   "Budget has been exceeded! …", "type": "budget_exceeded", "param": null, "code": "429"}}`
 *   (HTTP 429 in current releases, whose `BudgetExceededError` carries status 429; HTTP 400 with
 *   `"code": "400"` in older ones);
 * - `GET /key/info` (at the proxy's root, beside `/v1`) answers, for the key in the Authorization
 *   header, `{"key": …, "info": {"spend", "max_budget", "budget_duration", "budget_reset_at", …}}`.
 */

import { LlmError, formatDuration, formatUsd, formatUsdTogether, parseRetryAfter } from '../../core';
import { fetchOnlyTo } from '../clientOptions';
import { trimSlash } from '../clients';
import { readCredentials } from '../credentials';
import { scrubSecrets, translateError } from '../errorMapping';
import type { ProviderDeps } from '../openAiChatProvider';
import { keyIdOf, presetOf, providerLabel, type ProviderConfig } from '../providerConfig';
import type { GatewayDialect, GatewayFailure } from './gatewayProvider';

/** The response header in which the proxy reports what the request cost. */
export const LITELLM_COST_HEADER = 'x-litellm-response-cost';

/**
 * How long a member over its budget stays out when the proxy names no reset (a budget without
 * `budget_duration` never resets by itself): long enough not to ask on every request, short
 * enough to notice an administrator raising the budget.
 */
export const BUDGET_RECHECK_MS = 10 * 60_000;

/** A virtual key's budget as the proxy reports it. */
export interface TeamBudget {
  /** What the key has spent in the current budget period, in US dollars. */
  readonly spendUsd: number;
  /** The key's budget in US dollars; undefined when it has none (spend is only tracked). */
  readonly maxBudgetUsd?: number;
  /** When the period's spend resets (epoch ms); undefined for a budget that never resets. */
  readonly resetsAt?: number;
  /** The period as the proxy names it (`30d`, `1mo`, `24h`). */
  readonly duration?: string;
}

/** Whether a config is a LiteLLM proxy member (the only gateway with a key budget to read). */
export function isLiteLlmMember(config: ProviderConfig): boolean {
  return config.kind === 'openaiCompatible' && config.preset === 'liteLlm';
}

/** The cost the proxy reported in an answer's headers, when it sent a usable figure. */
export function liteLlmReportedCost(headers: Headers): number | undefined {
  const raw = headers.get(LITELLM_COST_HEADER)?.trim();
  if (!raw) return undefined;
  const usd = Number(raw);
  return Number.isFinite(usd) && usd >= 0 ? usd : undefined;
}

/** Where the key-info endpoint lives: the proxy's root, beside its OpenAI-compatible `/v1`. */
export function keyInfoUrl(config: ProviderConfig): string {
  const base =
    (config.kind === 'openaiCompatible' ? trimSlash(config.baseUrl) : undefined) ??
    presetOf(config)?.baseUrl ??
    '';
  return `${base.replace(/\/v1$/, '')}/key/info`;
}

/**
 * Reads the virtual key's spend and budget from the proxy (`GET /key/info`), with the key the
 * member itself sends: read through the same secret source (so the extension's key-to-host check
 * applies) and sent only to the member's own host. The answer echoes the key; it is dropped here.
 *
 * @throws {LlmError} as a provider call would (no key: `auth` with `missingKey`; refused:
 * `auth`; unreachable: `network`; an answer without the fields: `badResponse`).
 */
export async function teamBudget(
  config: ProviderConfig,
  deps: ProviderDeps,
  signal: AbortSignal,
): Promise<TeamBudget> {
  const provider = providerLabel(config);
  const model = config.model;
  const credentials = await readCredentials({
    secrets: deps.secrets,
    keyId: keyIdOf(config),
    keyRequired: true,
    secretHeaders: config.secretHeaders,
    provider,
    model,
  });
  const url = keyInfoUrl(config);
  const ctx = { provider, model, secrets: credentials.secrets, now: deps.now ?? Date.now, signal };
  let body: unknown;
  try {
    const response = await fetchOnlyTo(url)(url, {
      method: 'GET',
      headers: {
        ...config.extraHeaders,
        ...credentials.secretHeaders,
        authorization: `Bearer ${credentials.apiKey}`,
        accept: 'application/json',
      },
      signal,
    });
    const text = await response.text();
    if (!response.ok) {
      throw Object.assign(new Error(envelopeMessage(text) ?? `HTTP ${response.status}`), {
        status: response.status,
        headers: response.headers,
      });
    }
    body = JSON.parse(text) as unknown;
  } catch (error) {
    throw translateError(error, ctx);
  }
  const budget = readKeyInfo(body);
  if (!budget) {
    throw new LlmError('badResponse', `${provider} answered /key/info without the key's spend.`, {
      provider,
      model,
    });
  }
  return budget;
}

/** The budget fields of a `/key/info` answer, or undefined when they are missing. */
export function readKeyInfo(body: unknown): TeamBudget | undefined {
  const info = asRecord(asRecord(body)?.info);
  if (!info) return undefined;
  const spendUsd = numberOf(info.spend) ?? 0;
  // A key under a budget id carries its limit in the joined budget table.
  const maxBudgetUsd = numberOf(info.max_budget) ?? numberOf(asRecord(info.litellm_budget_table)?.max_budget);
  const resetsAt =
    typeof info.budget_reset_at === 'string' && !Number.isNaN(Date.parse(info.budget_reset_at))
      ? Date.parse(info.budget_reset_at)
      : undefined;
  const duration = typeof info.budget_duration === 'string' ? info.budget_duration : undefined;
  return {
    spendUsd,
    ...(maxBudgetUsd !== undefined ? { maxBudgetUsd } : {}),
    ...(resetsAt !== undefined ? { resetsAt } : {}),
    ...(duration !== undefined ? { duration } : {}),
  };
}

/** `team: $12.40 of $50` (or `team: $12.40 spent` without a budget): one wording everywhere. */
export function describeTeamBudget(budget: TeamBudget): string {
  if (budget.maxBudgetUsd === undefined) return `team: ${formatUsd(budget.spendUsd)} spent`;
  const [spent, limit] = formatUsdTogether(budget.spendUsd, budget.maxBudgetUsd);
  // A budget is set in round figures more often than not: `$50`, not `$50.00`.
  return `team: ${spent} of ${Number.isInteger(budget.maxBudgetUsd) ? `$${budget.maxBudgetUsd}` : limit}`;
}

/** Whether an error answer is the proxy's own budget refusal (whatever status it came with). */
export function isBudgetExceeded(body: unknown): boolean {
  const error = asRecord(asRecord(body)?.error);
  if (!error) return false;
  if (error.type === 'budget_exceeded') return true;
  return (
    typeof error.message === 'string' &&
    /ExceededBudget|Budget has been exceeded|ExceededTokenBudget/.test(error.message)
  );
}

/**
 * The LiteLLM dialect: the proxy's cost header, and its budget refusal turned into `quota` (the
 * chain moves on at once, no retry) that keeps the member out until the budget resets, as
 * `/key/info` names it.
 */
export function liteLlmDialect(config: ProviderConfig, deps: ProviderDeps): GatewayDialect {
  const now = deps.now ?? Date.now;
  return {
    reportedCost: liteLlmReportedCost,
    async reinterpret(failure: GatewayFailure): Promise<LlmError | undefined> {
      if (!isBudgetExceeded(failure.exchange.errorBody)) return withRelayedWait(failure, now());
      const provider = providerLabel(config);
      const said = envelopeMessage(failure.exchange.errorBody) ?? 'over budget';
      const detail = scrubSecrets(said, await knownSecrets(config, deps)).slice(0, 300);
      let resetsAt: number | undefined;
      try {
        resetsAt = (await teamBudget(config, deps, failure.signal)).resetsAt;
      } catch {
        // The budget answer itself is what matters; without a reset time the member is re-checked later.
      }
      const waitMs = resetsAt !== undefined && resetsAt > now() ? resetsAt - now() : BUDGET_RECHECK_MS;
      const when =
        resetsAt !== undefined && resetsAt > now()
          ? `it resets in ${formatDuration(waitMs)}`
          : `it names no reset, so it is asked again in ${formatDuration(waitMs)}`;
      return new LlmError(
        'quota',
        `The team budget at ${provider} is used up (${detail}); ${when}. Other models of the chain answer meanwhile.`,
        {
          provider,
          model: failure.model,
          status: failure.exchange.status,
          retryAfterMs: waitMs,
        },
      );
    },
  };
}

/**
 * A provider's rate limit relayed by the proxy keeps its wait: the proxy renames the provider's
 * headers `llm_provider-<name>` (get_headers.py), so its `retry-after` arrives as
 * `llm_provider-retry-after`, which the generic mapping does not read.
 */
function withRelayedWait(failure: GatewayFailure, now: number): LlmError | undefined {
  const { error, exchange } = failure;
  if (error.retryAfterMs !== undefined || (error.kind !== 'rateLimit' && error.kind !== 'server'))
    return undefined;
  const headers = exchange.headers;
  const retryAfterMs = headers
    ? parseRetryAfter(
        {
          retryAfterMs: headers.get('llm_provider-retry-after-ms'),
          retryAfter: headers.get('llm_provider-retry-after'),
        },
        now,
      )
    : undefined;
  if (retryAfterMs === undefined) return undefined;
  return new LlmError(error.kind, error.message, {
    provider: error.provider,
    model: error.model,
    status: error.status,
    retryAfterMs,
  });
}

/** The member's secret values, for scrubbing what the proxy said (none when they cannot be read). */
async function knownSecrets(config: ProviderConfig, deps: ProviderDeps): Promise<readonly string[]> {
  try {
    const credentials = await readCredentials({
      secrets: deps.secrets,
      keyId: keyIdOf(config),
      keyRequired: false,
      secretHeaders: config.secretHeaders,
      provider: providerLabel(config),
      model: config.model,
    });
    return credentials.secrets;
  } catch {
    return [];
  }
}

/** The message of an error envelope (`{"error": {"message"}}` or `{"message"}`), or undefined. */
function envelopeMessage(body: unknown): string | undefined {
  const record = asRecord(typeof body === 'string' ? safeJson(body) : body);
  const message = asRecord(record?.error)?.message ?? record?.message ?? asRecord(record?.detail)?.error;
  return typeof message === 'string' ? message : undefined;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function numberOf(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
