/**
 * The playground models "Try Without Keys" and `npm run demo` use: a primary in OpenAI's format
 * that fails in bursts (so its circuit visibly opens, probes and closes), an Anthropic-format model
 * that answers, and a free "local" model. Pure, so the demo script and the extension share it.
 */
import type { SettingsPatch } from '../core';
import type { ModelSettings } from './settings';

export const DEMO_MODEL_IDS = ['demo-openai', 'demo-claude', 'demo-local'] as const;

export function demoModels(upstreamUrl: string): ModelSettings[] {
  return [
    {
      id: 'demo-openai',
      provider: 'openai',
      model: 'bursty-20-25~demo',
      baseUrl: `${upstreamUrl}/v1`,
      auth: 'none',
      contextWindow: 128_000,
      maxOutputTokens: 4096,
      inputPricePerMTok: 2.5,
      outputPricePerMTok: 10,
      displayName: 'Demo GPT (fails in bursts)',
    },
    {
      id: 'demo-claude',
      provider: 'anthropic',
      model: 'drip-25~demo',
      baseUrl: upstreamUrl,
      auth: 'none',
      contextWindow: 200_000,
      maxOutputTokens: 4096,
      inputPricePerMTok: 3,
      outputPricePerMTok: 15,
      displayName: 'Demo Claude',
    },
    {
      id: 'demo-local',
      provider: 'openaiCompatible',
      model: 'drip-15~local',
      baseUrl: `${upstreamUrl}/v1`,
      auth: 'none',
      free: true,
      contextWindow: 32_768,
      maxOutputTokens: 2048,
      displayName: 'Demo local model (free)',
    },
  ];
}

/**
 * What the demo upstream's answers call each demo model: the id the user sees in the status bar
 * and the answer view (`demo-claude`), not the behaviour name it asks the upstream for.
 */
export function demoAnswerNames(): Record<string, string> {
  return Object.fromEntries(demoModels('http://127.0.0.1').map((model) => [model.model, model.id]));
}

/** Short breaker timings so the circuit opens, probes and closes within a minute. */
export const DEMO_MANAGER_SETTINGS: SettingsPatch = {
  maxRetries: 1,
  backoff: { initialDelayMs: 300, maxDelayMs: 2000 },
  breaker: { failureThreshold: 2, recoveryTimeoutMs: 10_000 },
};

/** The same playground as `llmManager.*` settings, for `npm run demo`'s workspace. */
export function demoSettingsJson(upstreamUrl: string): Record<string, unknown> {
  return {
    'llmManager.models': demoModels(upstreamUrl),
    'llmManager.activeModel': 'demo-openai',
    'llmManager.fallbackChain': ['demo-claude', 'demo-local'],
    'llmManager.retry.maxRetries': DEMO_MANAGER_SETTINGS.maxRetries,
    'llmManager.retry.initialDelayMs': DEMO_MANAGER_SETTINGS.backoff?.initialDelayMs,
    'llmManager.retry.maxDelayMs': DEMO_MANAGER_SETTINGS.backoff?.maxDelayMs,
    'llmManager.circuitBreaker.failureThreshold': DEMO_MANAGER_SETTINGS.breaker?.failureThreshold,
    'llmManager.circuitBreaker.recoveryTimeoutSeconds':
      (DEMO_MANAGER_SETTINGS.breaker?.recoveryTimeoutMs ?? 10_000) / 1000,
    'llmManager.budget.dailyUsd': 0.05,
    'llmManager.confirmCostAboveUsd': 0,
  };
}
