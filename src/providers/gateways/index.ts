/**
 * Team gateways as first-class chain members: which presets are gateways, and the wrapper that
 * adds what each gateway says beside the answer (see gatewayProvider.ts).
 */

import type { LlmProvider } from '../../core';
import type { ProviderDeps } from '../openAiChatProvider';
import type { ProviderConfig } from '../providerConfig';
import { GatewayProvider, type GatewayDialect } from './gatewayProvider';
import { liteLlmDialect } from './liteLlm';
import { portkeyDialect } from './portkey';

export { GatewayProvider, type GatewayDialect, type GatewayFailure } from './gatewayProvider';
export {
  BUDGET_RECHECK_MS,
  describeTeamBudget,
  isLiteLlmMember,
  keyInfoUrl,
  LITELLM_COST_HEADER,
  readKeyInfo,
  teamBudget,
  type TeamBudget,
} from './liteLlm';
export { GATEWAY_HEADERS_SETTING, portkeyFailure } from './portkey';

/** The dialect of a config that puts a team gateway in the chain, or undefined for any other. */
export function gatewayDialectOf(config: ProviderConfig, deps: ProviderDeps): GatewayDialect | undefined {
  if (config.kind !== 'openaiCompatible') return undefined;
  switch (config.preset) {
    case 'liteLlm':
      return liteLlmDialect(config, deps);
    case 'portkey':
      return portkeyDialect;
    default:
      return undefined;
  }
}

/** `provider` as a gateway member when `config` is one (LiteLLM, Portkey); else unchanged. */
export function asGatewayMember(
  config: ProviderConfig,
  deps: ProviderDeps,
  provider: LlmProvider,
): LlmProvider {
  const dialect = gatewayDialectOf(config, deps);
  return dialect ? new GatewayProvider(provider, dialect) : provider;
}
