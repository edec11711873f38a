/**
 * Each vendor's error bodies and status codes, in the wording the real services use: the
 * envelopes, the 400 for a malformed request, the error each fault behaviour answers with and the
 * plain status errors (the providers' error mapping is tested against these).
 */

import type { FaultBehaviour } from './faultBehaviour';
import { maskKey, randomId, type ErrorAnswer, type Vendor, type WireApi } from './faultResponses';

function openAiError(
  message: string,
  type: string | null,
  code: string | null,
  param: string | null = null,
): unknown {
  return { error: { message, type, param, code } };
}

function azureError(code: string, message: string): unknown {
  return { error: { code, message } };
}

function anthropicError(type: string, message: string): unknown {
  return { type: 'error', error: { type, message }, request_id: randomId('req_') };
}

/** A 400 for a request body the service rejects as malformed, in the vendor's shape and wording. */
export function invalidRequestError(
  vendor: Vendor,
  message: string,
  param: string | null = null,
  code: string | null = null,
): ErrorAnswer {
  const body =
    vendor === 'anthropic'
      ? anthropicError('invalid_request_error', message)
      : openAiError(message, 'invalid_request_error', code, param);
  return { status: 400, headers: {}, body };
}

export interface ErrorContext {
  readonly vendor: Vendor;
  readonly model: string;
  /** The key the client presented (only `leaky-auth` repeats it; nothing logs it). */
  readonly presentedKey: string;
  readonly now: number;
  readonly apiVersion?: string;
  /** The API the request spoke (the Responses API words some errors its own way). */
  readonly api?: WireApi;
}

/** The error a behaviour answers with, or undefined when the behaviour is not a plain HTTP error. */
export function errorFor(behaviour: FaultBehaviour, ctx: ErrorContext): ErrorAnswer | undefined {
  const { vendor, model } = ctx;
  const none: Record<string, string> = {};
  switch (behaviour.kind) {
    case 'error':
      return statusError(behaviour.status, ctx);
    case 'flaky':
    case 'bursty':
      return statusError(behaviour.kind === 'bursty' ? 503 : 500, ctx);
    case 'rateLimit': {
      const headers: Record<string, string> = {};
      const retry = behaviour.retryAfter;
      let wait = 'a moment';
      if (retry?.form === 'seconds') {
        headers['retry-after'] = String(retry.value);
        wait = `${retry.value} seconds`;
      } else if (retry?.form === 'ms') {
        headers['retry-after-ms'] = String(retry.value);
        wait = `${retry.value} ms`;
      } else if (retry?.form === 'date') {
        headers['retry-after'] = new Date(ctx.now + retry.value * 1000).toUTCString();
        wait = `${retry.value} seconds`;
      }
      if (vendor === 'anthropic') {
        return {
          status: 429,
          headers: { ...headers, 'anthropic-ratelimit-requests-remaining': '0' },
          body: anthropicError(
            'rate_limit_error',
            'This request would exceed the rate limit for your organization of 50 requests per minute. Please try again later.',
          ),
        };
      }
      if (vendor === 'azure') {
        return {
          status: 429,
          headers,
          body: azureError(
            '429',
            `Requests to the ChatCompletions_Create Operation under Azure OpenAI API version ${ctx.apiVersion ?? 'unknown'} have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after ${wait}.`,
          ),
        };
      }
      return {
        status: 429,
        headers: { ...headers, 'x-ratelimit-remaining-requests': '0' },
        body: openAiError(
          `Rate limit reached for ${model} in organization org-demo on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in ${wait}.`,
          'requests',
          'rate_limit_exceeded',
        ),
      };
    }
    case 'quota':
      if (vendor === 'anthropic') {
        return {
          status: 400,
          headers: none,
          body: anthropicError(
            'invalid_request_error',
            'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.',
          ),
        };
      }
      return quota429();
    case 'billing':
      if (vendor === 'anthropic') {
        return {
          status: 402,
          headers: none,
          body: anthropicError(
            'billing_error',
            'There is an issue with your billing or payment information. Please check your account in the Anthropic Console.',
          ),
        };
      }
      return quota429();
    case 'auth': {
      const shown = behaviour.echoKey ? ctx.presentedKey : maskKey(ctx.presentedKey);
      if (vendor === 'anthropic') {
        return {
          status: 401,
          headers: none,
          body: anthropicError(
            'authentication_error',
            behaviour.echoKey ? `invalid x-api-key: ${shown}` : 'invalid x-api-key',
          ),
        };
      }
      if (vendor === 'azure') {
        return {
          status: 401,
          headers: none,
          body: azureError(
            '401',
            `Access denied due to invalid subscription key or wrong API endpoint${behaviour.echoKey ? ` (key ${shown})` : ''}. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.`,
          ),
        };
      }
      return {
        status: 401,
        headers: none,
        body: openAiError(
          `Incorrect API key provided: ${shown}. You can find your API key at https://platform.openai.com/account/api-keys.`,
          'invalid_request_error',
          'invalid_api_key',
        ),
      };
    }
    case 'forbidden':
      if (vendor === 'anthropic') {
        return {
          status: 403,
          headers: none,
          body: anthropicError(
            'permission_error',
            'Your API key does not have permission to use the specified resource.',
          ),
        };
      }
      if (vendor === 'azure') {
        return {
          status: 403,
          headers: none,
          body: azureError('PermissionDenied', 'Principal does not have access to API/Operation.'),
        };
      }
      return {
        status: 403,
        headers: none,
        body: openAiError(
          'Country, region, or territory not supported',
          'request_forbidden',
          'unsupported_country_region_territory',
        ),
      };
    case 'notFound':
      if (vendor === 'anthropic')
        return { status: 404, headers: none, body: anthropicError('not_found_error', `model: ${model}`) };
      if (vendor === 'azure') {
        return {
          status: 404,
          headers: none,
          body: azureError(
            'DeploymentNotFound',
            'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.',
          ),
        };
      }
      return {
        status: 404,
        headers: none,
        body: openAiError(
          `The model \`${model}\` does not exist or you do not have access to it.`,
          'invalid_request_error',
          'model_not_found',
        ),
      };
    case 'context':
      if (ctx.api === 'responses') return responsesContextError();
      if (vendor === 'anthropic') {
        return {
          status: 400,
          headers: none,
          body: anthropicError('invalid_request_error', 'prompt is too long: 215304 tokens > 200000 maximum'),
        };
      }
      return {
        status: 400,
        headers: none,
        body: openAiError(
          "This model's maximum context length is 128000 tokens. However, your messages resulted in 130512 tokens. Please reduce the length of the messages.",
          'invalid_request_error',
          'context_length_exceeded',
          'messages',
        ),
      };
    case 'contentPolicy':
      if (vendor === 'anthropic') {
        return {
          status: 400,
          headers: none,
          body: anthropicError('invalid_request_error', 'Output blocked by content filtering policy'),
        };
      }
      if (vendor === 'azure') {
        return {
          status: 400,
          headers: none,
          body: {
            error: {
              message:
                "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry.",
              type: null,
              param: 'prompt',
              code: 'content_filter',
              status: 400,
              innererror: {
                code: 'ResponsibleAIPolicyViolation',
                content_filter_result: { hate: { filtered: true, severity: 'high' } },
              },
            },
          },
        };
      }
      return {
        status: 400,
        headers: none,
        body: openAiError(
          'Your request was rejected as a result of our safety system. Your prompt may contain text that is not allowed by our safety system.',
          'invalid_request_error',
          'content_policy_violation',
          'prompt',
        ),
      };
    case 'overloaded':
      if (vendor === 'anthropic')
        return { status: 529, headers: none, body: anthropicError('overloaded_error', 'Overloaded') };
      return {
        status: 503,
        headers: none,
        body: openAiError(
          'The engine is currently overloaded, please try again later.',
          'server_error',
          null,
        ),
      };
    default:
      return undefined;
  }

  function quota429(): ErrorAnswer {
    return {
      status: 429,
      headers: none,
      body: openAiError(
        'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
        'insufficient_quota',
        'insufficient_quota',
      ),
    };
  }
}

