/**
 * Reads a provider's key (and secret headers) from the secret source, and keeps one SDK client per
 * set of credentials so a changed key takes effect on the next request without a reload.
 */

import { isLlmError, LlmError } from '../core';
import type { SecretSource } from './providerConfig';

export interface Credentials {
  /** The key to send; a placeholder for local servers that need none. */
  readonly apiKey: string;
  readonly secretHeaders: Readonly<Record<string, string>>;
  /** Every secret value, for scrubbing messages. */
  readonly secrets: readonly string[];
}

export interface CredentialOptions {
  readonly secrets: SecretSource;
  readonly keyId: string;
  /** When false, a missing key sends {@link NO_KEY_PLACEHOLDER} instead of skipping the model. */
  readonly keyRequired: boolean;
  readonly secretHeaders?: Readonly<Record<string, string>>;
  readonly provider: string;
  /** Registry name of the model (for the error). */
  readonly model: string;
}

/** What local servers receive as the key: the SDKs insist on one, and these servers ignore it. */
export const NO_KEY_PLACEHOLDER = 'no-key-needed';

/**
 * Reads the credentials, or throws `auth` with `missingKey` (the manager then skips the model with
 * "no API key — set one") before any network call. An {@link LlmError} the secret source throws
 * (a key it withholds from this endpoint) passes through unchanged, so its reason reaches the caller
 * and, again, nothing is sent.
 */
export async function readCredentials(options: CredentialOptions): Promise<Credentials> {
  const missing = (what: string) =>
    new LlmError(
      'auth',
      `No API key for ${options.provider}: ${what} — set one with "LLM Manager: Set API Key".`,
      {
        missingKey: true,
        provider: options.provider,
        model: options.model,
      },
    );
  let key: string | undefined;
  try {
    key = (await options.secrets.getKey(options.keyId))?.trim() || undefined;
  } catch (error) {
    // A source that withholds a key on purpose (the extension's key-to-host check) says why itself.
    if (isLlmError(error)) throw error;
    throw missing(`the key "${options.keyId}" could not be read from secret storage`);
  }
  if (!key && options.keyRequired) throw missing(`nothing is stored under "${options.keyId}"`);

  const secrets: string[] = key ? [key] : [];
  const secretHeaders = options.secretHeaders;
  if (!secretHeaders) return { apiKey: key ?? NO_KEY_PLACEHOLDER, secretHeaders: NO_HEADERS, secrets };
  const headers: Record<string, string> = {};
  for (const [header, keyId] of Object.entries(secretHeaders)) {
    let value: string | undefined;
    try {
      value = (await options.secrets.getKey(keyId))?.trim() || undefined;
    } catch (error) {
      if (isLlmError(error)) throw error;
      value = undefined;
    }
    if (!value) throw missing(`the header "${header}" needs the secret "${keyId}", which is not set`);
    headers[header] = value;
    secrets.push(value);
  }
  return { apiKey: key ?? NO_KEY_PLACEHOLDER, secretHeaders: headers, secrets };
}

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

/** Holds the SDK client built for the current credentials; rebuilds it when they change. */
export class ClientSlot<TClient> {
  private current: { readonly credentials: Credentials; readonly client: TClient } | undefined;

  constructor(private readonly build: (credentials: Credentials) => Promise<TClient>) {}

  /** The client for these credentials when it is already built (the common case, without a wait). */
  peek(credentials: Credentials): TClient | undefined {
    const current = this.current;
    return current && sameCredentials(current.credentials, credentials) ? current.client : undefined;
  }

  async get(credentials: Credentials): Promise<TClient> {
    const ready = this.peek(credentials);
    if (ready !== undefined) return ready;
    const client = await this.build(credentials);
    this.current = { credentials, client };
    return client;
  }
}

function sameCredentials(a: Credentials, b: Credentials): boolean {
  if (a.apiKey !== b.apiKey) return false;
  if (a.secretHeaders === b.secretHeaders) return true;
  const names = Object.keys(a.secretHeaders);
  if (names.length !== Object.keys(b.secretHeaders).length) return false;
  return names.every((name) => a.secretHeaders[name] === b.secretHeaders[name]);
}
