/**
 * Ready-made settings for OpenAI-compatible endpoints: a base URL, whether a key is needed, the
 * shape of the service's keys (so the scrubber recognises them), where it lists its models, and
 * any headers the service expects. A preset only fills in defaults; the config can override each.
 */

/** Every preset id, in the order the settings and Add Model offer them. */
export const PRESET_IDS = [
  'ollama',
  'lmStudio',
  'vllm',
  'openRouter',
  'groq',
  'mistral',
  'deepSeek',
  'gemini',
  'xai',
  'together',
  'fireworks',
  'cerebras',
  'deepInfra',
  'perplexity',
  'moonshot',
  'huggingFace',
  'liteLlm',
  'portkey',
] as const;

export type PresetId = (typeof PRESET_IDS)[number];

/**
 * Where a service lists its models. `/models`: `GET {baseUrl}/models` in OpenAI's shape (read with
 * the `openai` SDK); `/api/tags`: Ollama's own list at the server root (its OpenAI-compatible
 * base URL ends in `/v1`, the tags route does not); `none`: the service publishes no list, so
 * discovery offers the catalog's models of that provider.
 */
export type ModelListRoute = '/models' | '/api/tags' | 'none';

export interface OpenAiCompatiblePreset {
  readonly id: PresetId;
  readonly displayName: string;
  /** Provider label in messages, metrics and the price table's vendor column. */
  readonly provider: string;
  readonly baseUrl: string;
  /** False for servers on this machine that accept any key (or none). */
  readonly requiresKey: boolean;
  /** Runs on the user's machine: answers are free and no price warning is logged. */
  readonly local: boolean;
  readonly defaultHeaders?: Readonly<Record<string, string>>;
  /**
   * How the service's keys begin, as its documentation shows them (`xai-`, `hf_`); the error
   * scrubber redacts anything of that shape. Unset where keys have no documented prefix.
   */
  readonly keyPrefix?: string;
  readonly modelListRoute: ModelListRoute;
  /** One line for the settings UI: what to put where, with a current model id. */
  readonly hint: string;
}

