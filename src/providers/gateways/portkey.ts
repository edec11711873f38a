/**
 * The Portkey gateway (Portkey-AI/gateway) as a chain member. A provider's error reaches us in
 * the provider's own envelope with `"provider"` beside it (`{"error": {…}, "provider": "openai"}`),
 * which the generic mapping reads as it reads the provider's. The gateway's own refusals have
 * another shape, `{"status": "failure", "message": …, "errors"?: […]}`: HTTP 400 for the routing
 * headers it cannot use (`x-portkey-config` that is not JSON or names an unknown strategy or
 * provider, neither that header nor `x-portkey-provider`), HTTP 500 with the
 * `x-portkey-gateway-exception` header when the gateway itself failed. Those are told apart here.
 */

import { LlmError } from '../../core';
import { scrubSecrets } from '../errorMapping';
import type { GatewayDialect, GatewayFailure } from './gatewayProvider';

/** Where the routing headers of a member live in the settings (named in configuration errors). */
export const GATEWAY_HEADERS_SETTING = 'llmManager.models[…].headers';

/** The gateway's own failure envelope, or undefined when the body is a provider's error. */
export function portkeyFailure(
  body: unknown,
): { readonly message: string; readonly errors: readonly string[] } | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  if (record.status !== 'failure' || typeof record.message !== 'string') return undefined;
  const errors = Array.isArray(record.errors)
    ? record.errors.filter((e): e is string => typeof e === 'string')
    : [];
  return { message: record.message, errors };
}

/** The Portkey dialect: its refusals of a routing configuration name the setting to fix. */
export const portkeyDialect: GatewayDialect = {
  reinterpret(failure: GatewayFailure): LlmError | undefined {
    const own = portkeyFailure(failure.exchange.errorBody);
    if (!own) return undefined;
    const status = failure.exchange.status;
    // Whatever the gateway echoes from a config goes through the key patterns first.
    const said = scrubSecrets([own.message, ...own.errors].join('; '), []).slice(0, 300);
    const base = { provider: 'portkey', model: failure.model, status };
    if (status !== undefined && status >= 400 && status < 500) {
      return new LlmError(
        'badRequest',
        `The Portkey gateway refused its routing configuration (HTTP ${status}): ${said}. Fix the x-portkey-config or x-portkey-provider header in ${GATEWAY_HEADERS_SETTING} of "${failure.model ?? 'this model'}".`,
        base,
      );
    }
    if (failure.exchange.headers?.get('x-portkey-gateway-exception') === 'true') {
      return new LlmError(
        'server',
        `The Portkey gateway failed on its own, before or after the provider (HTTP ${status ?? '?'}): ${said}.`,
        base,
      );
    }
    return undefined;
  },
};
