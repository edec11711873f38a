/**
 * The model ids LLM Manager suggests (Add Model's prefilled id, README examples): the newest
 * generally available model of each provider in the price catalog. A unit test fails when one is
 * missing from the catalog, unpriced, deprecated or past its end of life.
 */

import type { PresetId } from './presets';

/** Where a model can come from in Add Model: a provider kind or an OpenAI-compatible preset. */
export type SuggestionKey = 'openai' | 'anthropic' | 'azure' | PresetId;

export const SUGGESTED_MODELS: Readonly<Record<SuggestionKey, string>> = {
  openai: 'gpt-5.6-terra',
  anthropic: 'claude-sonnet-5-5',
  // Azure: the model behind the deployment (it selects prices and limits).
  azure: 'gpt-5.6-terra',
  // Local servers: whatever the user pulled; these are common current downloads.
  ollama: 'qwen3',
  lmStudio: 'qwen/qwen3-coder-30b',
  vllm: 'Qwen/Qwen3-Coder-30B-A3B-Instruct',
  openRouter: 'anthropic/claude-sonnet-5',
  groq: 'openai/gpt-oss-120b',
  mistral: 'mistral-medium-latest',
  deepSeek: 'deepseek-chat',
  gemini: 'gemini-3.8-flash',
  xai: 'grok-4.6',
  together: 'meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8',
  fireworks: 'accounts/fireworks/models/kimi-k3',
  cerebras: 'gpt-oss-120b',
  deepInfra: 'deepseek-ai/DeepSeek-V3.2',
  perplexity: 'sonar-pro',
  moonshot: 'kimi-k3',
  huggingFace: 'openai/gpt-oss-120b',
  // Gateways: model names are the gateway's; most teams expose the vendors' ids.
  liteLlm: 'gpt-5.6-terra',
  portkey: 'gpt-5.6-terra',
};
