/**
 * Ready-made settings for OpenAI-compatible endpoints: a base URL, whether a key is needed, and
 * any headers the service expects. A preset only fills in defaults; the config can override each.
 */

export type PresetId =
  | 'ollama'
  | 'lmStudio'
  | 'vllm'
  | 'openRouter'
  | 'groq'
  | 'mistral'
  | 'deepSeek'
  | 'gemini'
  | 'liteLlm'
  | 'portkey';

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
  /** One line for the settings UI: what to put where. */
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
    hint: 'Runs models locally; pull a model first (`ollama pull llama3.2`). No key needed.',
  },
  lmStudio: {
    id: 'lmStudio',
    displayName: 'LM Studio',
    provider: 'lmstudio',
    baseUrl: 'http://localhost:1234/v1',
    requiresKey: false,
    local: true,
    hint: "Start LM Studio's local server (Developer tab). No key needed.",
  },
  vllm: {
    id: 'vllm',
    displayName: 'vLLM',
    provider: 'vllm',
    baseUrl: 'http://localhost:8000/v1',
    requiresKey: false,
    local: true,
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
    hint: 'Model ids look like `anthropic/claude-sonnet-4.5` or `openai/gpt-4o-mini`.',
  },
  groq: {
    id: 'groq',
    displayName: 'Groq',
    provider: 'groq',
    baseUrl: 'https://api.groq.com/openai/v1',
    requiresKey: true,
    local: false,
    hint: 'Model ids such as `llama-3.3-70b-versatile`.',
  },
  mistral: {
    id: 'mistral',
    displayName: 'Mistral',
    provider: 'mistral',
    baseUrl: 'https://api.mistral.ai/v1',
    requiresKey: true,
    local: false,
    hint: 'Model ids such as `mistral-large-latest` or `mistral-small-latest`.',
  },
  deepSeek: {
    id: 'deepSeek',
    displayName: 'DeepSeek',
    provider: 'deepseek',
    baseUrl: 'https://api.deepseek.com/v1',
    requiresKey: true,
    local: false,
    hint: 'Model ids `deepseek-chat` or `deepseek-reasoner`.',
  },
  gemini: {
    id: 'gemini',
    displayName: 'Google Gemini (OpenAI-compatible)',
    provider: 'gemini',
    baseUrl: 'https://generativelanguage.googleapis.com/v1beta/openai',
    requiresKey: true,
    local: false,
    hint: 'A Gemini API key from Google AI Studio; model ids such as `gemini-2.5-flash`.',
  },
  liteLlm: {
    id: 'liteLlm',
    displayName: 'Team gateway (LiteLLM proxy)',
    provider: 'litellm',
    baseUrl: 'http://localhost:4000/v1',
    requiresKey: true,
    local: false,
    hint: "Your team's LiteLLM proxy URL and a virtual key; model ids are the proxy's model names.",
  },
  portkey: {
    id: 'portkey',
    displayName: 'Team gateway (Portkey)',
    provider: 'portkey',
    baseUrl: 'http://localhost:8787/v1',
    requiresKey: true,
    local: false,
    hint: 'A Portkey gateway URL; add `x-portkey-provider` (or `x-portkey-config`) in extra headers, and the gateway or provider key.',
  },
};

export function isPresetId(value: unknown): value is PresetId {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(PRESETS, value);
}
