/**
 * The SDK client options every provider uses, pinned in one place so that nothing but the model's
 * own settings decides where a request goes and what it carries.
 *
 * Both SDKs fill in unset options from environment variables: `OPENAI_BASE_URL`,
 * `ANTHROPIC_BASE_URL` and `OPENAI_ORG_ID` redirect or label requests, `OPENAI_ADMIN_KEY` replaces
 * the bearer key, `ANTHROPIC_AUTH_TOKEN` adds a second credential, `OPENAI_CUSTOM_HEADERS` /
 * `ANTHROPIC_CUSTOM_HEADERS` add headers, `*_LOG` turn on logging to the console, and the
 * `ANTHROPIC_OPEN_TELEMETRY*` variables turn on spans and trace headers. A shell variable meant
 * for another tool must never do any of that to a request of this extension, so three layers:
 * 1. every option an environment variable could fill is given explicitly (`null` where unwanted);
 * 2. clients are constructed with the SDKs' variables hidden ({@link constructWithoutSdkEnvironment}),
 *    which also covers variables a later SDK version starts to read;
 * 3. the client's `fetch` refuses any URL outside the configured endpoint ({@link fetchOnlyTo}).
 */

import { recordExchange } from './gateways/exchange';
import type { SdkLogger } from './providerBase';

/** The prefixes of the environment variables the two SDKs read in their constructors. */
const SDK_ENVIRONMENT = /^(OPENAI|ANTHROPIC|AZURE_OPENAI)_/i;

/**
 * Runs `build` (a client constructor) with the SDKs' environment variables removed, and puts them
 * back before returning. The constructors are synchronous, so no other code can observe the gap.
 */
export function constructWithoutSdkEnvironment<T>(build: () => T): T {
  const env = globalThis.process?.env;
  if (!env) return build();
  const hidden = Object.keys(env)
    .filter((name) => SDK_ENVIRONMENT.test(name))
    .map((name) => [name, env[name]] as const);
  for (const [name] of hidden) delete env[name];
  try {
    return build();
  } finally {
    for (const [name, value] of hidden) env[name] = value;
  }
}

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * A `fetch` that sends only to the origin of `endpoint` and refuses anything else before a
 * connection is made. It looks `globalThis.fetch` up on every call: VS Code's extension host
 * replaces it with a version that honours `http.proxy`, the proxy environment variables and the
 * system certificates, and that is the one to use.
 */
export function fetchOnlyTo(endpoint: string): Fetch {
  const allowed = new URL(endpoint).origin;
  const within = `${allowed}/`;
  return (input, init) => {
    const href = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    // The SDKs build every URL from the base URL, so the plain prefix test almost always decides;
    // anything else (another spelling of the host, say) is parsed and compared by origin.
    const origin = href.startsWith(within) ? allowed : originOf(href);
    if (origin !== allowed) {
      return Promise.reject(
        new Error(`Refused to send a request to ${origin}: this model's endpoint is ${allowed}.`),
      );
    }
    // A team gateway member notes what the gateway answered (its cost header, its own error
    // envelopes); for every other call this passes the answer through untouched.
    return recordExchange(globalThis.fetch(input, init));
  };
}

function originOf(href: string): string {
  try {
    return new URL(href).origin;
  } catch {
    return 'an invalid URL';
  }
}

/** What every client gets, whatever the SDK. */
export interface PinnedClientInput {
  /** The key to send (a placeholder for servers that need none). */
  readonly apiKey: string;
  /** Where requests go: always given, never left to a default the environment could change. */
  readonly endpoint: string;
  readonly timeoutMs: number;
  readonly headers: Readonly<Record<string, string>>;
  /**
   * Where the SDK's warnings go (a deprecated model, for example), at level `warn` only; without
   * one the SDK logs nothing. Never the console, whatever `*_LOG` says.
   */
  readonly logger?: SdkLogger;
}

/** The SDK's logging: warnings to `logger`, or nothing at all. */
function logging(logger: SdkLogger | undefined) {
  return logger ? { logger, logLevel: 'warn' as const } : { logLevel: 'off' as const };
}

/** Options for `new OpenAI(…)`: OpenAI itself and the OpenAI-compatible endpoints. */
export function openAiClientOptions(
  input: PinnedClientInput & { readonly organization?: string; readonly project?: string },
) {
  return {
    apiKey: input.apiKey,
    baseURL: input.endpoint,
    organization: input.organization ?? null,
    project: input.project ?? null,
    // Would replace the bearer key on every request (OPENAI_ADMIN_KEY).
    adminAPIKey: null,
    webhookSecret: null,
    maxRetries: 0,
    timeout: input.timeoutMs,
    defaultHeaders: { ...input.headers },
    ...logging(input.logger),
    fetch: fetchOnlyTo(input.endpoint),
  };
}

/** Options for `new AzureOpenAI(…)`; `endpoint` is the resource endpoint. */
export function azureClientOptions(
  input: PinnedClientInput & { readonly deployment: string; readonly apiVersion: string },
) {
  return {
    apiKey: input.apiKey,
    endpoint: input.endpoint,
    // `null`, not undefined: undefined lets OPENAI_BASE_URL in, which would then clash with endpoint.
    baseURL: null,
    deployment: input.deployment,
    apiVersion: input.apiVersion,
    organization: null,
    project: null,
    adminAPIKey: null,
    webhookSecret: null,
    maxRetries: 0,
    timeout: input.timeoutMs,
    defaultHeaders: { ...input.headers },
    ...logging(input.logger),
    fetch: fetchOnlyTo(input.endpoint),
  };
}

/** Options for `new Anthropic(…)`. */
export function anthropicClientOptions(input: PinnedClientInput) {
  return {
    apiKey: input.apiKey,
    // Would add `Authorization: Bearer …` next to the key (ANTHROPIC_AUTH_TOKEN).
    authToken: null,
    baseURL: input.endpoint,
    webhookKey: null,
    maxRetries: 0,
    timeout: input.timeoutMs,
    defaultHeaders: { ...input.headers },
    ...logging(input.logger),
    // No spans to a tracer another extension registered, and no trace headers to the endpoint.
    openTelemetry: { propagation: false, traces: false },
    fetch: fetchOnlyTo(input.endpoint),
  };
}
