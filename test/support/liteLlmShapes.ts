/**
 * The LiteLLM proxy's answers, as its source writes them (BerriAI/litellm, litellm/proxy), for the
 * stand-in in liteLlmStandIn.ts:
 * - errors leave the proxy as `ProxyException.to_dict()` inside `{"error": …}`: `message`, `type`,
 *   `param`, and `code`, the HTTP status as a STRING (`self.code = str(code)`);
 * - a provider's error is re-raised as one of litellm/exceptions.py's classes, whose message is
 *   `litellm.<Class>: <Class>: OpenAIException - <the provider's message>`; `type` and `param`
 *   are read off the exception (`getattr(e, "type", …)`), which has none, so both are null;
 * - the provider's response headers come back renamed `llm_provider-<name>`
 *   (litellm_core_utils/llm_response_utils/get_headers.py), only the `x-ratelimit-*` ones also
 *   under their own name: a provider's `retry-after` arrives as `llm_provider-retry-after`;
 * - a key over its budget: `_virtual_key_max_budget_check` raises `BudgetExceededError` with its
 *   default message ("Budget has been exceeded! Current cost: …, Max budget: …"), which
 *   user_api_key_auth answers as type `budget_exceeded` with the error's `status_code`: 429 in
 *   current releases, whose BudgetExceededError carries it (a fixed 400 in releases before);
 * - `get_custom_headers()` (proxy/common_request_processing.py) adds `x-litellm-*` headers to every
 *   answer; `x-litellm-response-cost` only when a cost is known, which for a stream (its headers
 *   go out before the answer exists) it is not.
 */

import { createHash } from 'node:crypto';

/** An error as the proxy sends it. */
export interface LiteLlmErrorAnswer {
  readonly status: number;
  readonly body: {
    readonly error: {
      readonly message: string;
      readonly type: string | null;
      readonly param: string | null;
      readonly code: string;
    };
  };
  readonly headers: Readonly<Record<string, string>>;
}

/** The litellm/exceptions.py class a provider's HTTP status becomes. */
export function exceptionClassOf(status: number, providerMessage: string): string {
  if (status === 400 && /maximum context length|context length|too many tokens/i.test(providerMessage))
    return 'ContextWindowExceededError';
  if (status === 400 && /content policy|safety system|content_filter/i.test(providerMessage))
    return 'ContentPolicyViolationError';
  const classes: Record<number, string> = {
    400: 'BadRequestError',
    401: 'AuthenticationError',
    403: 'PermissionDeniedError',
    404: 'NotFoundError',
    408: 'Timeout',
    422: 'UnprocessableEntityError',
    429: 'RateLimitError',
    500: 'InternalServerError',
    502: 'BadGatewayError',
    503: 'ServiceUnavailableError',
  };
  return classes[status] ?? 'APIError';
}

/** A provider's error answer relayed by the proxy: its envelope, its status, its headers renamed. */
export function relayedProviderError(
  status: number,
  providerBody: unknown,
  providerHeaders: Headers,
): LiteLlmErrorAnswer {
  const said = providerMessage(providerBody) ?? `Error code: ${status}`;
  const cls = exceptionClassOf(status, said);
  const headers: Record<string, string> = {};
  providerHeaders.forEach((value, name) => {
    if (/^(content-length|content-type|transfer-encoding|connection|keep-alive|date)$/i.test(name)) return;
    headers[`llm_provider-${name}`] = value;
    if (name.startsWith('x-ratelimit-')) headers[name] = value;
  });
  return {
    status,
    body: {
      error: {
        message: `litellm.${cls}: ${cls}: OpenAIException - ${said}`,
        type: null,
        param: null,
        code: String(status),
      },
    },
    headers,
  };
}

/** The provider could not be reached at all (litellm.APIConnectionError, status 500). */
export function connectionError(): LiteLlmErrorAnswer {
  return {
    status: 500,
    body: {
      error: {
        message: 'litellm.APIConnectionError: APIConnectionError: OpenAIException - Connection error.',
        type: null,
        param: null,
        code: '500',
      },
    },
    headers: {},
  };
}

/** No key, or a key the proxy does not know (user_api_key_auth: `auth_error`, 401). */
export function authError(presented: string | undefined): LiteLlmErrorAnswer {
  const message = presented
    ? `Authentication Error, Invalid proxy server token passed. Received API Key = sk-...${presented.slice(-4)}, Key Hash (Token) =${hashToken(presented)}. Unable to find token in cache or \`LiteLLM_VerificationTokenTable\``
    : 'Authentication Error, No api key passed in.';
  return {
    status: 401,
    body: { error: { message, type: 'auth_error', param: 'None', code: '401' } },
    headers: {},
  };
}

/** A key over its budget (BudgetExceededError through user_api_key_auth). */
export function budgetExceeded(spend: number, maxBudget: number, status: 429 | 400): LiteLlmErrorAnswer {
  return {
    status,
    body: {
      error: {
        message: `Budget has been exceeded! Current cost: ${spend}, Max budget: ${maxBudget}`,
        type: 'budget_exceeded',
        param: null,
        code: String(status),
      },
    },
    headers: {},
  };
}

/** FastAPI's answer for a route that does not exist. */
export const NOT_FOUND = { detail: 'Not Found' } as const;

/** How the proxy stores a key: the SHA-256 of the key (proxy/utils.py `hash_token`). */
export function hashToken(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

function providerMessage(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return typeof body === 'string' ? body : undefined;
  const error = (body as { error?: unknown }).error;
  const message =
    typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : undefined;
  return typeof message === 'string' ? message : undefined;
}