export const PRESETS: Readonly<Record<PresetId, OpenAiCompatiblePreset>> = {
  ollama: {
    id: 'ollama',
    displayName: 'Ollama',
    provider: 'ollama',
    baseUrl: 'http://localhost:11434/v1',
    requiresKey: false,
    local: true,
    modelListRoute: '/api/tags',
    hint: 'Runs models locally; pull a model first (`ollama pull qwen3`). No key needed.',
  },
  lmStudio: {
    id: 'lmStudio',
    displayName: 'LM Studio',
    provider: 'lmstudio',
    baseUrl: 'http://localhost:1234/v1',
    requiresKey: false,
    local: true,
    modelListRoute: '/models',
    hint: "Start LM Studio's local server (Developer tab). No key needed.",
  },
  vllm: {
    id: 'vllm',
    displayName: 'vLLM',
    provider: 'vllm',
    baseUrl: 'http://localhost:8000/v1',
    requiresKey: false,
    local: true,
    modelListRoute: '/models',
    hint: "vLLM's OpenAI-compatible server; set a key only if it was started with --api-key.",
  },
  openRouter: {
    id: 'openRouter',
    displayName: 'OpenRouter',
    provider: 'openrouter',
    baseUrl: 'https://openrouter.ai/api/v1',
    requiresKey: true,
    local: false,
    // OpenRouter's optional app attribution headers.
    defaultHeaders: { 'X-Title': 'LLM Manager for VS Code' },
    keyPrefix: 'sk-or-',
    modelListRoute: '/models',
    hint: 'Model ids look like `anthropic/claude-sonnet-5` or `openai/gpt-5.4-mini`.',
  },
  groq: {
    id: 'groq',
    displayName: 'Groq',
    provider: 'groq',
    baseUrl: 'https://api.groq.com/openai/v1',
    requiresKey: true,
    local: false,
    keyPrefix: 'gsk_',
    modelListRoute: '/models',
    hint: 'Model ids such as `openai/gpt-oss-120b` or `llama-3.3-70b-versatile`.',
  },
  mistral: {
    id: 'mistral',
    displayName: 'Mistral',
    provider: 'mistral',
    baseUrl: 'https://api.mistral.ai/v1',
    requiresKey: true,
    local: false,
    modelListRoute: '/models',
    hint: 'Model ids such as `mistral-medium-latest` or `mistral-small-latest`.',
  },
  deepSeek: {
    id: 'deepSeek',
    displayName: 'DeepSeek',
    provider: 'deepseek',
    baseUrl: 'https://api.deepseek.com/v1',
    requiresKey: true,
    local: false,
    keyPrefix: 'sk-',
    modelListRoute: '/models',
    hint: 'Model ids `deepseek-chat` or `deepseek-reasoner`.',
  },
  gemini: {
    id: 'gemini',
    displayName: 'Google Gemini (OpenAI-compatible)',
    provider: 'gemini',
    baseUrl: 'https://generativelanguage.googleapis.com/v1beta/openai',
    requiresKey: true,
    local: false,
    keyPrefix: 'AIza',
    modelListRoute: '/models',
    hint: 'A Gemini API key from Google AI Studio; model ids such as `gemini-3.8-flash`.',
  },
  xai: {
    id: 'xai',
    displayName: 'xAI (Grok)',
    provider: 'xai',
    baseUrl: 'https://api.x.ai/v1',
    requiresKey: true,
    local: false,
    // docs.x.ai: keys are shown as `xai-…`.
    keyPrefix: 'xai-',
    modelListRoute: '/models',
    hint: 'An xAI API key; model ids such as `grok-4.6`.',
  },
  together: {
    id: 'together',
    displayName: 'Together AI',
    provider: 'together',
    baseUrl: 'https://api.together.xyz/v1',
    requiresKey: true,
    local: false,
    // Together's current keys begin `tgp_v1_`; older ones are plain hex (caught by the Bearer rule).
    keyPrefix: 'tgp_v1_',
    modelListRoute: '/models',
    hint: 'Model ids name the organisation, e.g. `meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8`.',
  },
  fireworks: {
    id: 'fireworks',
    displayName: 'Fireworks AI',
    provider: 'fireworks',
    baseUrl: 'https://api.fireworks.ai/inference/v1',
    requiresKey: true,
    local: false,
    // docs.fireworks.ai: keys begin `fw_`.
    keyPrefix: 'fw_',
    modelListRoute: '/models',
    hint: 'Model ids look like `accounts/fireworks/models/kimi-k3`.',
  },
  cerebras: {
    id: 'cerebras',
    displayName: 'Cerebras',
    provider: 'cerebras',
    baseUrl: 'https://api.cerebras.ai/v1',
    requiresKey: true,
    local: false,
    // inference-docs.cerebras.ai: keys begin `csk-`.
    keyPrefix: 'csk-',
    modelListRoute: '/models',
    hint: 'Model ids such as `gpt-oss-120b`.',
  },
  deepInfra: {
    id: 'deepInfra',
    displayName: 'DeepInfra',
    provider: 'deepinfra',
    baseUrl: 'https://api.deepinfra.com/v1/openai',
    requiresKey: true,
    local: false,
    // DeepInfra tokens have no documented prefix: the scrubber's Bearer rule covers them.
    modelListRoute: '/models',
    hint: 'Model ids name the organisation, e.g. `deepseek-ai/DeepSeek-V3.2`.',
  },
  perplexity: {
    id: 'perplexity',
    displayName: 'Perplexity',
    provider: 'perplexity',
    // Perplexity serves /chat/completions at the root, without /v1.
    baseUrl: 'https://api.perplexity.ai',
    requiresKey: true,
    local: false,
    // docs.perplexity.ai: keys begin `pplx-`.
    keyPrefix: 'pplx-',
    // Perplexity's API reference has no model-list endpoint.
    modelListRoute: 'none',
    hint: 'Answers with web search; model ids such as `sonar-pro` or `sonar-reasoning-pro`.',
  },
  moonshot: {
    id: 'moonshot',
    displayName: 'Moonshot AI (Kimi)',
    provider: 'moonshot',
    // The international endpoint; accounts from platform.moonshot.cn use https://api.moonshot.cn/v1.
    baseUrl: 'https://api.moonshot.ai/v1',
    requiresKey: true,
    local: false,
    keyPrefix: 'sk-',
    modelListRoute: '/models',
    hint: 'Model ids such as `kimi-k3` or `kimi-k2.7-code`.',
  },
  huggingFace: {
    id: 'huggingFace',
    displayName: 'Hugging Face (Inference Providers router)',
    provider: 'huggingface',
    baseUrl: 'https://router.huggingface.co/v1',
    requiresKey: true,
    local: false,
    // huggingface.co/docs/hub/security-tokens: user access tokens begin `hf_`.
    keyPrefix: 'hf_',
    modelListRoute: '/models',
    hint: 'A Hugging Face token with Inference Providers permission; model ids such as `openai/gpt-oss-120b`.',
  },
  liteLlm: {
    id: 'liteLlm',
    displayName: 'Team gateway (LiteLLM proxy)',
    provider: 'litellm',
    baseUrl: 'http://localhost:4000/v1',
    requiresKey: true,
    local: false,
    keyPrefix: 'sk-',
    modelListRoute: '/models',
    hint: "Your team's LiteLLM proxy URL and a virtual key; model ids are the proxy's model names.",
  },
  portkey: {
    id: 'portkey',
    displayName: 'Team gateway (Portkey)',
    provider: 'portkey',
    baseUrl: 'http://localhost:8787/v1',
    requiresKey: true,
    local: false,
    modelListRoute: '/models',
    hint: 'A Portkey gateway URL; add `x-portkey-provider` (or `x-portkey-config`) in extra headers, and the gateway or provider key.',
  },
};

export function isPresetId(value: unknown): value is PresetId {
  return typeof value === 'string' && (PRESET_IDS as readonly string[]).includes(value);
}