/** A generic error for a status code, in the vendor's shape. */
export function statusError(status: number, ctx: Pick<ErrorContext, 'vendor' | 'model'>): ErrorAnswer {
  const none: Record<string, string> = {};
  const anthropicTypes: Record<number, string> = {
    400: 'invalid_request_error',
    401: 'authentication_error',
    402: 'billing_error',
    403: 'permission_error',
    404: 'not_found_error',
    413: 'request_too_large',
    429: 'rate_limit_error',
    500: 'api_error',
    504: 'timeout_error',
    529: 'overloaded_error',
  };
  if (ctx.vendor === 'anthropic') {
    const type = anthropicTypes[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
    const message = status >= 500 ? 'Internal server error' : `Request failed with status ${status}`;
    return { status, headers: none, body: anthropicError(type, message) };
  }
  if (status >= 500) {
    if (ctx.vendor === 'azure')
      return {
        status,
        headers: none,
        body: azureError(
          'InternalServerError',
          'The server had an error while processing your request. Sorry about that!',
        ),
      };
    const messages: Record<number, string> = {
      500: 'The server had an error while processing your request. Sorry about that!',
      502: 'Bad gateway.',
      503: 'The server is overloaded or not ready yet.',
      504: 'Gateway timeout.',
    };
    return {
      status,
      headers: none,
      body: openAiError(messages[status] ?? `Upstream failure (${status}).`, 'server_error', null),
    };
  }
  if (status === 404) return errorFor({ kind: 'notFound' }, { ...ctx, presentedKey: '', now: 0 })!;
  return {
    status,
    headers: none,
    body: openAiError(`Invalid request (status ${status}).`, 'invalid_request_error', null),
  };
}

/** The Responses API's context-length refusal (the-open-agent/openagent#2344, anomalyco/opencode#6071). */
export function responsesContextError(): ErrorAnswer {
  return {
    status: 400,
    headers: {},
    body: openAiError(
      'Your input exceeds the context window of this model. Please adjust your input and try again.',
      'invalid_request_error',
      'context_length_exceeded',
      'input',
    ),
  };
}
